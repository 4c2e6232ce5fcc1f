"""UN/CEFACT CII D16B (Factur-X 1.0, profile EN 16931) from an `Invoice`.

The CII schema is a strict sequence: every element below is written in XSD order (fr-compliance
§2.3), and optional elements are left out rather than written empty. Credit notes keep positive
amounts; the type code 381 carries the sign.
"""

from decimal import Decimal

from lxml import etree

from comptoir.einvoice.document import (
    NOTE_PROCESSING,
    AllowanceCharge,
    Invoice,
    Line,
    Party,
    Tax,
    VatCategory,
)
from comptoir.einvoice.formats import cii_date, xml_amount, xml_price, xml_quantity, xml_rate

GUIDELINE_EN16931 = "urn:cen.eu:en16931:2017"
RSM = "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"
RAM = "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"
QDT = "urn:un:unece:uncefact:data:standard:QualifiedDataType:100"
UDT = "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100"
NSMAP = {"rsm": RSM, "qdt": QDT, "ram": RAM, "udt": UDT}

SCHEME_SIREN = "0002"  # ICD: French SIREN (BT-30, BT-47)
SCHEME_SIRET = "0009"  # ICD: French SIRET (BT-29, BT-46)
DUE_DATE_TYPE_INVOICE_DATE = "5"  # UNTDID 2475, BT-8: VAT due on the invoice date (option for debits)


def _el(parent: etree._Element, ns: str, name: str, text: str | None = None, **attrs: str) -> etree._Element:
    element = etree.SubElement(parent, f"{{{ns}}}{name}", attrs)
    if text is not None:
        element.text = text
    return element


def ram(parent: etree._Element, name: str, text: str | None = None, **attrs: str) -> etree._Element:
    return _el(parent, RAM, name, text, **attrs)


def _date(parent: etree._Element, name: str, value, qualified: bool = False) -> None:
    holder = ram(parent, name)
    _el(holder, QDT if qualified else UDT, "DateTimeString", cii_date(value), format="102")


def _indicator(parent: etree._Element, is_charge: bool) -> None:
    _el(ram(parent, "ChargeIndicator"), UDT, "Indicator", "true" if is_charge else "false")


def to_cii(invoice: Invoice) -> bytes:
    """The Factur-X EN 16931 XML of the invoice, UTF-8 with an XML declaration."""
    root = etree.Element(f"{{{RSM}}}CrossIndustryInvoice", nsmap=NSMAP)

    context = _el(root, RSM, "ExchangedDocumentContext")
    ram(ram(context, "BusinessProcessSpecifiedDocumentContextParameter"), "ID", invoice.business_process)
    ram(ram(context, "GuidelineSpecifiedDocumentContextParameter"), "ID", GUIDELINE_EN16931)

    document = _el(root, RSM, "ExchangedDocument")
    ram(document, "ID", invoice.number)
    ram(document, "TypeCode", str(invoice.type_code))
    _date(document, "IssueDateTime", invoice.issue_date)
    for note in invoice.notes:
        _note(document, note.text, note.subject_code)
    _note(document, invoice.processing, NOTE_PROCESSING)

    transaction = _el(root, RSM, "SupplyChainTradeTransaction")
    for line in invoice.lines:
        _line(transaction, line)
    _agreement(transaction, invoice)
    _delivery(transaction, invoice)
    _settlement(transaction, invoice)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _note(parent: etree._Element, text: str, subject_code: str) -> None:
    note = ram(parent, "IncludedNote")
    ram(note, "Content", text)
    if subject_code:
        ram(note, "SubjectCode", subject_code)


def _line(transaction: etree._Element, line: Line) -> None:
    item = ram(transaction, "IncludedSupplyChainTradeLineItem")
    ram(ram(item, "AssociatedDocumentLineDocument"), "LineID", line.id)

    product = ram(item, "SpecifiedTradeProduct")
    if line.sku:
        ram(product, "SellerAssignedID", line.sku)
    ram(product, "Name", line.name)
    if line.description:
        ram(product, "Description", line.description)

    agreement = ram(item, "SpecifiedLineTradeAgreement")
    if line.order_line_reference:
        ram(ram(agreement, "BuyerOrderReferencedDocument"), "LineID", line.order_line_reference)
    if line.gross_price is not None:
        gross = ram(agreement, "GrossPriceProductTradePrice")
        ram(gross, "ChargeAmount", xml_price(line.gross_price))
        if line.price_discount:
            discount = ram(gross, "AppliedTradeAllowanceCharge")
            _indicator(discount, False)
            ram(discount, "ActualAmount", xml_price(line.price_discount))
    ram(ram(agreement, "NetPriceProductTradePrice"), "ChargeAmount", xml_price(line.net_price))

    ram(
        ram(item, "SpecifiedLineTradeDelivery"),
        "BilledQuantity",
        xml_quantity(line.quantity),
        unitCode=line.unit_code,
    )

    settlement = ram(item, "SpecifiedLineTradeSettlement")
    tax = ram(settlement, "ApplicableTradeTax")
    ram(tax, "TypeCode", "VAT")
    ram(tax, "CategoryCode", str(line.vat_category))
    if line.vat_category != VatCategory.OUT_OF_SCOPE:
        ram(tax, "RateApplicablePercent", xml_rate(line.vat_rate))
    for allowance in line.allowances:
        element = ram(settlement, "SpecifiedTradeAllowanceCharge")
        _indicator(element, False)
        if allowance.sends_percent:
            ram(element, "CalculationPercent", xml_rate(allowance.percent))
            ram(element, "BasisAmount", xml_amount(allowance.base_amount))
        ram(element, "ActualAmount", xml_amount(allowance.amount))
        if allowance.reason_code:
            ram(element, "ReasonCode", allowance.reason_code)
        if allowance.reason:
            ram(element, "Reason", allowance.reason)
    summation = ram(settlement, "SpecifiedTradeSettlementLineMonetarySummation")
    ram(summation, "LineTotalAmount", xml_amount(line.net_amount))


def _party(parent: etree._Element, name: str, party: Party, *, with_vat: bool) -> None:
    element = ram(parent, name)
    if party.siret:
        ram(element, "GlobalID", party.siret, schemeID=SCHEME_SIRET)
    ram(element, "Name", party.name)
    if party.legal_info:
        ram(element, "Description", party.legal_info)
    if party.siren:
        ram(ram(element, "SpecifiedLegalOrganization"), "ID", party.siren, schemeID=SCHEME_SIREN)
    if party.contact_name or party.phone or party.email:
        contact = ram(element, "DefinedTradeContact")
        if party.contact_name:
            ram(contact, "PersonName", party.contact_name)
        if party.phone:
            ram(ram(contact, "TelephoneUniversalCommunication"), "CompleteNumber", party.phone)
        if party.email:
            ram(ram(contact, "EmailURIUniversalCommunication"), "URIID", party.email)
    _address(element, party.address)
    endpoint = party.endpoint
    if endpoint:
        ram(ram(element, "URIUniversalCommunication"), "URIID", endpoint[0], schemeID=endpoint[1])
    if with_vat and party.vat_number:
        ram(ram(element, "SpecifiedTaxRegistration"), "ID", party.vat_number, schemeID="VA")


def _address(parent: etree._Element, address) -> None:
    element = ram(parent, "PostalTradeAddress")
    if address.postal_code:
        ram(element, "PostcodeCode", address.postal_code)
    for tag, text in zip(("LineOne", "LineTwo", "LineThree"), address.lines, strict=False):
        ram(element, tag, text)
    if address.city:
        ram(element, "CityName", address.city)
    ram(element, "CountryID", address.country_code)


def _agreement(transaction: etree._Element, invoice: Invoice) -> None:
    agreement = ram(transaction, "ApplicableHeaderTradeAgreement")
    if invoice.buyer_reference:
        ram(agreement, "BuyerReference", invoice.buyer_reference)
    # BR-O-02: an out-of-scope invoice carries no VAT identifier at all.
    with_vat = VatCategory.OUT_OF_SCOPE not in invoice.categories
    _party(agreement, "SellerTradeParty", invoice.seller, with_vat=with_vat)
    _party(agreement, "BuyerTradeParty", invoice.buyer, with_vat=with_vat)
    if invoice.order_reference:
        ram(ram(agreement, "BuyerOrderReferencedDocument"), "IssuerAssignedID", invoice.order_reference)
    if invoice.contract_reference:
        ram(ram(agreement, "ContractReferencedDocument"), "IssuerAssignedID", invoice.contract_reference)


def _delivery(transaction: etree._Element, invoice: Invoice) -> None:
    delivery = ram(transaction, "ApplicableHeaderTradeDelivery")
    if invoice.ship_to is not None:
        ship_to = ram(delivery, "ShipToTradeParty")
        if invoice.ship_to.name:
            ram(ship_to, "Name", invoice.ship_to.name)
        _address(ship_to, invoice.ship_to.address)
    if invoice.delivery_date:
        _date(ram(delivery, "ActualDeliverySupplyChainEvent"), "OccurrenceDateTime", invoice.delivery_date)
    if invoice.despatch_reference:
        ram(ram(delivery, "DespatchAdviceReferencedDocument"), "IssuerAssignedID", invoice.despatch_reference)


def _header_tax(settlement: etree._Element, tax: Tax, vat_on_debits: bool) -> None:
    element = ram(settlement, "ApplicableTradeTax")
    ram(element, "CalculatedAmount", xml_amount(tax.amount))
    ram(element, "TypeCode", "VAT")
    if tax.exemption_reason:
        ram(element, "ExemptionReason", tax.exemption_reason)
    ram(element, "BasisAmount", xml_amount(tax.base))
    ram(element, "CategoryCode", str(tax.category))
    if tax.exemption_code:
        ram(element, "ExemptionReasonCode", tax.exemption_code)
    if vat_on_debits and tax.category == VatCategory.STANDARD:
        ram(element, "DueDateTypeCode", DUE_DATE_TYPE_INVOICE_DATE)
    if tax.category != VatCategory.OUT_OF_SCOPE:
        ram(element, "RateApplicablePercent", xml_rate(tax.rate))


def _document_allowance_charge(settlement: etree._Element, item: AllowanceCharge) -> None:
    element = ram(settlement, "SpecifiedTradeAllowanceCharge")
    _indicator(element, item.is_charge)
    if item.sends_percent:
        ram(element, "CalculationPercent", xml_rate(item.percent))
        ram(element, "BasisAmount", xml_amount(item.base_amount))
    ram(element, "ActualAmount", xml_amount(item.amount))
    if item.reason_code:
        ram(element, "ReasonCode", item.reason_code)
    if item.reason:
        ram(element, "Reason", item.reason)
    tax = ram(element, "CategoryTradeTax")
    ram(tax, "TypeCode", "VAT")
    ram(tax, "CategoryCode", str(item.vat_category))
    if item.vat_category != VatCategory.OUT_OF_SCOPE:
        ram(tax, "RateApplicablePercent", xml_rate(item.vat_rate))


def _settlement(transaction: etree._Element, invoice: Invoice) -> None:
    settlement = ram(transaction, "ApplicableHeaderTradeSettlement")
    ram(settlement, "PaymentReference", invoice.effective_payment_reference)
    ram(settlement, "InvoiceCurrencyCode", invoice.currency)
    means = invoice.payment_means
    if means is not None:
        element = ram(settlement, "SpecifiedTradeSettlementPaymentMeans")
        ram(element, "TypeCode", means.code)
        if means.information:
            ram(element, "Information", means.information)
        if means.iban:
            account = ram(element, "PayeePartyCreditorFinancialAccount")
            ram(account, "IBANID", means.iban.replace(" ", ""))
            if means.account_name:
                ram(account, "AccountName", means.account_name)
        if means.bic:
            ram(ram(element, "PayeeSpecifiedCreditorFinancialInstitution"), "BICID", means.bic)
    for tax in invoice.taxes:
        _header_tax(settlement, tax, invoice.vat_on_debits)
    if invoice.period_start or invoice.period_end:
        period = ram(settlement, "BillingSpecifiedPeriod")
        if invoice.period_start:
            _date(period, "StartDateTime", invoice.period_start)
        if invoice.period_end:
            _date(period, "EndDateTime", invoice.period_end)
    for item in invoice.allowances_charges:
        _document_allowance_charge(settlement, item)
    if invoice.payment_terms or invoice.due_date:
        terms = ram(settlement, "SpecifiedTradePaymentTerms")
        if invoice.payment_terms:
            ram(terms, "Description", invoice.payment_terms)
        if invoice.due_date:
            _date(terms, "DueDateDateTime", invoice.due_date)

    totals = invoice.totals
    summation = ram(settlement, "SpecifiedTradeSettlementHeaderMonetarySummation")
    ram(summation, "LineTotalAmount", xml_amount(totals.line_total))
    ram(summation, "ChargeTotalAmount", xml_amount(totals.charge_total))
    ram(summation, "AllowanceTotalAmount", xml_amount(totals.allowance_total))
    ram(summation, "TaxBasisTotalAmount", xml_amount(totals.tax_basis_total))
    ram(summation, "TaxTotalAmount", xml_amount(totals.tax_total), currencyID=invoice.currency)
    if totals.rounding_amount:
        ram(summation, "RoundingAmount", xml_amount(totals.rounding_amount))
    ram(summation, "GrandTotalAmount", xml_amount(totals.grand_total))
    ram(summation, "TotalPrepaidAmount", xml_amount(totals.prepaid_amount))
    ram(summation, "DuePayableAmount", xml_amount(totals.due_amount))

    for reference in invoice.preceding_invoices:
        element = ram(settlement, "InvoiceReferencedDocument")
        ram(element, "IssuerAssignedID", reference.number)
        if reference.issue_date:
            _date(element, "FormattedIssueDateTime", reference.issue_date, qualified=True)


def amounts_from_cii(xml: bytes) -> dict[str, Decimal]:
    """The header totals of a CII document, by BT id (used by tests and by the archive check)."""
    tree = etree.fromstring(xml)
    names = {
        "BT-106": "LineTotalAmount",
        "BT-107": "AllowanceTotalAmount",
        "BT-108": "ChargeTotalAmount",
        "BT-109": "TaxBasisTotalAmount",
        "BT-110": "TaxTotalAmount",
        "BT-112": "GrandTotalAmount",
        "BT-113": "TotalPrepaidAmount",
        "BT-115": "DuePayableAmount",
    }
    path = "//ram:SpecifiedTradeSettlementHeaderMonetarySummation/ram:"
    found = {}
    for bt, name in names.items():
        values = tree.xpath(path + name, namespaces=NSMAP)
        if values:
            found[bt] = Decimal(values[0].text)
    return found

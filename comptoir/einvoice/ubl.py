"""UBL 2.1 Invoice (or CreditNote for 381) with the same EN 16931 content as `cii.to_cii`.

Differences from CII worth knowing: a note carries its subject code as "#PMT#text" (the French
convention the BR-FR UBL rules read); BT-8 is `InvoicePeriod/DescriptionCode` with UNTDID 2005 code 3;
a credit note has no root DueDate (BT-9 goes to PaymentMeans/PaymentDueDate).
"""

from lxml import etree

from comptoir.einvoice.cii import GUIDELINE_EN16931, SCHEME_SIREN, SCHEME_SIRET
from comptoir.einvoice.document import (
    NOTE_PROCESSING,
    Address,
    AllowanceCharge,
    Invoice,
    Line,
    Party,
    VatCategory,
)
from comptoir.einvoice.formats import xml_amount, xml_price, xml_quantity, xml_rate

NS_INVOICE = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
NS_CREDIT_NOTE = "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"
CAC = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
CBC = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
VAT_DUE_ON_ISSUE_DATE = "3"  # UNTDID 2005, BT-8 in UBL


def cbc(parent: etree._Element, name: str, text: str, **attrs: str) -> etree._Element:
    element = etree.SubElement(parent, f"{{{CBC}}}{name}", attrs)
    element.text = text
    return element


def cac(parent: etree._Element, name: str) -> etree._Element:
    return etree.SubElement(parent, f"{{{CAC}}}{name}")


def to_ubl(invoice: Invoice) -> bytes:
    credit = invoice.is_credit_note
    root_ns = NS_CREDIT_NOTE if credit else NS_INVOICE
    root = etree.Element(
        f"{{{root_ns}}}{'CreditNote' if credit else 'Invoice'}", nsmap={None: root_ns, "cac": CAC, "cbc": CBC}
    )
    currency = invoice.currency

    cbc(root, "CustomizationID", GUIDELINE_EN16931)
    cbc(root, "ProfileID", invoice.business_process)
    cbc(root, "ID", invoice.number)
    cbc(root, "IssueDate", invoice.issue_date.isoformat())
    if invoice.due_date and not credit:
        cbc(root, "DueDate", invoice.due_date.isoformat())
    cbc(root, "CreditNoteTypeCode" if credit else "InvoiceTypeCode", str(invoice.type_code))
    for note in invoice.notes:
        cbc(root, "Note", f"#{note.subject_code}#{note.text}" if note.subject_code else note.text)
    cbc(root, "Note", f"#{NOTE_PROCESSING}#{invoice.processing}")
    cbc(root, "DocumentCurrencyCode", currency)
    if invoice.buyer_reference:
        cbc(root, "BuyerReference", invoice.buyer_reference)
    if invoice.period_start or invoice.period_end or invoice.vat_on_debits:
        period = cac(root, "InvoicePeriod")
        if invoice.period_start:
            cbc(period, "StartDate", invoice.period_start.isoformat())
        if invoice.period_end:
            cbc(period, "EndDate", invoice.period_end.isoformat())
        if invoice.vat_on_debits:
            cbc(period, "DescriptionCode", VAT_DUE_ON_ISSUE_DATE)
    if invoice.order_reference:
        cbc(cac(root, "OrderReference"), "ID", invoice.order_reference)
    for reference in invoice.preceding_invoices:
        document = cac(cac(root, "BillingReference"), "InvoiceDocumentReference")
        cbc(document, "ID", reference.number)
        if reference.issue_date:
            cbc(document, "IssueDate", reference.issue_date.isoformat())
    if invoice.despatch_reference:
        cbc(cac(root, "DespatchDocumentReference"), "ID", invoice.despatch_reference)
    if invoice.contract_reference:
        cbc(cac(root, "ContractDocumentReference"), "ID", invoice.contract_reference)

    with_vat = VatCategory.OUT_OF_SCOPE not in invoice.categories
    _party(cac(root, "AccountingSupplierParty"), invoice.seller, with_vat=with_vat)
    _party(cac(root, "AccountingCustomerParty"), invoice.buyer, with_vat=with_vat)

    if invoice.delivery_date or invoice.ship_to:
        delivery = cac(root, "Delivery")
        if invoice.delivery_date:
            cbc(delivery, "ActualDeliveryDate", invoice.delivery_date.isoformat())
        if invoice.ship_to:
            _address(cac(delivery, "DeliveryLocation"), "Address", invoice.ship_to.address)
            if invoice.ship_to.name:
                cbc(cac(cac(delivery, "DeliveryParty"), "PartyName"), "Name", invoice.ship_to.name)

    means = invoice.payment_means
    if means is not None:
        element = cac(root, "PaymentMeans")
        code = cbc(element, "PaymentMeansCode", means.code)
        if means.information:
            code.set("name", means.information)
        if credit and invoice.due_date:
            cbc(element, "PaymentDueDate", invoice.due_date.isoformat())
        cbc(element, "PaymentID", invoice.effective_payment_reference)
        if means.iban:
            account = cac(element, "PayeeFinancialAccount")
            cbc(account, "ID", means.iban.replace(" ", ""))
            if means.account_name:
                cbc(account, "Name", means.account_name)
            if means.bic:
                cbc(cac(account, "FinancialInstitutionBranch"), "ID", means.bic)
    if invoice.payment_terms:
        cbc(cac(root, "PaymentTerms"), "Note", invoice.payment_terms)

    for item in invoice.allowances_charges:
        _allowance_charge(root, item, currency)

    tax_total = cac(root, "TaxTotal")
    cbc(tax_total, "TaxAmount", xml_amount(invoice.totals.tax_total), currencyID=currency)
    for tax in invoice.taxes:
        subtotal = cac(tax_total, "TaxSubtotal")
        cbc(subtotal, "TaxableAmount", xml_amount(tax.base), currencyID=currency)
        cbc(subtotal, "TaxAmount", xml_amount(tax.amount), currencyID=currency)
        category = cac(subtotal, "TaxCategory")
        cbc(category, "ID", str(tax.category))
        if tax.category != VatCategory.OUT_OF_SCOPE:
            cbc(category, "Percent", xml_rate(tax.rate))
        if tax.exemption_code:
            cbc(category, "TaxExemptionReasonCode", tax.exemption_code)
        if tax.exemption_reason:
            cbc(category, "TaxExemptionReason", tax.exemption_reason)
        cbc(cac(category, "TaxScheme"), "ID", "VAT")

    totals = invoice.totals
    monetary = cac(root, "LegalMonetaryTotal")
    cbc(monetary, "LineExtensionAmount", xml_amount(totals.line_total), currencyID=currency)
    cbc(monetary, "TaxExclusiveAmount", xml_amount(totals.tax_basis_total), currencyID=currency)
    cbc(monetary, "TaxInclusiveAmount", xml_amount(totals.grand_total), currencyID=currency)
    cbc(monetary, "AllowanceTotalAmount", xml_amount(totals.allowance_total), currencyID=currency)
    cbc(monetary, "ChargeTotalAmount", xml_amount(totals.charge_total), currencyID=currency)
    cbc(monetary, "PrepaidAmount", xml_amount(totals.prepaid_amount), currencyID=currency)
    if totals.rounding_amount:
        cbc(monetary, "PayableRoundingAmount", xml_amount(totals.rounding_amount), currencyID=currency)
    cbc(monetary, "PayableAmount", xml_amount(totals.due_amount), currencyID=currency)

    for line in invoice.lines:
        _line(root, line, currency, credit)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _address(parent: etree._Element, name: str, address: Address) -> None:
    element = cac(parent, name)
    if address.lines:
        cbc(element, "StreetName", address.lines[0])
    if len(address.lines) > 1:
        cbc(element, "AdditionalStreetName", address.lines[1])
    if address.city:
        cbc(element, "CityName", address.city)
    if address.postal_code:
        cbc(element, "PostalZone", address.postal_code)
    if len(address.lines) > 2:
        cbc(cac(element, "AddressLine"), "Line", address.lines[2])
    cbc(cac(element, "Country"), "IdentificationCode", address.country_code)


def _party(parent: etree._Element, party: Party, *, with_vat: bool) -> None:
    element = cac(parent, "Party")
    endpoint = party.endpoint
    if endpoint:
        cbc(element, "EndpointID", endpoint[0], schemeID=endpoint[1])
    if party.siret:
        cbc(cac(element, "PartyIdentification"), "ID", party.siret, schemeID=SCHEME_SIRET)
    _address(element, "PostalAddress", party.address)
    if with_vat and party.vat_number:
        tax_scheme = cac(element, "PartyTaxScheme")
        cbc(tax_scheme, "CompanyID", party.vat_number)
        cbc(cac(tax_scheme, "TaxScheme"), "ID", "VAT")
    legal = cac(element, "PartyLegalEntity")
    cbc(legal, "RegistrationName", party.name)
    if party.siren:
        cbc(legal, "CompanyID", party.siren, schemeID=SCHEME_SIREN)
    if party.legal_info:
        cbc(legal, "CompanyLegalForm", party.legal_info)
    if party.contact_name or party.phone or party.email:
        contact = cac(element, "Contact")
        if party.contact_name:
            cbc(contact, "Name", party.contact_name)
        if party.phone:
            cbc(contact, "Telephone", party.phone)
        if party.email:
            cbc(contact, "ElectronicMail", party.email)


def _tax_category(parent: etree._Element, name: str, category: VatCategory, rate) -> None:
    element = cac(parent, name)
    cbc(element, "ID", str(category))
    if category != VatCategory.OUT_OF_SCOPE:
        cbc(element, "Percent", xml_rate(rate))
    cbc(cac(element, "TaxScheme"), "ID", "VAT")


def _allowance_charge(parent: etree._Element, item: AllowanceCharge, currency: str) -> None:
    element = cac(parent, "AllowanceCharge")
    cbc(element, "ChargeIndicator", "true" if item.is_charge else "false")
    if item.reason_code:
        cbc(element, "AllowanceChargeReasonCode", item.reason_code)
    if item.reason:
        cbc(element, "AllowanceChargeReason", item.reason)
    with_base = item.sends_percent
    if with_base:
        cbc(element, "MultiplierFactorNumeric", xml_rate(item.percent))
    cbc(element, "Amount", xml_amount(item.amount), currencyID=currency)
    if with_base:
        cbc(element, "BaseAmount", xml_amount(item.base_amount), currencyID=currency)
    _tax_category(element, "TaxCategory", item.vat_category, item.vat_rate)


def _line(root: etree._Element, line: Line, currency: str, credit: bool) -> None:
    element = cac(root, "CreditNoteLine" if credit else "InvoiceLine")
    cbc(element, "ID", line.id)
    cbc(
        element,
        "CreditedQuantity" if credit else "InvoicedQuantity",
        xml_quantity(line.quantity),
        unitCode=line.unit_code,
    )
    cbc(element, "LineExtensionAmount", xml_amount(line.net_amount), currencyID=currency)
    if line.order_line_reference:
        cbc(cac(element, "OrderLineReference"), "LineID", line.order_line_reference)
    for allowance in line.allowances:
        item = cac(element, "AllowanceCharge")
        cbc(item, "ChargeIndicator", "false")
        if allowance.reason_code:
            cbc(item, "AllowanceChargeReasonCode", allowance.reason_code)
        if allowance.reason:
            cbc(item, "AllowanceChargeReason", allowance.reason)
        with_base = allowance.sends_percent
        if with_base:
            cbc(item, "MultiplierFactorNumeric", xml_rate(allowance.percent))
        cbc(item, "Amount", xml_amount(allowance.amount), currencyID=currency)
        if with_base:
            cbc(item, "BaseAmount", xml_amount(allowance.base_amount), currencyID=currency)
    product = cac(element, "Item")
    if line.description:
        cbc(product, "Description", line.description)
    cbc(product, "Name", line.name)
    if line.sku:
        cbc(cac(product, "SellersItemIdentification"), "ID", line.sku)
    _tax_category(product, "ClassifiedTaxCategory", line.vat_category, line.vat_rate)
    price = cac(element, "Price")
    cbc(price, "PriceAmount", xml_price(line.net_price), currencyID=currency)
    if line.gross_price is not None:
        discount = cac(price, "AllowanceCharge")
        cbc(discount, "ChargeIndicator", "false")
        cbc(discount, "Amount", xml_price(line.price_discount or 0), currencyID=currency)
        cbc(discount, "BaseAmount", xml_price(line.gross_price), currencyID=currency)

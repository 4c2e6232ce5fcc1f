"""UN/CEFACT Cross Industry documents: the Order-X order (SCRDMCCBDACIOMessageStructure, D16B/D22B) and
the CII invoice (CrossIndustryInvoice, Factur-X/ZUGFeRD). Both share the trade party, product and price
aggregates, read here by local name. Every value is stated by an element: confidence 1, the source is
its XPath."""

from comptoir.intake.detection import CII_INVOICE, ORDER_X
from comptoir.intake.extraction import INVOICE, ORDER, ExtractedDocument, ExtractedLine
from comptoir.intake.parsers.xmlpath import children, find, find_all, text, where


def cii_date(value: str) -> str:
    """« 20261207 » (format 102) → « 2026-12-07 »; anything else as it was."""
    value = value.strip()
    if len(value) == 8 and value.isdigit():
        return f"{value[:4]}-{value[4:6]}-{value[6:]}"
    return value


def _put_date(doc, name: str, element, path: str, prefix: str) -> None:
    found = find(element, path) if element is not None else None
    if found is not None and (found.text or "").strip():
        doc.put(name, cii_date(found.text), prefix + where(found))


def _put_text(doc, name: str, element, path: str, prefix: str) -> None:
    found = find(element, path) if element is not None else None
    if found is not None and (found.text or "").strip():
        doc.put(name, found.text, prefix + where(found))


def _party(doc, role: str, party, prefix: str) -> None:
    """Name, SIREN/SIRET (legal organization, schemes 0002/0009), VAT (tax registration VA), GLN (0088)."""
    if party is None:
        return
    _put_text(doc, f"{role}_name", party, "Name", prefix)
    for element in children(party, "GlobalID"):
        if element.get("schemeID") == "0088":
            doc.put(f"{role}_gln", element.text, prefix + where(element))
    for element in find_all(party, "SpecifiedLegalOrganization/ID"):
        value = (element.text or "").replace(" ", "")
        scheme = element.get("schemeID", "")
        if scheme == "0009" or (len(value) == 14 and value.isdigit()):
            doc.put(f"{role}_siret", value, prefix + where(element))
            doc.put(f"{role}_siren", value[:9], prefix + where(element))
        elif scheme in ("0002", "") and len(value) == 9 and value.isdigit():
            doc.put(f"{role}_siren", value, prefix + where(element))
    for element in find_all(party, "SpecifiedTaxRegistration/ID"):
        if element.get("schemeID", "VA") == "VA":
            doc.put(f"{role}_vat", (element.text or "").replace(" ", ""), prefix + where(element))
    address = find(party, "PostalTradeAddress")
    if address is not None and role == "ship_to":
        parts = [
            text(address, name) for name in ("LineOne", "LineTwo", "PostcodeCode", "CityName", "CountryID")
        ]
        doc.put("delivery_address", ", ".join(p for p in parts if p), prefix + where(address))


def _line(item, prefix: str) -> ExtractedLine:
    line = ExtractedLine()

    def put(name, path):
        found = find(item, path)
        if found is not None and (found.text or "").strip():
            line.put(name, found.text, prefix + where(found))
            return found
        return None

    product = find(item, "SpecifiedTradeProduct")
    if product is not None:
        for element in children(product, "GlobalID"):
            if element.get("schemeID") in ("0160", "", None):
                line.put("ean", element.text, prefix + where(element))
        put("our_code", "SpecifiedTradeProduct/SellerAssignedID")
        put("customer_reference", "SpecifiedTradeProduct/BuyerAssignedID")
        put("description", "SpecifiedTradeProduct/Name")
    put("unit_price", "SpecifiedLineTradeAgreement/NetPriceProductTradePrice/ChargeAmount")
    quantity = None
    for path in ("RequestedQuantity", "BilledQuantity", "AgreedQuantity"):
        quantity = put("quantity", f"SpecifiedLineTradeDelivery/{path}")
        if quantity is not None:
            break
    if quantity is not None and quantity.get("unitCode"):
        line.put("unit", quantity.get("unitCode"), prefix + where(quantity) + "/@unitCode")
    found = find(
        item, "SpecifiedLineTradeDelivery/RequestedDeliverySupplyChainEvent/OccurrenceDateTime/DateTimeString"
    )
    if found is not None and found.text:
        line.put("requested_date", cii_date(found.text), prefix + where(found))
    return line


def _common(doc, root, transaction, prefix: str) -> None:
    _put_text(doc, "po_number", root, "ExchangedDocument/ID", prefix)
    _put_date(doc, "po_date", root, "ExchangedDocument/IssueDateTime/DateTimeString", prefix)
    agreement = find(transaction, "ApplicableHeaderTradeAgreement")
    if agreement is not None:
        _party(doc, "buyer", find(agreement, "BuyerTradeParty"), prefix)
        _party(doc, "seller", find(agreement, "SellerTradeParty"), prefix)
    delivery = find(transaction, "ApplicableHeaderTradeDelivery")
    if delivery is not None:
        _party(doc, "ship_to", find(delivery, "ShipToTradeParty"), prefix)
        _put_date(
            doc,
            "requested_date",
            delivery,
            "RequestedDeliverySupplyChainEvent/OccurrenceDateTime/DateTimeString",
            prefix,
        )
    settlement = find(transaction, "ApplicableHeaderTradeSettlement")
    if settlement is not None:
        _put_text(doc, "currency", settlement, "InvoiceCurrencyCode", prefix)
        _put_text(doc, "currency", settlement, "OrderCurrencyCode", prefix)
        for summation in ("SpecifiedTradeSettlementHeaderMonetarySummation",):
            _put_text(doc, "total_untaxed", settlement, f"{summation}/TaxBasisTotalAmount", prefix)
            _put_text(doc, "total_untaxed", settlement, f"{summation}/LineTotalAmount", prefix)
            _put_text(doc, "total", settlement, f"{summation}/GrandTotalAmount", prefix)
    for item in children(transaction, "IncludedSupplyChainTradeLineItem"):
        doc.lines.append(_line(item, prefix))


def parse_order_root(root, *, fmt: str = ORDER_X, source_prefix: str = "") -> ExtractedDocument:
    doc = ExtractedDocument(kind=ORDER, format=fmt)
    transaction = find(root, "SupplyChainTradeTransaction")
    _common(doc, root, transaction if transaction is not None else root, source_prefix)
    # Some Order-X senders repeat their PO number as the buyer order reference.
    if transaction is not None:
        _put_text(
            doc,
            "po_number",
            transaction,
            "ApplicableHeaderTradeAgreement/BuyerOrderReferencedDocument/IssuerAssignedID",
            source_prefix,
        )
    return doc


def parse_invoice_root(root, *, fmt: str = CII_INVOICE, source_prefix: str = "") -> ExtractedDocument:
    doc = ExtractedDocument(kind=INVOICE, format=fmt)
    transaction = find(root, "SupplyChainTradeTransaction")
    _common(doc, root, transaction if transaction is not None else root, source_prefix)
    return doc


def parse_order(content: bytes) -> ExtractedDocument:
    from comptoir.intake.detection import safe_xml

    return parse_order_root(safe_xml(content))


def parse_invoice(content: bytes) -> ExtractedDocument:
    from comptoir.intake.detection import safe_xml

    return parse_invoice_root(safe_xml(content))

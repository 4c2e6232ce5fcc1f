"""UBL 2.1 documents: the Order of Peppol BIS Ordering 3 and the Invoice / CreditNote (Peppol BIS Billing,
EN 16931). Values are read by local name; confidence 1, the source is the element's XPath."""

from comptoir.intake.detection import UBL_INVOICE, UBL_ORDER, safe_xml
from comptoir.intake.extraction import INVOICE, ORDER, ExtractedDocument, ExtractedLine
from comptoir.intake.parsers.xmlpath import children, find, find_all, where


def _put(target, name: str, element, path: str) -> None:
    found = find(element, path) if element is not None else None
    if found is not None and (found.text or "").strip():
        target.put(name, found.text, where(found))


def _party(doc, role: str, party) -> None:
    if party is None:
        return
    _put(doc, f"{role}_name", party, "PartyLegalEntity/RegistrationName")
    _put(doc, f"{role}_name", party, "PartyName/Name")
    ids = [*children(party, "EndpointID"), *find_all(party, "PartyIdentification/ID")]
    ids += find_all(party, "PartyLegalEntity/CompanyID")
    for element in ids:
        value = (element.text or "").replace(" ", "")
        scheme = element.get("schemeID", "")
        if scheme == "0088" or (scheme == "GLN"):
            doc.put(f"{role}_gln", value, where(element))
        elif scheme == "0009" or (len(value) == 14 and value.isdigit()):
            doc.put(f"{role}_siret", value, where(element))
            doc.put(f"{role}_siren", value[:9], where(element))
        elif scheme == "0002" or (len(value) == 9 and value.isdigit()):
            doc.put(f"{role}_siren", value, where(element))
    for element in find_all(party, "PartyTaxScheme/CompanyID"):
        doc.put(f"{role}_vat", (element.text or "").replace(" ", ""), where(element))


def _item_line(item) -> ExtractedLine:
    line = ExtractedLine()
    _put(line, "customer_reference", item, "Item/BuyersItemIdentification/ID")
    _put(line, "our_code", item, "Item/SellersItemIdentification/ID")
    _put(line, "ean", item, "Item/StandardItemIdentification/ID")
    _put(line, "description", item, "Item/Name")
    _put(line, "description", item, "Item/Description")
    _put(line, "unit_price", item, "Price/PriceAmount")
    for path in ("Quantity", "InvoicedQuantity", "CreditedQuantity"):
        quantity = find(item, path)
        if quantity is not None and (quantity.text or "").strip():
            line.put("quantity", quantity.text, where(quantity))
            if quantity.get("unitCode"):
                line.put("unit", quantity.get("unitCode"), where(quantity) + "/@unitCode")
            break
    _put(line, "requested_date", item, "Delivery/RequestedDeliveryPeriod/StartDate")
    return line


def parse_order(content: bytes) -> ExtractedDocument:
    root = safe_xml(content)
    doc = ExtractedDocument(kind=ORDER, format=UBL_ORDER)
    _put(doc, "po_number", root, "ID")
    _put(doc, "po_date", root, "IssueDate")
    _put(doc, "currency", root, "DocumentCurrencyCode")
    _party(doc, "buyer", find(root, "BuyerCustomerParty/Party"))
    _party(doc, "seller", find(root, "SellerSupplierParty/Party"))
    delivery = find(root, "Delivery")
    if delivery is not None:
        _put(doc, "requested_date", delivery, "RequestedDeliveryPeriod/StartDate")
        address = find(delivery, "DeliveryLocation/Address")
        if address is not None:
            parts = [
                (find(address, name).text or "").strip() if find(address, name) is not None else ""
                for name in ("StreetName", "AdditionalStreetName", "PostalZone", "CityName")
            ]
            doc.put("delivery_address", ", ".join(p for p in parts if p), where(address))
    _put(doc, "total_untaxed", root, "AnticipatedMonetaryTotal/LineExtensionAmount")
    _put(doc, "total", root, "AnticipatedMonetaryTotal/PayableAmount")
    for order_line in children(root, "OrderLine"):
        item = find(order_line, "LineItem")
        if item is not None:
            doc.lines.append(_item_line(item))
    return doc


def parse_invoice(content: bytes) -> ExtractedDocument:
    root = safe_xml(content)
    doc = ExtractedDocument(kind=INVOICE, format=UBL_INVOICE)
    _put(doc, "po_number", root, "ID")
    _put(doc, "po_date", root, "IssueDate")
    _put(doc, "currency", root, "DocumentCurrencyCode")
    _party(doc, "seller", find(root, "AccountingSupplierParty/Party"))
    _party(doc, "buyer", find(root, "AccountingCustomerParty/Party"))
    _put(doc, "total_untaxed", root, "LegalMonetaryTotal/TaxExclusiveAmount")
    _put(doc, "total", root, "LegalMonetaryTotal/TaxInclusiveAmount")
    for name in ("InvoiceLine", "CreditNoteLine"):
        for line in children(root, name):
            doc.lines.append(_item_line(line))
    return doc

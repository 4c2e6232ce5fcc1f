"""EDIFACT ORDERS (D96A, as EANCOM and most French retail EDI send it), tokenised by pydifact.

Header: BGM (document number), DTM+137 (order date), DTM+2 (requested delivery), NAD+BY (buyer: GLN,
name), RFF+VA (buyer's VAT number, in the NAD group), NAD+DP (delivery party). Each line starts at LIN
(EAN in LIN, type EN), PIA (IN / BP: buyer's part number, SA: ours), IMD (description), QTY+21
(ordered), PRI+AAA/AAB (net price), DTM+2 (line delivery date). The source names the segment and its
position in the message (« NAD+BY (segment 5) »)."""

from comptoir.intake.detection import EDIFACT_ORDERS
from comptoir.intake.extraction import ORDER, ExtractedDocument, ExtractedLine, ParseError


def _el(elements, index: int, sub: int | None = None) -> str:
    if index >= len(elements):
        return ""
    value = elements[index]
    if isinstance(value, list):
        if sub is None:
            sub = 0
        return (value[sub] or "").strip() if sub < len(value) and value[sub] else ""
    if sub not in (None, 0):
        return ""
    return (value or "").strip()


def _date(value: str, fmt: str) -> str:
    if fmt in ("102", "") and len(value) == 8 and value.isdigit():
        return f"{value[:4]}-{value[4:6]}-{value[6:]}"
    if fmt == "203" and len(value) >= 8:
        return f"{value[:4]}-{value[4:6]}-{value[6:8]}"
    return value


def segments(content: bytes) -> list:
    """The message's segments, tokenised by pydifact (its UNA service string advice honoured)."""
    import warnings

    from pydifact.parser import Parser

    if b"\x00" in content[:4096]:
        raise ParseError("edifact_invalid", "binary")
    text = content.decode("utf-8", errors="replace").lstrip("\ufeff").strip()
    try:
        with warnings.catch_warnings():
            # pydifact warns for each service segment it has no XML directory for: nothing to act on.
            warnings.simplefilter("ignore")
            return [segment for segment in Parser().parse(text) if segment.tag != "UNA"]
    except Exception as exc:  # pydifact raises EDISyntaxError, ValueError, IndexError on broken messages
        raise ParseError("edifact_invalid", str(exc)[:200]) from exc


def parse(content: bytes) -> ExtractedDocument:
    doc = ExtractedDocument(kind=ORDER, format=EDIFACT_ORDERS)
    line: ExtractedLine | None = None
    party = ""
    seen_orders = False
    for number, segment in enumerate(segments(content), start=1):
        tag, elements = segment.tag, segment.elements
        where = f"{tag}{'+' + _el(elements, 0) if elements else ''} (segment {number})"
        target = line if line is not None else doc
        if tag == "UNH":
            seen_orders = seen_orders or _el(elements, 1, 0) == "ORDERS"
        elif tag == "BGM":
            doc.put("po_number", _el(elements, 1, 0) or _el(elements, 1), where)
        elif tag == "DTM":
            qualifier, value, fmt = _el(elements, 0, 0), _el(elements, 0, 1), _el(elements, 0, 2)
            if qualifier == "137" and line is None:
                doc.put("po_date", _date(value, fmt), where)
            elif qualifier in ("2", "64", "69"):
                target.put("requested_date", _date(value, fmt), where)
        elif tag == "NAD":
            party = _el(elements, 0)
            if line is None:
                code, agency = _el(elements, 1, 0), _el(elements, 1, 2)
                name = _el(elements, 3, 0) or _el(elements, 2, 0)
                if party == "BY":
                    if agency == "9" or (len(code) == 13 and code.isdigit()):
                        doc.put("buyer_gln", code, where)
                    elif len(code) == 14 and code.isdigit():
                        doc.put("buyer_siret", code, where)
                        doc.put("buyer_siren", code[:9], where)
                    doc.put("buyer_name", name, where)
                elif party == "SU":
                    doc.put("seller_name", name, where)
                elif party == "DP":
                    street, city, postcode = _el(elements, 4, 0), _el(elements, 5), _el(elements, 7)
                    parts = [name, street, postcode, city]
                    doc.put("delivery_address", ", ".join(p for p in parts if p), where)
        elif tag == "RFF" and line is None:
            qualifier, value = _el(elements, 0, 0), _el(elements, 0, 1)
            if qualifier == "VA" and party == "BY":
                doc.put("buyer_vat", value.replace(" ", ""), where)
            elif qualifier == "XA" and party == "BY":
                doc.put("buyer_siren", value.replace(" ", "")[:9], where)
        elif tag == "CUX" and line is None:
            doc.put("currency", _el(elements, 0, 1), where)
        elif tag == "LIN":
            line = ExtractedLine()
            doc.lines.append(line)
            code, kind = _el(elements, 2, 0), _el(elements, 2, 1)
            if code and kind in ("EN", "SRV", ""):
                line.put("ean", code, where)
            elif code and kind == "SA":
                line.put("our_code", code, where)
            elif code and kind in ("BP", "IN"):
                line.put("customer_reference", code, where)
        elif tag == "PIA" and line is not None:
            for index in range(1, len(elements)):
                code, kind = _el(elements, index, 0), _el(elements, index, 1)
                if kind in ("IN", "BP"):
                    line.put("customer_reference", code, where)
                elif kind == "SA":
                    line.put("our_code", code, where)
        elif tag == "IMD" and line is not None:
            line.put("description", _el(elements, 2, 3) or _el(elements, 2, 4), where)
        elif tag == "QTY" and line is not None:
            if _el(elements, 0, 0) in ("21", "1"):
                line.put("quantity", _el(elements, 0, 1), where)
                line.put("unit", _el(elements, 0, 2), where)
        elif tag == "PRI" and line is not None:
            if _el(elements, 0, 0) in ("AAA", "AAB", "INF"):
                line.put("unit_price", _el(elements, 0, 1), where)
        elif tag == "UNS":
            line = None
    if not seen_orders:
        raise ParseError("unknown_type", "not an ORDERS message")
    return doc

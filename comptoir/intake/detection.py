"""What a received file is, told by its content (magic bytes, the XML root, the EDIFACT service segments),
never by its name: a customer's « commande.xml » may be a PDF, a « .txt » an EDIFACT message. No Django.

XML is parsed only through `safe_xml`: a document type declaration (the carrier of XXE and of the
« billion laughs ») is refused before anything is expanded (defusedxml), and lxml then reads without
entities, network or huge trees.
"""

import io
import zipfile

import defusedxml
import defusedxml.ElementTree
from lxml import etree

from comptoir.intake.extraction import ParseError

# Formats, as stored on the inbound document.
ORDER_X = "order_x"
UBL_ORDER = "ubl_order"
EDIFACT_ORDERS = "edifact_orders"
CII_INVOICE = "cii_invoice"
UBL_INVOICE = "ubl_invoice"
FACTURX_PDF = "facturx_pdf"
XLSX = "xlsx"
CSV = "csv"
PDF = "pdf"
IMAGE = "image"
EMAIL = "email"
XML_OTHER = "xml"
UNKNOWN = "unknown"

ORDER_X_ROOT = "SCRDMCCBDACIOMessageStructure"
UBL_ORDER_NS = "urn:oasis:names:specification:ubl:schema:xsd:Order-2"
UBL_INVOICE_NS = (
    "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2",
    "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2",
)

_IMAGE_MAGIC = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF87a", b"GIF89a", b"II*\x00", b"MM\x00*", b"BM")

MEDIA_TYPES = {
    ORDER_X: "application/xml",
    UBL_ORDER: "application/xml",
    CII_INVOICE: "application/xml",
    UBL_INVOICE: "application/xml",
    XML_OTHER: "application/xml",
    EDIFACT_ORDERS: "application/edifact",
    FACTURX_PDF: "application/pdf",
    PDF: "application/pdf",
    XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    CSV: "text/csv",
    IMAGE: "image/*",
    EMAIL: "message/rfc822",
    UNKNOWN: "application/octet-stream",
}

MAX_XML_BYTES = 20 * 1024 * 1024
# A workbook that would unpack past this, or more than RATIO times its size, is a zip bomb, not an order.
MAX_UNPACKED_BYTES = 200 * 1024 * 1024
MAX_UNPACK_RATIO = 200


def safe_xml(content: bytes) -> etree._Element:
    """The root of an XML document with no DTD; ParseError("xml_dtd") or ParseError("xml_invalid")."""
    if len(content) > MAX_XML_BYTES:
        raise ParseError("xml_invalid", "too large")
    # Spaces (or a BOM, then spaces) before the XML declaration: common in files saved by hand, and harmless.
    content = content.removeprefix(b"\xef\xbb\xbf").lstrip()
    try:
        # defusedxml refuses a DTD, entity declarations and external references before expanding any.
        defusedxml.ElementTree.fromstring(
            content, forbid_dtd=True, forbid_entities=True, forbid_external=True
        )
    except (
        defusedxml.DTDForbidden,
        defusedxml.EntitiesForbidden,
        defusedxml.ExternalReferenceForbidden,
    ) as exc:
        raise ParseError("xml_dtd", type(exc).__name__) from exc
    except Exception as exc:  # ParseError of ElementTree (malformed XML), ValueError on bad encodings
        raise ParseError("xml_invalid", str(exc)[:200]) from exc
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False)
    try:
        return etree.fromstring(content, parser=parser)
    except (etree.XMLSyntaxError, ValueError) as exc:
        raise ParseError("xml_invalid", str(exc)[:200]) from exc


def local_name(element) -> str:
    return etree.QName(element).localname


def _strip(content: bytes) -> bytes:
    head = content[:4096]
    if head.startswith(b"\xef\xbb\xbf"):
        head = head[3:]
    return head.lstrip()


def _xml_format(content: bytes) -> str:
    root = safe_xml(content)
    name = local_name(root)
    namespace = etree.QName(root).namespace or ""
    if name == ORDER_X_ROOT:
        return ORDER_X
    if name == "Order" and namespace == UBL_ORDER_NS:
        return UBL_ORDER
    if name == "CrossIndustryInvoice":
        return CII_INVOICE
    if name in ("Invoice", "CreditNote") and namespace in UBL_INVOICE_NS:
        return UBL_INVOICE
    return XML_OTHER


def _zip_format(content: bytes) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            names = set(archive.namelist())
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise ParseError("corrupt_archive", str(exc)[:200]) from exc
    if unpacked > MAX_UNPACKED_BYTES or unpacked > MAX_UNPACK_RATIO * max(len(content), 1):
        raise ParseError("archive_bomb", str(unpacked))
    if "xl/workbook.xml" in names:
        return XLSX
    return UNKNOWN


def _looks_like_email(content: bytes) -> bool:
    # The header block, up to its first empty line: a message relayed by several servers has many
    # Received and DKIM lines before its From.
    block = content[:65536].replace(b"\r\n", b"\n").split(b"\n\n", 1)[0]
    lines = block.split(b"\n")
    if not lines or b":" not in lines[0][:80]:
        return False
    headers = {
        line.split(b":", 1)[0].strip().lower()
        for line in lines
        if b":" in line[:80] and line[:1] not in (b" ", b"\t")
    }
    return {b"from", b"subject"} <= headers or {b"received", b"from"} <= headers


def _looks_like_text(content: bytes) -> bool:
    sample = content[:8192]
    if b"\x00" in sample:
        return False
    try:
        sample.decode("utf-8")
        return True
    except UnicodeDecodeError as exc:
        if exc.start > len(sample) - 4:  # a character cut at the end of the sample
            return True
    # Windows-1252 text: printable bytes and line breaks only.
    return all(byte >= 0x20 or byte in (9, 10, 13) for byte in sample)


def detect(content: bytes) -> str:
    """The format of `content`. Raises ParseError for a file of a known kind that is broken (an XML with a
    DTD, a damaged zip): the caller quarantines it with the reason."""
    head = _strip(content)
    if content.startswith(b"%PDF-") or head.startswith(b"%PDF-"):
        from comptoir.intake.parsers.facturx import embedded_xml

        return FACTURX_PDF if embedded_xml(content) is not None else PDF
    if any(content.startswith(magic) for magic in _IMAGE_MAGIC) or (
        content[:4] == b"RIFF" and content[8:12] == b"WEBP"
    ):
        return IMAGE
    if content.startswith(b"PK\x03\x04"):
        return _zip_format(content)
    if head.startswith((b"UNA", b"UNB")) or (head.startswith(b"UNH") and b"ORDERS" in head[:80]):
        return EDIFACT_ORDERS if b"ORDERS" in content[:4096] else UNKNOWN
    if head.startswith(b"<"):
        return _xml_format(content)
    if _looks_like_email(content.lstrip()):
        return EMAIL
    if _looks_like_text(content):
        return CSV
    return UNKNOWN

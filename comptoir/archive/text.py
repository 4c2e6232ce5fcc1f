"""The words of an archived file, for the full-text search: the text of an XML document (every element's
text: numbers, names, descriptions of an Order-X, a CII invoice…), an e-mail's headers and body, a PDF's
text layer, a CSV or EDIFACT file as it reads. No Django. Anything unreadable gives no text rather than
an error: archiving never fails because a file cannot be searched.

XML is read without a DTD (a file declaring one gives no text: XXE and entity bombs are never expanded).
"""

import email
import email.policy
import io
import re

from lxml import etree

MAX_CHARS = 100_000
MAX_PDF_PAGES = 20
MAX_XML_BYTES = 20 * 1024 * 1024


def _clean(text: str) -> str:
    text = text.replace("\x00", " ")
    return re.sub(r"\s+", " ", text).strip()[:MAX_CHARS]


def _xml(content: bytes) -> str:
    if len(content) > MAX_XML_BYTES or re.search(rb"<!(DOCTYPE|ENTITY)", content[:65536], re.I):
        return ""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False)
    try:
        root = etree.fromstring(content.removeprefix(b"\xef\xbb\xbf").lstrip(), parser=parser)
    except (etree.XMLSyntaxError, ValueError):
        return ""
    return " ".join(part for part in root.itertext() if part.strip())


def _html(markup: str) -> str:
    markup = re.sub(r"(?is)<(script|style)[^>]*>.*?</\1>", " ", markup)
    return re.sub(r"<[^>]+>", " ", markup)


def _email(content: bytes) -> str:
    message = email.message_from_bytes(content, policy=email.policy.default)
    parts = [str(message.get(name, "") or "") for name in ("From", "To", "Subject")]
    for part in message.walk():
        if part.is_multipart() or part.get_content_disposition() == "attachment":
            if part.get_filename():
                parts.append(part.get_filename())
            continue
        if part.get_content_maintype() != "text":
            continue
        try:
            body = part.get_content()
        except (LookupError, ValueError, AssertionError):
            continue
        parts.append(_html(body) if part.get_content_subtype() == "html" else body)
    return " ".join(parts)


def _pdf(content: bytes) -> str:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(content))
    if reader.is_encrypted:
        return ""
    return " ".join((page.extract_text() or "") for page in reader.pages[:MAX_PDF_PAGES])


def _plain(content: bytes) -> str:
    sample = content[: MAX_CHARS * 2]
    if b"\x00" in sample[:8192]:
        return ""
    try:
        return sample.decode("utf-8")
    except UnicodeDecodeError:
        return sample.decode("cp1252", errors="replace")


def extract(content: bytes, media_type: str = "") -> str:
    content = bytes(content or b"")
    head = content[:1024].removeprefix(b"\xef\xbb\xbf").lstrip()
    try:
        if content.startswith(b"%PDF-"):
            return _clean(_pdf(content))
        if media_type == "message/rfc822":
            return _clean(_email(content))
        if head.startswith(b"<") or media_type.endswith("xml"):
            return _clean(_xml(content))
        if content.startswith((b"PK\x03\x04", b"\x89PNG", b"\xff\xd8\xff", b"GIF8")):
            return ""
        if media_type.startswith("text/") or media_type == "application/edifact":
            return _clean(_plain(content))
    except Exception:  # a damaged or hostile file is still archived, just not searchable by its words
        return ""
    return ""

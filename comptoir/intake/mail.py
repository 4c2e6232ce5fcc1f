"""Reading an e-mail as intake needs it: who sent it, its Message-ID, its attachments, and its body as
plain text (an HTML body turned into text, tables kept as tab-separated rows so an order typed as a table
still reads as one). No Django: the mailbox, the import command and the upload page all go through
`parse_message`, and the body's order is read by `parsers.text`.
"""

import email
import email.policy
import email.utils
import html.parser
import re
from dataclasses import dataclass, field
from datetime import datetime

# Parts that are part of the message's look, not documents someone sent: a signature's logo, a vCard.
_DECORATION_TYPES = ("text/vcard", "text/x-vcard", "application/pgp-signature", "application/pkcs7-signature")
MAX_BODY_CHARS = 200_000


@dataclass
class Attachment:
    name: str
    content: bytes
    media_type: str


@dataclass
class Message:
    message_id: str
    sender: str  # the address alone, lower case
    sender_name: str
    subject: str
    date: datetime | None
    body: str  # plain text (HTML converted)
    attachments: list[Attachment] = field(default_factory=list)


class _HtmlText(html.parser.HTMLParser):
    """HTML to text: blocks and <br> end a line, table cells are separated by a tab, scripts and styles
    are dropped."""

    BLOCKS = {"p", "div", "br", "tr", "li", "h1", "h2", "h3", "h4", "h5", "h6", "table", "ul", "ol", "hr"}
    CELLS = {"td", "th"}
    SKIP = {"script", "style", "head", "title"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0
        self.cell_open = False
        self.tables = 0

    def handle_starttag(self, tag, attrs):
        if tag in self.SKIP:
            self.skipping += 1
        elif tag in self.CELLS:
            if self.cell_open:
                self.parts.append("\t")
            self.cell_open = True
        elif tag in self.BLOCKS:
            self._newline()
            if tag == "table":
                self.tables += 1
            if tag == "tr":
                self.cell_open = False

    def handle_endtag(self, tag):
        if tag in self.SKIP:
            self.skipping = max(0, self.skipping - 1)
        elif tag in self.BLOCKS and tag != "br":
            if tag == "table":
                self.tables = max(0, self.tables - 1)
            self._newline()
            if tag in ("tr", "table"):
                self.cell_open = False

    def _newline(self) -> None:
        # Inside a table, one row is one line: no blank line between rows (a blank line ends a table).
        if self.tables and "".join(self.parts[-3:]).rstrip(" ").endswith("\n"):
            return
        self.parts.append("\n")

    def handle_data(self, data):
        if not self.skipping:
            self.parts.append(re.sub(r"[ \r\n\f\v]+", " ", data))

    def text(self) -> str:
        lines = ("".join(self.parts)).split("\n")
        return "\n".join(line.strip(" ") for line in lines)


def html_to_text(markup: str) -> str:
    reader = _HtmlText()
    try:
        reader.feed(markup)
        reader.close()
    except Exception:  # html.parser is lenient; a hostile body must still not crash the mailbox
        return re.sub(r"<[^>]*>", " ", markup)
    text = reader.text()
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def _decoded_text(part) -> str:
    try:
        text = part.get_content()
    except (LookupError, UnicodeDecodeError, AssertionError, ValueError):
        payload = part.get_payload(decode=True) or b""
        text = payload.decode("utf-8", errors="replace")
    return text if isinstance(text, str) else ""


def _name_of(part, index: int) -> str:
    name = part.get_filename() or ""
    name = name.replace("\x00", "").replace("/", "_").replace("\\", "_").strip()
    if not name:
        subtype = part.get_content_subtype() or "bin"
        name = f"piece-jointe-{index}.{subtype}"
    return name[:255]


def _is_attachment(part, shown: set[str]) -> bool:
    if part.is_multipart():
        return False
    disposition = (part.get_content_disposition() or "").lower()
    media_type = part.get_content_type()
    if media_type in _DECORATION_TYPES:
        return False
    content_id = str(part.get("Content-ID", "") or "").strip().strip("<>")
    if content_id and content_id in shown and disposition != "attachment":
        return False  # an image the HTML body shows (a logo in a signature), not a document sent
    if disposition == "attachment":
        return True
    if part.get_filename():
        # Inline images without a name are a signature's decoration; a named file is something sent.
        return True
    return not media_type.startswith(("text/", "multipart/")) and disposition != "inline"


def parse_message(raw: bytes) -> Message:
    """The message in `raw` (RFC 5322 bytes). Never raises on a malformed message: what cannot be read is
    left empty."""
    message = email.message_from_bytes(bytes(raw), policy=email.policy.default)
    try:
        name, address = email.utils.parseaddr(str(message.get("From", "") or ""))
    except Exception:
        name, address = "", ""
    try:
        date = email.utils.parsedate_to_datetime(str(message.get("Date", "")))
    except (TypeError, ValueError, IndexError):
        date = None
    plain, markup, attachments = [], [], []
    shown = set()
    for part in message.walk():
        if part.get_content_type() == "text/html" and not part.is_multipart():
            shown |= set(re.findall(r"cid:([^\"'>\s]+)", _decoded_text(part)))
    for index, part in enumerate(message.walk(), start=1):
        if part.is_multipart():
            continue
        if _is_attachment(part, shown):
            content = part.get_payload(decode=True) or b""
            if isinstance(part.get_payload(), list):  # message/rfc822 forwarded as attachment
                content = part.as_bytes()
            attachments.append(Attachment(_name_of(part, index), content, part.get_content_type()))
        elif part.get_content_type() == "text/plain":
            plain.append(_decoded_text(part))
        elif part.get_content_type() == "text/html":
            markup.append(_decoded_text(part))
    # An HTML body keeps the tables a plain-text alternative flattens; without one, the plain text.
    body = html_to_text("\n".join(markup)) if markup else "\n".join(plain)
    return Message(
        message_id=str(message.get("Message-ID", "") or "").strip()[:250],
        sender=(address or "").strip().lower()[:254],
        sender_name=(name or "").strip()[:200],
        subject=str(message.get("Subject", "") or "").replace("\x00", "").strip()[:250],
        date=date,
        body=body.replace("\x00", "").replace("\r\n", "\n").strip()[:MAX_BODY_CHARS],
        attachments=attachments,
    )

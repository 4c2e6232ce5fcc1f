"""Reading a spreadsheet someone exported from their previous tool: CSV or XLSX, as rows of text.

No Django here. CSV comes in UTF-8 (with or without the BOM Excel writes), or in Windows-1252 / Latin-1
(what French Excel and older tools save); the separator is found among « ; », « , » and tab. XLSX is read
with openpyxl in read-only mode, row by row, so a 100,000-row workbook is never held whole in memory;
numbers and dates come back as the text a CSV would hold, so one set of parsers serves both.

The header row is not assumed to be the first: a title row, or a row of group titles merged over several
columns, often sits above it. `find_header` picks, among the first rows, the one whose cells name the
most known columns; a header cell left empty by a vertical merge takes the text of the cell above it.
"""

import csv
import datetime
import functools
import io
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

HEADER_SEARCH_ROWS = 10


class Unreadable(Exception):
    """The file is neither a CSV we can decode nor an XLSX workbook."""


@dataclass
class Sheet:
    """The rows of a file, each as (its row number in the file, 1-based, its cells as text)."""

    rows: Iterator[tuple[int, list[str]]]
    format: str  # "csv" or "xlsx"
    encoding: str = ""
    delimiter: str = ""


def decode(content: bytes) -> tuple[str, str]:
    """The text of a CSV file and the encoding it was written in."""
    if content.startswith(b"\xef\xbb\xbf"):
        return content[3:].decode("utf-8", errors="replace"), "utf-8-sig"
    try:
        return content.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return content.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        # Bytes Windows-1252 leaves undefined (0x81, 0x8d…): plain Latin-1 decodes everything.
        return content.decode("latin-1"), "latin-1"


def detect_delimiter(sample: str) -> str:
    lines = [line for line in sample.splitlines()[:20] if line.strip()]
    if not lines:
        return ";"
    best, best_score = ";", -1
    # « | » too: the FEC may be written with it (article A47 A-1 of the LPF).
    for delimiter in (";", "\t", ",", "|"):
        counts = [len(next(csv.reader([line], delimiter=delimiter))) - 1 for line in lines]
        # The separator splits every line, and the same way: most columns, few lines without one.
        score = min(counts) * 10 + sum(counts) / len(counts) if max(counts) else -1
        if score > best_score:
            best, best_score = delimiter, score
    return best


def read_csv(content: bytes) -> Sheet:
    text, encoding = decode(content)
    if "\x00" in text[:4096]:
        raise Unreadable("binary content")
    delimiter = detect_delimiter(text[:65536])
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)

    def rows():
        try:
            for number, cells in enumerate(reader, start=1):
                yield number, [cell.strip() for cell in cells]
        except csv.Error as exc:
            raise Unreadable(str(exc)) from exc

    return Sheet(rows=rows(), format="csv", encoding=encoding, delimiter=delimiter)


def _excel_date(serial: str, epoch):
    """The date (and time) of an XLSX day count, read as a Decimal: whole days through openpyxl's calendar
    (it knows the 1900 leap-year quirk), the fraction of a day as seconds."""
    from openpyxl.utils.datetime import from_excel

    days = Decimal(serial)
    whole = int(days)
    moment = from_excel(whole, epoch)
    seconds = int(((days - whole) * 86400).to_integral_value())
    if not seconds:
        return moment
    if not isinstance(moment, datetime.datetime):
        moment = datetime.datetime.combine(moment, datetime.time())
    return moment + datetime.timedelta(seconds=seconds)


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, datetime.datetime):
        return (
            value.date().isoformat()
            if not (value.hour or value.minute or value.second)
            else value.isoformat()
        )
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        # The shortest text that reads back as the same float: 19.9, not 19.899999999999999.
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value).strip()


def read_xlsx(content: bytes) -> Sheet:
    import openpyxl  # imported here: CSV imports never pay for it

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises zipfile, KeyError or its own errors on a bad file
        raise Unreadable(str(exc)) from exc
    sheet = workbook.worksheets[0]

    def rows():
        try:
            if _can_stream(sheet):
                yield from _streamed_rows(sheet)
            else:
                for number, cells in enumerate(sheet.iter_rows(values_only=True), start=1):
                    yield number, [_cell_text(value) for value in cells]
        except Unreadable:
            raise
        except Exception as exc:  # lxml, zipfile or openpyxl on a damaged sheet
            raise Unreadable(str(exc)) from exc
        finally:
            workbook.close()

    return Sheet(rows=rows(), format="xlsx")


_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"


def _can_stream(sheet) -> bool:
    return all(hasattr(sheet, name) for name in ("_get_source", "_shared_strings")) and hasattr(
        sheet.parent, "_date_formats"
    )


@functools.cache
def _letters_index(letters: str) -> int:
    index = 0
    for char in letters:
        index = index * 26 + (ord(char.upper()) - 64)
    return index - 1


def _column_index(reference: str) -> int:
    """« C12 » → 2 (0-based)."""
    return _letters_index(reference.rstrip("0123456789"))


def _streamed_rows(sheet):
    """The sheet's rows read straight from its XML with lxml, on the workbook openpyxl opened (its shared
    strings, its date styles, its epoch): openpyxl's own reader builds a cell object per value, which
    is most of the time of a 100,000-row import. Numbers keep the text Excel wrote (« 12.5 », exact)."""
    from lxml import etree

    strings = sheet._shared_strings
    date_styles = sheet.parent._date_formats
    epoch = sheet.parent.epoch
    cell_tag, value_tag = _MAIN + "c", _MAIN + "v"
    with sheet._get_source() as source:
        counter = 0
        for _event, row in etree.iterparse(
            source, tag=_MAIN + "row", resolve_entities=False, huge_tree=True, no_network=True
        ):
            counter = int(row.get("r") or counter + 1)
            cells: list[str] = []
            for cell in row.iterchildren(cell_tag):
                reference = cell.get("r")
                column = _column_index(reference) if reference else len(cells)
                if column > len(cells):
                    cells.extend([""] * (column - len(cells)))
                kind = cell.get("t", "n")
                if kind == "inlineStr":
                    cells.append("".join(cell.itertext()).strip())
                    continue
                value = cell.findtext(value_tag)
                if value is None:
                    text = ""
                elif kind == "s":
                    text = str(strings[int(value)]).strip()
                elif kind == "b":
                    text = "1" if value == "1" else "0"
                elif kind == "n":
                    style = cell.get("s")
                    if style is not None and int(style) in date_styles:
                        # A date cell: the number is a day count, not an amount.
                        text = _cell_text(_excel_date(value, epoch))
                    elif "e" in value.lower():
                        text = format(Decimal(value), "f")
                    else:
                        text = value
                else:  # str (a formula's text), d (an ISO date), e (an error)
                    text = value.strip()
                cells.append(text)
            row.clear()
            while row.getprevious() is not None:
                del row.getparent()[0]
            yield counter, cells


def read(content: bytes, file_name: str) -> Sheet:
    """CSV or XLSX, told by the content (an XLSX is a zip) rather than trusted from the name."""
    if content[:4] == b"PK\x03\x04":
        return read_xlsx(content)
    if file_name.lower().endswith((".xlsx", ".xlsm")):
        raise Unreadable("not a zip")
    return read_csv(content)


# --- Headers ------------------------------------------------------------------------------------


def normalize(name: str) -> str:
    """A column name compared loosely: no accents, no case, no « * » of required columns, single spaces."""
    text = unicodedata.normalize("NFKD", name or "")
    text = "".join(c for c in text if not unicodedata.combining(c)).lower().replace("*", "")
    return re.sub(r"[\s_]+", " ", text).strip()


def find_header(rows: Iterator[tuple[int, list[str]]], known: set[str]) -> tuple[int, list[str], list]:
    """The header row (its number and its names) among the first rows, and the rows read past it.

    `known` holds the normalized names a preset recognises. Returns the rows after the header that had to
    be read to find it, so the caller reads them before the rest of the iterator."""
    seen: list[tuple[int, list[str]]] = []
    for row in rows:
        seen.append(row)
        if len(seen) >= HEADER_SEARCH_ROWS:
            break
    best_index, best_score = 0, -1
    for index, (_number, cells) in enumerate(seen):
        score = sum(1 for cell in cells if normalize(cell) in known)
        if score > best_score:
            best_index, best_score = index, score
    if not seen:
        return 0, [], []
    number, header = seen[best_index]
    header = list(header)
    for column, name in enumerate(header):
        if name:
            continue
        # Merged vertically: the text is in the top cell of the merge, above.
        for _above_number, above in reversed(seen[:best_index]):
            if column < len(above) and above[column] and normalize(above[column]) in known:
                header[column] = above[column]
                break
    return number, header, seen[best_index + 1 :]


# --- Values -------------------------------------------------------------------------------------

_SPACES = re.compile(r"[\s\u00a0\u202f']")


def parse_decimal(text: str) -> Decimal:
    """« 1 234,56 », « 1.234,56 », « 1234.56 », « 12,5 % », « 19,90 € » → Decimal. ValueError otherwise."""
    value = _SPACES.sub("", text or "").replace("€", "").replace("%", "")
    if not value:
        raise ValueError(text)
    if "," in value and "." in value:
        # Both: the last one is the decimal separator, the other groups thousands.
        if value.rfind(",") > value.rfind("."):
            value = value.replace(".", "").replace(",", ".")
        else:
            value = value.replace(",", "")
    elif value.count(",") == 1:
        value = value.replace(",", ".")
    if not re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)", value):
        raise ValueError(text)
    try:
        return Decimal(value)
    except InvalidOperation:
        raise ValueError(text) from None


_DATE_PATTERNS = (
    (re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ].*)?"), ("y", "m", "d")),
    (re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})"), ("d", "m", "y")),
    (re.compile(r"(\d{1,2})/(\d{1,2})/(\d{2})"), ("d", "m", "yy")),
    # The FEC's dates (AAAAMMJJ, article A47 A-1 of the LPF).
    (re.compile(r"(\d{4})(\d{2})(\d{2})"), ("y", "m", "d")),
)


def parse_date(text: str) -> datetime.date:
    """« 31/12/2025 », « 31.12.2025 », « 2025-12-31 » (and a time after it), « 20251231 » → date. ValueError otherwise."""
    value = (text or "").strip()
    for pattern, order in _DATE_PATTERNS:
        match = pattern.fullmatch(value)
        if match:
            parts = dict(zip(order, (int(g) for g in match.groups()), strict=True))
            year = parts.get("y") or 2000 + parts["yy"]
            return datetime.date(year, parts["m"], parts["d"])
    raise ValueError(text)


_TRUE = {"1", "oui", "o", "vrai", "true", "yes", "y", "x"}
_FALSE = {"0", "non", "n", "faux", "false", "no", ""}


def parse_bool(text: str) -> bool:
    value = normalize(text)
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ValueError(text)


def estimated_rows(content: bytes) -> int:
    """About how many rows a file holds, cheaply (whether it goes to the background worker, and the
    length of its progress bar): the lines of a CSV, the declared size of an XLSX's first sheet."""
    if content[:4] != b"PK\x03\x04":
        return content.count(b"\n") + (0 if content.endswith(b"\n") else 1)
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:  # an unreadable file is refused by the import itself, with its reason
        return 0
    try:
        rows = workbook.worksheets[0].max_row
    finally:
        workbook.close()
    # A workbook written without its <dimension> does not say: about 60 bytes per compressed row.
    return rows if rows else len(content) // 60

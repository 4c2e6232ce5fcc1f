"""List exports as CSV (French conventions) and XLSX, safe against formula injection.

Pure formatting, no Django: a list page hands over its column headers and an iterable of rows of
plain values (str, int, Decimal, date, None) and gets back bytes.

- CSV: `;` separator, UTF-8 with a byte order mark (Excel otherwise reads it as Windows-1252),
  decimal comma and no thousands separator ("1234,56": a spreadsheet set to French reads it as a
  number, while "1 234,56" with a no-break space is read as text), dates as dd/mm/yyyy. Rows are
  produced one at a time so a streamed response keeps constant memory.
- XLSX: numbers stay numeric cells (two-decimal format), dates are real dates.

Formula injection (OWASP "CSV injection"): a spreadsheet runs a cell that starts with =, +, - or @
(and, in some programs, with a tab or a carriage return) as a formula. Such text gets a leading
single quote in CSV and is written as a plain string, never a formula, in XLSX. Numbers and dates
are never text, so they are left alone.
"""

import csv
import datetime
import io
from collections.abc import Iterable, Iterator, Sequence
from decimal import ROUND_HALF_UP, Decimal

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, WriteOnlyCell
from openpyxl.styles import Font

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"
SEPARATOR = ";"
CENT = Decimal("0.01")
AMOUNT_FORMAT = "#,##0.00"
DATE_FORMAT = "DD/MM/YYYY"
DATETIME_FORMAT = "DD/MM/YYYY HH:MM"
# Excel caps a sheet's name at 31 characters and refuses a few of them.
SHEET_NAME_FORBIDDEN = str.maketrans({c: " " for c in "[]:*?/\\"})


def is_dangerous(text: str) -> bool:
    """True when a spreadsheet could read this text as a formula."""
    return text.startswith(FORMULA_TRIGGERS)


def inert(text: str) -> str:
    """The text a spreadsheet shows as typed: a leading quote before a formula trigger."""
    return "'" + text if is_dangerous(text) else text


def _cents(number: Decimal) -> Decimal:
    """Two decimals at least; more only when the value really has them (a quantity in kg)."""
    rounded = number.quantize(CENT, rounding=ROUND_HALF_UP)
    return number if rounded != number else rounded


def french_decimal(number: Decimal) -> str:
    """Decimal("-1234.5") → "-1234,50": decimal comma, no thousands separator, ASCII minus, so that
    a spreadsheet reads it as a number."""
    return format(_cents(number), "f").replace(".", ",")


def french_date(value: datetime.date) -> str:
    text = f"{value.day:02d}/{value.month:02d}/{value.year:04d}"
    if isinstance(value, datetime.datetime):
        text += f" {value.hour:02d}:{value.minute:02d}"
    return text


def csv_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, Decimal):
        return french_decimal(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, datetime.date):
        return french_date(value)
    return inert(str(value))


class _Line:
    """A file-like object that hands back what csv.writer writes, one row at a time."""

    def write(self, text: str) -> str:
        return text


def csv_lines(headers: Sequence[str], rows: Iterable[Sequence]) -> Iterator[bytes]:
    """The CSV file row by row, encoded, the byte order mark first."""
    writer = csv.writer(_Line(), delimiter=SEPARATOR, lineterminator="\r\n")
    yield (BOM + writer.writerow([csv_cell(h) for h in headers])).encode()
    for row in rows:
        yield writer.writerow([csv_cell(value) for value in row]).encode()


def _xlsx_cell(sheet, value):
    if isinstance(value, datetime.datetime) and value.tzinfo is not None:
        value = value.replace(tzinfo=None)  # Excel has no time zones; callers pass local times
    if value is None or isinstance(value, bool | int | Decimal | datetime.date):
        cell = WriteOnlyCell(sheet, value=value)
        if isinstance(value, Decimal):
            cell.number_format = AMOUNT_FORMAT
        elif isinstance(value, datetime.datetime):
            cell.number_format = DATETIME_FORMAT
        elif isinstance(value, datetime.date):
            cell.number_format = DATE_FORMAT
        return cell
    text = ILLEGAL_CHARACTERS_RE.sub("", str(value))
    cell = WriteOnlyCell(sheet, value=text)
    # IMPORTANT: openpyxl turns any text starting with "=" into a formula; force a plain string.
    cell.data_type = "s"
    if is_dangerous(text):
        cell.quotePrefix = True  # Excel keeps it text even when the cell is edited
    return cell


def xlsx_bytes(title: str, headers: Sequence[str], rows: Iterable[Sequence]) -> bytes:
    """The XLSX workbook of one sheet: a bold header row, then the rows."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=(title.translate(SHEET_NAME_FORBIDDEN).strip() or "Export")[:31])
    bold = Font(bold=True)
    header_cells = []
    for header in headers:
        cell = _xlsx_cell(sheet, header)
        cell.font = bold
        header_cells.append(cell)
    sheet.append(header_cells)
    for row in rows:
        sheet.append([_xlsx_cell(sheet, value) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()

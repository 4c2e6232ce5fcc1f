"""FEC export: the Fichier des Écritures Comptables of a fiscal year (LPF art. L47 A-I, A47 A-1).

The file the tax administration asks for in an audit. Format (fr-compliance.md §4.1–4.2):

- name `<SIREN>FEC<AAAAMMJJ>.txt`, the date being the closing date of the fiscal year;
- first line the 18 column names of A47 A-1 in the legal order (Debit/Credit columns, not Montant/Sens),
  then one line per entry line; fields separated by a tab;
- lines end with CR LF (A47 A-1 accepts CR and/or LF; CR LF also reads right in Windows tools, and the
  administration's own checker, Test Compta Demat, is one);
- UTF-8 without byte-order mark by default, as Comptoir chose (many FEC readers accept it). The text
  of A47 A-1 lists ASCII, ISO 8859-15 and EBCDIC: `encoding="iso-8859-15"` writes the file that way,
  the rare characters Latin-9 lacks transliterated to the closest it has (a dash "—" to "-", a
  typographic apostrophe to "'", "…" to "...", Ł to L, ź to z: accents stripped when the bare letter
  exists), "?" only for what has no equivalent (a symbol, an emoji); `FecExport.transliterated` lists
  each character replaced and `comptoir export-fec` prints it;
- dates `AAAAMMJJ`; amounts with a decimal comma and no thousands separator, `0,00` on the empty side;
- labels stripped of tabs and line breaks so that a field never spills into the next;
- the opening entries (journal AN, à-nouveaux) first; the closing entries that bring classes 6 and 7
  to the result (journal CL) left out, so that classes 6 and 7 give the year's result (A47 A-1);
- the other entries in the chronological order of their validation (posting order), all lines of an entry
  together: A47 A-1 and the administration's checks want EcritureNum continuous and increasing in each
  journal and ValidDate never going back, while EcritureDate may: an entry posted today can be dated a
  few days back (a payment recorded late, within the company's backdating window). Entries are numbered
  when posted, so in date order a backdated entry would come before entries numbered earlier.

Columns: EcritureNum is the journal entry number (one gap-free series per journal and fiscal year,
taken when the entry is posted); CompAuxNum/CompAuxLib the customer code and name on lines that carry
a partner (411, and 4191 advances received, since #16; older 4191 lines had none); EcritureLet/DateLet
the lettering code and date of the line's reconciliation, empty when the line is open (the lettering
is never dated before the lines it matches); ValidDate the day the entry was posted (made
irreversible), in Europe/Paris time, never before EcritureDate since no entry is dated in the future.

The export streams: two chunked queries in the same order, the entries with their journal and the
lines joined to partner and reconciliation, are merged on the fly (see `fec_lines`), so memory does
not grow with the size of the books and the query count does not grow with the lines.
"""

import contextlib
import datetime
import itertools
import os
import re
import tempfile
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO
from zoneinfo import ZoneInfo

from django.db import connection, transaction
from django.db.models import BigIntegerField, CharField, Func

from comptoir.accounting.chart import CLOSING_JOURNAL, OPENING_JOURNAL
from comptoir.accounting.fec_check import COLUMNS, SEPARATOR, Report, inspect
from comptoir.accounting.models import Account, EntryLine, Journal, JournalEntry
from comptoir.parties.services import get_company

LINE_END = "\r\n"
ENCODINGS = ("utf-8", "iso-8859-15")
PARIS = ZoneInfo("Europe/Paris")
CHUNK_SIZE = 5000
# Tabs and every character Python or a text editor could read as a line break.
_UNSAFE = re.compile("[\t\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]+")


# Characters Latin-9 lacks, by the closest it has; the others lose their accents (NFKD) or become "?".
_LATIN9_CLOSEST = {
    "\u2010": "-",
    "\u2011": "-",
    "\u2012": "-",
    "\u2013": "-",
    "\u2014": "-",
    "\u2015": "-",
    "\u2212": "-",
    "\u2018": "'",
    "\u2019": "'",
    "\u201a": "'",
    "\u201b": "'",
    "\u2032": "'",
    "\u201c": '"',
    "\u201d": '"',
    "\u201e": '"',
    "\u201f": '"',
    "\u2033": '"',
    "\u2026": "...",
    "\u2022": "-",
    "\u00b7": "\u00b7",
    "\u2009": " ",
    "\u200a": " ",
    "\u2007": " ",
    "\u202f": " ",
    "\u2002": " ",
    "\u2003": " ",
    "\u2122": "TM",
    "\u2030": "o/oo",
    "\u0141": "L",
    "\u0142": "l",
    "\u0110": "D",
    "\u0111": "d",
    "\u0131": "i",
    "\u0126": "H",
    "\u0127": "h",
    "\u00a4": "EUR",
    "\u00a6": "|",
    "\u00a8": '"',
    "\u00b4": "'",
    "\u00b8": ",",
    "\u00bc": "1/4",
    "\u00bd": "1/2",
    "\u00be": "3/4",
}
# Latin-1 holds U+0000–U+00FF; Latin-9 swaps 8 of them (¤ ¦ ¨ ´ ¸ ¼ ½ ¾) for € Š š Ž ž Œ œ Ÿ.
_MAYBE_NOT_LATIN9 = re.compile("[^\x00-\xff]|[\xa4\xa6\xa8\xb4\xb8\xbc\xbd\xbe]")


def to_latin9(text: str, replaced: dict[str, str]) -> str:
    """`text` with every character ISO 8859-15 lacks replaced by its closest (see `_LATIN9_CLOSEST`; a
    letter with a diacritic Latin-9 lacks loses it, ź → z; "?" when nothing is close), each replacement
    noted in `replaced`."""
    if text.isascii():
        return text

    def closest(match: re.Match) -> str:
        char = match.group()
        if char in replaced:
            return replaced[char]
        try:
            char.encode("iso-8859-15")
            return char
        except UnicodeEncodeError:
            pass
        substitute = _LATIN9_CLOSEST.get(char)
        if substitute is None:
            bare = "".join(c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c))
            try:
                substitute = bare.encode("iso-8859-15").decode("iso-8859-15") if bare else "?"
            except UnicodeEncodeError:
                substitute = "?"
        replaced[char] = substitute
        return substitute

    return _MAYBE_NOT_LATIN9.sub(closest, text)


def fiscal_year_bounds(year: int, start_month: int) -> tuple[datetime.date, datetime.date]:
    """First and last day of the fiscal year `year`.

    The fiscal year is named after the calendar year it ends in: with a start month of 1 it is the
    calendar year `year`; with a start month m > 1 it is the twelve months from the 1st of m in
    `year - 1` to the last day of m - 1 in `year` (start month 7, year 2026: 01/07/2025 – 30/06/2026).
    """
    if not 1 <= start_month <= 12:
        raise ValueError(f"fiscal year start month must be 1–12, not {start_month}")
    if start_month == 1:
        return datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    return datetime.date(year - 1, start_month, 1), datetime.date(year, start_month, 1) - datetime.timedelta(
        days=1
    )


def fec_file_name(siren: str, closing: datetime.date) -> str:
    return f"{siren}FEC{closing:%Y%m%d}.txt"


def clean(text: str | None) -> str:
    """Text fit for one FEC field: tabs and line breaks become a space, surrounding blanks go."""
    if not text:
        return ""
    if not text.isprintable():  # a fast test in C; the substitution only runs on the rare odd label
        text = _UNSAFE.sub(" ", text)
    return text.strip()


def _paris_day(utc_text: str) -> str:
    """`2026-03-31 22:30:00` (UTC) → `20260401`: the day it was in France."""
    if utc_text[11:13] < "22":
        # France is UTC+1 or UTC+2: before 22:00 UTC it is still the same day there.
        return f"{utc_text[:4]}{utc_text[5:7]}{utc_text[8:10]}"
    moment = datetime.datetime.fromisoformat(utc_text[:19]).replace(tzinfo=datetime.UTC)
    return moment.astimezone(PARIS).strftime("%Y%m%d")


def _amount(cents: int) -> str:
    """123450 → `1234,50`: two decimals, decimal comma, no thousands separator (debits and credits are
    never negative)."""
    return f"{cents // 100},{cents % 100:02d}"


# Values leave the database as plain text and numbers: Django's per-value converters (text → date,
# numbers → Decimal, timestamps made aware) would cost more than all the rest of the export, and the
# file wants text anyway. Comptoir runs on SQLite and PostgreSQL; each gets its SQL below.


class _Day(Func):
    """A date as AAAAMMJJ text (NULL stays NULL)."""

    output_field = CharField()
    template = "to_char(%(expressions)s, 'YYYYMMDD')"

    def as_sqlite(self, compiler, connection, **extra_context):
        # Django keeps dates in SQLite as ISO text (2026-01-15).
        return self.as_sql(
            compiler, connection, template="replace(%(expressions)s, '-', '')", **extra_context
        )


class _UtcTime(Func):
    """A timestamp as `AAAA-MM-JJ HH:MM:SS` text in UTC (the day in France is worked out in Python)."""

    output_field = CharField()
    template = "to_char(%(expressions)s AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS')"

    def as_sqlite(self, compiler, connection, **extra_context):
        # Django keeps aware timestamps in SQLite as UTC ISO text.
        return self.as_sql(compiler, connection, template="CAST(%(expressions)s AS text)", **extra_context)


class _Cents(Func):
    """An amount as whole cents, rounded by the database (an integer on both engines): the export
    formats it without building a Decimal per value, and no binary fraction ever reaches Python."""

    output_field = BigIntegerField()
    template = "CAST(ROUND(%(expressions)s * 100) AS BIGINT)"


def _entries(date_from: datetime.date, date_to: datetime.date, journals: dict, exclude: bool):
    entries = JournalEntry.objects.filter(date__gte=date_from, date__lte=date_to)
    entries = entries.exclude(**journals) if exclude else entries.filter(**journals)
    return (
        entries.order_by("id")
        .values_list(
            "id",
            "journal__code",
            "journal__name",
            "number",
            _Day("date"),
            "label",
            "document_number",
            _Day("document_date"),
            _UtcTime("posted_at"),
        )
        .iterator(chunk_size=CHUNK_SIZE)
    )


def _lines(date_from: datetime.date, date_to: datetime.date, journals: dict, exclude: bool):
    # Same order as `_entries`, line by line within an entry.
    lines = EntryLine.objects.filter(entry__date__gte=date_from, entry__date__lte=date_to)
    journals = {f"entry__{name}": value for name, value in journals.items()}
    lines = lines.exclude(**journals) if exclude else lines.filter(**journals)
    return (
        lines.order_by("entry_id", "id")
        .values_list(
            "entry_id",
            "account_id",
            "partner__code",
            "partner__name",
            "label",
            _Cents("debit"),
            _Cents("credit"),
            "reconciled__reconciliation__code",
            _Day("reconciled__reconciliation__date"),
        )
        .iterator(chunk_size=CHUNK_SIZE)
    )


def fec_lines(date_from: datetime.date, date_to: datetime.date):
    """The lines of the FEC for entries dated `date_from`…`date_to`: the header first, then one per
    entry line, without line terminator. A generator over chunked queries: memory stays flat.

    Order: the opening entries (journal AN) first, as A47 A-1 asks, whenever they were posted (the
    closing of the year before comes months into this one); then the other entries in posting order,
    the order of validation (entry ids follow the numbers and the posting times,
    as each number is taken under a lock in the transaction that inserts the entry; sorting on the id
    also stays right when a counter outgrows its five digits, VE-2026-99999 < VE-2026-100000), then
    line by line. Not the entry date: a backdated entry would break the numbers' and ValidDate's order.
    The closing entries (journal CL) are left out: classes 6 and 7 must give the year's result.

    Two streams in that same order are merged: the entries, and their lines joined in SQL to partner
    and lettering, so that the entry's eight fields travel once per entry and not once per line. The
    lines query runs first: entries are only ever added, so the entries query, started later, sees
    every entry the lines refer to (an entry added in between has no lines in the stream and is
    skipped), even on PostgreSQL in READ COMMITTED where each query has its own snapshot.
    """
    tab = SEPARATOR
    yield tab.join(COLUMNS)
    accounts = {
        pk: f"{clean(code)}{tab}{clean(name)}"
        for pk, code, name in Account.objects.values_list("pk", "code", "name")
    }
    journals: dict[str, str] = {}
    partners: dict[str, str] = {}  # bounded by the customers, not by the lines
    ids = dict(Journal.objects.filter(code__in=[OPENING_JOURNAL, CLOSING_JOURNAL]).values_list("code", "pk"))
    # The opening entries (à-nouveaux) first, whenever they were posted (A47 A-1); then every other
    # entry in posting order, the closing entries (journal CL, classes 6 and 7 to the result) left out
    # so that classes 6 and 7 still give the year's result.
    parts = [
        *([{"journal_id": ids[OPENING_JOURNAL]}] if OPENING_JOURNAL in ids else []),
        {"journal_id__in": list(ids.values())},
    ]
    for journal_filter in parts:
        exclude = journal_filter is parts[-1]
        yield from _merged(
            date_from,
            date_to,
            journal_filter,
            exclude,
            accounts=accounts,
            journals=journals,
            partners=partners,
        )


def _merged(date_from, date_to, journal_filter, exclude, *, accounts, journals, partners):
    """The FEC lines of the entries of one part (see `fec_lines`), entries and lines merged."""
    tab = SEPARATOR
    lines = _lines(date_from, date_to, journal_filter, exclude)
    entries = None
    last_entry = None
    head = piece = valid = entry_label = ""
    for entry_id, account_id, partner_code, partner_name, label, debit, credit, letter, letter_date in lines:
        if entry_id != last_entry:
            if entries is None:
                entries = _entries(date_from, date_to, journal_filter, exclude)
            for entry in entries:
                if entry[0] == entry_id:
                    break
            else:
                raise RuntimeError(f"entry {entry_id} is missing from the entries stream")
            (
                _,
                journal_code,
                journal_name,
                number,
                date,
                label_of_entry,
                document_number,
                document_date,
                posted_at,
            ) = entry
            # What belongs to the entry is formatted once, not once per line.
            last_entry = entry_id
            entry_number = clean(number)
            journal = journals.get(journal_code)
            if journal is None:
                journal = journals[journal_code] = f"{clean(journal_code)}{tab}{clean(journal_name)}"
            head = f"{journal}{tab}{entry_number}{tab}{date}"
            piece = f"{clean(document_number) or entry_number}{tab}{document_date}"
            valid = _paris_day(posted_at)
            entry_label = clean(label_of_entry) or entry_number
        if partner_code:
            partner = partners.get(partner_code)
            if partner is None:
                partner = partners[partner_code] = f"{clean(partner_code)}{tab}{clean(partner_name)}"
        else:
            partner = tab
        lettering = f"{clean(letter)}{tab}{letter_date}" if letter else tab
        yield (
            f"{head}{tab}{accounts[account_id]}{tab}{partner}{tab}{piece}{tab}{clean(label) or entry_label}{tab}"
            f"{_amount(debit)}{tab}{_amount(credit)}{tab}{lettering}{tab}{valid}{tab}{tab}"
        )


@dataclass(frozen=True)
class FecExport:
    path: Path
    lines: int  # entry lines, the header not counted
    date_from: datetime.date
    date_to: datetime.date
    # ISO 8859-15 only: each character Latin-9 lacks and what was written instead ("—" → "-").
    transliterated: dict[str, str] = field(default_factory=dict)


def _streaming():
    # On PostgreSQL chunked queries run on server-side cursors: inside a transaction they stream,
    # whereas in autocommit Django declares them WITH HOLD and the server materialises each whole
    # result first. On SQLite a transaction would take the write lock (IMMEDIATE mode) for as long
    # as the export runs; the merge needs no shared snapshot anyway (see `fec_lines`).
    if connection.vendor == "postgresql":
        return transaction.atomic()
    return contextlib.nullcontext()


def write_fec(year: int, out_dir, *, encoding: str = "utf-8") -> FecExport:
    """Write the FEC of fiscal year `year` (see `fiscal_year_bounds`) into `out_dir`.

    The file appears under its final name only once complete, so a failed export leaves no
    half-written FEC behind.
    """
    if encoding not in ENCODINGS:
        raise ValueError(f"encoding must be one of {ENCODINGS}")
    company = get_company()
    date_from, date_to = fiscal_year_bounds(year, company.fiscal_year_start_month)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / fec_file_name(company.siren, date_to)
    partial = path.with_name(path.name + ".partial")
    written = 0
    replaced: dict[str, str] = {}
    latin9 = encoding == "iso-8859-15"
    try:
        with (
            _streaming(),
            # Strict: every character is either written as it is or transliterated first (Latin-9).
            open(partial, "w", encoding=encoding, newline="", buffering=1 << 20) as out,
        ):
            lines = fec_lines(date_from, date_to)
            while batch := list(itertools.islice(lines, CHUNK_SIZE)):
                text = LINE_END.join(batch)
                out.write(to_latin9(text, replaced) if latin9 else text)
                out.write(LINE_END)
                written += len(batch)
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    transliterated = {char: sub for char, sub in replaced.items() if char != sub}
    return FecExport(
        path=path, lines=written - 1, date_from=date_from, date_to=date_to, transliterated=transliterated
    )


def export_fec(year: int, out_dir, *, encoding: str = "utf-8") -> Path:
    """Write the FEC of fiscal year `year` into `out_dir` and return its path."""
    return write_fec(year, out_dir, encoding=encoding).path


def open_fec(year: int, *, encoding: str = "utf-8") -> tuple[FecExport, BinaryIO]:
    """The FEC of fiscal year `year`, opened for reading, for a download (web page, API).

    It is written by `write_fec` into a private temporary folder that is removed at once: the open
    file keeps its content until the caller closes it, and nothing is left on disk. `FecExport.path`
    gives the legal file name.
    """
    with tempfile.TemporaryDirectory(prefix="comptoir-fec-", ignore_cleanup_errors=True) as folder:
        result = write_fec(year, folder, encoding=encoding)
        stream = open(result.path, "rb")  # noqa: SIM115 — closed by the caller (the HTTP response)
    return result, stream


def check_year(year: int, *, encoding: str = "utf-8") -> tuple[FecExport, Report]:
    """Export the FEC of fiscal year `year` and run the structural checker over the file, as the tax
    administration's tool would: the same bytes a download gives."""
    with tempfile.TemporaryDirectory(prefix="comptoir-fec-", ignore_cleanup_errors=True) as folder:
        result = write_fec(year, folder, encoding=encoding)
        report = inspect(result.path, encoding=encoding)
    return result, report

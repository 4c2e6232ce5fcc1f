"""The general ledger: post balanced entries, match customer lines (lettrage).

Accounting knows nothing of invoices or payments: billing and payments call `post_entry` with the
lines they need, inside their own transaction, so an invoice and its entry commit or fail together.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from comptoir.accounting import errors, periods
from comptoir.accounting.ledger import is_balanced, letter_code
from comptoir.accounting.models import (
    Account,
    CarriedItem,
    EntryLine,
    FiscalYear,
    Journal,
    JournalEntry,
    OpenItem,
    ReconciledLine,
    Reconciliation,
)
from comptoir.core import audit, dates, money, numbering, permissions, rows, seals
from comptoir.core.errors import fail as _fail


@dataclass(frozen=True)
class Line:
    account: str
    debit: Decimal = Decimal("0")
    credit: Decimal = Decimal("0")
    label: str = ""
    partner_id: int | None = None
    vat_rate: Decimal | None = None


@dataclass(frozen=True)
class Copy:
    """A posted line to repeat in a new entry (`post_entry(copies=…)`): its id and what the seal and the
    balance check need of it."""

    line_id: int
    account_id: int
    partner_id: int | None
    debit: Decimal
    credit: Decimal


_account_ids: dict[str, int] = {}
_reconcilable_ids: set[int] = set()
_journal_ids: dict[str, int] = {}


def account_id(code: str) -> int:
    # Accounts are looked up on every posting; their ids never change once created.
    if code not in _account_ids:
        found = Account.objects.filter(code=code).values_list("pk", "reconcilable").first()
        if found is None:
            _fail(errors.UNKNOWN_ACCOUNT, account=code)
        _account_ids[code] = found[0]
        if found[1]:
            _reconcilable_ids.add(found[0])
    return _account_ids[code]


def journal_id(code: str) -> int:
    if code not in _journal_ids:
        found = Journal.objects.filter(code=code).values_list("pk", flat=True).first()
        if found is None:
            _fail(errors.UNKNOWN_JOURNAL, journal=code)
        _journal_ids[code] = found
    return _journal_ids[code]


def forget_account(code: str) -> None:
    """An account created in a transaction that may yet roll back (an import's test run): its id is not
    kept, so that no later posting refers to a row that never committed."""
    found = _account_ids.pop(code, None)
    _reconcilable_ids.discard(found)


def forget_cached_ids() -> None:
    """Tests that recreate the chart between runs call this."""
    _account_ids.clear()
    _reconcilable_ids.clear()
    _journal_ids.clear()


# --- Fiscal years and locked periods --------------------------------------------------------------


def fiscal_year_for(date: datetime.date) -> FiscalYear | None:
    """The fiscal year opened around `date`, or None: years are opened by a person, never on the fly."""
    return FiscalYear.objects.filter(start_date__lte=date, end_date__gte=date).first()


@transaction.atomic
def open_fiscal_year(containing: datetime.date | None = None, *, by) -> FiscalYear:
    """Open the fiscal year containing `containing` (default today), from the company's first month.

    The year in progress or the next one may be opened ahead of time, and a past year to record its
    history; nothing further ahead (a posting dated 2099 by mistake finds no year to land in)."""
    permissions.require(by, "accounting.open_year")
    today = dates.today()
    start_month = periods.start_month()
    name, start, end = periods.year_bounds(containing or today, start_month)
    _current, _current_start, current_end = periods.year_bounds(today, start_month)
    if start > current_end + datetime.timedelta(days=1):
        _fail(errors.FISCAL_YEAR_TOO_EARLY, year=name, start=dates.fr(start))
    # The fiscal years are few: locking them all serialises two people opening the same year.
    existing = list(FiscalYear.objects.select_for_update().order_by("pk"))
    for other in existing:
        if other.start_date <= end and other.end_date >= start:
            if (other.start_date, other.end_date) == (start, end):
                _fail(errors.FISCAL_YEAR_ALREADY_OPEN, year=name)
            _fail(
                errors.FISCAL_YEAR_OVERLAPS,
                year=name,
                start=dates.fr(start),
                end=dates.fr(end),
                other=other.name,
            )
    year = FiscalYear.objects.create(name=name, start_date=start, end_date=end)
    audit.record(
        "accounting.fiscal_year_opened",
        by=by,
        obj=year,
        data={"start": start.isoformat(), "end": end.isoformat()},
    )
    return year


@transaction.atomic
def lock_period(until: datetime.date, *, by) -> FiscalYear:
    """Lock postings on or before `until` (monthly closing, or the year-end closing): every day before it
    is locked too, earlier fiscal years included. Forward only; `unlock_period` goes back."""
    permissions.require(by, "accounting.close")
    years = list(FiscalYear.objects.select_for_update().order_by("pk"))
    year = next((y for y in years if y.start_date <= until <= y.end_date), None)
    if year is None:
        name, _start, _end = periods.year_bounds(until, periods.start_month())
        _fail(errors.FISCAL_YEAR_NOT_OPEN, date=dates.fr(until), year=name)
    lock = max((y.lock_date for y in years if y.lock_date), default=None)
    if lock and until <= lock:
        _fail(errors.LOCK_BACKWARDS, lock=dates.fr(lock))
    year.lock_date = until
    year.save(update_fields=["lock_date"])
    audit.record("accounting.period_locked", by=by, obj=year, data={"until": until.isoformat()})
    return year


@transaction.atomic
def unlock_period(until: datetime.date | None, *, by, reason: str) -> FiscalYear | None:
    """Move the lock date back to `until` (None: nothing locked any more), to correct a closed period.

    Direction's decision, with a written reason kept in the audit trail. Returns the year that now
    holds the lock date (None when nothing is locked)."""
    permissions.require(by, "accounting.unlock")
    reason = (reason or "").strip()
    if not reason:
        _fail(errors.UNLOCK_REASON_REQUIRED)
    years = list(FiscalYear.objects.select_for_update().order_by("pk"))
    lock = max((y.lock_date for y in years if y.lock_date), default=None)
    if lock is None:
        _fail(errors.NOTHING_LOCKED)
    if until is not None and until >= lock:
        _fail(errors.UNLOCK_NOT_BACKWARDS, lock=dates.fr(lock))
    changed = []
    for year in years:
        if year.lock_date and (until is None or year.lock_date > until):
            # A year the new date falls in keeps it; a later one is unlocked altogether.
            year.lock_date = until if until is not None and year.start_date <= until else None
            year.save(update_fields=["lock_date"])
            changed.append(year)
    holder = next((y for y in years if until is not None and y.start_date <= until <= y.end_date), None)
    audit.record(
        "accounting.period_unlocked",
        by=by,
        obj=holder or changed[-1],
        data={
            "from": lock.isoformat(),
            "to": until.isoformat() if until else None,
            "years": [year.name for year in changed],
            "reason": reason,
        },
    )
    return holder


def post_entry(
    journal: str,
    *,
    date: datetime.date,
    label: str,
    document_number: str,
    lines: list[Line],
    document_date: datetime.date | None = None,
    copies: list[Copy] = (),
) -> tuple[JournalEntry, list[EntryLine]]:
    """Post a balanced entry. Must be called inside the caller's business transaction.

    `copies` are posted lines repeated in this entry (the opening entry repeats every item still open
    at the year end): each is copied in the database, in one statement per batch, never read into a
    model; `entry.copied` gives the new lines' ids in the order of `copies`. No open item is made for
    them: the caller says which stay open. The entry's lines are the copies first, then `lines`."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("entries are posted inside the business transaction that causes them")
    lines = [line for line in lines if line.debit or line.credit]
    if len(lines) + len(copies) < 2:
        _fail(errors.TOO_FEW_LINES)
    for line in lines:
        if line.debit < 0 or line.credit < 0 or (line.debit and line.credit):
            _fail(errors.BAD_LINE)
        if money.amount(line.debit) != line.debit or money.amount(line.credit) != line.credit:
            _fail(errors.BAD_LINE)
    balanced, debit, credit = is_balanced(
        [*((line.debit, line.credit) for line in lines), *((copy.debit, copy.credit) for copy in copies)]
    )
    if not balanced:
        _fail(errors.UNBALANCED, debit=debit, credit=credit)
    today = dates.today()
    if date > today:
        # The services refuse it first (core.dates); a ledger never holds tomorrow, whoever calls.
        _fail(dates.DATE_IN_FUTURE, date=dates.fr(date), today=dates.fr(today))
    year = periods.posting_year(date)
    entry = JournalEntry(
        journal_id=journal_id(journal),
        # Entries are numbered per journal within the fiscal year (the FEC's sequence), the year named
        # by its closing date: a July–June year posts VE-2027-… from July 2026.
        number=numbering.next_number(journal, year.end_date.year),
        date=date,
        label=label[:200],
        document_number=document_number,
        document_date=document_date or date,
        posted_at=timezone.now(),
    )
    rows.insert_one(entry)
    entry.copied = _copy_lines(entry, copies) if copies else []
    created = rows.insert_many(
        [
            EntryLine(
                entry=entry,
                account_id=account_id(line.account),
                partner_id=line.partner_id,
                label=(line.label or label)[:200],
                debit=line.debit,
                credit=line.credit,
                vat_rate=line.vat_rate,
            )
            for line in lines
        ]
    )
    # A line of a reconcilable account stays open until it is lettered.
    rows.insert_many(
        [
            OpenItem(line=line, account_id=line.account_id, entry=entry)
            for line in created
            if line.account_id in _reconcilable_ids
        ]
    )
    entry.seal = seal(entry, [*copies, *created])
    return entry, created


def _copy_lines(entry: JournalEntry, copies: list[Copy]) -> list[int]:
    """Insert a copy of each line of `copies` into `entry` (account, partner, label, amounts) with ids
    taken beforehand, so that each new line is known by the line it repeats; returns those ids."""
    ids = rows.reserve_ids(EntryLine, len(copies))
    connection = transaction.get_connection()
    quote = connection.ops.quote_name
    table = quote(EntryLine._meta.db_table)
    size = (rows.max_params(connection) - 1) // 2  # two parameters a copy, and the entry's id
    for start in range(0, len(copies), size):
        chunk = list(zip(ids[start : start + size], copies[start : start + size], strict=True))
        values = ", ".join(["(%s, %s)"] * len(chunk))
        params = [value for new_id, copy in chunk for value in (new_id, copy.line_id)]
        with connection.cursor() as cursor:
            # VALUES columns are column1, column2 on PostgreSQL and SQLite alike.
            cursor.execute(
                f"INSERT INTO {table} (id, entry_id, account_id, partner_id, label, debit, credit, vat_rate) "
                f"SELECT v.column1, %s, l.account_id, l.partner_id, l.label, l.debit, l.credit, NULL "
                f"FROM (VALUES {values}) AS v JOIN {table} l ON l.id = v.column2",
                [entry.pk, *params],
            )
            if cursor.rowcount != len(chunk):
                raise RuntimeError("a line to copy was not found")
    return ids


def seal(entry: JournalEntry, lines) -> dict:
    """What the audit event of the action that posted an entry records of it (`core/seals.py`); the
    caller puts it in its event's data under "entry", and `accounting.integrity` checks it later."""
    return {
        "number": entry.number,
        "digest": seals.digest(
            [(entry.date,), *((line.account_id, line.partner_id, line.debit, line.credit) for line in lines)]
        ),
    }


def carried_forward(lines: list[EntryLine]) -> list[EntryLine]:
    """The lines to letter in place of `lines`: a line of a closed year that was open at its end is
    matched through its line in the next year's opening entry (`accounting.closing`), and so on over
    several closings. Lines never carried come back as they are."""
    while True:
        found = {
            item.origin_id: item.line
            for item in CarriedItem.objects.filter(
                origin_id__in=[line.pk for line in lines], closing__reopened_at__isnull=True
            ).select_related("line")
        }
        if not found:
            return lines
        lines = [found.get(line.pk, line) for line in lines]


def _latest_entry_date(lines: list[EntryLine], entry_dates: dict[int, datetime.date]) -> datetime.date:
    """The date of the latest entry among the lines' (read only for the entries not at hand)."""
    known = [line.entry.date for line in lines if EntryLine.entry.field.is_cached(line)]
    known += [entry_dates[line.entry_id] for line in lines if line.entry_id in entry_dates]
    unknown = {
        line.entry_id
        for line in lines
        if not EntryLine.entry.field.is_cached(line) and line.entry_id not in entry_dates
    }
    if unknown:
        latest = JournalEntry.objects.filter(pk__in=unknown).aggregate(latest=Max("date"))["latest"]
        known.append(datetime.date.fromisoformat(latest) if isinstance(latest, str) else latest)
    return max(known)


def reconcile(
    lines: list[EntryLine],
    *,
    date: datetime.date,
    known_unlettered: bool = False,
    entry_dates: dict[int, datetime.date] | None = None,
) -> Reconciliation:
    """Letter a set of lines of one account and partner whose debits and credits cancel out.

    The lettering is dated `date` (the action that completes it), never before the latest of the lines
    it matches: money received before the invoice it settles (a prepayment of a deposit invoice) is
    lettered on the invoice's date, the day both were in the books (the FEC's DateLet).

    `known_unlettered`: the caller has just read, in this transaction, that none of them is lettered.
    `entry_dates` {entry id: date}: dates of entries the caller holds (an invoice's entry is dated the
    invoice's date), so that they are not read again."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("lettering happens inside the business transaction")
    if len({(line.account_id, line.partner_id) for line in lines}) != 1:
        _fail(errors.MATCH_MIXED_ACCOUNTS)
    balanced, debit, credit = is_balanced((line.debit, line.credit) for line in lines)
    if not balanced:
        _fail(errors.NOT_BALANCED_MATCH, diff=debit - credit)
    if not known_unlettered and ReconciledLine.objects.filter(line__in=lines).exists():
        _fail(errors.ALREADY_MATCHED)
    account = lines[0].account_id
    rec = rows.insert_one(
        Reconciliation(
            code=letter_code(numbering.next_value(f"LT{account}"[:10], 0)),
            account_id=account,
            partner_id=lines[0].partner_id,
            date=max(date, _latest_entry_date(lines, entry_dates or {})),
        )
    )
    rows.insert_many([ReconciledLine(reconciliation=rec, line=line) for line in lines])
    rows.delete_where_in(OpenItem, "line", [line.pk for line in lines])
    return rec

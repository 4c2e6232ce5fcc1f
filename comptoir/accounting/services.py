"""The general ledger: post balanced entries, match customer lines (lettrage).

Accounting knows nothing of invoices or payments: billing and payments call `post_entry` with the
lines they need, inside their own transaction, so an invoice and its entry commit or fail together.
"""

import calendar
import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from comptoir.accounting import errors
from comptoir.accounting.ledger import is_balanced, letter_code
from comptoir.accounting.models import (
    Account,
    EntryLine,
    FiscalYear,
    Journal,
    JournalEntry,
    OpenItem,
    ReconciledLine,
    Reconciliation,
)
from comptoir.core import audit, money, numbering, permissions, rows, seals
from comptoir.core.compiled import Compiled
from comptoir.core.errors import fail as _fail
from comptoir.parties.models import Company


@dataclass(frozen=True)
class Line:
    account: str
    debit: Decimal = Decimal("0")
    credit: Decimal = Decimal("0")
    label: str = ""
    partner_id: int | None = None
    vat_rate: Decimal | None = None


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


def forget_cached_ids() -> None:
    """Tests that recreate the chart between runs call this."""
    _account_ids.clear()
    _reconcilable_ids.clear()
    _year_bounds.clear()
    _journal_ids.clear()


# A fiscal year's bounds never change once it exists; its lock date does (from any process), so it is
# always read again, by a query compiled once (`core.compiled`).
_year_bounds: dict[int, tuple[datetime.date, datetime.date]] = {}
_YEAR = Compiled(lambda year_id: FiscalYear.objects.filter(pk=year_id))


def fiscal_year_for(date: datetime.date) -> FiscalYear:
    """The fiscal year containing `date`, created on first use from the company's start month."""
    for year_id, (start, end) in list(_year_bounds.items()):
        if start <= date <= end:
            found = _YEAR.one(year_id)
            # Checked again on the row: a rolled-back year's id may be taken by another one.
            if found is not None and found.start_date <= date <= found.end_date:
                return found
            _year_bounds.pop(year_id, None)
    found = FiscalYear.objects.filter(start_date__lte=date, end_date__gte=date).first()
    if found:
        _year_bounds[found.pk] = (found.start_date, found.end_date)
        return found
    start_month = Company.objects.values_list("fiscal_year_start_month", flat=True).first() or 1
    start_year = date.year if date.month >= start_month else date.year - 1
    start = datetime.date(start_year, start_month, 1)
    end = datetime.date(start_year + (1 if start_month > 1 else 0), (start_month - 2) % 12 + 1, 1)
    end = end.replace(day=calendar.monthrange(end.year, end.month)[1])
    name = str(end.year) if start_month == 1 else f"{start.year}-{end.year}"
    FiscalYear.objects.bulk_create(
        [FiscalYear(name=name, start_date=start, end_date=end)], ignore_conflicts=True
    )
    return FiscalYear.objects.get(name=name)


def _check_open_period(date: datetime.date) -> FiscalYear:
    year = fiscal_year_for(date)
    if year.lock_date and date <= year.lock_date:
        _fail(
            errors.PERIOD_LOCKED,
            lock=year.lock_date.strftime("%d/%m/%Y"),
            year=year.name,
            date=date.strftime("%d/%m/%Y"),
        )
    return year


@transaction.atomic
def lock_period(until: datetime.date, *, by) -> FiscalYear:
    """Lock postings on or before `until` in its fiscal year (monthly closing, or the year-end closing)."""
    permissions.require(by, "accounting.close")
    year = FiscalYear.objects.select_for_update().get(pk=fiscal_year_for(until).pk)
    if year.lock_date and until <= year.lock_date:
        _fail(errors.LOCK_BACKWARDS, lock=year.lock_date.strftime("%d/%m/%Y"))
    year.lock_date = until
    year.save(update_fields=["lock_date"])
    audit.record("accounting.period_locked", by=by, obj=year, data={"until": until.isoformat()})
    return year


def post_entry(
    journal: str,
    *,
    date: datetime.date,
    label: str,
    document_number: str,
    lines: list[Line],
    document_date: datetime.date | None = None,
) -> tuple[JournalEntry, list[EntryLine]]:
    """Post a balanced entry. Must be called inside the caller's business transaction."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("entries are posted inside the business transaction that causes them")
    lines = [line for line in lines if line.debit or line.credit]
    if len(lines) < 2:
        _fail(errors.TOO_FEW_LINES)
    for line in lines:
        if line.debit < 0 or line.credit < 0 or (line.debit and line.credit):
            _fail(errors.BAD_LINE)
        if money.amount(line.debit) != line.debit or money.amount(line.credit) != line.credit:
            _fail(errors.BAD_LINE)
    balanced, debit, credit = is_balanced((line.debit, line.credit) for line in lines)
    if not balanced:
        _fail(errors.UNBALANCED, debit=debit, credit=credit)
    year = _check_open_period(date)
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
    entry.seal = seal(entry, created)
    return entry, created


def seal(entry: JournalEntry, lines) -> dict:
    """What the audit event of the action that posted an entry records of it (`core/seals.py`); the
    caller puts it in its event's data under "entry", and `accounting.integrity` checks it later."""
    return {
        "number": entry.number,
        "digest": seals.digest(
            [(entry.date,), *((line.account_id, line.partner_id, line.debit, line.credit) for line in lines)]
        ),
    }


def reconcile(
    lines: list[EntryLine], *, date: datetime.date, known_unlettered: bool = False
) -> Reconciliation:
    """Letter a set of lines of one account and partner whose debits and credits cancel out.

    `known_unlettered`: the caller has just read, in this transaction, that none of them is lettered."""
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
            date=date,
        )
    )
    rows.insert_many([ReconciledLine(reconciliation=rec, line=line) for line in lines])
    rows.delete_where_in(OpenItem, "line", [line.pk for line in lines])
    return rec

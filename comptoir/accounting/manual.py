"""Manual entries (opérations diverses) and recurring entries: the accountant's own postings.

A manual entry is drafted with balanced lines (an account of the chart; the partner on a third-party
account; a debit or a credit), then posted through `services.post_entry`, which numbers it in its
journal and fiscal year and refuses a locked period or a year nobody opened. Once posted it never
changes: `reverse_manual_entry` posts its mirror (lines swapped, dated as chosen, linked to it).

Journals: any but those that belong to documents or to the closing (`chart.RESERVED_JOURNALS`: VE is
the image of the invoices, BQ of the payments, AN and CL are written by `accounting.closing`). OD by
default; AC takes purchases until Comptoir has a purchase ledger.

Dates: the lock date and the opened fiscal years rule (`post_entry`), not the company's backdating
window: year-end adjustments (depreciation, accruals) are dated back by nature, and a closed month is
protected by its lock, which only direction moves back.

Four eyes (`core.approvals`): a manual entry whose debit total exceeds
`ApprovalPolicy.manual_entry_threshold` is posted only once another person with `accounting.entry`
approved it (`approve_manual_entry`); the approver is never who drafted it (`approval_same_person`).
Editing an approved draft withdraws the approval.

Attachments are not kept yet: Comptoir has no archive for supporting documents; the piece reference
(`document_number`) names the paper.
"""

import calendar
import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from comptoir.accounting import chart, errors
from comptoir.accounting import services as ledger
from comptoir.accounting.models import Account, Journal, ManualEntry, ManualEntryLine, RecurringEntry
from comptoir.core import approvals, audit, dates, money, permissions
from comptoir.core.errors import Conflict
from comptoir.core.errors import fail as _fail
from comptoir.parties.models import Customer

ZERO = Decimal("0")
DEFAULT_JOURNAL = "OD"


@dataclass(frozen=True)
class CheckedLine:
    account: Account
    partner_id: int | None
    label: str
    debit: Decimal
    credit: Decimal


def _euros(value: Decimal) -> str:
    return f"{money.amount(value):.2f} €".replace(".", ",")


def _amount(value, number: int) -> Decimal:
    if value in (None, ""):
        return ZERO
    try:
        result = money.D(value)
    except (TypeError, ValueError):
        _fail(errors.MANUAL_LINE_INVALID, line=number)
    if result < 0 or money.amount(result) != result:
        _fail(errors.MANUAL_LINE_INVALID, line=number)
    return result


def check_lines(lines: list[dict]) -> list[CheckedLine]:
    """The lines of a manual entry, checked: known accounts, a partner on third-party accounts (required
    on customers' 411 and 4191, allowed on the other lettered accounts, refused elsewhere), one side
    each, at least two, balanced. Each line is a dict: account (code), partner (Customer or id, or
    None), label, debit, credit."""
    codes = {str(line.get("account", "")) for line in lines}
    accounts = {account.code: account for account in Account.objects.filter(code__in=codes)}
    partner_ids = set()
    checked = []
    for number, line in enumerate(lines, start=1):
        code = str(line.get("account", ""))
        account = accounts.get(code)
        if account is None:
            _fail(errors.UNKNOWN_ACCOUNT, account=code)
        debit, credit = _amount(line.get("debit"), number), _amount(line.get("credit"), number)
        if bool(debit) == bool(credit):
            _fail(errors.MANUAL_LINE_INVALID, line=number)
        partner = line.get("partner", line.get("partner_id"))
        partner_id = getattr(partner, "pk", partner) or None
        if partner_id is None and code in (chart.CUSTOMERS, chart.CUSTOMER_DEPOSITS):
            _fail(errors.MANUAL_PARTNER_REQUIRED, line=number, account=code)
        if partner_id is not None and not account.reconcilable:
            _fail(errors.MANUAL_PARTNER_NOT_ALLOWED, line=number, account=code)
        if partner_id is not None:
            partner_ids.add(partner_id)
        checked.append(CheckedLine(account, partner_id, str(line.get("label") or "")[:200], debit, credit))
    known = set(Customer.objects.filter(pk__in=partner_ids).values_list("pk", flat=True))
    if partner_ids - known:
        _fail(errors.UNKNOWN_PARTNER, id=min(partner_ids - known))
    if len(checked) < 2:
        _fail(errors.TOO_FEW_LINES)
    debit = sum((line.debit for line in checked), ZERO)
    credit = sum((line.credit for line in checked), ZERO)
    if debit != credit:
        _fail(errors.UNBALANCED, debit=debit, credit=credit)
    return checked


def _journal(code: str | None) -> Journal:
    code = code or DEFAULT_JOURNAL
    if code in chart.RESERVED_JOURNALS:
        _fail(errors.MANUAL_JOURNAL_RESERVED, journal=code)
    journal = Journal.objects.filter(code=code).first()
    if journal is None:
        _fail(errors.UNKNOWN_JOURNAL, journal=code)
    return journal


def _write_lines(manual: ManualEntry, checked: list[CheckedLine]) -> None:
    ManualEntryLine.objects.bulk_create(
        [
            ManualEntryLine(
                manual_entry=manual,
                account=line.account,
                partner_id=line.partner_id,
                label=line.label,
                debit=line.debit,
                credit=line.credit,
            )
            for line in checked
        ]
    )


def _label(label: str) -> str:
    label = (label or "").strip()
    if not label:
        _fail(errors.MANUAL_LABEL_REQUIRED)
    return label[:200]


def _draft(*, journal, date, label, lines, document_number, by, recurring=None) -> ManualEntry:
    checked = check_lines(lines)
    if date > dates.today():
        _fail(dates.DATE_IN_FUTURE, date=dates.fr(date), today=dates.fr(dates.today()))
    manual = ManualEntry.objects.create(
        journal=_journal(journal),
        date=date,
        label=_label(label),
        document_number=(document_number or "").strip()[:35],
        created_by=by,
        recurring=recurring,
    )
    _write_lines(manual, checked)
    return manual


@transaction.atomic
def create_manual_entry(
    *,
    by,
    date: datetime.date | None = None,
    label: str,
    lines: list[dict],
    journal: str | None = None,
    document_number: str = "",
) -> ManualEntry:
    """Draft a manual entry (OD by default), dated `date` (today by default)."""
    permissions.require(by, "accounting.entry")
    manual = _draft(
        journal=journal,
        date=date or dates.today(),
        label=label,
        lines=lines,
        document_number=document_number,
        by=by,
    )
    audit.record(
        "manual_entry.drafted",
        by=by,
        obj=manual,
        data={"journal": manual.journal.code, "date": manual.date.isoformat(), "total": str(_total(manual))},
    )
    return manual


def _lock(manual: ManualEntry) -> ManualEntry:
    return ManualEntry.objects.select_for_update().select_related("journal").get(pk=manual.pk)


def _require_draft(manual: ManualEntry) -> None:
    if manual.status != ManualEntry.Status.DRAFT:
        raise Conflict(*errors.MANUAL_NOT_DRAFT, entry=str(manual))


def _total(manual: ManualEntry) -> Decimal:
    return sum(manual.lines.values_list("debit", flat=True), ZERO)


@transaction.atomic
def update_manual_entry(
    manual: ManualEntry,
    *,
    by,
    date: datetime.date | None = None,
    label: str | None = None,
    lines: list[dict] | None = None,
    journal: str | None = None,
    document_number: str | None = None,
) -> ManualEntry:
    """Change a draft; an approval given before is withdrawn (what was approved is no longer it)."""
    permissions.require(by, "accounting.entry")
    manual = _lock(manual)
    _require_draft(manual)
    if lines is not None:
        checked = check_lines(lines)
        manual.lines.all().delete()
        _write_lines(manual, checked)
    if journal is not None:
        manual.journal = _journal(journal)
    if date is not None:
        if date > dates.today():
            _fail(dates.DATE_IN_FUTURE, date=dates.fr(date), today=dates.fr(dates.today()))
        manual.date = date
    if label is not None:
        manual.label = _label(label)
    if document_number is not None:
        manual.document_number = document_number.strip()[:35]
    manual.approved_by = None
    manual.approved_at = None
    manual.save()
    audit.record("manual_entry.updated", by=by, obj=manual, data={"total": str(_total(manual))})
    return manual


@transaction.atomic
def delete_manual_entry(manual: ManualEntry, *, by) -> None:
    """Throw a draft away (a posted entry is reversed, never deleted)."""
    permissions.require(by, "accounting.entry")
    manual = _lock(manual)
    _require_draft(manual)
    audit.record("manual_entry.deleted", by=by, obj=manual, data={"label": manual.label})
    manual.delete()


def approval_needed(manual: ManualEntry) -> tuple[bool, Decimal, Decimal]:
    """(needed, debit total, threshold) under the company's four-eyes threshold."""
    threshold = approvals.thresholds().manual_entry_threshold
    total = _total(manual)
    return total > threshold, total, threshold


@transaction.atomic
def approve_manual_entry(manual: ManualEntry, *, by) -> ManualEntry:
    """A second person approves a draft above the threshold (never the person who drafted it)."""
    permissions.require(by, "accounting.entry")
    manual = _lock(manual)
    _require_draft(manual)
    needed, total, threshold = approval_needed(manual)
    if not needed:
        raise Conflict(*errors.MANUAL_APPROVAL_NOT_NEEDED, threshold=_euros(threshold))
    approvals.require_other_person(manual.created_by_id, by, errors.MANUAL_SAME_PERSON)
    manual.approved_by = by
    manual.approved_at = timezone.now()
    manual.save(update_fields=["approved_by", "approved_at"])
    audit.record(
        "manual_entry.approved",
        by=by,
        obj=manual,
        data={"total": str(total), "threshold": str(threshold), "drafted_by": manual.created_by_id},
    )
    return manual


def _post(manual: ManualEntry, *, by) -> ManualEntry:
    lines = list(manual.lines.select_related("account"))
    entry, created = ledger.post_entry(
        manual.journal.code,
        date=manual.date,
        label=manual.label,
        document_number=manual.document_number or f"OD{manual.pk}",
        lines=[
            ledger.Line(
                account=line.account.code,
                debit=line.debit,
                credit=line.credit,
                label=line.label or manual.label,
                partner_id=line.partner_id,
            )
            for line in lines
        ],
    )
    manual.entry = entry
    manual.status = ManualEntry.Status.POSTED
    manual.posted_by = by
    manual.save(update_fields=["entry", "status", "posted_by"])
    return manual


@transaction.atomic
def post_manual_entry(manual: ManualEntry, *, by) -> ManualEntry:
    """Post a draft: numbered in its journal, immutable from now on. Above the threshold, only once
    another person approved it."""
    permissions.require(by, "accounting.entry")
    manual = _lock(manual)
    _require_draft(manual)
    needed, total, threshold = approval_needed(manual)
    if needed and manual.approved_by_id is None:
        raise Conflict(*errors.MANUAL_APPROVAL_REQUIRED, total=_euros(total), threshold=_euros(threshold))
    _post(manual, by=by)
    audit.record(
        "manual_entry.posted",
        by=by,
        obj=manual,
        data={
            "entry": manual.entry.seal,
            "total": str(total),
            "approved_by": manual.approved_by_id,
        },
    )
    return manual


@transaction.atomic
def reverse_manual_entry(
    manual: ManualEntry, *, by, date: datetime.date | None = None, reason: str
) -> ManualEntry:
    """Cancel a posted manual entry by its mirror, dated `date` (today by default, never before it): a
    new posted manual entry, lines swapped, linked to the original, which stays as it was. No approval
    is asked: a reversal only takes back what was posted."""
    permissions.require(by, "accounting.entry")
    reason = (reason or "").strip()
    if not reason:
        _fail(errors.REVERSAL_REASON_REQUIRED)
    manual = _lock(manual)
    if manual.status != ManualEntry.Status.POSTED:
        raise Conflict(*errors.MANUAL_NOT_POSTED, entry=str(manual))
    existing = ManualEntry.objects.filter(reverses=manual).first()
    if existing is not None:
        raise Conflict(*errors.MANUAL_ALREADY_REVERSED, entry=str(manual), reversal=str(existing))
    date = date or dates.today()
    if date < manual.date:
        _fail(errors.REVERSAL_BEFORE_ENTRY, date=dates.fr(manual.date))
    if date > dates.today():
        _fail(dates.DATE_IN_FUTURE, date=dates.fr(date), today=dates.fr(dates.today()))
    reversal = ManualEntry.objects.create(
        journal=manual.journal,
        date=date,
        label=f"Contre-passation {manual}"[:200],
        document_number=manual.entry.number[:35],
        created_by=by,
        reverses=manual,
        reason=reason,
    )
    ManualEntryLine.objects.bulk_create(
        [
            ManualEntryLine(
                manual_entry=reversal,
                account_id=line.account_id,
                partner_id=line.partner_id,
                label=line.label,
                debit=line.credit,
                credit=line.debit,
            )
            for line in manual.lines.all()
        ]
    )
    _post(reversal, by=by)
    audit.record(
        "manual_entry.reversed",
        by=by,
        obj=reversal,
        data={"entry": reversal.entry.seal, "reverses": manual.entry.number, "reason": reason},
    )
    return reversal


# --- Recurring entries -----------------------------------------------------------------------------


def _plain_lines(checked: list[CheckedLine]) -> list[dict]:
    return [
        {
            "account": line.account.code,
            "partner_id": line.partner_id,
            "label": line.label,
            "debit": str(line.debit),
            "credit": str(line.credit),
        }
        for line in checked
    ]


def next_due(date: datetime.date, frequency: str, day: int) -> datetime.date:
    """The due date after `date`: one, three or twelve months on, on `day` (a shorter month's last day)."""
    months = {"monthly": 1, "quarterly": 3, "yearly": 12}[frequency]
    index = date.year * 12 + date.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return datetime.date(year, month, min(day, calendar.monthrange(year, month)[1]))


@transaction.atomic
def create_recurring_entry(
    *,
    by,
    label: str,
    lines: list[dict],
    frequency: str,
    first_date: datetime.date,
    end_date: datetime.date | None = None,
    journal: str | None = None,
    auto_post: bool = False,
) -> RecurringEntry:
    """A template (rent, depreciation…) written every month, quarter or year from `first_date`."""
    permissions.require(by, "accounting.entry")
    if frequency not in RecurringEntry.Frequency.values:
        _fail(errors.RECURRING_BAD_FREQUENCY, value=frequency)
    if end_date is not None and end_date < first_date:
        _fail(errors.RECURRING_BAD_DATES, end=dates.fr(end_date), start=dates.fr(first_date))
    template = RecurringEntry.objects.create(
        label=_label(label),
        journal=_journal(journal),
        frequency=frequency,
        day=first_date.day,
        next_date=first_date,
        end_date=end_date,
        auto_post=auto_post,
        lines=_plain_lines(check_lines(lines)),
        created_by=by,
    )
    audit.record(
        "recurring_entry.created",
        by=by,
        obj=template,
        data={"frequency": frequency, "first": first_date.isoformat(), "auto_post": auto_post},
    )
    return template


@transaction.atomic
def generate_due_recurring_entries(as_of: datetime.date | None = None, *, by) -> list[ManualEntry]:
    """Write every recurring entry due on or before `as_of` (today by default), catching up missed
    periods: a draft each, posted at once when the template says so and no approval is needed (one
    above the threshold stays a draft for a second person). Each template's `next_date` moves on in
    the same transaction, so a second run writes nothing again. For the scheduler: a plain service, and
    the task `accounting.tasks.generate_recurring_entries`."""
    permissions.require(by, "accounting.entry")
    as_of = min(as_of or dates.today(), dates.today())
    written = []
    templates = RecurringEntry.objects.select_for_update().filter(active=True, next_date__lte=as_of)
    for template in templates.order_by("pk"):
        while template.next_date <= as_of and (
            template.end_date is None or template.next_date <= template.end_date
        ):
            manual = _draft(
                journal=template.journal.code,
                date=template.next_date,
                label=template.label,
                lines=template.lines,
                document_number="",
                by=by,
                recurring=template,
            )
            posted = False
            if template.auto_post and not approval_needed(manual)[0]:
                _post(manual, by=by)
                posted = True
            audit.record(
                "manual_entry.generated",
                by=by,
                obj=manual,
                data={
                    "recurring": template.pk,
                    "date": manual.date.isoformat(),
                    "posted": posted,
                    **({"entry": manual.entry.seal} if posted else {}),
                },
            )
            written.append(manual)
            template.next_date = next_due(template.next_date, template.frequency, template.day)
        if template.end_date is not None and template.next_date > template.end_date:
            template.active = False
        template.save(update_fields=["next_date", "active"])
    return written

"""Year-end closing: the checklist, the closing itself, the next year's opening entry (à-nouveaux), and
reopening by direction.

`checklist(year)` lists what should be settled before closing; the blocking items stop
`close_fiscal_year` unless someone with `accounting.unlock` (direction, admin) forces it with a written
reason, kept in the audit trail:
- lettering forgotten: a partner's open items on a lettered account (411, 4191, 401) cancel out but are
  not lettered (blocking). The open items themselves are not: unpaid invoices at the year end are normal,
  the opening entry carries them one by one (listed, for information);
- a balance on a suspense account, 471 to 475 (blocking);
- VAT not settled: a balance left on 44571 (collected) or 44566 (deductible) at the year end, i.e. the
  last return's settlement entry (to 44551 to pay, 44567 credit carried) not posted (blocking); the
  balances of 44551 and 44567 are listed for information (the December VAT is paid in January);
- manual entries of the year still in draft (blocking);
- what other areas add through `settings.CLOSING_CHECKS` (billing: invoices and credit notes of the year
  still in draft, blocking).

`close_fiscal_year` then, in one transaction:
1. posts the closing entry (journal CL, dated the last day): every account of classes 6 and 7 brought to
   zero, the difference on 120 (profit, credit) or 129 (loss, debit). The FEC leaves journal CL out
   (A47 A-1: classes 6 and 7 must still give the year's result);
2. posts the next year's opening entry (journal AN, dated its first day, opened if nobody had): one line
   per account of classes 1 to 5 with its balance, except the lettered accounts (411, 4191, 401), which
   carry one line per item open at the year end with its partner and label, so lettering goes on in the
   new year: `services.carried_forward` leads from the old line to its AN line (`CarriedItem`), which takes
   over the open item (and keeps the invoice's entry as `OpenItem.entry`, so an unpaid invoice still
   reads as unpaid). An item lettered since with a line of the new year (a December invoice paid in
   January, before the closing) is carried too, for the balance, but is no longer an open item;
3. locks the year (its lock date becomes its last day).

Closing needs the year ended, the previous one closed when there are entries before it, and the lock
date before the year end (the closing entry is dated on it). `reopen_fiscal_year` (direction, admin; a
written reason) reverses the AN and the closing entries — never deletes them —, letters each AN item
with its reversal, gives the open items back to the old lines and moves the lock back to where it was;
refused once an AN item has been lettered in the new year (lettering is never undone) or the next year
is closed.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.module_loading import import_string

from comptoir.accounting import chart, errors
from comptoir.accounting import services as ledger
from comptoir.accounting.models import (
    CarriedItem,
    EntryLine,
    FiscalYear,
    JournalEntry,
    ManualEntry,
    OpenItem,
    ReconciledLine,
    Reconciliation,
    YearClosing,
)
from comptoir.core import audit, dates, money, permissions, rows
from comptoir.core.errors import Conflict, NotFound
from comptoir.core.errors import fail as _fail

ZERO = Decimal("0")
DAY = datetime.timedelta(days=1)


@dataclass(frozen=True)
class Item:
    code: str
    label: str
    blocking: bool
    count: int = 0
    amount: Decimal | None = None
    ids: tuple = field(default_factory=tuple)


def _euros(value: Decimal) -> str:
    return money.fr(value) + " €"


def find_year(year) -> FiscalYear:
    """A FiscalYear, its name ("2026", "2025-2026") or its closing calendar year (2026)."""
    if isinstance(year, FiscalYear):
        return year
    found = FiscalYear.objects.filter(name=str(year)).first()
    if found is None and isinstance(year, int):
        found = FiscalYear.objects.filter(end_date__year=year).first()
    if found is None:
        raise NotFound(*errors.YEAR_UNKNOWN, year=year)
    return found


def live_closing(year: FiscalYear) -> YearClosing | None:
    return YearClosing.objects.filter(fiscal_year=year, reopened_at__isnull=True).first()


def balances(start: datetime.date, end: datetime.date) -> dict[str, tuple[Decimal, Decimal, bool]]:
    """{account code: (debit, credit, lettered account)} of the entries dated `start`…`end`."""
    found = (
        EntryLine.objects.filter(entry__date__gte=start, entry__date__lte=end)
        .values("account__code", "account__reconcilable")
        .annotate(d=Sum("debit"), c=Sum("credit"))
        .order_by()
    )
    # SQLite sums decimals as REAL: quantized back here, compared in Python (never in SQL).
    return {
        row["account__code"]: (
            money.amount(row["d"] or ZERO),
            money.amount(row["c"] or ZERO),
            row["account__reconcilable"],
        )
        for row in found
    }


def _balance_of(sums, prefixes) -> Decimal:
    return sum((d - c for code, (d, c, _r) in sums.items() if code.startswith(prefixes)), ZERO)


def checklist(year, *, sums=None) -> list[Item]:
    """What stands between the year and its closing (see the module's docstring); blocking items first.
    `sums`: the year's `balances`, when the caller has them already (the closing reads them once)."""
    year = find_year(year)
    start, end = year.start_date, year.end_date
    if sums is None:
        sums = balances(start, end)
    items: list[Item] = []
    open_rows = list(
        OpenItem.objects.filter(account__reconcilable=True, line__entry__date__lte=end).values_list(
            "line_id", "account__code", "line__partner_id", "line__debit", "line__credit"
        )
    )
    per_partner: dict[tuple, list] = {}
    for line_id, code, partner_id, debit, credit in open_rows:
        per_partner.setdefault((code, partner_id), []).append(
            (line_id, money.amount(debit) - money.amount(credit))
        )
    forgotten = [
        line_id
        for group in per_partner.values()
        if len(group) > 1 and sum(amount for _id, amount in group) == 0
        for line_id, _amount in group
    ]
    if forgotten:
        items.append(
            Item(
                "lettering_forgotten",
                "lignes de tiers qui se soldent sans être lettrées",
                True,
                count=len(forgotten),
                ids=tuple(forgotten[:50]),
            )
        )
    for prefix in chart.SUSPENSE_PREFIXES:
        balance = _balance_of(sums, (prefix,))
        if balance:
            items.append(
                Item(
                    "suspense_balance",
                    f"compte d'attente {prefix} non soldé ({_euros(balance)})",
                    True,
                    amount=balance,
                )
            )
    for code, name in ((chart.VAT_COLLECTED, "TVA collectée"), (chart.VAT_DEDUCTIBLE, "TVA déductible")):
        balance = _balance_of(sums, (code,))
        if balance:
            items.append(
                Item(
                    "vat_not_settled",
                    f"{name} {code} non liquidée ({_euros(balance)}) : passez l'écriture de la dernière déclaration",
                    True,
                    amount=balance,
                )
            )
    drafts = list(
        ManualEntry.objects.filter(
            status=ManualEntry.Status.DRAFT, date__gte=start, date__lte=end
        ).values_list("pk", flat=True)
    )
    if drafts:
        items.append(
            Item(
                "manual_entries_draft",
                "écritures manuelles de l'exercice en brouillon",
                True,
                len(drafts),
                ids=tuple(drafts),
            )
        )
    for path in settings.CLOSING_CHECKS:
        for found in import_string(path)(start, end):
            items.append(
                Item(
                    found["code"],
                    found["label"],
                    found["blocking"],
                    found.get("count", 0),
                    ids=tuple(found.get("ids", ())),
                )
            )
    if open_rows:
        total = sum((money.amount(d) - money.amount(c) for _i, _code, _p, d, c in open_rows), ZERO)
        items.append(
            Item(
                "open_items",
                f"lignes de tiers non lettrées, reportées une à une en à-nouveaux ({_euros(total)})",
                False,
                count=len(open_rows),
                amount=total,
            )
        )
    for code, name in ((chart.VAT_TO_PAY, "TVA à décaisser"), (chart.VAT_CREDIT, "crédit de TVA")):
        balance = _balance_of(sums, (code,))
        if balance:
            items.append(
                Item(
                    "vat_balance",
                    f"{name} {code} au {dates.fr(end)} : {_euros(balance)}",
                    False,
                    amount=balance,
                )
            )
    return sorted(items, key=lambda item: not item.blocking)


def _side(balance: Decimal) -> dict:
    return {"debit": balance, "credit": ZERO} if balance > 0 else {"debit": ZERO, "credit": -balance}


@transaction.atomic
def close_fiscal_year(year, *, by, force_reason: str = "") -> YearClosing:
    """Close `year`: result to 120/129 (journal CL), the next year's opening entry (journal AN), the
    year locked. See the module's docstring."""
    permissions.require(by, "accounting.close")
    years = list(FiscalYear.objects.select_for_update().order_by("start_date"))
    year = find_year(year)
    year = next(y for y in years if y.pk == year.pk)
    start, end = year.start_date, year.end_date
    if end >= dates.today():
        _fail(errors.YEAR_NOT_ENDED, year=year.name, end=dates.fr(end))
    if live_closing(year) is not None:
        raise Conflict(*errors.YEAR_ALREADY_CLOSED, year=year.name)
    previous = next((y for y in years if y.end_date == start - DAY), None)
    if JournalEntry.objects.filter(date__lt=start).exists() and (
        previous is None or live_closing(previous) is None
    ):
        raise Conflict(
            *errors.PREVIOUS_YEAR_NOT_CLOSED,
            year=year.name,
            previous=previous.name if previous else str(start.year - 1),
        )
    lock = max((y.lock_date for y in years if y.lock_date), default=None)
    if lock is not None and lock >= end:
        raise Conflict(*errors.CLOSING_PERIOD_LOCKED, lock=dates.fr(lock), year=year.name, end=dates.fr(end))
    # The year's balances, read once (a sum over every line of the year): for the checklist, the closing
    # entry, then the opening entry with what the closing entry adds.
    sums = balances(start, end)
    blocking = [item for item in checklist(year, sums=sums) if item.blocking]
    force_reason = (force_reason or "").strip()
    if blocking:
        if not force_reason:
            raise Conflict(
                *errors.CLOSING_BLOCKED, year=year.name, items=" ; ".join(item.label for item in blocking)
            )
        permissions.require(by, "accounting.unlock")
    next_start = end + DAY
    following = next((y for y in years if y.start_date <= next_start <= y.end_date), None)
    if following is None:
        following = ledger.open_fiscal_year(next_start, by=by)

    # 1. Classes 6 and 7 to the result.
    lines = []
    result = ZERO
    for code in sorted(sums):
        debit, credit, _lettered = sums[code]
        if code[0] in "67" and debit != credit:
            balance = debit - credit
            result -= balance
            # The opposite side brings the account to zero.
            side = _side(-balance)
            lines.append(ledger.Line(code, label=f"Solde du compte {code}", **side))
    if result > 0:
        lines.append(ledger.Line(chart.PROFIT, credit=result, label=f"Bénéfice de l'exercice {year.name}"))
    elif result < 0:
        lines.append(ledger.Line(chart.LOSS, debit=-result, label=f"Perte de l'exercice {year.name}"))
    closing_entry = None
    if len(lines) >= 2:
        closing_entry, _created = ledger.post_entry(
            chart.CLOSING_JOURNAL,
            date=end,
            label=f"Clôture de l'exercice {year.name}",
            document_number=f"CLOTURE-{year.name}"[:35],
            lines=lines,
        )

    # 2. The opening entry of the next year: lettered accounts item by item, the others per account.
    # The items are copied in the database (`post_entry(copies=…)`), never read into models: a year of a
    # million lines leaves tens of thousands open (bench/closing.py).
    carried = _items_to_carry(start, end)
    an_lines = []
    sums = _after_closing(sums, result)
    for code in sorted(sums):
        debit, credit, lettered = sums[code]
        if code[0] in "12345" and not lettered and debit != credit:
            an_lines.append(ledger.Line(code, label=f"À-nouveau {code}", **_side(debit - credit)))
    opening_entry = None
    if len(an_lines) + len(carried) >= 2:
        opening_entry, _created = ledger.post_entry(
            chart.OPENING_JOURNAL,
            date=next_start,
            label=f"À-nouveaux de l'exercice {following.name}",
            document_number=f"AN-{following.name}"[:35],
            lines=an_lines,
            copies=[item.copy for item in carried],
        )
    closing = YearClosing.objects.create(
        fiscal_year=year,
        result=result,
        closing_entry=closing_entry,
        opening_entry=opening_entry,
        closed_by=by,
        closed_at=timezone.now(),
        forced_reason=force_reason if blocking else "",
        previous_lock=lock,
    )
    if carried:
        _record_carried(closing, carried, opening_entry.copied)

    # 3. The year is locked.
    year.lock_date = end
    year.save(update_fields=["lock_date"])
    audit.record(
        "accounting.fiscal_year_closed",
        by=by,
        obj=year,
        data={
            "result": str(result),
            "closing": closing_entry.seal if closing_entry else None,
            "opening": opening_entry.seal if opening_entry else None,
            "carried_items": len(carried),
            "forced": {"reason": force_reason, "items": [item.code for item in blocking]}
            if blocking
            else None,
        },
    )
    return closing


@dataclass(frozen=True)
class Carried:
    """An item of a lettered account open at the year end: the line to repeat in the opening entry, the
    entry of its document (its open item stays filed under it) and whether it was lettered since."""

    copy: ledger.Copy
    entry_id: int
    settled: bool


def _record_carried(closing: YearClosing, carried: list, new_ids: list[int]) -> None:
    """Link each carried line to its AN line (`CarriedItem`, filed under its document's entry: the open
    item's, or the line's own when it was lettered since) and move the open items to the AN lines, in
    a few statements: the pairs (new id, old id) are the only values sent."""
    connection = transaction.get_connection()
    quote = connection.ops.quote_name
    carried_t, open_t, line_t = (quote(m._meta.db_table) for m in (CarriedItem, OpenItem, EntryLine))
    pairs = [(new_id, item.copy.line_id) for item, new_id in zip(carried, new_ids, strict=True)]
    size = (rows.max_params(connection) - 1) // 2
    with connection.cursor() as cursor:
        for start in range(0, len(pairs), size):
            chunk = pairs[start : start + size]
            # VALUES columns are column1, column2 on PostgreSQL and SQLite alike.
            cursor.execute(
                f"INSERT INTO {carried_t} (closing_id, origin_id, line_id, item_entry_id, settled) "
                f"SELECT %s, v.column2, v.column1, COALESCE(o.entry_id, l.entry_id), o.line_id IS NULL "
                f"FROM (VALUES {', '.join(['(%s, %s)'] * len(chunk))}) AS v "
                f"JOIN {line_t} l ON l.id = v.column2 LEFT JOIN {open_t} o ON o.line_id = v.column2",
                [closing.pk, *(value for pair in chunk for value in pair)],
            )
        # The AN line takes over the open item, under the document's entry; the old line is no longer open.
        cursor.execute(
            f"INSERT INTO {open_t} (line_id, account_id, entry_id) "
            f"SELECT c.line_id, l.account_id, c.item_entry_id FROM {carried_t} c "
            f"JOIN {line_t} l ON l.id = c.line_id WHERE c.closing_id = %s AND NOT c.settled",
            [closing.pk],
        )
        cursor.execute(
            f"DELETE FROM {open_t} WHERE line_id IN (SELECT origin_id FROM {carried_t} WHERE closing_id = %s)",
            [closing.pk],
        )


def _after_closing(sums: dict, result: Decimal) -> dict:
    """The year's balances once its closing entry is posted: classes 6 and 7 at zero, the result on 120
    (a profit, credit) or 129 (a loss, debit)."""
    after = {code: row for code, row in sums.items() if code[0] not in "67"}
    if result:
        code = chart.PROFIT if result > 0 else chart.LOSS
        debit, credit, lettered = after.get(code, (ZERO, ZERO, False))
        after[code] = (debit, credit + result, lettered) if result > 0 else (debit - result, credit, lettered)
    return after


def _items_to_carry(start: datetime.date, end: datetime.date) -> list[Carried]:
    """Each item of a lettered account open at the year end, by account, partner and line: the open
    items dated up to `end`, and the lines of the year lettered since with a line after it. Read as
    plain values (ids and amounts)."""
    fields = (
        "line_id",
        "line__account_id",
        "line__account__code",
        "line__partner_id",
        "line__debit",
        "line__credit",
    )
    found = [
        (code, partner or 0, line_id, ledger.Copy(line_id, account, partner, debit, credit), entry_id, False)
        for line_id, account, code, partner, debit, credit, entry_id in OpenItem.objects.filter(
            account__reconcilable=True, line__entry__date__lte=end
        ).values_list(*fields, "entry_id")
    ]
    later = Reconciliation.objects.filter(items__line__entry__date__gt=end).values("pk")
    settled_since = ReconciledLine.objects.filter(
        reconciliation__in=later, line__entry__date__gte=start, line__entry__date__lte=end
    ).values_list(*fields, "line__entry_id")
    open_ids = {row[2] for row in found}
    found += [
        (code, partner or 0, line_id, ledger.Copy(line_id, account, partner, debit, credit), entry_id, True)
        for line_id, account, code, partner, debit, credit, entry_id in settled_since
        if line_id not in open_ids
    ]
    found.sort(key=lambda row: row[:3])
    return [Carried(copy, entry_id, settled) for _code, _partner, _id, copy, entry_id, settled in found]


def _swapped(entry: JournalEntry) -> tuple[list[EntryLine], list[ledger.Line]]:
    lines = list(entry.lines.select_related("account").order_by("id"))
    return lines, [
        ledger.Line(
            line.account.code,
            debit=line.credit,
            credit=line.debit,
            label=line.label,
            partner_id=line.partner_id,
        )
        for line in lines
    ]


@transaction.atomic
def reopen_fiscal_year(year, *, by, reason: str) -> YearClosing:
    """Undo a closing by reversing its entries (never deleting them); direction and admin, with a
    written reason kept in the audit trail. See the module's docstring."""
    permissions.require(by, "accounting.unlock")
    reason = (reason or "").strip()
    if not reason:
        _fail(errors.REOPEN_REASON_REQUIRED)
    years = list(FiscalYear.objects.select_for_update().order_by("start_date"))
    year = find_year(year)
    closing = (
        YearClosing.objects.select_for_update().filter(fiscal_year=year, reopened_at__isnull=True).first()
    )
    if closing is None:
        raise Conflict(*errors.YEAR_NOT_CLOSED, year=year.name)
    following = next((y for y in years if y.start_date == year.end_date + DAY), None)
    if following is not None and live_closing(following) is not None:
        raise Conflict(*errors.REOPEN_LATER_CLOSED, year=following.name)
    carried = list(closing.carried.select_related("origin"))
    by_line = {item.line_id: item for item in carried}
    lettered = list(
        ReconciledLine.objects.filter(line_id__in=list(by_line)).values_list(
            "line__entry__number", flat=True
        )[:1]
    )
    if lettered:
        count = ReconciledLine.objects.filter(line_id__in=list(by_line)).count()
        raise Conflict(*errors.REOPEN_ITEMS_LETTERED, count=count, first=lettered[0])
    lock = max((y.lock_date for y in years if y.lock_date), default=None)
    back_to = closing.previous_lock
    for other in years:
        if other.lock_date and (back_to is None or other.lock_date > back_to):
            other.lock_date = back_to if back_to is not None and other.start_date <= back_to else None
            other.save(update_fields=["lock_date"])
    opening_reversal = closing_reversal = None
    if closing.opening_entry_id:
        opening = closing.opening_entry
        originals, lines = _swapped(opening)
        opening_reversal, created = ledger.post_entry(
            chart.OPENING_JOURNAL,
            date=opening.date,
            label=f"Annulation des à-nouveaux {opening.number}",
            document_number=opening.number,
            lines=lines,
        )
        for original, mirror in zip(originals, created, strict=True):
            if original.pk in by_line:
                ledger.reconcile([original, mirror], date=opening.date, known_unlettered=True)
        rows.insert_many(
            [
                OpenItem(
                    line_id=item.origin_id, account_id=item.origin.account_id, entry_id=item.item_entry_id
                )
                for item in carried
                if not item.settled
            ]
        )
    if closing.closing_entry_id:
        entry = closing.closing_entry
        _originals, lines = _swapped(entry)
        closing_reversal, _created = ledger.post_entry(
            chart.CLOSING_JOURNAL,
            date=entry.date,
            label=f"Annulation de la clôture {entry.number}",
            document_number=entry.number,
            lines=lines,
        )
    closing.reopened_by = by
    closing.reopened_at = timezone.now()
    closing.reopen_reason = reason
    closing.opening_reversal = opening_reversal
    closing.closing_reversal = closing_reversal
    closing.save()
    audit.record(
        "accounting.fiscal_year_reopened",
        by=by,
        obj=year,
        data={
            "reason": reason,
            "lock_from": lock.isoformat() if lock else None,
            "lock_to": back_to.isoformat() if back_to else None,
            "closing_reversal": closing_reversal.seal if closing_reversal else None,
            "opening_reversal": opening_reversal.seal if opening_reversal else None,
        },
    )
    return closing

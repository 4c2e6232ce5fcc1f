"""Ledger reads: trial balance, general ledger of an account, customer statement. Aggregates in SQL."""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q, Sum

from comptoir.accounting.chart import CLOSING_JOURNAL, CUSTOMERS
from comptoir.accounting.models import Account, EntryLine, FiscalYear, JournalEntry, YearClosing
from comptoir.core.money import amount

ZERO = Decimal("0")


def _cents(value) -> Decimal:
    """A SQL sum back to the cent: SQLite adds decimals as floats (…0.4800000001)."""
    return amount(value or ZERO)


@dataclass
class BalanceRow:
    code: str
    name: str
    debit: Decimal
    credit: Decimal

    @property
    def balance(self) -> Decimal:
        return self.debit - self.credit


@dataclass
class TrialBalance:
    rows: list[BalanceRow]
    total_debit: Decimal
    total_credit: Decimal

    def by_code(self) -> dict[str, BalanceRow]:
        return {row.code: row for row in self.rows}

    @property
    def is_balanced(self) -> bool:
        return self.total_debit == self.total_credit


def _dated(qs, date_from, date_to, prefix="entry__"):
    if date_from:
        qs = qs.filter(**{f"{prefix}date__gte": date_from})
    if date_to:
        qs = qs.filter(**{f"{prefix}date__lte": date_to})
    return qs


def repeated_openings(date_from: datetime.date | None = None) -> list[int]:
    """Ids of the opening entries (journal AN) a closing generated, and of their reversals, dated after
    `date_from` (all of them when None). They repeat the balances of every line dated before them, so
    a sum that starts before them, or has no start, leaves them out (the lines they repeat are in it);
    a sum that starts on their day keeps them: they are its opening balances. A few rows, one per
    closing: read first, so that books never closed add nothing to the queries that sum lines."""
    found = []
    for opening, reversal, day in YearClosing.objects.values_list(
        "opening_entry_id", "opening_reversal_id", "opening_entry__date"
    ):
        if day is not None and (date_from is None or day > date_from):
            found += [pk for pk in (opening, reversal) if pk]
    return found


def without_repeated_openings(qs, date_from: datetime.date | None = None, field: str = "entry_id"):
    """Entry lines of `qs` less those of the openings `repeated_openings(date_from)` names."""
    openings = repeated_openings(date_from)
    return qs.exclude(**{f"{field}__in": openings}) if openings else qs


def trial_balance(
    date_from: datetime.date | None = None, date_to: datetime.date | None = None
) -> TrialBalance:
    qs = without_repeated_openings(_dated(EntryLine.objects.all(), date_from, date_to), date_from)
    sums = {
        row["account_id"]: row
        for row in qs.values("account_id").annotate(debit=Sum("debit"), credit=Sum("credit"))
    }
    rows = [
        BalanceRow(a.code, a.name, _cents(sums[a.pk]["debit"]), _cents(sums[a.pk]["credit"]))
        for a in Account.objects.filter(pk__in=sums).order_by("code")
    ]
    return TrialBalance(
        rows=rows,
        total_debit=sum((r.debit for r in rows), ZERO),
        total_credit=sum((r.credit for r in rows), ZERO),
    )


@dataclass
class LedgerLine:
    date: datetime.date
    entry_number: str
    journal: str
    document_number: str
    label: str
    debit: Decimal
    credit: Decimal
    balance: Decimal
    letter: str = ""
    partner: str = ""


@dataclass
class Ledger:
    account: Account | None
    lines: list[LedgerLine] = field(default_factory=list)
    opening: Decimal = ZERO

    @property
    def balance(self) -> Decimal:
        return self.lines[-1].balance if self.lines else self.opening

    @property
    def total_debit(self) -> Decimal:
        return sum((line.debit for line in self.lines), ZERO)

    @property
    def total_credit(self) -> Decimal:
        return sum((line.credit for line in self.lines), ZERO)


def _ledger(qs, account, date_from=None, date_to=None) -> Ledger:
    opening = ZERO
    if date_from:
        before = without_repeated_openings(qs.filter(entry__date__lt=date_from))
        before = before.aggregate(d=Sum("debit"), c=Sum("credit"))
        opening = _cents(before["d"]) - _cents(before["c"])
    # The opening balance is the sum of every line before the period, so the opening entries a closing
    # generated (which repeat those lines) are left out of the period's lines too.
    qs = without_repeated_openings(_dated(qs, date_from, date_to)).select_related(
        "entry__journal", "partner", "reconciled__reconciliation"
    )
    running = opening
    lines = []
    for line in qs.order_by("entry__date", "entry_id", "id"):
        running += line.debit - line.credit
        reconciled = getattr(line, "reconciled", None)
        lines.append(
            LedgerLine(
                date=line.entry.date,
                entry_number=line.entry.number,
                journal=line.entry.journal.code,
                document_number=line.entry.document_number,
                label=line.label,
                debit=line.debit,
                credit=line.credit,
                balance=running,
                letter=reconciled.reconciliation.code if reconciled else "",
                partner=line.partner.name if line.partner else "",
            )
        )
    return Ledger(account=account, lines=lines, opening=opening)


def general_ledger(code: str, date_from=None, date_to=None) -> Ledger:
    account = Account.objects.get(code=code)
    return _ledger(EntryLine.objects.filter(account=account), account, date_from, date_to)


def customer_statement(customer, date_from=None, date_to=None) -> Ledger:
    account = Account.objects.get(code=CUSTOMERS)
    qs = EntryLine.objects.filter(account=account, partner=customer)
    return _ledger(qs, account, date_from, date_to)


def entries(journal: str | None = None, date_from=None, date_to=None):
    qs = JournalEntry.objects.select_related("journal").order_by("-date", "-id")
    if journal:
        qs = qs.filter(journal__code=journal)
    return _dated(qs, date_from, date_to, prefix="")


def customer_balances() -> dict[int, Decimal]:
    """Open balance of every customer on 411 (debit − credit)."""
    rows = (
        without_repeated_openings(EntryLine.objects.filter(account__code=CUSTOMERS, partner__isnull=False))
        .values("partner_id")
        .annotate(d=Sum("debit"), c=Sum("credit"))
    )
    return {row["partner_id"]: _cents(row["d"]) - _cents(row["c"]) for row in rows}


@dataclass
class VatRateRow:
    rate: Decimal
    base: Decimal = ZERO  # revenue posted to 706/707 at this rate
    collected: Decimal = ZERO
    pending_invoiced: Decimal = ZERO
    cashed_on_receipts: Decimal = ZERO

    @property
    def taxable_base(self) -> Decimal:
        """The base excl. VAT to declare with `collected` on the CA3.

        Not the revenue: services taxed on receipts (and deposits) are declared when cashed, so the
        revenue of the period is both too much (services invoiced, not paid yet) and too little
        (services invoiced earlier, paid now; a deposit bills no revenue). What the period owes is
        exactly what reached 44571, so the base is that VAT at its rate — to a few cents of the sum of
        the invoices' own bases, each VAT having been rounded once per invoice. A rate that bears no
        VAT has only its revenue.
        """
        if self.rate <= 0:
            return self.base
        return amount(self.collected * 100 / self.rate)


@dataclass
class VatSummary:
    """Figures an accountant copies into the CA3 return for a period."""

    date_from: datetime.date
    date_to: datetime.date
    rows: list[VatRateRow]
    deductible: Decimal
    pending_balance: Decimal

    @property
    def total_collected(self) -> Decimal:
        return sum((row.collected for row in self.rows), ZERO)

    @property
    def net_due(self) -> Decimal:
        return self.total_collected - self.deductible


def vat_summary(date_from: datetime.date, date_to: datetime.date) -> VatSummary:
    """VAT due for the period, per rate: what was posted to 44571 (goods invoiced, services cashed),
    the part of services invoiced still waiting for payment (44574), and the revenue bases."""
    from comptoir.accounting.chart import SALES_GOODS, SALES_SERVICES, VAT_COLLECTED, VAT_PENDING

    # Opening balances are no operation of the period: the AN journal is left out; so is the entry that
    # settled a return (accounting.settlement), which clears the period's VAT rather than adding to it.
    lines = _dated(
        EntryLine.objects.exclude(entry__journal__code="AN").exclude(entry__vat_settlement__isnull=False),
        date_from,
        date_to,
    )
    grouped = (
        lines.filter(account__code__in=[VAT_COLLECTED, VAT_PENDING, SALES_GOODS, SALES_SERVICES])
        .values("account__code", "vat_rate")
        .annotate(d=Sum("debit"), c=Sum("credit"))
    )
    rows: dict[Decimal, VatRateRow] = {}
    for row in grouped:
        rate = row["vat_rate"] if row["vat_rate"] is not None else ZERO
        target = rows.setdefault(rate, VatRateRow(rate))
        net_credit = _cents(row["c"]) - _cents(row["d"])
        code = row["account__code"]
        if code in (SALES_GOODS, SALES_SERVICES):
            target.base += net_credit
        elif code == VAT_COLLECTED:
            target.collected += net_credit
        else:
            target.pending_invoiced += _cents(row["c"])
            target.cashed_on_receipts += _cents(row["d"])
    deductible = lines.filter(account__code="44566").aggregate(d=Sum("debit"), c=Sum("credit"))
    pending_total = without_repeated_openings(
        EntryLine.objects.filter(account__code=VAT_PENDING, entry__date__lte=date_to)
    ).aggregate(d=Sum("debit"), c=Sum("credit"))
    return VatSummary(
        date_from=date_from,
        date_to=date_to,
        rows=sorted(rows.values(), key=lambda r: r.rate, reverse=True),
        deductible=_cents(deductible["d"]) - _cents(deductible["c"]),
        pending_balance=_cents(pending_total["c"]) - _cents(pending_total["d"]),
    )


def vat_credit_brought_forward(date_from: datetime.date) -> Decimal:
    """The VAT credit carried to the return that starts on `date_from` (CA3 line 22): the debit balance
    of 44567 before that day (a settlement puts a credit there; a refund obtained takes it off). The
    opening entries are left out: the lines they repeat are in the sum."""
    from comptoir.accounting.chart import VAT_CREDIT

    before = without_repeated_openings(
        EntryLine.objects.filter(account__code=VAT_CREDIT, entry__date__lt=date_from)
    ).aggregate(d=Sum("debit"), c=Sum("credit"))
    return max(_cents(before["d"]) - _cents(before["c"]), ZERO)


def closing_years() -> list[int]:
    """The fiscal years that have books, each named after the calendar year it closes in (as the FEC
    and `comptoir export-fec --year` name them), the latest first."""
    return sorted({end.year for end in FiscalYear.objects.values_list("end_date", flat=True)}, reverse=True)


# --- Balance sheet and income statement (pure mapping in accounting/statements.py) ---------------


def _account_balances(qs) -> list:
    from comptoir.accounting.statements import AccountBalance

    rows = (
        qs.values("account__code", "account__name", "partner_id")
        .annotate(d=Sum("debit"), c=Sum("credit"))
        .order_by()
    )
    return [
        AccountBalance(
            row["account__code"], row["account__name"], _cents(row["d"]), _cents(row["c"]), row["partner_id"]
        )
        for row in rows
    ]


def balance_sheet_balances(date_to: datetime.date) -> list:
    """Every account's balance on `date_to` (per partner where the lines carry one), from the first entry:
    the openings a closing generated are left out (the lines they repeat are summed), and so is the
    closing entry dated `date_to` (the last day of a year): on that day the year's result is still read
    from classes 6 and 7. A year closed before `date_to` has its result on 120/129, its classes 6 and 7
    brought to zero by its closing entry."""
    qs = without_repeated_openings(EntryLine.objects.filter(entry__date__lte=date_to))
    qs = qs.exclude(entry__journal__code=CLOSING_JOURNAL, entry__date=date_to)
    return _account_balances(qs)


def income_statement_balances(date_from: datetime.date, date_to: datetime.date) -> list:
    """What moved on classes 6 and 7 between the two dates, the closing entries (journal CL, and their
    reversals when a year is reopened) left out: they carry the result, they are no income or charge."""
    classes = Q(account__code__startswith="6") | Q(account__code__startswith="7")
    qs = _dated(EntryLine.objects.filter(classes), date_from, date_to)
    return _account_balances(qs.exclude(entry__journal__code=CLOSING_JOURNAL))


def _year_before(day: datetime.date) -> datetime.date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def previous_period(
    date_from: datetime.date, date_to: datetime.date
) -> tuple[datetime.date, datetime.date] | None:
    """The same dates a year earlier, when the books have entries then (the N-1 column); else None."""
    start, end = _year_before(date_from), _year_before(date_to)
    if not EntryLine.objects.filter(entry__date__gte=start, entry__date__lte=end).exists():
        return None
    return start, end


def default_statement_period(today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The fiscal year in progress up to today (the calendar year when none is open)."""
    year = FiscalYear.objects.filter(start_date__lte=today, end_date__gte=today).first()
    return (year.start_date if year else today.replace(month=1, day=1)), today


@dataclass
class FinancialStatements:
    """The balance sheet at `date_to` and the income statement of `date_from`…`date_to`, with the same
    statements a year earlier when the books go back that far."""

    date_from: datetime.date
    date_to: datetime.date
    balance_sheet: object
    income_statement: object
    previous_from: datetime.date | None = None
    previous_to: datetime.date | None = None
    previous_balance_sheet: object = None
    previous_income_statement: object = None

    @property
    def has_previous(self) -> bool:
        return self.previous_from is not None


def financial_statements(date_from: datetime.date, date_to: datetime.date) -> FinancialStatements:
    from comptoir.accounting import statements

    found = FinancialStatements(
        date_from=date_from,
        date_to=date_to,
        balance_sheet=statements.balance_sheet(balance_sheet_balances(date_to)),
        income_statement=statements.income_statement(income_statement_balances(date_from, date_to)),
    )
    previous = previous_period(date_from, date_to)
    if previous:
        found.previous_from, found.previous_to = previous
        found.previous_balance_sheet = statements.balance_sheet(balance_sheet_balances(previous[1]))
        found.previous_income_statement = statements.income_statement(income_statement_balances(*previous))
    return found

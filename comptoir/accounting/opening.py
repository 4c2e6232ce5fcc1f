"""The opening of the company's first year in Comptoir: the closing balances of its previous system.

Two imports feed it (`imports.opening`), in this order:
1. the open customer invoices (`payments.opening`): each becomes its own entry of journal AN, dated the
   first day of the year, 411 debit for the customer against 890 « Bilan d'ouverture »; the entry's
   document number and date are the invoice's own (the FEC's PieceRef and PieceDate), its label carries
   the due date. Payments are lettered against its 411 line like against an invoice's;
2. the opening balances, from a trial balance (CSV/XLSX) or the previous system's FEC: one entry of
   journal AN (`OpeningBalance`), one line per account of classes 1 to 5 with its balance, classes 6
   and 7 summed into the result (120 profit, 129 loss), and, as the year-end closing does
   (`accounting.closing`), the lettered accounts (411, 4191, 401) itemised by open item: the unlettered
   lines of the FEC (or each row of the balance) per auxiliary account and document, each with its
   partner and its reference, open items that can be lettered. Where the open invoices were imported,
   411 is not itemised again: the balance's 411 must agree with them to the cent (per customer too when
   the balance names them), and its lines become one 890 debit that clears the open invoices'
   counterpart; a difference is refused and shown, never absorbed.

Rules: the year is the one containing today (opened by a person, not locked on its first day); a year
has one opening entry: refused when it has one (imported, or written by the closing of the year
before), the same balances again post nothing (`digest`); the entry is balanced or refused with the
difference; an account missing from the chart is created when its number follows the PCG (digits, class
1 to 7), a row whose account does not is refused. Codes padded with zeros (« 512000 », « 445710 ») are
the chart's accounts (512, 44571); every sub-account of 411, 4191 and 401 posts to that account, the
auxiliary account naming the customer.
"""

import datetime
import hashlib
import re
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Sum

from comptoir.accounting import chart, errors
from comptoir.accounting import services as ledger
from comptoir.accounting.models import (
    Account,
    EntryLine,
    FiscalYear,
    JournalEntry,
    OpeningBalance,
    YearClosing,
)
from comptoir.core import audit, dates, money, permissions
from comptoir.core.errors import Conflict
from comptoir.core.errors import fail as _fail

ZERO = Decimal("0")
OPENING_ACCOUNT = "890"
OPENING_ACCOUNT_NAME = "Bilan d'ouverture"
# Sub-accounts the chart keeps as one account (the auxiliary account names the partner).
COLLECTIVE = (chart.CUSTOMER_DEPOSITS, chart.CUSTOMERS, chart.SUPPLIERS)
CUSTOMER_ACCOUNTS = (chart.CUSTOMERS, chart.CUSTOMER_DEPOSITS)
_PCG = re.compile(r"([1-7]\d{2,19})(?:\s*[-–—:]?\s*(.*))?")


def opening_year() -> FiscalYear:
    """The year the opening goes into: the one containing today (its first day is the AN date)."""
    today = dates.today()
    year = FiscalYear.objects.filter(start_date__lte=today, end_date__gte=today).first()
    if year is None:
        _fail(errors.OPENING_NO_YEAR, date=dates.fr(today))
    return year


def split_account(text: str) -> tuple[str, str] | None:
    """« 411100 », « 411100 Clients » (Odoo's trial balance) → (number, name); None when not a PCG number."""
    match = _PCG.fullmatch((text or "").strip())
    if not match:
        return None
    return match.group(1), (match.group(2) or "").strip()


def chart_code(code: str, known: set[str]) -> str:
    """The chart's account for a number of the previous system: a sub-account of 411, 4191 or 401 is
    that account; « 512000 » is 512 when the chart has 512 (zeros pad numbers to a fixed width)."""
    for collective in COLLECTIVE:
        if code.startswith(collective):
            return collective
    shorter = code
    while shorter not in known and shorter.endswith("0") and len(shorter) > 3:
        shorter = shorter[:-1]
    return shorter if shorter in known else code


def ensure_account(code: str, name: str) -> bool:
    """Create an account of the PCG the chart lacks (its number checked by `split_account`); True when
    created. Its id is then left out of the ledger's cache (`forget_account`) once the entry is posted:
    a test run rolls the account back."""
    if Account.objects.filter(code=code).exists():
        return False
    Account.objects.create(code=code, name=(name or f"Compte {code}")[:200], reconcilable=False)
    return True


def ensure_opening_account() -> bool:
    return ensure_account(OPENING_ACCOUNT, OPENING_ACCOUNT_NAME)


def existing_opening(year: FiscalYear) -> JournalEntry | None:
    """The year's opening entry, imported or written by the closing of the year before."""
    found = OpeningBalance.objects.filter(fiscal_year=year).select_related("entry").first()
    if found is not None:
        return found.entry
    closing = (
        YearClosing.objects.filter(
            reopened_at__isnull=True, opening_entry__isnull=False, opening_entry__date=year.start_date
        )
        .select_related("opening_entry")
        .first()
    )
    return closing.opening_entry if closing else None


def refuse_if_opened(year: FiscalYear) -> None:
    entry = existing_opening(year)
    if entry is not None:
        raise Conflict(*errors.OPENING_ALREADY_POSTED, year=year.name, entry=entry.number)


@dataclass(frozen=True)
class Item:
    """A line of the opening entry: an account's balance, or an open item of a lettered account."""

    account: str
    amount: Decimal  # debit − credit
    label: str
    partner_id: int | None = None


def digest(items: list[Item]) -> str:
    rows = sorted(f"{i.account}|{i.partner_id or ''}|{i.amount}|{i.label}" for i in items)
    return hashlib.sha256("\n".join(rows).encode()).hexdigest()


def _side(amount: Decimal) -> dict:
    return {"debit": amount, "credit": ZERO} if amount > 0 else {"debit": ZERO, "credit": -amount}


def post_open_item(
    year: FiscalYear, *, partner_id: int, number: str, date: datetime.date, due_date, amount: Decimal
) -> tuple[JournalEntry, EntryLine]:
    """The AN entry of one open invoice of the previous system: 411 for the customer / 890. Inside the
    caller's transaction (`payments.opening`)."""
    ensure_opening_account()
    label = f"Facture {number} du {dates.fr(date)}, échéance {dates.fr(due_date)} (reprise)"
    entry, lines = ledger.post_entry(
        chart.OPENING_JOURNAL,
        date=year.start_date,
        label=label,
        document_number=number[:35],
        document_date=date,
        lines=[
            ledger.Line(chart.CUSTOMERS, label=label, partner_id=partner_id, **_side(amount)),
            ledger.Line(OPENING_ACCOUNT, label=label, **_side(-amount)),
        ],
    )
    # 890 may have been created by this transaction (for this item or an earlier one of the same file).
    ledger.forget_account(OPENING_ACCOUNT)
    return entry, lines[0]


def post_open_payable(
    year: FiscalYear, *, account: str, number: str, date: datetime.date, due_date, amount: Decimal
) -> tuple[JournalEntry, EntryLine]:
    """The AN entry of one open supplier invoice of the previous system: 890 / 401, the supplier named by
    its auxiliary `account` in the labels (the ledger's partners are customers). Inside the caller's
    transaction (`payments.opening_payables`)."""
    ensure_opening_account()
    label = f"Facture fournisseur {number} ({account}) du {dates.fr(date)}, échéance {dates.fr(due_date)} (reprise)"
    entry, lines = ledger.post_entry(
        chart.OPENING_JOURNAL,
        date=year.start_date,
        label=label[:200],
        document_number=number[:35],
        document_date=date,
        lines=[
            ledger.Line(chart.SUPPLIERS, label=label[:200], **_side(-amount)),
            ledger.Line(OPENING_ACCOUNT, label=label[:200], **_side(amount)),
        ],
    )
    ledger.forget_account(OPENING_ACCOUNT)
    return entry, lines[0]


def post_opening_balances(
    items: list[Item],
    *,
    by,
    source: str,
    year: FiscalYear,
    receivables: Decimal,
    new_accounts: dict[str, str],
) -> tuple[OpeningBalance, bool]:
    """Post the opening entry of `year` from `items` (see the module's docstring); (its record, posted
    now). The same items again post nothing (False). Inside the caller's transaction."""
    permissions.require(by, "accounting.entry")
    found = OpeningBalance.objects.filter(fiscal_year=year).first()
    if found is not None and found.digest == digest(items):
        return found, False
    refuse_if_opened(year)
    debit = sum((i.amount for i in items if i.amount > 0), ZERO)
    credit = -sum((i.amount for i in items if i.amount < 0), ZERO)
    if debit != credit:
        _fail(
            errors.OPENING_UNBALANCED,
            debit=money.fr(debit) + " €",
            credit=money.fr(credit) + " €",
            difference=money.fr(debit - credit) + " €",
        )
    created = [code for code, name in sorted(new_accounts.items()) if ensure_account(code, name)]
    if any(i.account == OPENING_ACCOUNT for i in items):
        ensure_opening_account()
        created.append(OPENING_ACCOUNT)
    entry, _lines = ledger.post_entry(
        chart.OPENING_JOURNAL,
        date=year.start_date,
        label=f"À-nouveaux de l'exercice {year.name} (reprise)",
        document_number=f"AN-{year.name}"[:35],
        lines=[
            ledger.Line(i.account, label=i.label, partner_id=i.partner_id, **_side(i.amount))
            for i in items
            if i.amount
        ],
    )
    for code in created:
        ledger.forget_account(code)
    opening = OpeningBalance.objects.create(
        fiscal_year=year,
        entry=entry,
        digest=digest(items),
        receivables=receivables,
        source=source[:200],
        created_by=by if getattr(by, "pk", None) else None,
    )
    audit.record(
        "accounting.opening_imported",
        by=by,
        obj=year,
        data={
            "file": source,
            "debit": str(debit),
            "receivables": str(receivables),
            "accounts_created": sorted(new_accounts),
            "entry": entry.seal,
        },
    )
    return opening, True


@dataclass(frozen=True)
class Agreement:
    """The open invoices imported against the 411 of the opening balances (`agreement`)."""

    year: str
    invoices: Decimal
    count: int
    balance: Decimal | None  # the balance's 411, None before it is imported

    @property
    def difference(self) -> Decimal | None:
        return None if self.balance is None else self.balance - self.invoices

    @property
    def started(self) -> bool:
        """Something of the opening was imported (open invoices or balances)."""
        return bool(self.count) or self.balance is not None

    @property
    def agrees(self) -> bool:
        return self.difference == 0


def agreement(year: FiscalYear | None = None) -> Agreement | None:
    """The open invoices of the opening and the 411 of the balance (None: no year to open)."""
    from comptoir.payments.models import OpeningInvoice  # payments builds on accounting, not the reverse

    if year is None:
        today = dates.today()
        year = FiscalYear.objects.filter(start_date__lte=today, end_date__gte=today).first()
        if year is None:
            return None
    invoices = OpeningInvoice.objects.filter(entry__date=year.start_date).aggregate(s=Sum("amount"))
    opening = OpeningBalance.objects.filter(fiscal_year=year).first()
    return Agreement(
        year=year.name,
        invoices=money.amount(invoices["s"] or ZERO),
        count=OpeningInvoice.objects.filter(entry__date=year.start_date).count(),
        balance=opening.receivables if opening else None,
    )

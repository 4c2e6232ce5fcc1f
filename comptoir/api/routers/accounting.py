"""The books, read-only: journal entries, trial balance, general ledger of an account."""

import datetime
from typing import Annotated

from django.db.models import Prefetch
from django.utils.translation import gettext_noop as N_
from ninja import Field, Query, Router, Schema

from comptoir.accounting import selectors as ledger_view
from comptoir.accounting.models import Account, EntryLine
from comptoir.api.access import can_read
from comptoir.api.schemas import Amount, Page, PageIn, Percent, QuerySchema, paginate, responses
from comptoir.core.errors import NotFound

router = Router(tags=["Comptabilité"])

AccountCode = Annotated[
    str,
    Field(
        min_length=1,
        max_length=20,
        pattern=r"^[0-9A-Za-z]+$",
        description="Numéro de compte PCG (411, 707…).",
    ),
]


class Period(QuerySchema):
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None


class EntryFilters(PageIn, Period):
    journal: str | None = Field(None, max_length=4, description="Code du journal : VE, AC, BQ, OD.")


class EntryLineOut(Schema):
    id: int
    account: str
    account_name: str
    partner_id: int | None
    label: str
    debit: Amount
    credit: Amount
    vat_rate: Percent | None
    letter: str = Field("", description="Lettrage (comptes de tiers).")

    @staticmethod
    def resolve_account(line):
        return line.account.code

    @staticmethod
    def resolve_account_name(line):
        return line.account.name

    @staticmethod
    def resolve_letter(line):
        reconciled = getattr(line, "reconciled", None)
        return reconciled.reconciliation.code if reconciled else ""


class EntryOut(Schema):
    id: int
    number: str
    journal: str
    date: datetime.date
    label: str
    document_number: str
    document_date: datetime.date
    posted_at: datetime.datetime
    lines: list[EntryLineOut]

    @staticmethod
    def resolve_journal(entry):
        return entry.journal.code


class BalanceRowOut(Schema):
    code: str
    name: str
    debit: Amount
    credit: Amount
    balance: Amount = Field(description="Débit − crédit.")


class TrialBalanceOut(Schema):
    date_from: datetime.date | None
    date_to: datetime.date | None
    rows: list[BalanceRowOut]
    total_debit: Amount
    total_credit: Amount
    is_balanced: bool


class LedgerLineOut(Schema):
    date: datetime.date
    entry_number: str
    journal: str
    document_number: str
    label: str
    debit: Amount
    credit: Amount
    balance: Amount
    letter: str
    partner: str


class LedgerOut(Schema):
    account: str
    account_name: str
    opening: Amount
    total_debit: Amount
    total_credit: Amount
    balance: Amount
    lines: list[LedgerLineOut]


@router.get("/entries", response=responses(Page[EntryOut]), summary="Écritures comptables, avec leurs lignes")
def list_entries(request, filters: Query[EntryFilters]):
    can_read(request, "accounting.view")
    lines = EntryLine.objects.select_related("account", "reconciled__reconciliation").order_by("id")
    qs = ledger_view.entries(filters.journal, filters.date_from, filters.date_to).prefetch_related(
        Prefetch("lines", queryset=lines)
    )
    return paginate(qs, filters)


@router.get("/trial-balance", response=responses(TrialBalanceOut), summary="Balance générale")
def trial_balance(request, period: Query[Period]):
    can_read(request, "accounting.view")
    balance = ledger_view.trial_balance(period.date_from, period.date_to)
    return {
        "date_from": period.date_from,
        "date_to": period.date_to,
        "rows": balance.rows,
        "total_debit": balance.total_debit,
        "total_credit": balance.total_credit,
        "is_balanced": balance.is_balanced,
    }


@router.get("/ledger/{code}", response=responses(LedgerOut), summary="Grand livre d'un compte")
def general_ledger(request, code: AccountCode, period: Query[Period]):
    can_read(request, "accounting.view")
    account = Account.objects.filter(code=code).first()
    if account is None:
        # Not errors.UNKNOWN_ACCOUNT: its `%(code)s` placeholder collides with DomainError's `code`.
        raise NotFound(
            "unknown_account", N_("Le compte %(account)s n'existe pas dans le plan comptable."), account=code
        )
    ledger = ledger_view.general_ledger(account.code, period.date_from, period.date_to)
    return {
        "account": account.code,
        "account_name": account.name,
        "opening": ledger.opening,
        "total_debit": ledger.total_debit,
        "total_credit": ledger.total_credit,
        "balance": ledger.balance,
        "lines": ledger.lines,
    }

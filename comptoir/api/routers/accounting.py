"""The books: journal entries, trial balance, general ledger of an account, VAT summary of a period (the
CA3 figures) and the FEC of a fiscal year, read-only; the accountant's manual entries (drafted, approved,
posted, reversed) and the year-end closing, through their services."""

import datetime
from typing import Annotated, Literal

from django.db.models import Prefetch
from django.http import FileResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as N_
from ninja import Field, Query, Router, Schema, Status
from pydantic import model_validator

from comptoir.accounting import ca3, fec
from comptoir.accounting import closing as closing_service
from comptoir.accounting import manual as manual_entries
from comptoir.accounting import selectors as ledger_view
from comptoir.accounting.models import Account, EntryLine, ManualEntry, ManualEntryLine
from comptoir.api.access import can_read, fetch
from comptoir.api.schemas import (
    FIRST_DATE,
    LAST_DATE,
    Amount,
    AmountIn,
    DocumentDate,
    Id,
    InputSchema,
    Page,
    PageIn,
    PathId,
    Percent,
    PeriodDate,
    QuerySchema,
    combination_rule,
    paginate,
    responses,
)
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
    date_from: PeriodDate | None = None
    date_to: PeriodDate | None = None


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


# --- VAT summary and FEC --------------------------------------------------------------------------


class VatPeriod(QuerySchema):
    start: DocumentDate = Field(description="Premier jour de la période (AAAA-MM-JJ).")
    end: DocumentDate = Field(description="Dernier jour de la période (AAAA-MM-JJ), inclus.")

    @model_validator(mode="after")
    def end_after_start(self):
        if self.end < self.start:
            raise combination_rule(_("la fin de la période (end) précède son début (start)"))
        return self


class VatRateOut(Schema):
    rate: Percent
    ca3_line: str = Field(description="Ligne de la CA3 (08, 9B, 09, T6) ; « 3310 A » pour un autre taux.")
    base: Amount = Field(description="Chiffre d'affaires HT comptabilisé (706, 707) au taux.")
    taxable_base: Amount = Field(
        description="Base HT exigible à déclarer (TVA exigible ÷ taux : les services et acomptes encaissés, "
        "pas ceux seulement facturés)."
    )
    collected: Amount = Field(description="TVA exigible de la période (solde créditeur du 44571).")
    pending_invoiced: Amount = Field(
        description="TVA des services facturés en attente d'encaissement (44574)."
    )
    cashed_on_receipts: Amount = Field(description="TVA devenue exigible sur encaissements (44574 → 44571).")


class VatSummaryOut(Schema):
    start: datetime.date
    end: datetime.date
    rows: list[VatRateOut]
    total_collected: Amount = Field(description="TVA brute due (ligne 16 de la CA3).")
    deductible: Amount = Field(description="TVA déductible (44566, lignes 20 et 23).")
    net_due: Amount = Field(
        description="TVA nette due (ligne TD, reportée ligne 28) ; négative : crédit de TVA (ligne 25)."
    )
    pending_balance: Amount = Field(
        description="TVA en attente d'encaissement à la fin de la période (44574)."
    )


class FecIn(QuerySchema):
    year: int = Field(
        ge=FIRST_DATE.year,
        le=LAST_DATE.year,
        description="L'exercice, désigné par l'année de sa clôture (2026 : exercice clos en 2026).",
    )
    encoding: Literal["utf-8", "iso-8859-15"] = Field(
        "utf-8", description="utf-8 par défaut ; iso-8859-15 est celui que cite l'article A47 A-1."
    )


@router.get("/vat-summary", response=responses(VatSummaryOut), summary="Synthèse de TVA d'une période (CA3)")
def vat_summary(request, period: Query[VatPeriod]):
    """La TVA exigible par taux (44571), la part devenue exigible sur encaissements (44574 → 44571), la TVA
    en attente et la TVA déductible : les montants à reporter sur la déclaration CA3."""
    can_read(request, "accounting.view")
    summary = ledger_view.vat_summary(period.start, period.end)
    return {
        "start": period.start,
        "end": period.end,
        "rows": [
            {
                "rate": row.rate,
                "ca3_line": ca3.gross_vat_line(row.rate),
                "base": row.base,
                "taxable_base": row.taxable_base,
                "collected": row.collected,
                "pending_invoiced": row.pending_invoiced,
                "cashed_on_receipts": row.cashed_on_receipts,
            }
            for row in summary.rows
        ],
        "total_collected": summary.total_collected,
        "deductible": summary.deductible,
        "net_due": summary.net_due,
        "pending_balance": summary.pending_balance,
    }


@router.get(
    "/fec",
    response=responses(None),
    summary="Télécharger le FEC d'un exercice",
    openapi_extra={
        "responses": {
            "200": {
                "description": "Le fichier <SIREN>FEC<AAAAMMJJ>.txt (A47 A-1), en pièce jointe.",
                "content": {"text/plain": {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
def fec_file(request, params: Query[FecIn]):
    """Le fichier des écritures comptables de l'exercice : en-tête des 18 zones, une ligne par ligne
    d'écriture, séparateur tabulation, fins de ligne CR LF. Nommé d'après le SIREN et la date de clôture."""
    can_read(request, "accounting.view")
    result, stream = fec.open_fec(params.year, encoding=params.encoding)
    return FileResponse(
        stream,
        as_attachment=True,
        filename=result.path.name,
        content_type=f"text/plain; charset={params.encoding}",
    )


# --- Manual entries (OD) --------------------------------------------------------------------------


class ManualLineIn(InputSchema):
    account: AccountCode
    partner: Id | None = Field(None, description="Le tiers (client) d'un compte de tiers : 411, 4191, 401.")
    label: str = Field("", max_length=200)
    debit: AmountIn | None = None
    credit: AmountIn | None = None


class ManualEntryIn(InputSchema):
    journal: str = Field(
        "OD",
        max_length=4,
        description="OD par défaut ; VE, BQ (documents) et AN, CL (clôture) sont réservés.",
    )
    date: DocumentDate | None = Field(None, description="Date de l'écriture (par défaut aujourd'hui).")
    label: str = Field(min_length=1, max_length=200)
    document_number: str = Field("", max_length=35, description="Référence de la pièce justificative.")
    lines: list[ManualLineIn] = Field(min_length=2, max_length=500)


class ReverseIn(InputSchema):
    date: DocumentDate | None = Field(
        None, description="Date de la contre-passation (par défaut aujourd'hui)."
    )
    reason: str = Field(min_length=1, max_length=500)


class ManualLineOut(Schema):
    account: str
    partner_id: int | None
    label: str
    debit: Amount
    credit: Amount

    @staticmethod
    def resolve_account(line):
        return line.account.code


class ManualEntryOut(Schema):
    id: int
    status: str
    journal: str
    date: datetime.date
    label: str
    document_number: str
    entry_number: str | None = Field(description="Numéro de l'écriture comptabilisée (null : brouillon).")
    approval_required: bool = Field(description="Au-delà du seuil de double validation.")
    approved_by: str | None
    reverses: int | None = Field(description="L'écriture manuelle que celle-ci contre-passe.")
    reversed_by: int | None
    reason: str
    lines: list[ManualLineOut]

    @staticmethod
    def resolve_journal(manual):
        return manual.journal.code

    @staticmethod
    def resolve_entry_number(manual):
        return manual.entry.number if manual.entry_id else None

    @staticmethod
    def resolve_approval_required(manual):
        return manual_entries.approval_needed(manual)[0]

    @staticmethod
    def resolve_approved_by(manual):
        return manual.approved_by.username if manual.approved_by_id else None

    @staticmethod
    def resolve_reverses(manual):
        return manual.reverses_id

    @staticmethod
    def resolve_reversed_by(manual):
        reversal = getattr(manual, "reversed_by", None)
        return reversal.pk if reversal else None

    @staticmethod
    def resolve_lines(manual):
        return list(manual.lines.all())


class ManualFilters(PageIn, Period):
    status: Literal["draft", "posted"] | None = None


def _manual_entries():
    return ManualEntry.objects.select_related(
        "journal", "entry", "approved_by", "reversed_by"
    ).prefetch_related(Prefetch("lines", queryset=ManualEntryLine.objects.select_related("account")))


def _lines_in(payload) -> list[dict]:
    return [line.model_dump() for line in payload.lines]


@router.get("/manual-entries", response=responses(Page[ManualEntryOut]), summary="Écritures manuelles (OD)")
def list_manual_entries(request, filters: Query[ManualFilters]):
    can_read(request, "accounting.view")
    qs = _manual_entries().order_by("-id")
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.date_from:
        qs = qs.filter(date__gte=filters.date_from)
    if filters.date_to:
        qs = qs.filter(date__lte=filters.date_to)
    return paginate(qs, filters)


@router.get(
    "/manual-entries/{entry_id}",
    response=responses(ManualEntryOut),
    summary="Consulter une écriture manuelle",
)
def get_manual_entry(request, entry_id: PathId):
    can_read(request, "accounting.view")
    return fetch(_manual_entries(), entry_id)


@router.post(
    "/manual-entries",
    response=responses(ManualEntryOut, 201),
    summary="Saisir une écriture manuelle (brouillon)",
)
def create_manual_entry(request, payload: ManualEntryIn):
    """Un brouillon équilibré ; il est comptabilisé par `…/post` (après approbation au-delà du seuil)."""
    manual = manual_entries.create_manual_entry(
        by=request.auth,
        journal=payload.journal,
        date=payload.date,
        label=payload.label,
        document_number=payload.document_number,
        lines=_lines_in(payload),
    )
    return Status(201, fetch(_manual_entries(), manual.pk))


@router.post(
    "/manual-entries/{entry_id}/approve",
    response=responses(ManualEntryOut),
    summary="Approuver une écriture manuelle (double validation)",
)
def approve_manual_entry(request, entry_id: PathId):
    can_read(request, "accounting.view")
    manual_entries.approve_manual_entry(fetch(ManualEntry.objects.all(), entry_id), by=request.auth)
    return fetch(_manual_entries(), entry_id)


@router.post(
    "/manual-entries/{entry_id}/post",
    response=responses(ManualEntryOut),
    summary="Comptabiliser une écriture manuelle",
)
def post_manual_entry(request, entry_id: PathId):
    can_read(request, "accounting.view")
    manual_entries.post_manual_entry(fetch(ManualEntry.objects.all(), entry_id), by=request.auth)
    return fetch(_manual_entries(), entry_id)


@router.post(
    "/manual-entries/{entry_id}/reverse",
    response=responses(ManualEntryOut, 201),
    summary="Contre-passer une écriture manuelle",
)
def reverse_manual_entry(request, entry_id: PathId, payload: ReverseIn):
    """Une nouvelle écriture, lignes inversées, liée à l'originale, qui ne change pas."""
    can_read(request, "accounting.view")
    reversal = manual_entries.reverse_manual_entry(
        fetch(ManualEntry.objects.all(), entry_id), by=request.auth, date=payload.date, reason=payload.reason
    )
    return Status(201, fetch(_manual_entries(), reversal.pk))


# --- Year-end closing -----------------------------------------------------------------------------

YearName = Annotated[
    str,
    Field(
        min_length=4,
        max_length=9,
        pattern=r"^[0-9]{4}(-[0-9]{4})?$",
        description="L'exercice, par son nom : 2026, ou 2025-2026 s'il chevauche deux années.",
    ),
]


class ChecklistItemOut(Schema):
    code: str
    label: str
    blocking: bool
    count: int
    amount: Amount | None


class ChecklistOut(Schema):
    year: str
    closed: bool
    items: list[ChecklistItemOut]


class CloseIn(InputSchema):
    force_reason: str = Field(
        "", max_length=1000, description="Motif écrit pour clôturer malgré des points bloquants (direction)."
    )


class ReopenIn(InputSchema):
    reason: str = Field(min_length=1, max_length=1000)


class ClosingOut(Schema):
    year: str
    result: Amount = Field(description="Bénéfice (positif, 120) ou perte (négatif, 129).")
    closing_entry: str | None
    opening_entry: str | None
    forced_reason: str
    reopened: bool
    closing_reversal: str | None
    opening_reversal: str | None

    @staticmethod
    def resolve_year(closing):
        return closing.fiscal_year.name

    @staticmethod
    def resolve_closing_entry(closing):
        return closing.closing_entry.number if closing.closing_entry_id else None

    @staticmethod
    def resolve_opening_entry(closing):
        return closing.opening_entry.number if closing.opening_entry_id else None

    @staticmethod
    def resolve_reopened(closing):
        return closing.reopened_at is not None

    @staticmethod
    def resolve_closing_reversal(closing):
        return closing.closing_reversal.number if closing.closing_reversal_id else None

    @staticmethod
    def resolve_opening_reversal(closing):
        return closing.opening_reversal.number if closing.opening_reversal_id else None


@router.get(
    "/years/{year}/closing-checklist",
    response=responses(ChecklistOut),
    summary="Points à régler avant la clôture",
)
def closing_checklist(request, year: YearName):
    can_read(request, "accounting.view")
    fiscal_year = closing_service.find_year(year)
    return {
        "year": fiscal_year.name,
        "closed": closing_service.live_closing(fiscal_year) is not None,
        "items": closing_service.checklist(fiscal_year),
    }


@router.post("/years/{year}/close", response=responses(ClosingOut, 201), summary="Clôturer un exercice")
def close_year(request, year: YearName, payload: CloseIn):
    """Résultat porté en 120/129 (journal CL), à-nouveaux de l'exercice suivant (journal AN, comptes de
    tiers ligne à ligne), exercice verrouillé. Refusé tant que des points bloquants restent, sauf motif
    écrit de la direction."""
    done = closing_service.close_fiscal_year(year, by=request.auth, force_reason=payload.force_reason)
    return Status(201, done)


@router.post("/years/{year}/reopen", response=responses(ClosingOut), summary="Rouvrir un exercice clôturé")
def reopen_year(request, year: YearName, payload: ReopenIn):
    """Direction : les écritures de clôture et d'à-nouveaux sont contre-passées, jamais supprimées."""
    return closing_service.reopen_fiscal_year(year, by=request.auth, reason=payload.reason)

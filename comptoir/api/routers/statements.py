"""The simplified balance sheet (bilan, 2033-A) and income statement (compte de résultat, 2033-B) of a
period, read-only, each line with its accounts, and the same statements a year earlier when the books go
back that far (`accounting.statements` maps the accounts, `accounting.selectors` reads the ledger)."""

import datetime

from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from pydantic import model_validator

from comptoir.accounting import selectors as ledger_view
from comptoir.accounting import statements
from comptoir.api.access import can_read
from comptoir.api.schemas import Amount, PeriodDate, QuerySchema, combination_rule, responses

router = Router(tags=["Comptabilité"])


class StatementPeriod(QuerySchema):
    date_from: PeriodDate | None = Field(
        None, description="Premier jour (AAAA-MM-JJ) ; par défaut le début de l'exercice de date_to."
    )
    date_to: PeriodDate | None = Field(None, description="Dernier jour, inclus ; par défaut aujourd'hui.")

    @model_validator(mode="after")
    def end_after_start(self):
        if self.date_from and self.date_to and self.date_to < self.date_from:
            raise combination_rule(_("la fin de la période (date_to) précède son début (date_from)"))
        return self


class FinancialAccountOut(Schema):
    code: str
    name: str
    amount: Amount


class FinancialLineOut(Schema):
    key: str = Field(description="Identifiant stable du poste (creances_clients, ventes_marchandises…).")
    label: str
    side: str = Field(description="actif, passif, produits ou charges : le sens du montant.")
    amount: Amount
    accounts: list[FinancialAccountOut]


class FinancialGroupOut(Schema):
    key: str
    label: str
    side: str
    total: Amount = Field(description="Somme des postes dans le sens de la rubrique.")
    lines: list[FinancialLineOut]


class FinancialFiguresOut(Schema):
    groups: list[FinancialGroupOut]
    result: Amount = Field(description="Produits (classe 7) moins charges (classe 6).")
    totals: dict[str, Amount]


class FinancialStatementOut(Schema):
    date_from: datetime.date
    date_to: datetime.date
    current: FinancialFiguresOut
    previous_from: datetime.date | None = Field(
        description="Mêmes dates un an plus tôt (N-1), si les livres y remontent."
    )
    previous_to: datetime.date | None
    previous: FinancialFiguresOut | None


def _out(statement, totals) -> dict:
    return {
        "groups": [
            {
                "key": group.key,
                "label": _(group.label),
                "side": group.side,
                "total": group.total,
                "lines": [
                    {
                        "key": line.key,
                        "label": _(line.label),
                        "side": line.side,
                        "amount": line.amount,
                        "accounts": line.accounts,
                    }
                    for line in group.lines
                ],
            }
            for group in statement.groups
        ],
        "result": statement.result,
        "totals": totals(statement),
    }


def _sheet_totals(sheet) -> dict:
    return {side: sheet.total(side) for side in (statements.ASSETS, statements.LIABILITIES)}


def _answer(period: StatementPeriod, pick, totals) -> dict:
    default_from, default_to = ledger_view.default_statement_period(period.date_to or timezone.localdate())
    found = ledger_view.financial_statements(period.date_from or default_from, period.date_to or default_to)
    current, previous = pick(found)
    return {
        "date_from": found.date_from,
        "date_to": found.date_to,
        "current": _out(current, totals),
        "previous_from": found.previous_from,
        "previous_to": found.previous_to,
        "previous": _out(previous, totals) if previous else None,
    }


@router.get("/balance-sheet", response=responses(FinancialStatementOut), summary="Bilan simplifié (2033-A)")
def balance_sheet(request, period: Query[StatementPeriod]):
    """Le bilan à date_to (actif et passif, montants nets) ; le résultat de l'exercice non clôturé y figure
    parmi les capitaux propres. totals : actif et passif, toujours égaux."""
    can_read(request, "accounting.view")
    return _answer(period, lambda found: (found.balance_sheet, found.previous_balance_sheet), _sheet_totals)


@router.get(
    "/income-statement", response=responses(FinancialStatementOut), summary="Compte de résultat (2033-B)"
)
def income_statement(request, period: Query[StatementPeriod]):
    """Les produits et charges de la période, sans l'écriture de clôture. totals : résultats
    d'exploitation, financier, exceptionnel, impôt et bénéfice ou perte (resultat)."""
    can_read(request, "accounting.view")
    return _answer(
        period,
        lambda found: (found.income_statement, found.previous_income_statement),
        statements.subtotals,
    )

"""Margins (insights, read-only): revenue, cost of goods and margin summed per customer, product, sales person
or month (docs/architecture.md, « Margins »)."""

import datetime
from decimal import Decimal
from typing import Literal

from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from pydantic import model_validator

from comptoir.api.access import can_read
from comptoir.api.schemas import Amount, DocumentDate, QuerySchema, combination_rule, responses
from comptoir.insights import selectors as margin_view
from comptoir.insights.margins import Margin

router = Router(tags=["Indicateurs"])

Grouping = Literal["customer", "product", "salesperson", "month"]


class MarginQuery(QuerySchema):
    by: Grouping = Field("customer", description="Regroupement : client, produit, commercial ou mois.")
    date_from: DocumentDate | None = Field(
        None, alias="from", description="Première date de facture comptée (incluse)."
    )
    date_to: DocumentDate | None = Field(
        None, alias="to", description="Dernière date de facture comptée (incluse)."
    )

    @model_validator(mode="after")
    def in_order(self):
        if self.date_from and self.date_to and self.date_to < self.date_from:
            raise combination_rule(_("la fin de la période (to) précède son début (from)"))
        return self


class MarginRowOut(Schema):
    key: str | None = Field(
        description="Identifiant du client, du produit ou du commercial ; le mois en AAAA-MM. "
        "Vide : ventes sans commercial connu."
    )
    label: str
    lines: int = Field(description="Lignes de factures et d'avoirs comptées.")
    revenue: Amount = Field(description="Chiffre d'affaires HT, avoirs déduits, hors acomptes.")
    cost: Amount = Field(
        description="Coût de revient des marchandises et services vendus, reprises déduites."
    )
    margin: Amount
    rate: Decimal | None = Field(
        description="Taux de marge en % du chiffre d'affaires ; null sans chiffre d'affaires."
    )


class MarginsOut(Schema):
    by: Grouping
    date_from: datetime.date | None
    date_to: datetime.date | None
    rows: list[MarginRowOut]
    total: MarginRowOut


def _row(key, label: str, lines: int, margin: Margin) -> dict:
    return {
        "key": key,
        "label": label,
        "lines": lines,
        "revenue": margin.revenue,
        "cost": margin.cost,
        "margin": margin.margin,
        "rate": None if margin.rate is None else format(margin.rate, "f"),
    }


def _key(by: str, key) -> str | None:
    if key is None:
        return None
    return key.strftime("%Y-%m") if by == "month" else str(key)


@router.get(
    "/margins", response=responses(MarginsOut), summary="Marges par client, produit, commercial ou mois"
)
def margins(request, query: Query[MarginQuery]):
    """Margins of the issued invoices and credit notes dated in the period, per group, the largest revenue
    first (months in calendar order). Needs `margin.view` (direction, comptabilité, ADV)."""
    can_read(request, "margin.view")
    rows = margin_view.margins_by(query.by, date_from=query.date_from, date_to=query.date_to)
    total = sum((row.margin for row in rows), Margin())
    return {
        "by": query.by,
        "date_from": query.date_from,
        "date_to": query.date_to,
        "rows": [_row(_key(query.by, row.key), row.label, row.lines, row.margin) for row in rows],
        "total": _row(None, _("Total"), sum(row.lines for row in rows), total),
    }

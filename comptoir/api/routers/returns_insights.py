"""The returns KPIs and their recurring causes, under /insights (read-only)."""

import datetime

from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from pydantic import model_validator

from comptoir.api.access import can_read
from comptoir.api.openapi import operation_id
from comptoir.api.routers.returns_schemas import ReasonCode
from comptoir.api.schemas import Amount, DocumentDate, QuerySchema, combination_rule, responses
from comptoir.assistant import selectors as assistant_view
from comptoir.returns import selectors

router = Router(tags=["Indicateurs"])

# These endpoints were first published from routers/returns.py: they keep the operation ids clients were
# generated from (Ninja derives them from the module otherwise).
RETURNS = "comptoir.api.routers.returns"


class KpiPeriod(QuerySchema):
    date_from: DocumentDate | None = Field(None, description="Début (par défaut : il y a un an).")
    date_to: DocumentDate | None = Field(None, description="Fin, incluse (par défaut : aujourd'hui).")

    @model_validator(mode="after")
    def in_order(self):
        if self.date_from and self.date_to and self.date_to < self.date_from:
            raise combination_rule(_("la fin de la période (date_to) précède son début (date_from)"))
        return self


class CustomerCasesOut(Schema):
    customer_id: int
    customer: str
    cases: int
    amount_at_stake: Amount


class MarginImpactOut(Schema):
    credited: Amount = Field(description="Chiffre d'affaires crédité par avoir.")
    recovered: Amount = Field(description="Coût des marchandises remises en stock.")
    replacement_cost: Amount = Field(description="Coût des marchandises renvoyées en remplacement.")
    reinvoiced: Amount = Field(description="Refacturé au client.")
    surplus_cost: Amount = Field(description="Coût des excédents conservés par le client (sortis du stock).")
    margin_lost: Amount = Field(
        description="crédité + remplacement + excédents conservés − récupéré − refacturé (positif = perte)."
    )


class CustomerMarginOut(MarginImpactOut):
    customer_id: int
    customer: str


class ProductMarginOut(MarginImpactOut):
    product_id: int
    sku: str


class ReasonCountOut(Schema):
    reason: ReasonCode
    label: str
    cases: int


class ReturnsKpisOut(Schema):
    date_from: datetime.date
    date_to: datetime.date
    cases: int = Field(description="Dossiers ouverts sur la période.")
    cases_per_customer: list[CustomerCasesOut]
    average_resolution_days: str | None = Field(
        description="Délai moyen d'ouverture à résolution, en jours (une décimale), des dossiers résolus "
        "sur la période."
    )
    credit_notes: int
    credit_notes_amount: Amount = Field(description="Total HT des avoirs émis par les dossiers.")
    margin_lost: Amount
    margin_per_customer: list[CustomerMarginOut] = Field(description="Plus forte perte d'abord.")
    margin_per_product: list[ProductMarginOut] = Field(description="Plus forte perte d'abord.")
    top_reasons: list[ReasonCountOut]


def _impact(impact) -> dict:
    return {
        "credited": impact.credited,
        "recovered": impact.recovered,
        "replacement_cost": impact.replacement_cost,
        "reinvoiced": impact.reinvoiced,
        "surplus_cost": impact.surplus_cost,
        "margin_lost": impact.margin_lost,
    }


@router.get(
    "/returns",
    response=responses(ReturnsKpisOut),
    summary="Indicateurs des retours et litiges",
    operation_id=operation_id(RETURNS, "returns_kpis"),
)
def returns_kpis(request, period: Query[KpiPeriod]):
    can_read(request, "return.view")
    date_from, date_to = selectors.kpi_period(period.date_from, period.date_to)
    kpis = selectors.returns_kpis(date_from, date_to)
    return {
        "date_from": kpis.date_from,
        "date_to": kpis.date_to,
        "cases": kpis.cases,
        "cases_per_customer": kpis.cases_per_customer,
        "average_resolution_days": (
            None if kpis.average_resolution_days is None else format(kpis.average_resolution_days, "f")
        ),
        "credit_notes": kpis.credit_notes,
        "credit_notes_amount": kpis.credit_notes_amount,
        "margin_lost": kpis.margin_lost,
        "margin_per_customer": [
            {"customer_id": pk, "customer": name, **_impact(impact)}
            for pk, name, impact in kpis.customers_by_margin_lost()
        ],
        "margin_per_product": [
            {"product_id": pk, "sku": sku, **_impact(impact)}
            for pk, sku, impact in kpis.products_by_margin_lost()
        ],
        "top_reasons": [
            {"reason": reason, "label": label, "cases": count} for reason, label, count in kpis.top_reasons
        ],
    }


class TrendOut(Schema):
    label: str
    recent: int
    previous: int
    amount: Amount


class CausesIn(QuerySchema):
    window: int = Field(90, ge=7, le=365, description="Jours de la période récente (90 par défaut).")


class CausesOut(Schema):
    window_days: int
    changes: list[str] = Field(description="Ce qui a nettement augmenté, en phrases.")
    by_reason: list[TrendOut]
    by_product: list[TrendOut]
    by_customer: list[TrendOut]
    months: list[tuple[str, int]]


@router.get(
    "/returns/causes",
    response=responses(CausesOut),
    summary="Causes récurrentes des retours",
    operation_id=operation_id(RETURNS, "recurring_causes"),
)
def recurring_causes(request, period: Query[CausesIn]):
    """Par motif, produit, client et mois ; ce qui a changé sur la période récente par rapport à la
    précédente de même durée."""
    can_read(request, "return.view")
    found = assistant_view.recurring_causes(window=period.window)
    return {
        "window_days": found.window,
        "changes": found.changes,
        "by_reason": found.by_reason,
        "by_product": found.by_product,
        "by_customer": found.by_customer,
        "months": found.months,
    }

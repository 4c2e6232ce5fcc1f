"""Margins (insights, read-only): revenue, cost of goods and margin summed per customer, product, sales person
or month (docs/architecture.md, « Margins »)."""

import datetime
from decimal import Decimal
from typing import Literal

from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from pydantic import model_validator

from comptoir.aftersales.selectors import financing_rate
from comptoir.api.access import can_read, fetch
from comptoir.api.schemas import Amount, DocumentDate, PathId, QuerySchema, combination_rule, responses
from comptoir.core import dates
from comptoir.insights import at_risk, ranking, real_margin, watch
from comptoir.insights import selectors as margin_view
from comptoir.insights.margins import Margin
from comptoir.parties.models import Customer

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


class WaterfallQuery(QuerySchema):
    date_from: DocumentDate | None = Field(None, alias="from", description="Début de la période (incluse).")
    date_to: DocumentDate | None = Field(
        None, alias="to", description="Fin de la période (incluse) ; par défaut aujourd'hui."
    )

    @model_validator(mode="after")
    def in_order(self):
        if self.date_from and self.date_to and self.date_to < self.date_from:
            raise combination_rule(_("la fin de la période (to) précède son début (from)"))
        return self


class WaterfallDetailOut(Schema):
    key: str
    label: str
    amount: Amount = Field(
        description="Montant HT, positif : ce que la ligne retire (ou ajoute pour un ajustement négatif)."
    )
    count: int | None = Field(description="Documents, tickets ou minutes selon la ligne.")


class WaterfallStepOut(Schema):
    key: str = Field(
        description="gross_revenue, discounts, credit_notes, net_revenue, cost_of_goods, logistics, aftersales, "
        "internal_time, payment_delay, adjustments, real_margin."
    )
    label: str
    amount: Amount = Field(
        description="Ce que l'étape ajoute (négatif : un coût) ; le total pour un sous-total."
    )
    running_total: Amount = Field(description="Le cumul après l'étape.")
    is_total: bool
    details: list[WaterfallDetailOut]


class SalesViewOut(Schema):
    revenue: Amount
    cost: Amount
    margin: Amount
    rate: Decimal | None


class WaterfallOut(Schema):
    customer: int
    date_from: datetime.date | None
    date_to: datetime.date
    financing_rate: Decimal = Field(description="Taux annuel (%) appliqué au retard de paiement.")
    steps: list[WaterfallStepOut]
    net_revenue: Amount
    real_margin: Amount
    real_rate: Decimal | None = Field(description="Marge réelle en % du chiffre d'affaires net.")
    sales_view: SalesViewOut = Field(
        description="La marge que montre la vue des ventes (lignes − coût des marchandises)."
    )


@router.get(
    "/customers/{customer_id}/waterfall",
    response=responses(WaterfallOut),
    summary="Rentabilité réelle d'un client (cascade du chiffre d'affaires à la marge réelle)",
)
def customer_waterfall(request, customer_id: PathId, query: Query[WaterfallQuery]):
    """From invoiced revenue to the real margin, over the period: discounts, returns and credit notes, cost
    of goods, logistics, after-sales, internal time, payment delay, exceptional adjustments. Needs
    `margin.view`."""
    can_read(request, "margin.view")
    customer = fetch(Customer.objects.all(), customer_id)
    date_to = query.date_to or dates.today()
    result = real_margin.customer_waterfall(customer, date_from=query.date_from, date_to=date_to)
    sales = result.sales_view
    return {
        "customer": customer.pk,
        "date_from": query.date_from,
        "date_to": date_to,
        "financing_rate": format(financing_rate(), "f"),
        "steps": [
            {
                "key": step.key,
                "label": str(real_margin.STEP_LABELS[step.key]),
                "amount": step.amount,
                "running_total": step.end,
                "is_total": step.is_total,
                "details": [
                    {
                        "key": d.key,
                        "label": real_margin.detail_label(d),
                        "amount": d.amount,
                        "count": d.count,
                    }
                    for d in step.details
                ],
            }
            for step in result.steps
        ],
        "net_revenue": result.net_revenue,
        "real_margin": result.real_margin,
        "real_rate": None if result.real_rate is None else format(result.real_rate, "f"),
        "sales_view": {
            "revenue": sales.revenue,
            "cost": sales.cost,
            "margin": sales.margin,
            "rate": None if sales.rate is None else format(sales.rate, "f"),
        },
    }


# --- Rankings and customers at risk (#22 point 5) ----------------------------------------------------------


class RankedCustomerOut(Schema):
    customer: int
    name: str
    net_revenue: Amount = Field(description="Chiffre d'affaires net HT (remises et avoirs déduits).")
    real_margin: Amount = Field(description="Marge réelle (cascade de rentabilité).")
    real_rate: Decimal | None = Field(description="Marge réelle en % du chiffre d'affaires net.")
    resources: Amount = Field(
        description="Temps valorisé, pièces et déplacements des tickets, avoirs sur retour."
    )
    resources_per_euro: Decimal | None = Field(
        description="Ressources par euro de chiffre d'affaires net ; null sans chiffre d'affaires."
    )


class RankingsOut(Schema):
    date_from: datetime.date | None
    date_to: datetime.date
    most_profitable: list[RankedCustomerOut] = Field(description="Les 10 plus fortes marges réelles.")
    most_consuming: list[RankedCustomerOut] = Field(
        description="Les 10 clients qui consomment le plus de ressources par euro de chiffre d'affaires."
    )
    looks_good_loses_money: list[RankedCustomerOut] = Field(
        description="Marge réelle négative et chiffre d'affaires dans le quart supérieur."
    )
    top_quartile_revenue: Amount | None = Field(
        description="Le chiffre d'affaires à partir duquel un client est dans le quart supérieur."
    )


def _ranked(row) -> dict:
    ratio = ranking.resource_ratio(row)
    return {
        "customer": row.customer_id,
        "name": row.name,
        "net_revenue": row.net_revenue,
        "real_margin": row.real_margin,
        "real_rate": None if row.real_rate is None else format(row.real_rate.quantize(Decimal("0.1")), "f"),
        "resources": row.resources,
        "resources_per_euro": None if ratio is None else format(ratio.quantize(Decimal("0.0001")), "f"),
    }


@router.get("/rankings", response=responses(RankingsOut), summary="Classements des clients sur une période")
def rankings(request, query: Query[WaterfallQuery]):
    """The most profitable customers (real margin), the most resource-consuming per euro of revenue, and
    those whose real margin is negative while their revenue is in the top quartile. Needs `margin.view`."""
    can_read(request, "margin.view")
    date_to = query.date_to or dates.today()
    found = watch.rankings(date_from=query.date_from, date_to=date_to)
    return {
        "date_from": query.date_from,
        "date_to": date_to,
        "most_profitable": [_ranked(row) for row in found.most_profitable],
        "most_consuming": [_ranked(row) for row in found.most_consuming],
        "looks_good_loses_money": [_ranked(row) for row in found.looks_good_loses_money],
        "top_quartile_revenue": found.top_quartile_revenue,
    }


class RiskReasonOut(Schema):
    signal: str = Field(description="rhythm, basket, returns, delay ou margin.")
    weight: int
    text: str = Field(description="La raison en une phrase, avec les chiffres comparés.")


class CustomerAtRiskOut(Schema):
    customer: int
    name: str
    score: int = Field(description="Somme des poids des signaux levés, plafonnée à 100.")
    action: str = Field(description="Suivi suggéré : call, price_list ou payment_terms.")
    reasons: list[RiskReasonOut]


class AtRiskOut(Schema):
    date: datetime.date
    threshold: int = Field(description="Score à partir duquel un client est à surveiller.")
    scored: int = Field(description="Clients notés.")
    unscored: int = Field(description="Clients à l'historique trop court, non notés.")
    customers: list[CustomerAtRiskOut]


def reason_text(reason) -> str:
    return _(reason.template) % reason.params


@router.get("/at-risk", response=responses(AtRiskOut), summary="Clients à surveiller")
def customers_at_risk(request):
    """Customers whose behaviour departs from their own history (order rhythm, basket, returns, payment
    delay, margin), highest score first, each reason in words. Needs `margin.view`."""
    can_read(request, "margin.view")
    today = dates.today()
    found = watch.customers_at_risk(today)
    return {
        "date": today,
        "threshold": at_risk.AT_RISK_SCORE,
        "scored": found.scored,
        "unscored": found.unscored,
        "customers": [
            {
                "customer": a.customer_id,
                "name": a.name,
                "score": a.score,
                "action": a.action,
                "reasons": [
                    {"signal": r.signal, "weight": r.weight, "text": reason_text(r)} for r in a.reasons
                ],
            }
            for a in found.at_risk
        ],
    }

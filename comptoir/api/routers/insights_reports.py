"""Lead times, revenue per channel and products against their stock (insights, read-only; #22 point 8).
Without `from`/`to`: the last twelve months."""

import datetime
from decimal import Decimal
from typing import Literal

from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from pydantic import model_validator

from comptoir.api.access import can_read
from comptoir.api.schemas import Amount, DocumentDate, QuerySchema, combination_rule, responses
from comptoir.core import dates
from comptoir.insights import lead_times as lead_view
from comptoir.insights import period, revenue, stock_cover

router = Router(tags=["Indicateurs"])


def _decimal(value: Decimal | None) -> str | None:
    return None if value is None else format(value, "f")


class PeriodQuery(QuerySchema):
    date_from: DocumentDate | None = Field(
        None, alias="from", description="Début de la période (inclus) ; par défaut douze mois avant sa fin."
    )
    date_to: DocumentDate | None = Field(
        None, alias="to", description="Fin de la période (incluse) ; par défaut aujourd'hui."
    )

    @model_validator(mode="after")
    def in_order(self):
        if self.date_from and self.date_to and self.date_to < self.date_from:
            raise combination_rule(_("la fin de la période (to) précède son début (from)"))
        return self

    def period(self) -> tuple[datetime.date, datetime.date]:
        return period.resolve(self.date_from, self.date_to, today=dates.today())


# --- Lead times -----------------------------------------------------------------------------------


class LeadTimeQuery(PeriodQuery):
    by: Literal["customer", "product"] = Field("customer", description="Regroupement : client ou produit.")


class SpreadOut(Schema):
    count: int = Field(
        description="Documents mesurés (commandes, bons, factures ; par produit : leurs lignes)."
    )
    median: Decimal | None = Field(description="Médiane en jours ; null sans document.")
    p90: Decimal | None = Field(
        description="90e centile en jours : 9 documents sur 10 vont au moins aussi vite."
    )


class LeadTimeRowOut(Schema):
    key: str | None = Field(description="Identifiant du client ou du produit ; null pour l'ensemble.")
    label: str
    first_delivery: SpreadOut = Field(description="Commande → première livraison validée.")
    last_delivery: SpreadOut = Field(
        description="Commande → dernière livraison (commandes entièrement livrées)."
    )
    invoicing: SpreadOut = Field(description="Livraison → première facture qui la facture.")
    payment: SpreadOut = Field(description="Facture → paiement complet (date de lettrage).")
    cash: SpreadOut = Field(description="Commande → encaissement de sa dernière facture.")


class LeadTimesOut(Schema):
    by: Literal["customer", "product"]
    date_from: datetime.date
    date_to: datetime.date
    rows: list[LeadTimeRowOut]
    overall: LeadTimeRowOut


def _lead_row(row: lead_view.LeadTimeRow, label: str | None = None) -> dict:
    out = {"key": None if row.key is None else str(row.key), "label": label or row.label}
    for step in lead_view.STEPS:
        spread = row.spread(step)
        out[step] = {"count": spread.count, "median": _decimal(spread.median), "p90": _decimal(spread.p90)}
    return out


@router.get(
    "/lead-times",
    response=responses(LeadTimesOut),
    summary="Délais commande → livraison → facture → paiement, par client ou par produit",
)
def lead_times(request, query: Query[LeadTimeQuery]):
    """Median and 90th percentile in days of each step, for the documents that start it in the period
    (orders, delivery notes, invoices by their date). Needs `margin.view`."""
    can_read(request, "margin.view")
    date_from, date_to = query.period()
    found = lead_view.lead_times(query.by, date_from=date_from, date_to=date_to)
    return {
        "by": query.by,
        "date_from": date_from,
        "date_to": date_to,
        "rows": [_lead_row(row) for row in found.rows],
        "overall": _lead_row(found.overall, _("Ensemble")),
    }


# --- Revenue --------------------------------------------------------------------------------------


class RevenueQuery(PeriodQuery):
    by: Literal["customer", "product", "channel", "month"] = Field(
        "customer", description="Regroupement : client, produit, canal de la commande ou mois."
    )


class RevenueRowOut(Schema):
    key: str | None = Field(
        description="Identifiant du client ou du produit ; le canal (manual, api, email, document, edi, none "
        "pour une facture sans commande) ; le mois en AAAA-MM."
    )
    label: str
    invoices: int = Field(description="Factures et avoirs.")
    revenue: Amount = Field(description="Chiffre d'affaires HT, avoirs déduits, hors acomptes.")
    margin: Amount
    rate: Decimal | None = Field(description="Taux de marge en % du chiffre d'affaires.")
    share: Decimal | None = Field(description="Part du chiffre d'affaires de la période, en %.")


class RevenueOut(Schema):
    by: str
    date_from: datetime.date
    date_to: datetime.date
    rows: list[RevenueRowOut]
    total: Amount


@router.get(
    "/revenue",
    response=responses(RevenueOut),
    summary="Chiffre d'affaires par client, produit, canal ou mois",
)
def revenue_by(request, query: Query[RevenueQuery]):
    """Revenue of the issued invoices and credit notes dated in the period. Needs `margin.view`."""
    can_read(request, "margin.view")
    date_from, date_to = query.period()
    rows = revenue.revenue_by(query.by, date_from=date_from, date_to=date_to)
    return {
        "by": query.by,
        "date_from": date_from,
        "date_to": date_to,
        "rows": [
            {
                "key": None
                if row.key is None
                else (row.key.strftime("%Y-%m") if query.by == "month" else str(row.key)),
                "label": row.label,
                "invoices": row.invoices,
                "revenue": row.revenue,
                "margin": row.amount,
                "rate": _decimal(row.rate),
                "share": _decimal(row.share),
            }
            for row in rows
        ],
        "total": sum((row.revenue for row in rows), Decimal("0")),
    }


# --- Products and stock ---------------------------------------------------------------------------


class ProductsStockQuery(PeriodQuery):
    dormant_days: int = Field(
        stock_cover.DORMANT_DAYS,
        ge=1,
        le=3650,
        description="Sans vente depuis ce nombre de jours : produit dormant.",
    )


class ProductStockOut(Schema):
    product: int
    sku: str
    name: str
    revenue: Amount
    margin: Amount
    rate: Decimal | None
    on_hand: Decimal = Field(description="Stock en main.")
    stock_value: Amount = Field(description="Valeur du stock au coût moyen pondéré.")
    sold: Decimal = Field(description="Quantité livrée sur la période.")
    days_of_cover: Decimal | None = Field(
        description="Jours de couverture au rythme de la période ; null sans vente."
    )
    tied_up: Decimal | None = Field(
        description="Valeur du stock × jours de couverture (€·jours) ; null sans vente."
    )
    last_sale: datetime.date | None
    dormant: bool


class ProductsStockOut(Schema):
    date_from: datetime.date
    date_to: datetime.date
    dormant_days: int
    rows: list[ProductStockOut]


@router.get(
    "/products-stock",
    response=responses(ProductsStockOut),
    summary="Produits : rentabilité et stock immobilisé (couverture, dormants)",
)
def products_stock(request, query: Query[ProductsStockQuery]):
    """Every product with stock or revenue, the heaviest stock first (stock never sold over the period, then
    the largest value × days of cover). Needs `margin.view`."""
    can_read(request, "margin.view")
    date_from, date_to = query.period()
    rows = stock_cover.products_stock(
        date_from=date_from, date_to=date_to, dormant_days=query.dormant_days, today=dates.today()
    )
    return {
        "date_from": date_from,
        "date_to": date_to,
        "dormant_days": query.dormant_days,
        "rows": [
            {
                "product": row.key,
                "sku": row.sku,
                "name": row.name,
                "revenue": row.revenue,
                "margin": row.amount,
                "rate": _decimal(row.rate),
                "on_hand": _decimal(row.on_hand),
                "stock_value": row.stock_value,
                "sold": _decimal(row.sold),
                "days_of_cover": _decimal(row.cover),
                "tied_up": _decimal(row.tied_up),
                "last_sale": row.last_sale,
                "dormant": row.dormant,
            }
            for row in rows
        ],
    }

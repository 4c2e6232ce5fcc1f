"""Revenue per customer, product, channel (how the order came in: sales.Order.Channel) or month, over a
period: the invoice lines the margins count (`selectors.counted_lines`: issued invoices and credit notes, no
deposit), summed by the database in one query, with their margin and their share of the period's revenue.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import CharField, Count, Sum, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _l

from comptoir.core import money
from comptoir.insights import margins
from comptoir.insights.selectors import _labels as names_of
from comptoir.insights.selectors import counted_lines, with_margin
from comptoir.sales.models import Order

ZERO = Decimal("0")
HUNDRED = Decimal("100")
NO_ORDER = "none"  # invoices drawn up without an order
GROUPINGS = {
    "customer": "invoice__customer_id",
    "product": "product_id",
    "channel": "channel",
    "month": "month",
}
NO_ORDER_LABEL = _l("Facture sans commande")


@dataclass(frozen=True)
class RevenueRow:
    key: object
    label: str
    invoices: int  # invoices and credit notes
    margin: margins.Margin
    share: Decimal | None  # % of the period's revenue

    @property
    def revenue(self) -> Decimal:
        return self.margin.revenue

    @property
    def amount(self) -> Decimal:
        return self.margin.margin

    @property
    def rate(self) -> Decimal | None:
        return self.margin.rate


def _d(value) -> Decimal:
    # SQLite sums decimals as floats: back to exact cents.
    return money.amount(value or ZERO)


def channel_label(key: str | None) -> str:
    if key in Order.Channel.values:
        return str(Order.Channel(key).label)
    return str(NO_ORDER_LABEL)


def revenue_by(
    by: str, *, date_from: datetime.date | None = None, date_to: datetime.date | None = None
) -> list[RevenueRow]:
    """Revenue, margin and number of invoices per `by` (a key of GROUPINGS) over the invoice dates from–to
    (both included): the largest revenue first, months in calendar order."""
    key = GROUPINGS[by]
    qs = with_margin(counted_lines())
    if date_from:
        qs = qs.filter(invoice__date__gte=date_from)
    if date_to:
        qs = qs.filter(invoice__date__lte=date_to)
    if by == "channel":
        qs = qs.annotate(
            channel=Coalesce("invoice__order__channel", Value(NO_ORDER), output_field=CharField())
        )
    sums = list(
        qs.values(key)
        .annotate(
            revenue_sum=Sum("revenue"), cost_sum=Sum("cost"), invoice_count=Count("invoice_id", distinct=True)
        )
        .order_by(key)
    )
    total = sum((_d(row["revenue_sum"]) for row in sums), ZERO)
    if by == "channel":
        labels = {row[key]: channel_label(row[key]) for row in sums}
    else:
        labels = names_of(by, [row[key] for row in sums])
    rows = [
        RevenueRow(
            key=row[key],
            label=labels.get(row[key], "—"),
            invoices=row["invoice_count"],
            margin=margins.Margin(_d(row["revenue_sum"]), _d(row["cost_sum"])),
            share=money.percent(_d(row["revenue_sum"]) * HUNDRED / total) if total else None,
        )
        for row in sums
    ]
    if by == "month":
        return sorted(rows, key=lambda row: row.key or datetime.date.min)
    return sorted(rows, key=lambda row: (-row.revenue, row.label))

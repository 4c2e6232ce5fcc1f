"""Products: what they earned over a period (revenue, margin, rate) beside the stock they tie up (value,
days of cover, € × days, dormant). The rules are `insights.cover`; the figures come from five aggregate
queries (stock levels, units delivered in the period, last delivery, margins per product, names), one row
per product of the catalogue, never a row per document.

Units sold are the units of validated delivery notes (replacements excluded) dated in the period: what left
the shelf for a sale, the pace the stock runs out at. The last sale is the last such note, whenever it was.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Max, Sum

from comptoir.catalog.models import Product
from comptoir.core import money
from comptoir.insights import cover
from comptoir.insights import selectors as margin_view
from comptoir.insights.margins import Margin
from comptoir.stock.models import Delivery, DeliveryLine, StockLevel

ZERO = Decimal("0")
INFINITY = Decimal("Infinity")
DORMANT_DAYS = 90


@dataclass(frozen=True)
class ProductStockRow:
    key: int
    sku: str
    name: str
    goods: bool
    margin: Margin
    on_hand: Decimal
    stock_value: Decimal
    sold: Decimal
    cover: Decimal | None  # days; None: nothing sold over the period
    tied_up: Decimal | None  # € × days; None: endless cover
    last_sale: datetime.date | None
    dormant: bool

    @property
    def label(self) -> str:
        return f"{self.sku} — {self.name}"

    @property
    def revenue(self) -> Decimal:
        return self.margin.revenue

    @property
    def amount(self) -> Decimal:
        return self.margin.margin

    @property
    def rate(self) -> Decimal | None:
        return self.margin.rate

    @property
    def endless(self) -> bool:
        """Stock on hand that nothing sold over the period would ever run down."""
        return self.on_hand > 0 and self.cover is None

    @property
    def weight(self) -> Decimal:
        """What the money tied up weighs, for sorting: an endless cover weighs the most."""
        if self.endless:
            return INFINITY
        return self.tied_up or ZERO

    @property
    def cover_order(self) -> Decimal:
        return INFINITY if self.endless else (self.cover or ZERO)


def _sales() -> dict:
    return {"delivery__status": Delivery.Status.VALIDATED, "delivery__kind": Delivery.Kind.SALE}


def products_stock(
    *,
    date_from: datetime.date,
    date_to: datetime.date,
    dormant_days: int = DORMANT_DAYS,
    today: datetime.date | None = None,
) -> list[ProductStockRow]:
    """Every product with stock on hand or revenue in the period, the heaviest stock first (endless covers,
    then the largest € × days), then by revenue."""
    today = today or date_to
    period_days = (date_to - date_from).days + 1
    levels = {
        pk: (money.quantity(on_hand), Decimal(average_cost))
        for pk, on_hand, average_cost in StockLevel.objects.values_list(
            "product_id", "on_hand", "average_cost"
        )
    }
    sold = {
        row["product_id"]: money.quantity(row["units"] or ZERO)
        for row in DeliveryLine.objects.filter(
            **_sales(), delivery__date__gte=date_from, delivery__date__lte=date_to
        )
        .values("product_id")
        .annotate(units=Sum("quantity"))
        .order_by()
    }
    stocked = [pk for pk, (on_hand, _cost) in levels.items() if on_hand > 0]
    last_sales = dict(
        DeliveryLine.objects.filter(**_sales(), product_id__in=stocked)
        .values("product_id")
        .annotate(last=Max("delivery__date"))
        .order_by()
        .values_list("product_id", "last")
    )
    earned = {
        row.key: row.margin for row in margin_view.margins_by("product", date_from=date_from, date_to=date_to)
    }
    wanted = set(stocked) | set(earned) | set(sold)
    products = Product.objects.filter(pk__in=wanted).values_list("pk", "sku", "name", "kind")
    rows = []
    for pk, sku, name, kind in products:
        on_hand, average_cost = levels.get(pk, (ZERO, ZERO))
        value = cover.stock_value(on_hand, average_cost)
        units = sold.get(pk, ZERO)
        days = cover.days_of_cover(on_hand, units, period_days)
        last = last_sales.get(pk)
        if isinstance(last, str):  # SQLite hands back MAX() of a date as text
            last = datetime.date.fromisoformat(last)
        rows.append(
            ProductStockRow(
                key=pk,
                sku=sku,
                name=name,
                goods=kind == Product.Kind.GOODS,
                margin=earned.get(pk, Margin()),
                on_hand=on_hand,
                stock_value=value,
                sold=units,
                cover=days,
                tied_up=cover.tied_up(value, days),
                last_sale=last,
                dormant=cover.is_dormant(
                    on_hand=on_hand, last_sale=last, today=today, dormant_days=dormant_days
                ),
            )
        )
    rows.sort(key=lambda row: (-row.weight, -row.revenue, row.sku))
    return rows

"""Stock reads: on hand, reserved (confirmed orders not yet delivered), incoming, available."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import F, Q, Sum

from comptoir.catalog.models import Product
from comptoir.sales.models import Order, OrderLine
from comptoir.stock.models import Receipt, ReceiptLine, StockLevel, StockMove

ZERO = Decimal("0")


@dataclass(frozen=True)
class Level:
    product: Product
    on_hand: Decimal
    reserved: Decimal
    incoming: Decimal
    average_cost: Decimal

    @property
    def available(self) -> Decimal:
        return self.on_hand - self.reserved

    @property
    def backorder(self) -> Decimal:
        """What confirmed orders want beyond what is on hand."""
        return max(self.reserved - self.on_hand, ZERO)

    @property
    def is_low(self) -> bool:
        return self.available <= self.product.low_stock_threshold


def _reserved(product_ids=None) -> dict[int, Decimal]:
    qs = OrderLine.objects.filter(order__status=Order.Status.CONFIRMED, quantity_delivered__lt=F("quantity"))
    if product_ids is not None:
        qs = qs.filter(product_id__in=product_ids)
    rows = qs.values("product_id").annotate(q=Sum(F("quantity") - F("quantity_delivered")))
    return {row["product_id"]: row["q"] for row in rows}


def _incoming(product_ids=None) -> dict[int, Decimal]:
    qs = ReceiptLine.objects.filter(receipt__status=Receipt.Status.DRAFT)
    if product_ids is not None:
        qs = qs.filter(product_id__in=product_ids)
    return {row["product_id"]: row["q"] for row in qs.values("product_id").annotate(q=Sum("quantity"))}


def stock_levels(products=None) -> list[Level]:
    """Levels of stocked products (all active ones by default), in three grouped queries."""
    if products is None:
        products = Product.objects.filter(kind=Product.Kind.GOODS, is_active=True).order_by("sku")
    products = list(products)
    ids = [p.pk for p in products]
    stored = {lvl.product_id: lvl for lvl in StockLevel.objects.filter(product_id__in=ids)}
    reserved, incoming = _reserved(ids), _incoming(ids)
    return [
        Level(
            product=p,
            on_hand=stored[p.pk].on_hand if p.pk in stored else ZERO,
            reserved=reserved.get(p.pk, ZERO),
            incoming=incoming.get(p.pk, ZERO),
            average_cost=stored[p.pk].average_cost if p.pk in stored else p.purchase_cost,
        )
        for p in products
    ]


def level_of(product: Product) -> Level:
    return stock_levels([product])[0]


def moves_of(product: Product, limit: int = 200):
    return StockMove.objects.filter(product=product).order_by("-date", "-id")[:limit]


def moves(*, product_id=None, kind: str = "", date_from=None, date_to=None, search: str = ""):
    """Stock moves, newest first (a queryset: paginate it). `search` finds a product by reference or
    name, or a document by its number; `kind` is one of StockMove.Kind (anything else is ignored)."""
    qs = StockMove.objects.select_related("product")
    if product_id is not None:
        qs = qs.filter(product_id=product_id)
    if kind in StockMove.Kind.values:
        qs = qs.filter(kind=kind)
    if date_from:
        qs = qs.filter(date__gte=date_from)
    if date_to:
        qs = qs.filter(date__lte=date_to)
    search = (search or "").strip()
    if search:
        qs = qs.filter(
            Q(product__sku__icontains=search)
            | Q(product__name__icontains=search)
            | Q(document__icontains=search)
        )
    return qs.order_by("-date", "-id")

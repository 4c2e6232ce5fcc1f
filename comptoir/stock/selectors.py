"""Stock reads: on hand, reserved (confirmed orders not yet delivered), incoming, available."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Exists, F, OuterRef, Q, Sum

from comptoir.catalog.models import Product
from comptoir.sales.models import TO_DELIVER, Order, OrderLine
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
    """What confirmed orders still have to deliver, per product.

    The lines still to deliver are read from their partial index (TO_DELIVER as such), then their
    orders by id: joined in SQL, a database without statistics on a comparison of two columns takes
    them for a third of all lines and scans every order. They are few, so they are added up here, in
    exact decimals."""
    lines = OrderLine.objects.filter(TO_DELIVER)
    if product_ids is not None:
        lines = lines.filter(product_id__in=product_ids)
    lines = list(lines.values_list("product_id", "order_id", "quantity", "quantity_delivered"))
    orders = {order_id for _product, order_id, _quantity, _delivered in lines}
    confirmed = set(
        Order.objects.filter(pk__in=orders, status=Order.Status.CONFIRMED).values_list("pk", flat=True)
    )
    reserved: dict[int, Decimal] = {}
    for product_id, order_id, quantity, delivered in lines:
        if order_id in confirmed:
            reserved[product_id] = reserved.get(product_id, ZERO) + quantity - delivered
    return reserved


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


def possibly_low_products():
    """The active stocked products that may be at or below their alert threshold, by SKU.

    Available = on hand − reserved, and nothing reserved is negative: only a product with no more on
    hand than its threshold (or below zero), or with order lines still to deliver, can be low. Few
    among the catalogue, so that the alerts compute the levels of those alone. (Lines of orders in any
    state: joining the orders to keep the confirmed ones costs more than the few extra candidates.)"""
    reserved = OrderLine.objects.filter(TO_DELIVER, product=OuterRef("pk"))
    return (
        Product.objects.filter(kind=Product.Kind.GOODS, is_active=True)
        .filter(
            Q(stock_level__isnull=True)
            | Q(stock_level__on_hand__lte=F("low_stock_threshold"))
            | Q(stock_level__on_hand__lt=0)
            | Exists(reserved)
        )
        .order_by("sku")
    )


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


@dataclass(frozen=True)
class LineToShip:
    line: OrderLine
    to_ship: Decimal  # ordered − delivered − already on a draft delivery note
    allotted: Decimal  # of it, what the stock on hand covers once earlier orders are served


@dataclass(frozen=True)
class OrderToShip:
    order: Order
    lines: list[LineToShip]

    @property
    def to_ship(self) -> Decimal:
        return sum((row.to_ship for row in self.lines), ZERO)

    @property
    def availability(self) -> str:
        """ "full" (everything can leave now), "partial" or "none" (nothing on hand for it)."""
        allotted = sum((row.allotted for row in self.lines), ZERO)
        if allotted >= self.to_ship:
            return "full"
        return "partial" if allotted > 0 else "none"


def orders_to_ship() -> list[OrderToShip]:
    """The warehouse's work list: every confirmed order with goods still to ship and not yet on a delivery
    note, oldest first, each line with what the stock on hand covers. Stock is allotted first come, first
    served in that order (an order dated earlier is served first), so two orders wanting the last ten units
    do not both show "full". Lines already on a draft delivery note are the notes' business (their own list)."""
    from comptoir.stock.models import Delivery, DeliveryLine

    lines = list(
        OrderLine.objects.filter(
            TO_DELIVER, order__status=Order.Status.CONFIRMED, product__kind=Product.Kind.GOODS
        )
        .select_related("order__customer", "product")
        .order_by("order__date", "order_id", "position", "id")
    )
    planned = {
        row["order_line_id"]: row["q"]
        for row in DeliveryLine.objects.filter(
            order_line_id__in=[line.pk for line in lines], delivery__status=Delivery.Status.DRAFT
        )
        .values("order_line_id")
        .annotate(q=Sum("quantity"))
        .order_by()
    }
    on_hand = dict(
        StockLevel.objects.filter(product_id__in={line.product_id for line in lines}).values_list(
            "product_id", "on_hand"
        )
    )
    left = {product_id: max(quantity, ZERO) for product_id, quantity in on_hand.items()}
    orders: dict[int, OrderToShip] = {}
    for line in lines:
        to_ship = line.quantity - line.quantity_delivered - planned.get(line.pk, ZERO)
        if to_ship <= 0:
            continue
        allotted = min(to_ship, left.get(line.product_id, ZERO))
        left[line.product_id] = left.get(line.product_id, ZERO) - allotted
        orders.setdefault(line.order_id, OrderToShip(order=line.order, lines=[])).lines.append(
            LineToShip(line=line, to_ship=to_ship, allotted=allotted)
        )
    return list(orders.values())

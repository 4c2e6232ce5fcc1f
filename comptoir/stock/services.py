"""Stock actions: receipts (weighted average cost) and deliveries (stock out, cost of goods sold).

Every action locks the StockLevel rows it touches in product order, so two deliveries of the same
product serialise instead of both seeing the same on-hand quantity.
"""

from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone

from comptoir.accounting import periods
from comptoir.catalog import errors as catalog_errors
from comptoir.catalog.models import Product
from comptoir.catalog.services import get_sellable
from comptoir.core import audit, dates, money, numbering, permissions, rows, workflow
from comptoir.core.compiled import Compiled
from comptoir.core.errors import DomainError, NotFound
from comptoir.core.errors import fail as _fail
from comptoir.core.rows import update_each
from comptoir.parties.selectors import number_prefix
from comptoir.sales.models import Order, OrderLine
from comptoir.sales.selectors import order_lines_with_product
from comptoir.stock import errors
from comptoir.stock.models import Delivery, DeliveryLine, Receipt, ReceiptLine, StockLevel, StockMove


def _decimal(value):
    try:
        return money.D(value)
    except (ValueError, TypeError, InvalidOperation):
        _fail(errors.INVALID_NUMBER, value=value)


def _fmt(qty: Decimal) -> str:
    return format(qty.normalize(), "f").replace(".", ",")


def lock_levels(product_ids) -> dict[int, StockLevel]:
    """Lock (and create if missing) the stock levels of these products, in product order."""
    ids = sorted(set(product_ids))

    def locked():
        rows = StockLevel.objects.select_for_update().filter(product_id__in=ids).order_by("product_id")
        return {lvl.product_id: lvl for lvl in rows}

    levels = locked()
    missing = [pid for pid in ids if pid not in levels]
    if missing:
        # ignore_conflicts: two first movements of a new product may race to create its row.
        StockLevel.objects.bulk_create([StockLevel(product_id=pid) for pid in missing], ignore_conflicts=True)
        levels = locked()
    return levels


# The levels of a delivery's products, locked in product order: a fixed shape (a subquery rather than a
# list of ids), so compiled once (`core.compiled`).
_LEVELS_OF_DELIVERY_LOCKED = Compiled(
    lambda delivery_id: (
        StockLevel.objects.select_for_update()
        .filter(product_id__in=DeliveryLine.objects.filter(delivery_id=delivery_id).values("product_id"))
        .order_by("product_id")
    )
)


def _lock_on_hand(items, *, delivery_id: int | None = None) -> dict[int, StockLevel]:
    """Lock the levels of goods about to leave and refuse more than is on hand of a product, summed over
    its lines. `items` are (product id, SKU, quantity); `delivery_id`, when they are that delivery's lines."""
    levels = None
    if delivery_id is not None:
        levels = {level.product_id: level for level in _LEVELS_OF_DELIVERY_LOCKED.objects(delivery_id)}
        if any(product_id not in levels for product_id, _sku, _qty in items):
            levels = None  # a product never stocked yet: its level is created below
    if levels is None:
        levels = lock_levels(product_id for product_id, _sku, _qty in items)
    needed: dict[int, Decimal] = {}
    for product_id, _sku, qty in items:
        needed[product_id] = needed.get(product_id, Decimal("0")) + qty
    for product_id, sku, _qty in items:
        if needed[product_id] > levels[product_id].on_hand:
            _fail(
                errors.EXCEEDS_STOCK,
                sku=sku,
                qty=_fmt(needed[product_id]),
                on_hand=_fmt(levels[product_id].on_hand),
            )
    return levels


def _moves_out(levels, items, *, kind: str, date, document: str) -> list[StockMove]:
    """Lower on hand (saved) and return one unsaved move per item at the current average cost, which is
    the cost of goods of what leaves."""
    moves = []
    for product_id, _sku, qty in items:
        level = levels[product_id]
        level.on_hand -= qty
        moves.append(
            StockMove(
                product_id=product_id,
                kind=kind,
                quantity=-qty,
                unit_cost=level.average_cost,
                date=date,
                document=document,
            )
        )
    update_each(levels.values(), ["on_hand"])
    return moves


# --- Receipts -----------------------------------------------------------------------------------


@transaction.atomic
def create_receipt(lines, *, by, supplier_name: str = "", date=None) -> Receipt:
    """A planned receipt: its quantities show as incoming until it is validated."""
    permissions.require(by, "stock.receive")
    if not lines:
        _fail(errors.NO_LINES)
    built = []
    for data in lines:
        product = get_sellable(data.get("product"))
        if not product.is_stocked:
            _fail(errors.NOT_STOCKED, sku=product.sku)
        qty = money.quantity(_decimal(data.get("quantity")))
        if qty <= 0:
            _fail(errors.QUANTITY_NOT_POSITIVE, value=data.get("quantity"))
        cost = _decimal(data.get("unit_cost", product.purchase_cost))
        if cost < 0:
            _fail(errors.COST_NEGATIVE)
        built.append(
            ReceiptLine(product=product, quantity=money.quantity(qty), unit_cost=money.unit_price(cost))
        )
    date = periods.check_business_date(date)
    receipt = rows.insert_one(
        Receipt(
            number=numbering.next_number(number_prefix("receipt_series"), date.year),
            supplier_name=supplier_name,
            date=date,
            created_by=by if getattr(by, "pk", None) else None,
        )
    )
    for line in built:
        line.receipt = receipt
    rows.insert_many(built)
    audit.record("receipt.created", by=by, obj=receipt, data={"lines": len(built)})
    return receipt


@transaction.atomic
def validate_receipt(receipt: Receipt, *, by) -> Receipt:
    """Goods are in: on hand goes up and each product's weighted average cost is recomputed."""
    permissions.require(by, "stock.receive")
    receipt = Receipt.objects.select_for_update().get(pk=receipt.pk)
    workflow.require(
        Receipt.TRANSITIONS,
        receipt.status,
        Receipt.Status.VALIDATED,
        document=receipt.number,
        labels=Receipt.Status,
    )
    # The stock moves carry the receipt's date: it must still be one the books accept.
    periods.check_business_date(receipt.date)
    lines = list(receipt.lines.all())
    levels = lock_levels(line.product_id for line in lines)
    moves = []
    for line in lines:
        level = levels[line.product_id]
        level.average_cost = money.weighted_average_cost(
            level.on_hand, level.average_cost, line.quantity, line.unit_cost
        )
        level.on_hand += line.quantity
        moves.append(
            StockMove(
                product_id=line.product_id,
                kind=StockMove.Kind.RECEIPT,
                quantity=line.quantity,
                unit_cost=line.unit_cost,
                date=receipt.date,
                document=receipt.number,
            )
        )
    update_each(levels.values(), ["on_hand", "average_cost"])
    rows.insert_many(moves)
    receipt.status = Receipt.Status.VALIDATED
    receipt.validated_at = timezone.now()
    receipt.save(update_fields=["status", "validated_at"])
    audit.record("receipt.validated", by=by, obj=receipt, data={"lines": len(lines)})
    return receipt


def receive_stock(lines, *, by, supplier_name: str = "", date=None) -> Receipt:
    """Create and validate a receipt at once, in one transaction (goods already on the dock)."""
    with transaction.atomic():
        receipt = create_receipt(lines, by=by, supplier_name=supplier_name, date=date)
        return validate_receipt(receipt, by=by)


@transaction.atomic
def cancel_receipt(receipt: Receipt, *, by) -> Receipt:
    permissions.require(by, "stock.receive")
    receipt = Receipt.objects.select_for_update().get(pk=receipt.pk)
    workflow.require(
        Receipt.TRANSITIONS,
        receipt.status,
        Receipt.Status.CANCELLED,
        document=receipt.number,
        labels=Receipt.Status,
    )
    receipt.status = Receipt.Status.CANCELLED
    receipt.save(update_fields=["status"])
    audit.record("receipt.cancelled", by=by, obj=receipt)
    return receipt


# --- Deliveries ---------------------------------------------------------------------------------


# The reads every delivery goes through, compiled once (`core.compiled`): only the ids change.
_ORDER_LOCKED = Compiled(lambda order_id: Order.objects.select_for_update().filter(pk=order_id))
_PLANNED_IN_DRAFTS = Compiled(
    lambda order_id: DeliveryLine.objects.filter(
        delivery__order_id=order_id, delivery__status=Delivery.Status.DRAFT
    ).values("order_line_id", "quantity")
)
_DELIVERY_LOCKED_WITH_ORDER = Compiled(
    lambda delivery_id: Delivery.objects.select_for_update().select_related("order").filter(pk=delivery_id)
)
_DELIVERY_LINES_WITH_PRODUCT = Compiled(
    lambda delivery_id: (
        DeliveryLine.objects.filter(delivery_id=delivery_id).select_related("product").order_by("id")
    )
)
_ORDER_LINES_LOCKED = Compiled(
    lambda order_id: OrderLine.objects.select_for_update().filter(order_id=order_id).order_by("id")
)


def _after_order(order: Order) -> list[dates.Follows]:
    return dates.follows(f"la commande {order.number}", order.date)


def _remaining_in_drafts(order: Order) -> dict[int, Decimal]:
    """Quantities already planned on other draft deliveries of this order, per order line."""
    planned: dict[int, Decimal] = {}
    for row in _PLANNED_IN_DRAFTS.rows(order.pk):
        planned[row["order_line_id"]] = planned.get(row["order_line_id"], Decimal("0")) + row["quantity"]
    return planned


@transaction.atomic
def create_delivery(order: Order, lines=None, *, by, date=None) -> Delivery:
    """Prepare a delivery note for all (lines=None) or part of a confirmed order.

    `lines` is a list of {"order_line": OrderLine or id, "quantity": …}. What is still planned on
    other draft notes is not offered again, so two notes cannot both promise the same goods.
    """
    permissions.require(by, "delivery.manage")
    order = _ORDER_LOCKED.get(order.pk)
    if order.status != Order.Status.CONFIRMED:
        _fail(errors.ORDER_NOT_CONFIRMED, number=order.number)
    order_lines = {line.pk: line for line in order_lines_with_product(order)}
    planned = _remaining_in_drafts(order)

    def remaining(line: OrderLine) -> Decimal:
        return line.quantity - line.quantity_delivered - planned.get(line.pk, Decimal("0"))

    if lines is None:
        wanted = [
            (line, remaining(line))
            for line in order_lines.values()
            if line.product.is_stocked and remaining(line) > 0
        ]
        if not wanted:
            _fail(errors.NOTHING_TO_DELIVER, number=order.number)
    else:
        if not lines:
            _fail(errors.NO_LINES)
        wanted = []
        for data in lines:
            ref = data.get("order_line")
            line = order_lines.get(getattr(ref, "pk", ref))
            if line is None:
                _fail(errors.LINE_NOT_IN_ORDER, number=order.number)
            if not line.product.is_stocked:
                _fail(errors.NOT_STOCKED, sku=line.product.sku)
            qty = money.quantity(_decimal(data.get("quantity")))
            if qty <= 0:
                _fail(errors.QUANTITY_NOT_POSITIVE, value=data.get("quantity"))
            if qty > remaining(line):
                _fail(
                    errors.EXCEEDS_REMAINING,
                    sku=line.product.sku,
                    qty=_fmt(qty),
                    remaining=_fmt(remaining(line)),
                    number=order.number,
                )
            wanted.append((line, qty))
    date = periods.check_business_date(date, follows=_after_order(order))
    delivery = rows.insert_one(
        Delivery(
            number=numbering.next_number(number_prefix("delivery_series"), date.year),
            order=order,
            date=date,
            created_by=by if getattr(by, "pk", None) else None,
        )
    )
    rows.insert_many(
        [
            DeliveryLine(delivery=delivery, order_line=line, product_id=line.product_id, quantity=qty)
            for line, qty in wanted
        ]
    )
    audit.record("delivery.created", by=by, obj=delivery, data={"order": order.number, "lines": len(wanted)})
    return delivery


@transaction.atomic
def validate_delivery(delivery: Delivery, *, by, date=None) -> Delivery:
    """Goods leave: on hand down, the order's reservation released, cost of goods sold recorded.

    A delivery can exceed neither what remains to deliver on the order nor the stock on hand.
    """
    permissions.require(by, "delivery.validate")
    delivery = _DELIVERY_LOCKED_WITH_ORDER.get(delivery.pk)
    workflow.require(
        Delivery.TRANSITIONS,
        delivery.status,
        Delivery.Status.VALIDATED,
        document=delivery.number,
        labels=Delivery.Status,
    )
    order = _ORDER_LOCKED.get(delivery.order_id)
    if order.status != Order.Status.CONFIRMED:
        _fail(errors.ORDER_NOT_CONFIRMED, number=order.number)
    lines = _DELIVERY_LINES_WITH_PRODUCT.objects(delivery.pk, delivery=delivery)
    # All of the order's lines are locked (the order itself is): one query of a fixed shape, whatever
    # the number of lines on this note; only those it delivers are written back.
    all_order_lines = {ol.pk: ol for ol in _ORDER_LINES_LOCKED.objects(order.pk, order=order)}
    order_lines = {dl.order_line_id: all_order_lines[dl.order_line_id] for dl in lines}
    for dl in lines:
        ol = order_lines[dl.order_line_id]
        remaining = ol.quantity - ol.quantity_delivered
        if dl.quantity > remaining:
            _fail(
                errors.EXCEEDS_REMAINING,
                sku=dl.product.sku,
                qty=_fmt(dl.quantity),
                remaining=_fmt(remaining),
                number=order.number,
            )
    items = [(dl.product_id, dl.product.sku, dl.quantity) for dl in lines]
    levels = _lock_on_hand(items, delivery_id=delivery.pk)
    # Without a date, the goods leave on the day the note was prepared for.
    date = periods.check_business_date(date or delivery.date, follows=_after_order(order))
    moves = _moves_out(levels, items, kind=StockMove.Kind.DELIVERY, date=date, document=delivery.number)
    for dl, move in zip(lines, moves, strict=True):
        dl.unit_cost = move.unit_cost
        order_lines[dl.order_line_id].quantity_delivered += dl.quantity
    update_each(lines, ["unit_cost"])
    update_each(order_lines.values(), ["quantity_delivered"])
    rows.insert_many(moves)
    delivery.status = Delivery.Status.VALIDATED
    delivery.date = date
    delivery.validated_at = timezone.now()
    rows.update_one(delivery, ["status", "date", "validated_at"])
    cost = sum((money.cost_of(dl.quantity, dl.unit_cost) for dl in lines), Decimal("0"))
    audit.record(
        "delivery.validated", by=by, obj=delivery, data={"order": order.number, "cost_of_goods": cost}
    )
    return delivery


@transaction.atomic
def cancel_delivery(delivery: Delivery, *, by, reason: str = "") -> Delivery:
    permissions.require(by, "delivery.manage")
    delivery = Delivery.objects.select_for_update().get(pk=delivery.pk)
    workflow.require(
        Delivery.TRANSITIONS,
        delivery.status,
        Delivery.Status.CANCELLED,
        document=delivery.number,
        labels=Delivery.Status,
    )
    delivery.status = Delivery.Status.CANCELLED
    delivery.save(update_fields=["status"])
    audit.record("delivery.cancelled", by=by, obj=delivery, data={"reason": reason})
    return delivery


# --- Returns: goods coming back, replacements ---------------------------------------------------


@transaction.atomic
def receive_returned_goods(lines, *, by, reference: str, date=None) -> list[StockMove]:
    """Goods a customer sent back go back on the shelf at the cost they left at.

    `lines` are {"delivery_line": DeliveryLine or id, "quantity": …}. Stock re-enters at the delivery
    line's unit cost (the cost of goods sold recorded when they left), not at today's average: the margin
    given back by the sale is exactly the cost taken out. The average cost is re-weighted as for a receipt.
    Which quantities may come back is the return case's business (returns.services.receive_goods).
    """
    permissions.require(by, "stock.receive")
    if not lines:
        _fail(errors.NO_LINES)
    refs = [getattr(data.get("delivery_line"), "pk", data.get("delivery_line")) for data in lines]
    delivery_lines = {
        dl.pk: dl
        for dl in DeliveryLine.objects.select_related("product", "delivery").filter(
            pk__in=refs, delivery__status=Delivery.Status.VALIDATED
        )
    }
    wanted = []
    for ref, data in zip(refs, lines, strict=True):
        dl = delivery_lines.get(ref)
        if dl is None:
            raise DomainError(
                "returned_line_not_delivered",
                "Cette ligne n'appartient à aucune livraison expédiée (%(reference)s) : seul ce qui est parti peut revenir en stock.",
                reference=reference,
            )
        qty = money.quantity(_decimal(data.get("quantity")))
        if qty <= 0:
            _fail(errors.QUANTITY_NOT_POSITIVE, value=data.get("quantity"))
        if qty > dl.quantity:
            raise DomainError(
                "return_exceeds_delivered",
                "%(sku)s : %(qty)s ne peuvent pas revenir en stock, seuls %(delivered)s sont partis sur %(number)s.",
                sku=dl.product.sku,
                qty=_fmt(qty),
                delivered=_fmt(dl.quantity),
                number=dl.delivery.number,
            )
        wanted.append((dl, qty))
    date = periods.check_business_date(
        date,
        follows=[
            earlier
            for dl, _ in wanted
            for earlier in dates.follows(f"le bon de livraison {dl.delivery.number}", dl.delivery.date)
        ],
    )
    levels = lock_levels(dl.product_id for dl, _ in wanted)
    moves = []
    for dl, qty in wanted:
        level = levels[dl.product_id]
        cost = dl.unit_cost if dl.unit_cost is not None else level.average_cost
        level.average_cost = money.weighted_average_cost(level.on_hand, level.average_cost, qty, cost)
        level.on_hand += qty
        moves.append(
            StockMove(
                product_id=dl.product_id,
                kind=StockMove.Kind.RETURN,
                quantity=qty,
                unit_cost=cost,
                date=date,
                document=reference,
            )
        )
    update_each(levels.values(), ["on_hand", "average_cost"])
    created = rows.insert_many(moves)
    audit.record(
        "stock.returned",
        by=by,
        object_type="stock.stockmove",
        object_id=reference,
        object_repr=reference,
        data={
            "lines": [[dl.product.sku, qty] for dl, qty in wanted],
            "value": sum((money.cost_of(m.quantity, m.unit_cost) for m in moves), Decimal("0")),
        },
    )
    return created


@transaction.atomic
def record_kept_surplus(lines, *, by, reference: str, date=None) -> list[StockMove]:
    """Goods that left with a delivery beyond its note and that the customer keeps (a surplus a return case
    re-invoices): they are no longer on the shelf, so on hand goes down at the current average cost, which
    is the cost of goods sold of that sale, as a delivery's would be.

    `lines` are {"product": Product or id, "quantity": …}; services are skipped (nothing of them is
    stocked). One move of kind SURPLUS per line, under `reference` (the case number). Stock cannot go below
    zero: when the books show less than the surplus, the receipts are missing and must be recorded first.
    How much may be taken out is the return case's business (returns.services.resolve_with_reinvoice).
    """
    permissions.require(by, "delivery.manage")
    if not lines:
        _fail(errors.NO_LINES)
    refs = [getattr(data.get("product"), "pk", data.get("product")) for data in lines]
    products = {product.pk: product for product in Product.objects.filter(pk__in=refs)}
    wanted = []
    for ref, data in zip(refs, lines, strict=True):
        product = products.get(ref)
        if product is None:
            raise NotFound(*catalog_errors.UNKNOWN_PRODUCT, value=ref)
        qty = money.quantity(_decimal(data.get("quantity")))
        if qty <= 0:
            _fail(errors.QUANTITY_NOT_POSITIVE, value=data.get("quantity"))
        if product.is_stocked:
            wanted.append((product, qty))
    if not wanted:
        return []
    date = periods.check_business_date(date)
    items = [(product.pk, product.sku, qty) for product, qty in wanted]
    levels = _lock_on_hand(items)
    moves = _moves_out(levels, items, kind=StockMove.Kind.SURPLUS, date=date, document=reference)
    created = rows.insert_many(moves)
    audit.record(
        "stock.surplus_kept",
        by=by,
        object_type="stock.stockmove",
        object_id=reference,
        object_repr=reference,
        data={
            "lines": [[product.sku, qty] for product, qty in wanted],
            "cost_of_goods": sum((money.cost_of(-m.quantity, m.unit_cost) for m in moves), Decimal("0")),
        },
    )
    return created


@transaction.atomic
def ship_replacement(order: Order, lines, *, by, reference: str, date=None) -> Delivery:
    """Send goods again for what a return case found missing or faulty: a new delivery note, validated at
    once, that the customer does not pay twice for.

    `lines` are {"order_line": OrderLine or id, "quantity": …}. Stock goes down at the current average cost
    (a real cost of the return), but the order's delivered quantity does not move: the customer ordered and
    was invoiced for these goods once, on the original delivery. The note is of kind REPLACEMENT and born
    with its invoicing blocked, so billing never offers it for invoicing. How much may be replaced is the
    return case's business (returns.services.resolve_with_replacement).
    """
    permissions.require(by, "delivery.validate")
    if not lines:
        _fail(errors.NO_LINES)
    order_lines = {line.pk: line for line in order.lines.select_related("product").all()}
    wanted = []
    for data in lines:
        ref = data.get("order_line")
        line = order_lines.get(getattr(ref, "pk", ref))
        if line is None:
            _fail(errors.LINE_NOT_IN_ORDER, number=order.number)
        if not line.product.is_stocked:
            _fail(errors.NOT_STOCKED, sku=line.product.sku)
        qty = money.quantity(_decimal(data.get("quantity")))
        if qty <= 0:
            _fail(errors.QUANTITY_NOT_POSITIVE, value=data.get("quantity"))
        wanted.append((line, qty))
    date = periods.check_business_date(date, follows=_after_order(order))
    items = [(line.product_id, line.product.sku, qty) for line, qty in wanted]
    levels = _lock_on_hand(items)
    delivery = rows.insert_one(
        Delivery(
            number=numbering.next_number(number_prefix("delivery_series"), date.year),
            order=order,
            kind=Delivery.Kind.REPLACEMENT,
            status=Delivery.Status.VALIDATED,
            date=date,
            validated_at=timezone.now(),
            invoicing_blocked=True,
            blocked_reason=f"Livraison de remplacement ({reference}) : déjà facturée sur la livraison d'origine",
            created_by=by if getattr(by, "pk", None) else None,
        )
    )
    moves = _moves_out(levels, items, kind=StockMove.Kind.DELIVERY, date=date, document=delivery.number)
    delivery_lines = [
        DeliveryLine(
            delivery=delivery,
            order_line=line,
            product_id=line.product_id,
            quantity=qty,
            unit_cost=move.unit_cost,
        )
        for (line, qty), move in zip(wanted, moves, strict=True)
    ]
    rows.insert_many(delivery_lines)
    rows.insert_many(moves)
    cost = sum((money.cost_of(dl.quantity, dl.unit_cost) for dl in delivery_lines), Decimal("0"))
    audit.record(
        "delivery.replacement_shipped",
        by=by,
        obj=delivery,
        data={"order": order.number, "case": reference, "cost_of_goods": cost},
    )
    return delivery

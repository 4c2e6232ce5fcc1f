"""Reads of orders that other areas run on their hot paths, compiled once (`core.compiled`)."""

from comptoir.core.compiled import Compiled
from comptoir.sales.models import Order, OrderLine

# The order a service is about to act on, locked (not its customer), with its customer read along.
ORDER_LOCKED_WITH_CUSTOMER = Compiled(
    lambda order_id: (
        Order.objects.select_for_update(of=("self",)).select_related("customer").filter(pk=order_id)
    )
)
_ORDER_LINES_WITH_PRODUCT = Compiled(
    lambda order_id: (
        OrderLine.objects.filter(order_id=order_id).select_related("product").order_by("position", "id")
    )
)


def order_lines_with_product(order: Order) -> list[OrderLine]:
    """The order's lines in their order, each with its product, attached to `order`."""
    return _ORDER_LINES_WITH_PRODUCT.objects(order.pk, order=order)

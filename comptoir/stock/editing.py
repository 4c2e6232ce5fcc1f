"""Editing a prepared delivery note before it ships: what the warehouse finds on the shelves may be
less than what was planned, so a line's quantity goes down or the line is taken off, instead of
cancelling the note and preparing another. Only down: what is taken off stays to deliver on the order
and can be prepared on another note; raising a quantity would promise goods twice."""

from django.db import transaction

from comptoir.core import audit, money, permissions
from comptoir.core.errors import fail as _fail
from comptoir.stock import errors
from comptoir.stock.models import Delivery, DeliveryLine
from comptoir.stock.services import _decimal, _fmt


def _line_id(ref) -> int | None:
    key = getattr(ref, "pk", ref)
    return int(key) if str(key).isdigit() else None


@transaction.atomic
def edit_delivery(delivery: Delivery, quantities: dict, *, by) -> Delivery:
    """Lower the quantities of a draft delivery note's lines; a quantity of 0 takes the line off.

    `quantities` maps a DeliveryLine (or its id) to its new quantity; lines not named stay as they are.
    Writes one audit event listing each change (product, planned, now)."""
    permissions.require(by, "delivery.manage")
    delivery = Delivery.objects.select_for_update().get(pk=delivery.pk)
    if delivery.status != Delivery.Status.DRAFT:
        _fail(errors.DELIVERY_NOT_EDITABLE, number=delivery.number)
    lines = {line.pk: line for line in delivery.lines.select_related("product").order_by("id")}
    changes, removed, lowered = [], [], []
    for ref, value in quantities.items():
        line = lines.get(_line_id(ref))
        if line is None:
            _fail(errors.LINE_NOT_IN_DELIVERY, number=delivery.number)
        qty = money.quantity(_decimal(value if value not in (None, "") else "0"))
        if qty < 0:
            _fail(errors.DELIVERY_QUANTITY_NEGATIVE, sku=line.product.sku, value=value)
        if qty > line.quantity:
            _fail(
                errors.DELIVERY_QUANTITY_UP,
                sku=line.product.sku,
                number=delivery.number,
                planned=_fmt(line.quantity),
            )
        if qty == line.quantity:
            continue
        changes.append({"sku": line.product.sku, "planned": line.quantity, "now": qty})
        if qty == 0:
            removed.append(line.pk)
        else:
            line.quantity = qty
            lowered.append(line)
    if len(removed) == len(lines):
        _fail(errors.DELIVERY_WOULD_BE_EMPTY, number=delivery.number)
    if not changes:
        return delivery
    DeliveryLine.objects.filter(pk__in=removed).delete()
    DeliveryLine.objects.bulk_update(lowered, ["quantity"])
    audit.record(
        "delivery.edited",
        by=by,
        obj=delivery,
        data={"changes": changes, "removed": len(removed), "lines": len(lines) - len(removed)},
    )
    return delivery

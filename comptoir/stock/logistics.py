"""The logistics cost of a delivery note: what the carrier charged, its weight, and an urgent delivery the
company absorbed « pour la relation » (with the reason). Read by insights into the customer's real margin."""

from decimal import Decimal, InvalidOperation

from django.db import transaction

from comptoir.core import audit, money, permissions
from comptoir.core.errors import fail
from comptoir.stock import errors
from comptoir.stock.models import Delivery


def _optional(value) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        number = money.D(value)
    except (ValueError, TypeError, InvalidOperation):
        fail(errors.INVALID_NUMBER, value=value)
    if number < 0:
        fail(errors.LOGISTICS_NEGATIVE)
    return number


@transaction.atomic
def set_logistics(
    delivery: Delivery,
    *,
    by,
    carrier_cost=None,
    weight_kg=None,
    urgent_absorbed: bool = False,
    urgent_reason: str = "",
) -> Delivery:
    """Record (or correct) the carrier cost, the weight and the absorbed urgency of a delivery note, prepared
    or shipped (the invoice from the carrier often comes weeks later). A cost left empty lets the zone/weight
    rates price the note."""
    permissions.require(by, "delivery.manage")
    delivery = Delivery.objects.select_for_update().get(pk=delivery.pk)
    if delivery.status == Delivery.Status.CANCELLED:
        fail(errors.LOGISTICS_NOT_SET, number=delivery.number)
    cost = _optional(carrier_cost)
    weight = _optional(weight_kg)
    reason = (urgent_reason or "").strip()[:200]
    if urgent_absorbed and not reason:
        fail(errors.URGENT_REASON_MISSING)
    before = {
        "carrier_cost": delivery.carrier_cost,
        "weight_kg": delivery.weight_kg,
        "urgent_absorbed": delivery.urgent_absorbed,
    }
    delivery.carrier_cost = None if cost is None else money.amount(cost)
    delivery.weight_kg = None if weight is None else money.quantity(weight)
    delivery.urgent_absorbed = bool(urgent_absorbed)
    delivery.urgent_reason = reason if urgent_absorbed else ""
    delivery.save(update_fields=["carrier_cost", "weight_kg", "urgent_absorbed", "urgent_reason"])
    audit.record(
        "delivery.logistics_set",
        by=by,
        obj=delivery,
        data={
            "before": before,
            "carrier_cost": delivery.carrier_cost,
            "weight_kg": delivery.weight_kg,
            "urgent_absorbed": delivery.urgent_absorbed,
            "urgent_reason": delivery.urgent_reason,
        },
    )
    return delivery

"""Rows inserted in one statement read back exactly as the ORM would have written them."""

from decimal import Decimal

import pytest

from comptoir.core import rows
from comptoir.stock.models import StockMove

pytestmark = pytest.mark.django_db


def test_insert_many_sets_each_id_in_order_and_writes_what_the_orm_reads_back(product, service_product):
    moves = [
        StockMove(
            product=p, kind=StockMove.Kind.DELIVERY, quantity=q, unit_cost=c, date="2026-03-01", document=d
        )
        for p, q, c, d in (
            (product, Decimal("-2.5"), Decimal("3.1234"), "BL-1"),
            (service_product, Decimal("-1"), Decimal("0"), "BL-2"),
            (product, Decimal("-7"), Decimal("12.5"), "BL-3"),
        )
    ]
    rows.insert_many(moves)
    assert all(not move._state.adding for move in moves)
    stored = {m.pk: m for m in StockMove.objects.filter(pk__in=[m.pk for m in moves])}
    assert [(stored[m.pk].document, stored[m.pk].quantity, stored[m.pk].unit_cost) for m in moves] == [
        ("BL-1", Decimal("-2.500"), Decimal("3.1234")),
        ("BL-2", Decimal("-1.000"), Decimal("0.0000")),
        ("BL-3", Decimal("-7.000"), Decimal("12.5000")),
    ]
    # auto_now_add is filled in as save() would.
    assert all(stored[m.pk].created_at is not None for m in moves)
    assert rows.insert_many([]) == []


def test_update_one_writes_the_named_fields_only_and_refuses_a_missing_row(customer, product, boss):
    from django.db import DatabaseError

    from comptoir.sales.models import Order
    from comptoir.sales.services import create_order

    order = create_order(customer, [{"product": product, "quantity": "1"}], by=boss)
    order.status = Order.Status.CANCELLED
    order.customer_reference = "not asked to be written"
    rows.update_one(order, ["status"])
    stored = Order.objects.get(pk=order.pk)
    assert (stored.status, stored.customer_reference) == (Order.Status.CANCELLED, "")

    order.customer_reference = "PO-77"
    rows.update_one(order)  # every field
    assert Order.objects.get(pk=order.pk).customer_reference == "PO-77"

    order.pk = order.pk + 10_000
    with pytest.raises(DatabaseError):
        rows.update_one(order, ["status"])


def test_ids_reserved_ahead_are_written_as_given_and_never_handed_out_again(product):
    import datetime

    from django.utils import timezone

    first = rows.insert_one(
        StockMove(product=product, kind="delivery", quantity=-1, unit_cost=1, date="2026-03-01", document="A")
    )
    ids = rows.reserve_ids(StockMove, 1200)
    assert len(set(ids)) == 1200 and min(ids) > first.pk
    now = timezone.now()
    day = datetime.date(2026, 3, 2)
    # More rows than one statement may carry parameters for on SQLite: written in batches.
    written = rows.insert_values(
        StockMove,
        ["id", "product_id", "kind", "quantity", "unit_cost", "date", "document", "created_at"],
        [(pk, product.pk, "delivery", Decimal("-1"), Decimal("2"), day, f"B{pk}", now) for pk in ids],
    )
    assert written == 1200 and StockMove.objects.filter(pk__in=ids, document__startswith="B").count() == 1200
    after = StockMove.objects.create(
        product=product, kind="delivery", quantity=-1, unit_cost=1, date="2026-03-03", document="C"
    )
    assert after.pk > max(ids)

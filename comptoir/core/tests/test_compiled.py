"""A query compiled once gives, for any ids, exactly the rows the ORM gives."""

import pytest
from django.db.models import Q, Sum

from comptoir.core.compiled import Compiled
from comptoir.sales.models import OrderLine
from comptoir.sales.services import create_order

pytestmark = pytest.mark.django_db


def lines_of(order_id):
    return (
        OrderLine.objects.filter(order_id=order_id)
        .order_by("position", "id")
        .values("id", "quantity", "unit_price", "discount_percent", "product__sku", "order__date")
    )


@pytest.fixture
def two_orders(boss, customer, product, service_product):
    first = create_order(
        customer,
        [{"product": product, "quantity": "2.5", "unit_price": "10.1234", "discount_percent": "7.5"}],
        by=boss,
    )
    second = create_order(
        customer,
        [{"product": service_product, "quantity": "1"}, {"product": product, "quantity": "3"}],
        by=boss,
    )
    return first, second


def test_rows_are_those_of_the_orm_for_each_id_with_decimals_and_dates_converted(two_orders):
    compiled = Compiled(lines_of)
    for order in (*two_orders, *two_orders):
        assert compiled.rows(order.pk) == list(lines_of(order.pk))
    assert compiled.rows(999_999) == []


def test_a_marker_used_twice_annotations_and_a_union_are_substituted_everywhere(two_orders):
    first, second = two_orders

    def either(a, b):
        mine = OrderLine.objects.filter(order_id=a).order_by().values("id", "order_id")
        theirs = OrderLine.objects.filter(Q(order_id=b) | Q(order_id=a)).order_by().values("id", "order_id")
        return mine.union(theirs)

    def totals(order_id):
        return (
            OrderLine.objects.filter(order_id=order_id)
            .values("order_id")
            .annotate(n=Sum("quantity"))
            .order_by()
        )

    union = Compiled(either)
    assert sorted(union.rows(first.pk, second.pk), key=lambda r: r["id"]) == sorted(
        either(first.pk, second.pk), key=lambda r: r["id"]
    )
    assert Compiled(totals).rows(second.pk) == list(totals(second.pk))


def test_a_builder_that_does_not_use_its_id_as_a_parameter_is_refused():
    with pytest.raises(ValueError, match="not a parameter"):
        Compiled(lambda order_id: OrderLine.objects.values("id")).rows(1)


def test_objects_are_the_orm_instances_with_their_select_related_and_lock(two_orders):
    from django.db import transaction

    from comptoir.sales.models import Order

    def order_locked(order_id):
        return Order.objects.select_for_update(of=("self",)).select_related("customer").filter(pk=order_id)

    compiled = Compiled(order_locked)
    lines = Compiled(lambda order_id: OrderLine.objects.filter(order_id=order_id).order_by("position", "id"))
    for order in (*two_orders, *two_orders):
        with transaction.atomic():
            found = compiled.one(order.pk)
            expected = order_locked(order.pk).get()
        assert (found.pk, found.number, found.total, found.date) == (
            expected.pk,
            expected.number,
            expected.total,
            expected.date,
        )
        # The related row came with the query: reading it costs no second query.
        assert "customer" in found._state.fields_cache
        assert found.customer.name == expected.customer.name
        assert not found._state.adding
        got = lines.objects(order.pk)
        assert [(ln.pk, ln.quantity, ln.unit_price, ln.net_amount) for ln in got] == [
            (ln.pk, ln.quantity, ln.unit_price, ln.net_amount)
            for ln in order.lines.order_by("position", "id")
        ]
    assert compiled.one(999_999) is None
    with pytest.raises(TypeError, match="values"):
        Compiled(lines_of).objects(two_orders[0].pk)

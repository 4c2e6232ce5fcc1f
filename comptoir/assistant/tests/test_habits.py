"""Learned from the company's own history (#17): a price or a quantity far from this customer's habit for
this product, explained by the orders it compares with. Found missing by the rebuilt bench."""

import datetime

import pytest

from comptoir.assistant.findings import Severity
from comptoir.assistant.tests.factories import codes, order_findings, sold, stock, the
from comptoir.core import dates

pytestmark = pytest.mark.django_db

HABITS = {"price_unusual_for_customer", "quantity_unusual_for_customer"}


def _habit(boss, customer, product, times=4, quantity="10", price="120.00"):
    """`times` weekly orders of `quantity` drills at `price`, the last a week ago."""
    orders = []
    for week in range(times, 0, -1):
        day = dates.today() - datetime.timedelta(days=7 * week)
        orders.append(
            sold(boss, customer, {"product": product, "quantity": quantity, "unit_price": price}, date=day)
        )
    return orders


def test_a_price_far_below_the_customers_habit_is_reported_with_the_orders_it_compares_with(
    boss, company, customer, product
):
    stock(boss, product)
    past = _habit(boss, customer, product)
    order = sold(boss, customer, {"product": product, "quantity": "10", "unit_price": "84.00"})

    finding = the(order_findings(order), "price_unusual_for_customer")

    assert finding.severity == Severity.WARNING
    assert finding.message == (
        f"La commande {order.number} vend REF-88 à 84,00\u00a0€ HT l'unité ; Menuiserie Martin SARL l'a payé "
        f"120,00\u00a0€ en médiane sur ses 4 dernières commandes ({past[3].number}, {past[2].number}, "
        f"{past[1].number}, {past[0].number}) : vérifiez le prix ou la remise."
    )
    assert [item.document for item in finding.evidence][1:] == [o.number for o in reversed(past)]


def test_a_quantity_ten_times_the_usual_is_reported(boss, company, customer, product):
    stock(boss, product, quantity="500")
    _habit(boss, customer, product)
    order = sold(boss, customer, (product, "100"))

    finding = the(order_findings(order), "quantity_unusual_for_customer")

    assert "porte 100 unités de REF-88" in finding.message
    assert "en commande d'habitude 10 unités (" in finding.message
    assert "price_unusual_for_customer" not in codes(order_findings(order))


def test_the_usual_order_is_not_reported(boss, company, customer, product):
    stock(boss, product)
    _habit(boss, customer, product)
    order = sold(boss, customer, {"product": product, "quantity": "12", "unit_price": "118.00"})

    assert not HABITS & set(codes(order_findings(order)))


def test_a_thin_history_says_nothing(boss, company, customer, product):
    stock(boss, product)
    _habit(boss, customer, product, times=2)
    order = sold(boss, customer, {"product": product, "quantity": "100", "unit_price": "84.00"})

    assert not HABITS & set(codes(order_findings(order)))

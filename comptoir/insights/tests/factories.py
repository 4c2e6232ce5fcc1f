"""Two sales to read margins from, built with the real services."""

from comptoir.core.testing import make_customer
from comptoir.returns.tests.factories import make_sale


def two_sales(boss, customer, product):
    """Ten drills sold to `customer` at 120 € (cost 70 €: 500 € of margin), and two to another customer at
    50 € (a 40 € loss). Returns the other customer."""
    make_sale(boss, customer, product)
    other = make_customer(boss, name="Bois & Fils", siren="732829320")
    make_sale(boss, other, product, quantity="2", stock=None, price="50")
    return other


def order_history(boss, customer, product, days_ago, *, quantity="1"):
    """Confirmed orders of `customer`, one per number of days ago (created today through the services, then
    dated back: the order rhythm is what is read, not the business-date rules)."""
    import datetime

    from comptoir.core import dates
    from comptoir.sales.models import Order
    from comptoir.sales.services import confirm_order, create_order

    today = dates.today()
    orders = []
    for days in days_ago:
        order = confirm_order(
            create_order(customer, [{"product": product, "quantity": quantity}], by=boss), by=boss
        )
        Order.objects.filter(pk=order.pk).update(date=today - datetime.timedelta(days=days))
        orders.append(order)
    return orders

"""The reads behind the rankings and the customers to watch, reconciled to the documents they sum."""

import datetime
from decimal import Decimal

import pytest

from comptoir.aftersales import services as aftersales
from comptoir.core import dates
from comptoir.core.testing import make_customer
from comptoir.insights import real_margin, real_margins, watch
from comptoir.insights import selectors as margin_view
from comptoir.insights.tests.factories import order_history, two_sales
from comptoir.payments.services import register_payment
from comptoir.returns.tests.factories import make_sale
from comptoir.sales.services import create_order

pytestmark = pytest.mark.django_db

D = Decimal


def test_every_customers_real_margin_read_at_once_equals_their_own_waterfall(
    boss, company, customer, product
):
    other = two_sales(boss, customer, product)
    ticket = aftersales.open_ticket(
        other, by=boss, title="Réglage sur site", kind="intervention", parts_cost="30", travel_cost="45"
    )
    aftersales.assign_profile(
        boss, aftersales.create_profile(by=boss, name="Direction", hourly_cost="90"), by=boss
    )
    aftersales.record_time(by=boss, customer=other, minutes=60, activity="aftersales", ticket=ticket)
    aftersales.record_time(by=boss, customer=customer, minutes=30, activity="project")
    aftersales.record_adjustment(customer, by=boss, amount="25", reason="Pénalité")

    rows = {row.customer_id: row for row in real_margins.customer_margins()}
    for who in (customer, other):
        alone = real_margin.customer_waterfall(who)
        assert (rows[who.pk].net_revenue, rows[who.pk].real_margin) == (alone.net_revenue, alone.real_margin)
        assert rows[who.pk].result.sales_view == alone.sales_view
    # What serving them took: time valued, the ticket's parts and travel
    assert rows[other.pk].resources == D("90.00") + D("75.00")
    assert rows[customer.pk].resources == D("45.00")

    found = watch.rankings()
    assert [r.customer_id for r in found.most_profitable] == [customer.pk, other.pk]
    assert [r.customer_id for r in found.most_consuming] == [other.pk, customer.pk]


def test_the_rankings_read_as_many_queries_whatever_the_number_of_customers(boss, company, customer, product):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    two_sales(boss, customer, product)
    with CaptureQueriesContext(connection) as two:
        watch.rankings()
    third = make_customer(boss, name="Atelier Roux", siren="552100554")
    make_sale(boss, third, product, quantity="1")
    with CaptureQueriesContext(connection) as three:
        assert len(watch.rankings().most_profitable) == 3
    assert len(three) == len(two)


def test_a_customers_history_counts_their_confirmed_orders_in_two_windows(boss, company, customer, product):
    orders = order_history(boss, customer, product, range(400, 99, -20))  # 16 orders, every 20 days
    create_order(customer, [{"product": product, "quantity": "1"}], by=boss)  # a draft: not an order yet
    sale = make_sale(boss, customer, product)
    register_payment(
        customer,
        by=boss,
        amount=sale.invoice.total,
        method="transfer",
        allocations=[{"invoice": sale.invoice, "amount": sale.invoice.total}],
    )
    today = dates.today()
    [history] = watch.histories(today, customer_id=customer.pk)

    assert history.orders == 17  # the sixteen dated back and the sale of today
    assert history.first_order == today - datetime.timedelta(days=400)
    assert history.last_order == today
    assert (history.recent.orders, history.earlier.orders) == (5, 12)  # 100 to 160 days ago, and today
    assert history.earlier.ordered == sum(o.total_untaxed for o in orders[:12])
    assert history.recent.ordered == sum(o.total_untaxed for o in orders[12:]) + sale.order.total_untaxed
    # The sales margin of the recent window is the margins page's for the customer
    totals = margin_view.totals(invoice__customer_id=customer.pk)
    assert (history.recent.revenue, history.recent.cost) == (totals.revenue, totals.cost)
    assert history.earlier.revenue == 0
    # One payment, received before its due date: not late
    assert (history.recent.payments, history.recent.days_late) == (1, 0)


def test_a_customer_whose_orders_stopped_is_flagged_and_a_new_one_is_not_scored(
    boss, company, customer, product
):
    order_history(boss, customer, product, range(400, 99, -20))
    newcomer = make_customer(boss, name="Bois & Fils", siren="732829320")
    make_sale(boss, newcomer, product)
    found = watch.customers_at_risk()
    assert (found.scored, found.unscored) == (1, 1)
    [assessment] = found.at_risk
    assert assessment.customer_id == customer.pk
    assert [r.signal for r in assessment.reasons] == ["rhythm"]


def test_one_customers_assessment_reads_only_them(
    boss, company, customer, product, django_assert_max_num_queries
):
    order_history(boss, customer, product, range(400, 99, -20))
    with django_assert_max_num_queries(6):
        assessment = watch.customer_assessment(customer)
    assert assessment.at_risk
    assert assessment.reasons[0].text.startswith(
        "Commande tous les 20 jours en moyenne, aucune depuis 100 jours"
    )

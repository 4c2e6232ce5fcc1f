"""The accounting cards of the home page: overdue invoices (how many, what they leave to pay, the oldest
first) and the customers' open balance, equal to the 411 balance."""

import datetime
from decimal import Decimal

import pytest
from django.db.models import Sum
from django.test import Client
from django.utils import timezone

from comptoir.accounting.models import EntryLine
from comptoir.billing.services import create_invoice_from_order, issue_invoice
from comptoir.parties.services import configure_company
from comptoir.payments.services import register_payment
from comptoir.sales.services import confirm_order, create_order

pytestmark = pytest.mark.django_db


def _invoice(boss, customer, product, quantity, date):
    order = confirm_order(
        create_order(customer, [{"product": product, "quantity": quantity}], by=boss, date=date), by=boss
    )
    return issue_invoice(create_invoice_from_order(order, by=boss), by=boss, date=date)


def test_the_home_page_shows_what_is_overdue_and_the_customers_balance(
    admin_user, boss, company, customer, service_product
):
    configure_company(by=admin_user, backdating_days=366)  # invoices of months past
    today = timezone.localdate()
    long_ago = today - datetime.timedelta(days=90)
    partly = _invoice(boss, customer, service_product, "2", long_ago - datetime.timedelta(days=1))  # 1080.00
    unpaid = _invoice(boss, customer, service_product, "1", long_ago)  # 540.00
    paid = _invoice(boss, customer, service_product, "3", long_ago)  # 1620.00
    _invoice(boss, customer, service_product, "4", today)  # 2160.00, not due yet
    register_payment(
        customer,
        amount="1720.00",  # 1620 + 80 allocated, 20 left on the customer's account
        method="transfer",
        allocations=[{"invoice": paid, "amount": "1620.00"}, {"invoice": partly, "amount": "80.00"}],
        by=boss,
    )
    client = Client()
    client.force_login(boss)
    context = client.get("/").context

    assert context["overdue"]["count"] == 2
    assert context["overdue_total"] == Decimal("540.00") + Decimal("1000.00")
    assert [(inv.pk, inv.balance_due) for inv in context["overdue"]["rows"]] == [
        (partly.pk, Decimal("1000.00")),
        (unpaid.pk, Decimal("540.00")),
    ]
    lines = EntryLine.objects.filter(account__code="411").aggregate(d=Sum("debit"), c=Sum("credit"))
    assert context["receivables"] == lines["d"] - lines["c"] == Decimal("540.00") + 1000 + 2160 - 20

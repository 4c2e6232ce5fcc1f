"""Open and overdue invoices: filtered in the database, each one checked in exact decimals."""

import datetime

import pytest

from comptoir.billing.models import Invoice
from comptoir.payments import selectors
from comptoir.payments.services import register_payment
from comptoir.payments.tests.test_payments import _issued_invoice

pytestmark = pytest.mark.django_db


def test_open_and_overdue_invoices_leave_out_the_settled_ones(boss, customer, service_product):
    paid = _issued_invoice(boss, customer, service_product)  # 540.00
    partial = _issued_invoice(boss, customer, service_product, "2")  # 1080.00
    untouched = _issued_invoice(boss, customer, service_product, "3")
    register_payment(
        customer,
        amount="740.00",
        method="transfer",
        allocations=[{"invoice": paid, "amount": "540.00"}, {"invoice": partial, "amount": "200.00"}],
        by=boss,
    )
    assert [i.pk for i in selectors.open_invoices(customer)] == [partial.pk, untouched.pk]
    assert [i.pk for i in selectors.open_invoices()] == [partial.pk, untouched.pk]
    due = Invoice.objects.get(pk=partial.pk).due_date
    assert selectors.overdue_invoices(today=due) == []
    late = selectors.overdue_invoices(today=due + datetime.timedelta(days=1))
    assert [i.pk for i in late] == [partial.pk, untouched.pk]
    assert late[0].total - late[0].amount_paid == partial.total - 200

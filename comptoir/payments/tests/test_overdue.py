"""Overdue invoices are looked for among those whose receivable is still open (not lettered), then checked
in exact decimals: a settled invoice left unlettered is not overdue, a partly paid one is."""

import datetime
from decimal import Decimal

import pytest

from comptoir.billing.models import Invoice
from comptoir.billing.services import create_credit_note, issue_invoice
from comptoir.payments import selectors
from comptoir.payments.services import apply_credit_note, register_payment
from comptoir.payments.tests.test_payments import _issued_invoice

pytestmark = pytest.mark.django_db


def _pay(boss, customer, invoice, amount):
    register_payment(
        customer,
        amount=amount,
        method="transfer",
        allocations=[{"invoice": invoice, "amount": amount}],
        by=boss,
    )


def test_the_overdue_summary_counts_and_sums_what_is_left_to_pay(boss, customer, service_product):
    paid = _issued_invoice(boss, customer, service_product)  # 540.00
    partly = _issued_invoice(boss, customer, service_product, "2")  # 1080.00
    untouched = _issued_invoice(boss, customer, service_product, "3")  # 1620.00
    _pay(boss, customer, paid, "540.00")
    _pay(boss, customer, partly, "80.00")
    due = Invoice.objects.get(pk=partly.pk).due_date

    assert selectors.overdue_summary(today=due) == selectors.OverdueSummary(0, Decimal("0"), [])
    late = selectors.overdue_summary(today=due + datetime.timedelta(days=1), first=1)
    assert (late.count, late.balance_due) == (2, Decimal("1000.00") + Decimal("1620.00"))
    assert [(inv.pk, inv.balance_due) for inv in late.first] == [(partly.pk, Decimal("1000.00"))]
    everything = selectors.overdue_invoices(today=due + datetime.timedelta(days=1))
    assert [inv.pk for inv in everything] == [partly.pk, untouched.pk]


def test_an_invoice_settled_but_left_unlettered_is_not_overdue(boss, customer, service_product):
    """A credit note spread over two invoices cannot be lettered with either: both stay open in the ledger
    once paid, yet nothing is left to pay on them."""
    first = _issued_invoice(boss, customer, service_product, "2")  # 1080.00
    second = _issued_invoice(boss, customer, service_product)  # 540.00
    note = issue_invoice(
        create_credit_note(
            first,
            [{"invoice_line": first.lines.get(), "quantity": "1"}],
            by=boss,
            reason="r",
            gesture_category="prestation annulée",
        ),
        by=boss,
    )  # 540.00
    apply_credit_note(note, first, amount="270.00", by=boss)
    apply_credit_note(note, second, amount="270.00", by=boss)
    _pay(boss, customer, first, "810.00")
    _pay(boss, customer, second, "270.00")
    later = Invoice.objects.get(pk=first.pk).due_date + datetime.timedelta(days=30)

    unlettered = selectors.possibly_unsettled(Invoice.objects.filter(pk__in=[first.pk, second.pk]))
    assert set(unlettered.values_list("pk", flat=True)) == {first.pk, second.pk}
    assert selectors.overdue_invoices(today=later) == []
    assert selectors.open_invoices(customer) == []
    assert selectors.overdue_summary(today=later).count == 0

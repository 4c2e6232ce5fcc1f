"""Open items: the lines of reconcilable accounts not lettered yet, kept beside the ledger as it is posted
and lettered, so that what is open on 411 is read without going through every line ever posted."""

import importlib
from decimal import Decimal

import pytest
from django.apps import apps
from django.db import connection
from django.db.models import Sum

from comptoir.accounting.models import EntryLine, OpenItem, ReconciledLine
from comptoir.payments.services import register_payment
from comptoir.payments.tests.test_payments import _issued_invoice

pytestmark = pytest.mark.django_db

fill_open_items = importlib.import_module(
    "comptoir.accounting.migrations.0005_open_items_and_amount_index"
).fill_open_items


class _StatementsOnly:
    """What the migration asks of its schema editor (SQLite refuses one inside a test's transaction)."""

    def execute(self, sql, params=()):
        with connection.cursor() as cursor:
            cursor.execute(sql, params)


def _open_lines() -> set[int]:
    return set(OpenItem.objects.values_list("line_id", flat=True))


def _unlettered_lines_of_reconcilable_accounts() -> set[int]:
    return set(
        EntryLine.objects.filter(account__reconcilable=True)
        .exclude(pk__in=ReconciledLine.objects.values("line_id"))
        .values_list("pk", flat=True)
    )


def test_a_customer_line_stays_open_until_it_is_lettered(boss, customer, service_product):
    invoice = _issued_invoice(boss, customer, service_product, "2")  # 1080.00
    receivable = invoice.entry.lines.get(account__code="411")
    assert _open_lines() == {receivable.pk}, "only the 411 line is open: revenue and VAT are not lettered"

    first = register_payment(
        customer,
        amount="400.00",
        method="transfer",
        allocations=[{"invoice": invoice, "amount": "400.00"}],
        by=boss,
    )
    part = first.entry.lines.get(account__code="411")
    assert _open_lines() == {receivable.pk, part.pk}, "a partial payment letters nothing"

    register_payment(
        customer,
        amount="680.00",
        method="transfer",
        allocations=[{"invoice": invoice, "amount": "680.00"}],
        by=boss,
    )
    assert _open_lines() == set(), "the settled invoice is lettered with both payments"
    assert _open_lines() == _unlettered_lines_of_reconcilable_accounts()


def test_the_open_items_of_411_add_up_to_its_balance(boss, customer, service_product):
    paid = _issued_invoice(boss, customer, service_product)  # 540.00
    partly = _issued_invoice(boss, customer, service_product, "2")  # 1080.00
    _issued_invoice(boss, customer, service_product, "3")  # 1620.00, unpaid
    register_payment(
        customer,
        amount="1000.00",  # 540 + 300 allocated, 160 left on the customer's account
        method="transfer",
        allocations=[{"invoice": paid, "amount": "540.00"}, {"invoice": partly, "amount": "300.00"}],
        by=boss,
    )
    lines = EntryLine.objects.filter(account__code="411")
    balance = lines.aggregate(d=Sum("debit"))["d"] - lines.aggregate(c=Sum("credit"))["c"]
    still_open = lines.filter(pk__in=OpenItem.objects.values("line_id"))
    open_sum = still_open.aggregate(d=Sum("debit"))["d"] - still_open.aggregate(c=Sum("credit"))["c"]
    assert (
        balance == open_sum == Decimal("1080.00") + Decimal("1620.00") - Decimal("300.00") - Decimal("160.00")
    )
    assert _open_lines() == _unlettered_lines_of_reconcilable_accounts()


def test_the_migration_opens_every_unlettered_line_of_a_reconcilable_account(boss, customer, service_product):
    """An existing ledger gets its open items from the lines and the lettering as they stand."""
    paid = _issued_invoice(boss, customer, service_product)
    _issued_invoice(boss, customer, service_product, "2")
    register_payment(
        customer,
        amount="540.00",
        method="cheque",
        allocations=[{"invoice": paid, "amount": "540.00"}],
        by=boss,
    )
    kept = _open_lines()
    OpenItem.objects.all().delete()
    fill_open_items(apps, _StatementsOnly())
    assert _open_lines() == kept == _unlettered_lines_of_reconcilable_accounts()
    assert len(kept) == 1

"""Aged receivables (balance âgée): each invoice's balance in the bucket of its days past due, credits
not yet applied deducted, and every customer's total equal to their 411 balance."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from comptoir.accounting import selectors as ledger_view
from comptoir.billing.services import create_credit_note, create_invoice_from_order, issue_invoice
from comptoir.core.testing import make_customer
from comptoir.parties.services import configure_company
from comptoir.payments.selectors import BUCKETS, aged_receivables
from comptoir.payments.services import apply_credit_note, refund_credit_note, register_payment
from comptoir.sales.services import confirm_order, create_order

pytestmark = pytest.mark.django_db
DAY = datetime.timedelta(days=1)


def invoice_of(boss, customer, service, quantity="1", date=None):
    """An issued invoice of `quantity` × 450 € HT (540 € TTC each), due 30 days after its date (ordered
    that day)."""
    order = confirm_order(
        create_order(customer, [{"product": service, "quantity": quantity}], by=boss, date=date), by=boss
    )
    return issue_invoice(create_invoice_from_order(order, by=boss), by=boss, date=date)


def figures(row) -> dict[str, Decimal]:
    return {name: getattr(row, name) for name in (*BUCKETS, "unapplied")}


def only(row, **amounts) -> bool:
    """True when the row holds exactly these amounts and zero elsewhere."""
    return figures(row) == {name: Decimal(amounts.get(name, "0")) for name in (*BUCKETS, "unapplied")}


@pytest.mark.parametrize(
    "days_late, bucket",
    [
        (-1, "not_due"),
        (0, "not_due"),  # due today: not late yet
        (1, "days_1_30"),
        (30, "days_1_30"),
        (31, "days_31_60"),
        (60, "days_31_60"),
        (61, "days_61_90"),
        (90, "days_61_90"),
        (91, "over_90"),
        (400, "over_90"),
    ],
)
def test_an_invoice_lands_in_the_bucket_of_its_days_past_due(
    boss, company, customer, service_product, days_late, bucket
):
    invoice = invoice_of(boss, customer, service_product)
    balance = aged_receivables(today=invoice.due_date + days_late * DAY)
    [row] = balance.rows
    assert (row.customer_id, row.customer_name) == (customer.pk, customer.name)
    assert only(row, **{bucket: "540.00"})
    assert balance.totals.total == Decimal("540.00")


def test_invoices_of_different_ages_add_up_per_customer_and_bucket(
    admin_user, boss, company, customer, service_product
):
    configure_company(by=admin_user, backdating_days=366)  # the invoices of months past
    today = timezone.localdate()
    other = make_customer(boss, name="Atelier Bernard", siren="443061841")
    # Issued in date order (numbers follow dates); each is due 30 days after its date.
    invoice_of(boss, customer, service_product, date=today - 150 * DAY)  # 120 days late
    invoice_of(boss, other, service_product, date=today - 100 * DAY)  # 70 days late
    invoice_of(boss, customer, service_product, "2", date=today - 45 * DAY)  # 15 days late
    invoice_of(boss, customer, service_product, date=today - 40 * DAY)  # 10 days late
    invoice_of(boss, other, service_product, date=today)  # not due
    balance = aged_receivables(today=today)
    rows = {row.customer_id: row for row in balance.rows}
    assert [row.customer_name for row in balance.rows] == ["Atelier Bernard", customer.name]
    assert only(rows[customer.pk], days_1_30="1620.00", over_90="540.00")
    assert only(rows[other.pk], not_due="540.00", days_61_90="540.00")
    assert only(balance.totals, not_due="540", days_1_30="1620", days_61_90="540", over_90="540")
    assert balance.totals.overdue == Decimal("2700.00")


def test_a_partly_paid_invoice_counts_its_balance_only(boss, company, customer, service_product):
    invoice = invoice_of(boss, customer, service_product)
    register_payment(
        customer,
        amount="200",
        method="transfer",
        allocations=[{"invoice": invoice, "amount": "200"}],
        by=boss,
    )
    [row] = aged_receivables(today=invoice.due_date + 45 * DAY).rows
    assert only(row, days_31_60="340.00")


def test_a_paid_invoice_leaves_the_balance(boss, company, customer, service_product):
    invoice = invoice_of(boss, customer, service_product)
    register_payment(
        customer, amount="540", method="cheque", allocations=[{"invoice": invoice, "amount": "540"}], by=boss
    )
    assert aged_receivables(today=invoice.due_date + 45 * DAY).rows == []


def test_credit_notes_reduce_what_the_customer_owes_until_applied_or_refunded(
    boss, company, customer, service_product
):
    invoice = invoice_of(boss, customer, service_product)
    line = invoice.lines.get()
    note = issue_invoice(
        create_credit_note(
            invoice,
            [{"invoice_line": line, "quantity": "1", "unit_price": "100"}],
            by=boss,
            reason="Remise pour retard d'intervention",
            gesture_category="retard",
        ),
        by=boss,
    )  # 100 € HT + 20 € VAT
    today = invoice.due_date + 5 * DAY
    [row] = aged_receivables(today=today).rows
    assert only(row, days_1_30="540.00", unapplied="-120.00")
    assert row.total == Decimal("420.00") == ledger_view.customer_balances()[customer.pk]

    apply_credit_note(note, invoice, by=boss, amount="50")
    [row] = aged_receivables(today=today).rows
    assert only(row, days_1_30="490.00", unapplied="-70.00")

    refund_credit_note(note, by=boss, method="transfer")
    [row] = aged_receivables(today=today).rows
    assert only(row, days_1_30="490.00")
    assert row.total == ledger_view.customer_balances()[customer.pk]


def test_money_received_beyond_the_invoices_settled_is_a_credit(boss, company, customer, service_product):
    invoice = invoice_of(boss, customer, service_product)
    register_payment(
        customer,
        amount="600",
        method="transfer",
        allocations=[{"invoice": invoice, "amount": "540"}],
        by=boss,
    )
    register_payment(customer, amount="25", method="cash", allocations=[], by=boss)
    [row] = aged_receivables().rows
    assert only(row, unapplied="-85.00")
    assert row.total == ledger_view.customer_balances()[customer.pk] == Decimal("-85.00")


def test_the_totals_equal_the_411_balance_of_every_customer(
    admin_user, boss, company, customer, service_product
):
    configure_company(by=admin_user, backdating_days=366)  # the invoices of months past
    today = timezone.localdate()
    other = make_customer(boss, name="Atelier Bernard", siren="443061841")
    old = invoice_of(boss, customer, service_product, "3", date=today - 200 * DAY)
    mid = invoice_of(boss, other, service_product, date=today - 70 * DAY)
    new = invoice_of(boss, customer, service_product, date=today)
    register_payment(
        customer, amount="1000", method="transfer", allocations=[{"invoice": old, "amount": "700"}], by=boss
    )
    register_payment(
        other, amount="40.50", method="cheque", allocations=[{"invoice": mid, "amount": "40.5"}], by=boss
    )
    issue_invoice(
        create_credit_note(
            new,
            [{"invoice_line": new.lines.get(), "quantity": "1", "unit_price": "12.34"}],
            by=boss,
            reason="Geste commercial",
            gesture_category="geste",
        ),
        by=boss,
    )
    balance = aged_receivables(today=today)
    ledger = ledger_view.customer_balances()
    assert {row.customer_id: row.total for row in balance.rows} == ledger
    assert (
        balance.totals.total == sum(ledger.values()) == ledger_view.trial_balance().by_code()["411"].balance
    )


def test_the_search_keeps_the_customers_it_names(boss, company, customer, service_product):
    other = make_customer(boss, name="Atelier Bernard", siren="443061841")
    invoice_of(boss, customer, service_product)
    invoice_of(boss, other, service_product)
    assert [row.customer_id for row in aged_receivables(search="bernard").rows] == [other.pk]
    assert [row.customer_id for row in aged_receivables(search=customer.code).rows] == [customer.pk]


def test_the_balance_takes_a_fixed_number_of_queries(
    boss, company, customer, service_product, django_assert_num_queries
):
    for _ in range(5):
        invoice_of(boss, make_customer(boss, siren="443061841"), service_product)
    with django_assert_num_queries(5):
        assert len(aged_receivables().rows) == 5

from decimal import Decimal

import pytest

from comptoir.accounting import selectors as ledger_view
from comptoir.accounting.models import JournalEntry
from comptoir.billing.services import cancel_draft_invoice, create_invoice_from_order, issue_invoice
from comptoir.core.errors import DomainError
from comptoir.core.testing import make_customer
from comptoir.payments import selectors
from comptoir.payments.models import Payment
from comptoir.payments.services import register_payment
from comptoir.sales.services import confirm_order, create_order

pytestmark = pytest.mark.django_db


def _issued_invoice(boss, customer, product, qty="1"):
    order = confirm_order(create_order(customer, [{"product": product, "quantity": qty}], by=boss), by=boss)
    return issue_invoice(create_invoice_from_order(order, by=boss), by=boss)


@pytest.fixture
def two_invoices(boss, customer, service_product):
    return _issued_invoice(boss, customer, service_product), _issued_invoice(
        boss, customer, service_product, "2"
    )


def test_one_payment_settles_several_invoices_and_letters_them(boss, customer, two_invoices):
    first, second = two_invoices  # 540.00 and 1080.00
    payment = register_payment(
        customer,
        amount="1620.00",
        method="transfer",
        reference="VIR 123",
        allocations=[{"invoice": first, "amount": "540.00"}, {"invoice": second, "amount": "1080.00"}],
        by=boss,
    )
    assert [selectors.invoice_payment_state(i).status for i in two_invoices] == ["paid", "paid"]
    lines = {
        (line.account.code, line.debit, line.credit) for line in payment.entry.lines.select_related("account")
    }
    assert ("512", Decimal("1620.00"), Decimal("0")) in lines
    statement = ledger_view.customer_statement(customer)
    assert statement.balance == Decimal("0")
    letters = {line.letter for line in statement.lines}
    assert len(letters) == 2 and "" not in letters  # one letter per settled invoice


def test_a_partial_payment_leaves_the_invoice_partly_paid_and_unlettered(boss, customer, two_invoices):
    first, _ = two_invoices
    register_payment(
        customer, amount="200", method="cheque", allocations=[{"invoice": first, "amount": "200"}], by=boss
    )
    state = selectors.invoice_payment_state(first)
    assert (state.status, state.balance_due) == ("partial", Decimal("340.00"))
    assert not any(line.letter for line in ledger_view.customer_statement(customer).lines)


def test_an_unallocated_remainder_stays_as_customer_credit(boss, customer, two_invoices):
    first, _ = two_invoices
    register_payment(
        customer, amount="600", method="transfer", allocations=[{"invoice": first, "amount": "540"}], by=boss
    )
    assert ledger_view.customer_balances()[customer.pk] == Decimal("1080.00") - Decimal("60.00")


def test_cash_goes_to_the_cash_account(boss, customer, two_invoices):
    payment = register_payment(
        customer,
        amount="540",
        method="cash",
        allocations=[{"invoice": two_invoices[0], "amount": "540"}],
        by=boss,
    )
    assert payment.entry.lines.filter(account__code="530", debit=Decimal("540")).exists()


@pytest.mark.parametrize(
    ("amount", "allocated", "code"),
    [
        ("100", "150", "payment_over_allocated"),
        ("2000", "600", "allocation_exceeds_balance"),
        ("0", None, "payment_amount_not_positive"),
        ("-5", None, "payment_amount_not_positive"),
        ("12,5abc", None, "invalid_amount"),
        ("100", "0", "allocation_not_positive"),
    ],
)
def test_bad_payments_are_refused_and_nothing_is_posted(
    boss, customer, two_invoices, amount, allocated, code
):
    allocations = [{"invoice": two_invoices[0], "amount": allocated}] if allocated is not None else []
    entries_before = JournalEntry.objects.count()
    with pytest.raises(DomainError) as exc:
        register_payment(customer, amount=amount, method="transfer", allocations=allocations, by=boss)
    assert exc.value.code == code
    assert JournalEntry.objects.count() == entries_before
    assert not Payment.objects.exists()


def test_a_cancelled_invoice_cannot_be_paid(boss, customer, service_product):
    order = confirm_order(
        create_order(customer, [{"product": service_product, "quantity": "1"}], by=boss), by=boss
    )
    draft = cancel_draft_invoice(create_invoice_from_order(order, by=boss), by=boss)
    with pytest.raises(DomainError) as exc:
        register_payment(
            customer,
            amount="540",
            method="transfer",
            allocations=[{"invoice": draft, "amount": "540"}],
            by=boss,
        )
    assert exc.value.code == "invoice_not_payable"


def test_another_customers_invoice_cannot_be_paid(boss, customer, two_invoices):
    stranger = make_customer(boss)
    with pytest.raises(DomainError) as exc:
        register_payment(
            stranger,
            amount="540",
            method="transfer",
            allocations=[{"invoice": two_invoices[0], "amount": "540"}],
            by=boss,
        )
    assert exc.value.code == "invoice_other_customer"


def test_an_invoice_cannot_be_overpaid_across_payments(boss, customer, two_invoices):
    first, _ = two_invoices
    register_payment(
        customer, amount="500", method="transfer", allocations=[{"invoice": first, "amount": "500"}], by=boss
    )
    with pytest.raises(DomainError) as exc:
        register_payment(
            customer,
            amount="50",
            method="transfer",
            allocations=[{"invoice": first, "amount": "50"}],
            by=boss,
        )
    assert exc.value.code == "allocation_exceeds_balance"

"""Same customer, same amount, same lines within a few days: a probable duplicate."""

import pytest

from comptoir.assistant.actions import BILLING_ERROR_CATEGORY
from comptoir.assistant.findings import Severity
from comptoir.assistant.tests.factories import codes, invoice_findings, issued, ship, sold, stock, the
from comptoir.billing.services import create_credit_note, issue_invoice
from comptoir.sales.services import confirm_order, create_order

pytestmark = pytest.mark.django_db


def test_two_identical_invoices_of_a_customer_in_the_same_week_are_probable_duplicates(
    boss, company, customer, product
):
    stock(boss, product)
    first_order = sold(boss, customer, (product, "3"))
    ship(boss, first_order)
    first = issued(boss, first_order)
    # The same order keyed twice, shipped and invoiced twice.
    second_order = sold(boss, customer, (product, "3"))
    ship(boss, second_order)
    second = issued(boss, second_order)

    finding = the(invoice_findings(second), "duplicate_invoice")

    assert finding.severity == Severity.WARNING
    assert finding.message.startswith(
        f"La facture {second.number} reprend exactement la facture {first.number}"
    )
    assert finding.proposal.kind == "create_credit_note"
    # Reported on the later one only.
    assert "duplicate_invoice" not in codes(invoice_findings(first))


def test_invoices_of_different_amounts_are_not_duplicates(boss, company, customer, product):
    stock(boss, product)
    first_order = sold(boss, customer, (product, "3"))
    ship(boss, first_order)
    issued(boss, first_order)
    second_order = sold(boss, customer, (product, "4"))
    ship(boss, second_order)
    second = issued(boss, second_order)

    assert "duplicate_invoice" not in codes(invoice_findings(second))


def _ordered(boss, customer, product, quantity, po):
    """A confirmed order taken directly with the customer's purchase-order number, shipped in full."""
    order = confirm_order(
        create_order(customer, [{"product": product, "quantity": quantity}], by=boss, customer_reference=po),
        by=boss,
    )
    ship(boss, order)
    return order


def test_regular_reorders_with_their_own_purchase_orders_are_not_duplicates(boss, company, customer, product):
    """Issue #17, defect 3: the same consumables ordered again under another PO number are a re-order."""
    stock(boss, product)
    issued(boss, _ordered(boss, customer, product, "3", "BC-2026-0412"))
    second = issued(boss, _ordered(boss, customer, product, "3", "BC-2026-0419"))

    assert "duplicate_invoice" not in codes(invoice_findings(second))


def test_the_same_purchase_order_invoiced_twice_is_a_probable_duplicate(boss, company, customer, product):
    stock(boss, product)
    first = issued(boss, _ordered(boss, customer, product, "3", "BC-2026-0412"))
    second = issued(boss, _ordered(boss, customer, product, "3", "BC-2026-0412"))

    finding = the(invoice_findings(second), "duplicate_invoice")

    assert first.number in finding.message and "BC-2026-0412" in finding.message


def test_a_duplicate_cancelled_by_a_credit_note_is_no_longer_reported(boss, company, customer, product):
    stock(boss, product)
    issued(boss, _ordered(boss, customer, product, "3", ""))
    second = issued(boss, _ordered(boss, customer, product, "3", ""))
    assert "duplicate_invoice" in codes(invoice_findings(second))

    note = create_credit_note(
        second,
        [{"invoice_line": line, "quantity": line.quantity} for line in second.lines.all()],
        by=boss,
        reason="Doublon de saisie",
        gesture_category=BILLING_ERROR_CATEGORY,
    )
    issue_invoice(note, by=boss)

    assert "duplicate_invoice" not in codes(invoice_findings(second))


def test_an_invoice_like_one_a_credit_note_cancelled_is_not_its_duplicate(boss, company, customer, product):
    stock(boss, product)
    first = issued(boss, _ordered(boss, customer, product, "3", ""))
    note = create_credit_note(
        first,
        [{"invoice_line": line, "quantity": line.quantity} for line in first.lines.all()],
        by=boss,
        reason="Commande annulée puis ressaisie",
        gesture_category=BILLING_ERROR_CATEGORY,
    )
    issue_invoice(note, by=boss)
    second = issued(boss, _ordered(boss, customer, product, "3", ""))

    assert "duplicate_invoice" not in codes(invoice_findings(second))

"""Same customer, same amount, same lines within a few days: a probable duplicate."""

import pytest

from comptoir.assistant.findings import Severity
from comptoir.assistant.tests.factories import codes, invoice_findings, issued, ship, sold, stock, the

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

"""What a payment leaves unallocated should settle some open invoices exactly."""

import pytest

from comptoir.assistant.findings import Severity
from comptoir.assistant.tests.factories import codes, draft, invoice_findings, issued, ship, sold, stock, the
from comptoir.billing.services import issue_invoice
from comptoir.payments.services import register_payment

pytestmark = pytest.mark.django_db


def test_a_payment_matching_no_open_invoice_is_reported(boss, company, customer, product):
    stock(boss, product)
    order = sold(boss, customer, (product, "10"))
    ship(boss, order)
    invoice = issued(boss, order)
    payment = register_payment(customer, amount="1000.00", method="transfer", by=boss)

    finding = the(invoice_findings(invoice), "payment_matches_no_open_item")

    assert finding.severity == Severity.WARNING
    assert finding.message == (
        f"Le règlement {payment.number} laisse 1\u202f000,00\u00a0€ non affectés, qui ne correspondent au solde "
        "d'aucune facture ouverte ni d'aucune combinaison de factures ouvertes du client (ouvertes : "
        f"{invoice.number} 1\u202f440,00\u00a0€)."
    )


def test_a_payment_matching_open_invoices_proposes_the_allocation(boss, company, customer, product):
    stock(boss, product)
    invoices = []
    for quantity in ("1", "2", "4"):
        order = sold(boss, customer, (product, quantity))
        ship(boss, order)
        invoices.append(issued(boss, order))
    # 144 € + 576 € TTC: the first and the third invoice
    payment = register_payment(customer, amount="720.00", method="transfer", by=boss)

    findings = invoice_findings(invoices[0])
    finding = the(findings, "payment_matches_open_items")

    assert finding.severity == Severity.INFO
    assert "payment_matches_no_open_item" not in codes(findings)
    assert finding.proposal.kind == "allocate_payment"
    assert finding.proposal.payload["payment_id"] == payment.pk
    assert {a["invoice_id"] for a in finding.proposal.payload["allocations"]} == {
        invoices[0].pk,
        invoices[2].pk,
    }


def test_a_fully_allocated_payment_is_not_reported(boss, company, customer, product):
    stock(boss, product)
    order = sold(boss, customer, (product, "10"))
    ship(boss, order)
    invoice = issued(boss, order)
    register_payment(
        customer,
        amount="1440.00",
        method="transfer",
        allocations=[{"invoice": invoice, "amount": "1440.00"}],
        by=boss,
    )

    found = codes(invoice_findings(invoice))

    assert "payment_matches_no_open_item" not in found and "payment_matches_open_items" not in found


def test_a_prepayment_of_a_drafts_exact_amount_is_no_anomaly_and_the_draft_is_proposed_for_issue(
    boss, company, customer, product
):
    """Issue #17, defect 4: the customer paid the draft in advance; nothing is wrong, the invoice only
    needs issuing, after which the allocation is proposed."""
    stock(boss, product)
    order = sold(boss, customer, (product, "10"))
    ship(boss, order)
    invoice = draft(boss, order)
    payment = register_payment(customer, amount=str(invoice.total), method="transfer", by=boss)

    findings = invoice_findings(invoice)
    assert "payment_matches_no_open_item" not in codes(findings)
    finding = the(findings, "payment_matches_draft")
    assert finding.severity == Severity.INFO and payment.number in finding.message
    assert (finding.proposal.kind, finding.proposal.payload) == ("issue_invoice", {"invoice_id": invoice.pk})

    issue_invoice(invoice, by=boss)
    allocation = the(invoice_findings(invoice), "payment_matches_open_items").proposal
    assert allocation.payload["allocations"] == [{"invoice_id": invoice.pk, "amount": invoice.total}]

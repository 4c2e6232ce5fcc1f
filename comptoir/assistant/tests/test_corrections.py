"""Approving a correction amends the document through its service: a draft line, a deposit to deduct,
a payment to allocate. Each is what a person would do by hand, with the same rules and audit trail."""

from decimal import Decimal

import pytest

from comptoir.accounting.models import EntryLine, ReconciledLine
from comptoir.accounting.selectors import trial_balance
from comptoir.assistant.models import Proposal
from comptoir.assistant.services import approve_proposal, run_agent
from comptoir.assistant.tests.factories import (
    codes,
    draft,
    edit_draft_line,
    invoice_findings,
    issued,
    ship,
    sold,
    stock,
)
from comptoir.billing.models import DepositDeduction, Invoice
from comptoir.billing.services import create_milestone_invoice, invoiceable_lines, issue_invoice
from comptoir.core.errors import DomainError
from comptoir.core.models import AuditEvent
from comptoir.payments.models import Payment
from comptoir.payments.services import register_payment, unallocated
from comptoir.sales.services import confirm_order, create_order, set_billing_schedule

pytestmark = pytest.mark.django_db


def proposal_of(kind: str) -> Proposal:
    run_agent(by=None)
    (proposal,) = Proposal.objects.filter(kind=kind, status=Proposal.Status.OPEN)
    return proposal


@pytest.fixture
def over_billed(boss, company, customer, product):
    """12 drills ordered, 10 shipped, a draft that bills 12 (edited by hand)."""
    stock(boss, product)
    order = sold(boss, customer, (product, "12"))
    ship(boss, order, (product, "10"))
    invoice = draft(boss, order)
    edit_draft_line(invoice.lines.get(), quantity=Decimal("12"))
    return invoice


def test_approving_the_quantity_correction_brings_the_draft_back_to_what_was_shipped(over_billed, boss):
    proposal = proposal_of("set_invoice_line_quantity")

    approve_proposal(proposal, by=boss)

    invoice = Invoice.objects.get(pk=over_billed.pk)
    assert invoice.lines.get().quantity == Decimal("10")
    # 10 × 120 € excl. VAT, 20 % VAT
    assert (invoice.total_untaxed, invoice.total_vat, invoice.total) == (
        Decimal("1200.00"),
        Decimal("240.00"),
        Decimal("1440.00"),
    )
    assert "invoice_qty_exceeds_delivered" not in codes(invoice_findings(invoice))
    event = AuditEvent.objects.get(action="invoice.line_corrected")
    assert event.data["changes"]["quantity"] == ["12.000", "10.000"]
    assert event.data["reason"] == proposal.rationale


def test_an_edited_quantity_above_what_was_shipped_is_refused_and_nothing_changes(over_billed, boss):
    proposal = proposal_of("set_invoice_line_quantity")

    with pytest.raises(DomainError) as refused:
        approve_proposal(proposal, by=boss, edits={"quantity": "11"})

    assert refused.value.code == "correction_exceeds_invoiceable"
    assert "il ne reste que 10 unité(s)" in refused.value.message
    assert Invoice.objects.get(pk=over_billed.pk).lines.get().quantity == Decimal("12")
    assert Proposal.objects.get(pk=proposal.pk).status == Proposal.Status.OPEN


def test_a_person_may_approve_a_smaller_quantity_than_proposed(over_billed, boss):
    approve_proposal(proposal_of("set_invoice_line_quantity"), by=boss, edits={"quantity": "8"})

    assert Invoice.objects.get(pk=over_billed.pk).lines.get().quantity == Decimal("8")
    assert Decimal(Proposal.objects.get(kind="set_invoice_line_quantity").original_payload["quantity"]) == 10
    # The two shipped units left out are invoiceable, on a later invoice.
    (left,) = invoiceable_lines(over_billed.order)
    assert left["quantity"] == Decimal("2")


@pytest.mark.parametrize(
    ("kind", "hand_edit", "field", "expected"),
    [
        ("set_invoice_line_price", {"unit_price": Decimal("99.0000")}, "unit_price", Decimal("120.0000")),
        ("set_invoice_line_discount", {"discount_percent": Decimal("15")}, "discount_percent", Decimal("0")),
        ("set_invoice_line_vat", {"vat_rate": Decimal("10")}, "vat_rate", Decimal("20")),
    ],
)
def test_approving_a_price_discount_or_vat_correction_restores_what_was_agreed(
    boss, company, customer, product, kind, hand_edit, field, expected
):
    stock(boss, product)
    order = sold(boss, customer, (product, "10"))
    ship(boss, order)
    invoice = draft(boss, order)
    edit_draft_line(invoice.lines.get(), **hand_edit)

    approve_proposal(proposal_of(kind), by=boss)

    invoice = Invoice.objects.get(pk=invoice.pk)
    assert getattr(invoice.lines.get(), field) == expected
    assert invoice.total == Decimal("1440.00")
    assert not invoice_findings(invoice)


def test_a_correction_on_an_invoice_issued_meanwhile_is_refused(over_billed, boss):
    proposal = proposal_of("set_invoice_line_quantity")
    edit_draft_line(Invoice.objects.get(pk=over_billed.pk).lines.get(), quantity=Decimal("10"))
    issue_invoice(over_billed, by=boss)

    with pytest.raises(DomainError) as refused:
        approve_proposal(proposal, by=boss)

    assert refused.value.code == "invoice_not_draft"


def test_approving_the_deposit_deduction_makes_the_closing_draft_deduct_it(boss, company, customer, product):
    stock(boss, product)
    order = create_order(customer, [{"product": product, "quantity": "10"}], by=boss)
    (step,) = set_billing_schedule(
        order, [{"label": "Acompte", "trigger": "confirmation", "percent": "30", "is_deposit": True}], by=boss
    )
    confirm_order(order, by=boss)
    deposit = issue_invoice(create_milestone_invoice(step, by=boss), by=boss)
    ship(boss, order)
    closing = draft(boss, order)
    # A closing draft drawn up without the deposit (imported, or by hand): it deducts nothing.
    DepositDeduction.objects.filter(invoice=closing).delete()
    Invoice.objects.filter(pk=closing.pk).update(deposits_deducted=0)

    approve_proposal(proposal_of("deduct_deposit"), by=boss)

    closing = Invoice.objects.get(pk=closing.pk)
    assert closing.deposits_deducted == deposit.total == Decimal("432.00")
    assert closing.amount_payable == Decimal("1008.00")
    assert DepositDeduction.objects.filter(invoice=closing, deposit=deposit).exists()
    assert "deposit_not_deducted" not in codes(invoice_findings(closing))
    issue_invoice(closing, by=boss)  # and it issues, its entry taking the deposit back from 4191


def test_approving_the_allocation_settles_the_invoices_the_payment_matches(boss, company, customer, product):
    stock(boss, product)
    invoices = []
    for quantity in ("1", "2", "4"):
        order = sold(boss, customer, (product, quantity))
        ship(boss, order)
        invoices.append(issued(boss, order))
    # 144 € + 576 € incl. VAT: the first and the third invoice, paid without saying which.
    payment = register_payment(customer, amount="720.00", method="transfer", by=boss)

    approve_proposal(proposal_of("allocate_payment"), by=boss)

    assert unallocated(Payment.objects.get(pk=payment.pk)) == 0
    paid = {inv.pk for inv in invoices if inv.allocations.exists()}
    assert paid == {invoices[0].pk, invoices[2].pk}
    # The 411 lines of both invoices and the advance are lettered; the second invoice stays open.
    lettered = set(ReconciledLine.objects.values_list("line_id", flat=True))
    advance = EntryLine.objects.get(entry=payment.entry, account__code="411", allocation__isnull=True)
    assert advance.pk in lettered
    open_411 = EntryLine.objects.filter(account__code="411").exclude(pk__in=lettered)
    assert sum(line.debit - line.credit for line in open_411) == invoices[1].total
    balance = trial_balance()
    assert balance.total_debit == balance.total_credit

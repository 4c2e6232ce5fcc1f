"""What a payment leaves unallocated should settle some open invoices exactly."""

from decimal import Decimal

import pytest

from comptoir.assistant.findings import Severity
from comptoir.assistant.models import Proposal
from comptoir.assistant.services import approve_proposal, run_agent
from comptoir.assistant.tests.factories import (
    codes,
    draft,
    invoice_findings,
    issued,
    order_findings,
    ship,
    sold,
    stock,
    the,
)
from comptoir.billing.services import issue_invoice
from comptoir.core.testing import make_customer
from comptoir.payments import selectors as payment_view
from comptoir.payments.services import register_payment, unallocated

pytestmark = pytest.mark.django_db


def _stored(customer, kind):
    """The agent's pass stores the findings' proposals; the one of `kind` for the customer."""
    run_agent(by=None)
    return Proposal.objects.get(customer=customer, kind=kind, status=Proposal.Status.OPEN)


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


# --- #17 « What it must also catch »: payments ------------------------------------------------------------


@pytest.fixture
def one_invoice(boss, company, customer, product):
    """10 drills invoiced: 1,440.00 € TTC open."""
    stock(boss, product)
    order = sold(boss, customer, (product, "10"))
    ship(boss, order)
    return issued(boss, order)


def test_a_payment_short_of_its_invoice_by_a_bank_fee_proposes_the_write_off_which_settles_it(
    boss, customer, one_invoice
):
    payment = register_payment(customer, amount="1439.20", method="transfer", by=boss)

    findings = invoice_findings(one_invoice)
    finding = the(findings, "payment_near_open_item")

    assert "payment_matches_no_open_item" not in codes(findings)
    assert finding.severity == Severity.WARNING
    assert finding.message == (
        f"Le règlement {payment.number} laisse 1\u202f439,20\u00a0€ non affectés, 0,80\u00a0€ de moins que le "
        f"solde de {one_invoice.number} (1\u202f440,00\u00a0€) : frais bancaires ou arrondi probables, sous le seuil "
        "d'écart de règlement (5,00\u00a0€)."
    )
    assert finding.proposal.kind == "write_off_payment_gap"
    assert finding.proposal.payload == {"invoice_id": one_invoice.pk, "payment_id": payment.pk}

    proposal = _stored(customer, "write_off_payment_gap")
    approve_proposal(proposal, by=boss)

    assert payment_view.invoice_payment_state(one_invoice).status == "paid"
    assert not {"payment_near_open_item", "invoice_small_balance"} & set(codes(invoice_findings(one_invoice)))


def test_a_shortfall_beyond_the_write_off_threshold_proposes_the_allocation_and_says_who_can_act(
    boss, company, customer, product
):
    stock(boss, product)
    order = sold(boss, customer, (product, "100"))
    ship(boss, order)
    invoice = issued(boss, order)  # 14 400 € TTC
    payment = register_payment(customer, amount="14328.00", method="transfer", by=boss)  # 72 € short: 0.5 %

    finding = the(invoice_findings(invoice), "payment_near_open_item")

    assert finding.proposal.kind == "allocate_payment"
    assert "au-delà du seuil d'écart de règlement (5,00\u00a0€)" in finding.message
    assert "la comptabilité ou la direction peut relever le seuil" in finding.message
    assert finding.proposal.payload["payment_id"] == payment.pk


def test_a_payment_far_from_any_invoice_is_no_near_miss(boss, customer, one_invoice):
    register_payment(customer, amount="1400.00", method="transfer", by=boss)  # 40 € short: not a fee
    findings = invoice_findings(one_invoice)
    assert "payment_near_open_item" not in codes(findings)
    assert "payment_matches_no_open_item" in codes(findings)


def test_a_transfer_naming_its_invoice_short_by_an_international_fee_is_a_near_miss(
    boss, company, customer, product
):
    """Found by the bench (#17): 2.35 € of charges on a 144 € invoice is beyond max(1 €, 0.5 %), but the
    transfer names the invoice: it is that invoice's payment less the fees, not money matching nothing."""
    stock(boss, product)
    order = sold(boss, customer, (product, "1"))
    ship(boss, order)
    invoice = issued(boss, order)  # 144.00 € TTC
    payment = register_payment(
        customer, amount="141.65", method="transfer", reference=f"Facture {invoice.number}", by=boss
    )

    findings = invoice_findings(invoice)

    assert "payment_matches_no_open_item" not in codes(findings)
    finding = the(findings, "payment_near_open_item")
    assert finding.proposal.payload == {"invoice_id": invoice.pk, "payment_id": payment.pk}


def test_the_same_shortfall_without_the_invoice_named_is_no_near_miss(boss, company, customer, product):
    stock(boss, product)
    order = sold(boss, customer, (product, "1"))
    ship(boss, order)
    invoice = issued(boss, order)
    register_payment(customer, amount="141.65", method="transfer", reference="VIR CLIENT", by=boss)

    assert "payment_near_open_item" not in codes(invoice_findings(invoice))


def test_a_payment_entered_twice_is_reported(boss, customer, one_invoice):
    first = register_payment(
        customer,
        amount="1440.00",
        method="transfer",
        by=boss,
        reference="VIR MARTIN 0412",
        allocations=[{"invoice": one_invoice, "amount": "1440.00"}],
    )
    second = register_payment(
        customer,
        amount="1440.00",
        method="transfer",
        by=boss,
        reference="VIR MARTIN 0412",
    )

    findings = invoice_findings(one_invoice)
    finding = the(findings, "payment_entered_twice")

    assert "payment_matches_no_open_item" not in codes(findings)
    assert finding.severity == Severity.WARNING
    assert finding.message.startswith(
        f"Le règlement {second.number} (1\u202f440,00\u00a0€, référence « VIR MARTIN 0412 ») reprend le montant "
        f"et la référence du règlement {first.number}"
    )
    assert {item.document for item in finding.evidence} == {first.number, second.number}
    assert finding.proposal.kind == "reverse_payment"
    assert finding.proposal.payload == {"payment_id": second.pk}

    approve_proposal(_stored(customer, "reverse_payment"), by=boss)

    assert unallocated(second) == 0
    assert "payment_entered_twice" not in codes(invoice_findings(one_invoice))


def test_two_payments_of_the_same_amount_under_different_references_are_no_duplicate(
    boss, customer, one_invoice
):
    register_payment(
        customer,
        amount="1440.00",
        method="transfer",
        by=boss,
        reference="VIR FA-1",
        allocations=[{"invoice": one_invoice, "amount": "1440.00"}],
    )
    register_payment(customer, amount="1440.00", method="transfer", by=boss, reference="VIR FA-2")
    assert "payment_entered_twice" not in codes(invoice_findings(one_invoice))


def test_a_few_cents_left_on_an_invoice_are_reported(boss, customer, one_invoice):
    register_payment(
        customer,
        amount="1439.50",
        method="transfer",
        by=boss,
        allocations=[{"invoice": one_invoice, "amount": "1439.50"}],
    )

    finding = the(invoice_findings(one_invoice), "invoice_small_balance")

    assert finding.severity == Severity.INFO
    assert finding.message == (
        f"La facture {one_invoice.number} reste due de 0,50\u00a0€ seulement après ses règlements : un reliquat "
        "(frais bancaires, arrondi) à passer en perte ou à réclamer."
    )
    assert finding.proposal.kind == "write_off_payment_gap"
    assert finding.proposal.payload == {"invoice_id": one_invoice.pk}

    approve_proposal(_stored(customer, "write_off_payment_gap"), by=boss)

    assert payment_view.invoice_payment_state(one_invoice).status == "paid"
    assert "invoice_small_balance" not in codes(invoice_findings(one_invoice))


def test_a_transfer_naming_another_customers_invoice_proposes_to_move_it_there(
    boss, company, customer, product, one_invoice
):
    other = make_customer(boss, name="Charpentes Durand SAS", siren="552032534")
    order = sold(boss, other, (product, "1"))
    ship(boss, order)
    theirs = issued(boss, order)  # 144.00 € TTC
    wrong = register_payment(customer, amount="144.00", method="transfer", reference=theirs.number, by=boss)

    finding = the(invoice_findings(one_invoice), "payment_matches_no_open_item")

    assert f"sa référence nomme {theirs.number} de Charpentes Durand SAS" in finding.message
    assert finding.proposal.kind == "move_payment_to_customer"
    assert finding.proposal.payload == {
        "payment_id": wrong.pk,
        "customer_id": other.pk,
        "allocations": [{"invoice_id": theirs.pk, "amount": Decimal("144.00")}],
    }

    approve_proposal(_stored(customer, "move_payment_to_customer"), by=boss)

    assert payment_view.invoice_payment_state(theirs).status == "paid"
    assert unallocated(wrong) == 0
    assert "payment_matches_no_open_item" not in codes(invoice_findings(one_invoice))


def test_money_allocated_to_another_invoice_than_its_reference_names_is_reported(
    boss, customer, product, one_invoice
):
    order = sold(boss, customer, (product, "1"))
    ship(boss, order)
    other = issued(boss, order)  # 144.00 € TTC
    payment = register_payment(
        customer,
        amount="144.00",
        method="transfer",
        by=boss,
        reference=f"Règlement {other.number}",
        allocations=[{"invoice": one_invoice, "amount": "144.00"}],
    )

    finding = the(invoice_findings(one_invoice), "payment_allocated_elsewhere")

    assert finding.severity == Severity.WARNING
    assert finding.message == (
        f"Le règlement {payment.number} (référence « Règlement {other.number} ») est affecté à "
        f"{one_invoice.number} pour 144,00\u00a0€ alors que sa référence nomme {other.number}, qui reste due : "
        "une erreur d'affectation probable."
    )
    assert "payment_allocated_elsewhere" in codes(invoice_findings(other))
    assert finding.proposal.kind == "reallocate_payment"
    assert finding.proposal.payload == {
        "payment_id": payment.pk,
        "from_invoice_id": one_invoice.pk,
        "to_invoice_id": other.pk,
    }

    approve_proposal(_stored(customer, "reallocate_payment"), by=boss)

    assert payment_view.invoice_payment_state(other).status == "paid"
    assert "payment_allocated_elsewhere" not in codes(invoice_findings(one_invoice))
    assert "payment_allocated_elsewhere" not in codes(invoice_findings(other))


def test_a_prepayment_of_an_order_not_invoiced_yet_is_no_anomaly(boss, company, customer, product):
    """Found by the bench (#17): a customer paying its order up front (a pro forma) is not money that
    "matches no open invoice"; it is said to wait for the order's invoice."""
    stock(boss, product)
    order = sold(boss, customer, (product, "2"))  # 288.00 € TTC, not shipped yet
    payment = register_payment(
        customer, amount="288.00", method="transfer", reference=f"Proforma {order.number}", by=boss
    )

    findings = order_findings(order)

    assert not {"payment_matches_no_open_item", "payment_entered_twice"} & set(codes(findings))
    finding = the(findings, "payment_matches_order")
    assert finding.severity == Severity.INFO
    assert payment.number in finding.message and order.number in finding.message


def test_a_payment_matching_neither_an_invoice_nor_an_order_is_still_reported(
    boss, company, customer, product
):
    stock(boss, product)
    order = sold(boss, customer, (product, "2"))
    register_payment(customer, amount="250.00", method="transfer", reference="VIR", by=boss)

    assert "payment_matches_no_open_item" in codes(order_findings(order))

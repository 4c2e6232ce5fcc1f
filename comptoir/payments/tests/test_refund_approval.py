"""Four eyes on refunds: above the refund threshold (cumulated over the refunds of the same credit note),
the money leaves only once another person with the right approved the request. Below it, one person
pays the customer back alone. Together with the gesture rule, one accounting user can no longer create,
issue and refund a large gesture in cash alone."""

from decimal import Decimal

import pytest

from comptoir.billing import approving
from comptoir.billing.services import create_credit_note, create_invoice_from_order, issue_invoice
from comptoir.core.approvals import set_thresholds
from comptoir.core.errors import DomainError
from comptoir.core.models import AuditEvent
from comptoir.core.permissions import Role
from comptoir.core.testing import colleague_of, make_user
from comptoir.payments import refunding
from comptoir.payments.models import Refund, RefundRequest
from comptoir.payments.services import refund_credit_note
from comptoir.sales.services import confirm_order, create_order
from comptoir.stock.services import create_delivery, receive_stock, validate_delivery

pytestmark = pytest.mark.django_db


@pytest.fixture
def invoice(boss, customer, product):
    receive_stock([{"product": product, "quantity": "50", "unit_cost": "70"}], by=boss)
    order = confirm_order(create_order(customer, [{"product": product, "quantity": "10"}], by=boss), by=boss)
    validate_delivery(create_delivery(order, by=boss), by=boss)
    return issue_invoice(create_invoice_from_order(order, by=boss), by=boss)  # 1,200 € HT, 1,440 € TTC


@pytest.fixture
def accountant(db):
    return make_user("claire", Role.COMPTABILITE)


def _gesture(by, invoice, quantity):
    return create_credit_note(
        invoice,
        [{"invoice_line": invoice.lines.get(), "quantity": quantity}],
        by=by,
        reason="Geste",
        gesture_category="fidélité",
    )


def _refused(code, call, *args, **kwargs):
    refunds = Refund.objects.count()
    with pytest.raises(DomainError) as exc:
        call(*args, **kwargs)
    assert exc.value.code == code, exc.value.message
    assert Refund.objects.count() == refunds
    return exc.value


def test_one_accountant_alone_cannot_grant_and_refund_a_large_gesture_in_cash(accountant, invoice):
    note = _gesture(accountant, invoice, "9")  # 1,080 € HT, 1,296 € TTC
    _refused("credit_note_approval_required", issue_invoice, note, by=accountant)
    approving.approve_credit_note(note, by=colleague_of(accountant))
    note = issue_invoice(note, by=accountant)
    error = _refused("refund_approval_required", refund_credit_note, note, by=accountant, method="cash")
    assert error.message == (
        f"Rembourser 1296,00 € sur l'avoir {note.number} dépasse le seuil de 1000,00 € : demandez le "
        "remboursement, une autre personne habilitée l'approuvera avant le paiement."
    )


def test_a_refund_above_the_threshold_is_paid_once_another_person_approves_it(accountant, invoice):
    set_thresholds(gesture_threshold=Decimal("5000"))
    note = issue_invoice(_gesture(accountant, invoice, "9"), by=accountant)
    request = refunding.request_refund(note, by=accountant, method="cash", reference="Caisse")
    assert (request.status, request.amount) == ("pending", Decimal("1296.00"))
    error = _refused("approval_same_person", refunding.approve_refund, request, by=accountant)
    assert error.message == (
        f"Vous avez demandé le remboursement de l'avoir {note.number} : une autre personne habilitée doit "
        "l'approuver."
    )
    _refused("permission_denied", refunding.approve_refund, request, by=make_user("nadia", Role.ADV))

    colleague = colleague_of(accountant)
    refund = refunding.approve_refund(request, by=colleague)
    assert (refund.amount, refund.method, refund.created_by) == (Decimal("1296.00"), "cash", colleague)
    request.refresh_from_db()
    assert (request.status, request.refund, request.decided_by) == ("approved", refund, colleague)
    event = AuditEvent.objects.get(action="refund.approved")
    assert (event.data["refund"], event.data["requested_by"]) == (refund.number, "claire")
    _refused("invalid_transition", refunding.approve_refund, request, by=colleague)


def test_splitting_a_refund_does_not_get_under_the_threshold(accountant, invoice):
    set_thresholds(gesture_threshold=Decimal("5000"))
    note = issue_invoice(_gesture(accountant, invoice, "9"), by=accountant)
    refund_credit_note(note, by=accountant, method="transfer", amount="600")
    error = _refused(
        "refund_approval_required", refund_credit_note, note, by=accountant, method="transfer", amount="600"
    )
    assert "1200,00 €" in error.message


def test_a_refund_below_the_threshold_is_paid_by_one_person(accountant, invoice):
    note = issue_invoice(_gesture(accountant, invoice, "4"), by=accountant)  # 480 € HT, 576 € TTC
    refund = refund_credit_note(note, by=accountant, method="cash")
    assert refund.amount == Decimal("576.00")


def test_a_refused_request_pays_nothing_and_keeps_its_reason(accountant, invoice):
    set_thresholds(gesture_threshold=Decimal("5000"))
    note = issue_invoice(_gesture(accountant, invoice, "9"), by=accountant)
    request = refunding.request_refund(note, by=accountant, method="transfer")
    refused = refunding.refuse_refund(
        request, by=colleague_of(accountant), reason="À imputer sur la prochaine facture"
    )
    assert (refused.status, refused.refund) == ("refused", None)
    assert (
        AuditEvent.objects.get(action="refund.refused").data["reason"] == "À imputer sur la prochaine facture"
    )
    assert not Refund.objects.exists()


def test_a_request_cannot_ask_more_than_the_credit_note_has_left(accountant, invoice):
    set_thresholds(gesture_threshold=Decimal("5000"))
    note = issue_invoice(_gesture(accountant, invoice, "9"), by=accountant)
    refunding.request_refund(note, by=accountant, method="transfer", amount="1000")
    _refused(
        "credit_note_exceeded", refunding.request_refund, note, by=accountant, method="transfer", amount="300"
    )
    assert RefundRequest.objects.count() == 1

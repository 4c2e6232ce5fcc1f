"""Four eyes on commercial gestures: above the gesture threshold (cumulated over the gestures on the same
invoice), another person with the gesture right approves the credit note before it can be issued. Below
it, the person who drafted it issues it alone."""

from decimal import Decimal

import pytest

from comptoir.billing import approving
from comptoir.billing.models import Invoice
from comptoir.billing.services import create_credit_note, create_invoice_from_order, issue_invoice
from comptoir.core.approvals import set_thresholds
from comptoir.core.errors import DomainError
from comptoir.core.models import AuditEvent
from comptoir.core.permissions import Role
from comptoir.core.testing import colleague_of, make_user
from comptoir.sales.services import confirm_order, create_order
from comptoir.stock.services import create_delivery, receive_stock, validate_delivery

pytestmark = pytest.mark.django_db


@pytest.fixture
def invoice(boss, customer, product):
    receive_stock([{"product": product, "quantity": "50", "unit_cost": "70"}], by=boss)
    order = confirm_order(create_order(customer, [{"product": product, "quantity": "10"}], by=boss), by=boss)
    validate_delivery(create_delivery(order, by=boss), by=boss)
    return issue_invoice(create_invoice_from_order(order, by=boss), by=boss)  # 10 × 120 € HT


@pytest.fixture
def accountant(db):
    return make_user("claire", Role.COMPTABILITE)


def _gesture(by, invoice, quantity, price="120"):
    return create_credit_note(
        invoice,
        [{"invoice_line": invoice.lines.get(), "quantity": quantity, "unit_price": price}],
        by=by,
        reason="Client fidèle",
        gesture_category="fidélité",
    )


def _refused(code, call, *args, **kwargs):
    with pytest.raises(DomainError) as exc:
        call(*args, **kwargs)
    assert exc.value.code == code, exc.value.message
    return exc.value


def test_a_gesture_above_the_threshold_waits_for_another_persons_approval(accountant, invoice):
    note = _gesture(accountant, invoice, "5")  # 600 € HT > 500 €
    assert approving.gesture_approval(note).pending
    error = _refused("credit_note_approval_required", issue_invoice, note, by=accountant)
    assert error.status == 409
    assert error.message == (
        f"L'avoir {note} accorde 600,00 € HT de geste commercial sur la facture {invoice.number}, au-delà du "
        "seuil de 500,00 € : une autre personne habilitée doit l'approuver avant son émission."
    )
    error = _refused("approval_same_person", approving.approve_credit_note, note, by=accountant)
    assert error.status == 403
    assert Invoice.objects.get(pk=note.pk).status == "draft"

    colleague = colleague_of(accountant)
    approving.approve_credit_note(note, by=colleague, reason="Client historique")
    event = AuditEvent.objects.get(action="credit_note.approved")
    assert (event.actor, event.data["requested_by"], event.data["cumulated"]) == (
        colleague,
        "claire",
        "600.00",
    )
    issued = issue_invoice(note, by=accountant)
    assert (issued.status, issued.approved_by) == ("issued", colleague)


def test_splitting_a_gesture_does_not_get_under_the_threshold(accountant, invoice):
    first = issue_invoice(_gesture(accountant, invoice, "3"), by=accountant)  # 360 € alone
    second = _gesture(accountant, invoice, "2")  # 240 €, 600 € with the first
    error = _refused("credit_note_approval_required", issue_invoice, second, by=accountant)
    assert "600,00 €" in error.message and first.number in error.message


def test_a_gesture_below_the_threshold_is_issued_by_one_person(accountant, invoice):
    note = issue_invoice(_gesture(accountant, invoice, "4"), by=accountant)  # 480 € HT
    assert (note.status, note.approved_by) == ("issued", None)
    assert not approving.gesture_approval(note).required


def test_the_threshold_is_a_company_setting(accountant, invoice):
    set_thresholds(gesture_threshold=Decimal("100"))
    _refused(
        "credit_note_approval_required", issue_invoice, _gesture(accountant, invoice, "1"), by=accountant
    )


def test_a_credit_note_citing_its_case_needs_no_gesture_approval(boss, accountant, invoice):
    from comptoir.core.testing import approved_case

    note = create_credit_note(
        invoice,
        [{"invoice_line": invoice.lines.get(), "quantity": "10"}],
        by=accountant,
        reason="Retour",
        source_reference=approved_case(invoice, by=boss),
    )
    assert issue_invoice(note, by=accountant).status == "issued"


def test_approving_needs_the_gesture_right(accountant, invoice):
    note = _gesture(accountant, invoice, "5")
    _refused("permission_denied", approving.approve_credit_note, note, by=make_user("nadia", Role.ADV))


def test_another_person_may_refuse_the_gesture_which_cancels_the_draft(accountant, invoice):
    note = _gesture(accountant, invoice, "5")
    _refused(
        "credit_note_refusal_reason_required", approving.refuse_credit_note, note, by=accountant, reason=""
    )
    refused = approving.refuse_credit_note(note, by=colleague_of(accountant), reason="Geste trop généreux")
    assert refused.status == "cancelled"
    event = AuditEvent.objects.get(action="credit_note.refused")
    assert event.data["reason"] == "Geste trop généreux"
    # The cancelled gesture no longer counts against the next one.
    assert not approving.gesture_approval(_gesture(accountant, invoice, "4")).required

"""Four eyes on the pages: a gesture credit note shows it waits for another person's approval (with the
button for that person only), a refund request is approved and paid from the credit note's page, and a
return case says who may decide it."""

import pytest

from comptoir.billing.models import Invoice
from comptoir.billing.services import create_credit_note, issue_invoice
from comptoir.core.approvals import set_thresholds
from comptoir.core.permissions import Role
from comptoir.core.testing import colleague_of, make_user
from comptoir.payments import refunding
from comptoir.payments.models import Refund, RefundRequest
from comptoir.returns.services import approve_case, open_case, submit_case
from comptoir.returns.tests.factories import make_sale
from comptoir.web.submissions import FIELD
from comptoir.web.tests.clients import client_for, messages_of, text_of
from comptoir.web.tests.test_submit_once import token_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def sale(boss, company, customer, product):
    return make_sale(boss, customer, product)  # 10 × 120 € HT invoiced


@pytest.fixture
def claire(db):
    return make_user("claire", Role.COMPTABILITE)


def _gesture(by, sale, quantity):
    return create_credit_note(
        sale.invoice,
        [{"invoice_line": sale.invoice_line, "quantity": quantity}],
        by=by,
        reason="Client historique",
        gesture_category="fidélité",
    )


def test_a_large_gesture_waits_for_another_persons_approval_on_its_page(claire, sale):
    note = _gesture(claire, sale, "9")  # 1,080 € HT
    url = f"/factures/{note.pk}/"
    own = text_of(client_for(claire).get(url))
    assert "En attente d'approbation" in own and "Approuver le geste" not in own
    assert 'id="issue-title"' not in own  # nothing to issue yet

    colleague = client_for(colleague_of(claire))
    assert "Approuver le geste" in text_of(colleague.get(url))
    response = colleague.post(f"/avoirs/{note.pk}/approuver/", {"reason": "Client historique"}, follow=True)
    assert "Geste commercial approuvé" in " ".join(messages_of(response))
    page = text_of(client_for(claire).get(url))
    assert "Approuvé par" in page and 'id="issue-title"' in page


def test_the_author_cannot_approve_through_the_page_either(claire, sale):
    note = _gesture(claire, sale, "9")
    response = client_for(claire).post(f"/avoirs/{note.pk}/approuver/", follow=True)
    assert "une autre personne habilitée doit l'approuver" in " ".join(messages_of(response))
    assert Invoice.objects.get(pk=note.pk).approved_by is None


def test_a_refund_request_is_approved_and_paid_from_the_credit_notes_page(claire, sale):
    set_thresholds(gesture_threshold="5000")
    note = issue_invoice(_gesture(claire, sale, "9"), by=claire)
    asked = refunding.request_refund(note, by=claire, method="transfer")
    url = f"/factures/{note.pk}/"
    assert "En attente d'une autre personne habilitée" in text_of(client_for(claire).get(url))
    colleague = client_for(colleague_of(claire))
    assert "Approuver et payer" in text_of(colleague.get(url))
    response = colleague.post(f"/remboursements/{asked.pk}/approuver/", follow=True)
    asked.refresh_from_db()
    assert asked.status == RefundRequest.Status.APPROVED
    assert f"Remboursement {asked.refund.number} approuvé et payé." in messages_of(response)


def test_approving_a_refund_twice_from_the_page_pays_once(claire, sale):
    set_thresholds(gesture_threshold="5000")
    note = issue_invoice(_gesture(claire, sale, "9"), by=claire)
    asked = refunding.request_refund(note, by=claire, method="transfer")
    colleague = client_for(colleague_of(claire))
    action = f"/remboursements/{asked.pk}/approuver/"
    data = {FIELD: token_in(colleague.get(f"/factures/{note.pk}/"), action)}

    first, second = colleague.post(action, data), colleague.post(action, data)

    assert Refund.objects.filter(credit_note=note).count() == 1
    assert first.status_code == second.status_code == 302
    assert "déjà été envoyé" in " ".join(messages_of(colleague.get(second["Location"])))


def test_the_case_page_says_the_opener_does_not_approve_and_counts_the_other_cases(sale):
    adv = make_user("nadia", Role.ADV)
    first = open_case(
        sale.delivery, [{"delivery_line": sale.delivery_line, "quantity": "5"}], by=adv, reason="damaged"
    )
    approve_case(submit_case(first, by=adv), by=colleague_of(adv))
    second = submit_case(
        open_case(
            sale.delivery, [{"delivery_line": sale.delivery_line, "quantity": "5"}], by=adv, reason="damaged"
        ),
        by=adv,
    )
    page = text_of(client_for(adv).get(f"/litiges/{second.pk}/"))
    assert "Vous avez ouvert ce dossier" in page
    assert f"Avec les autres dossiers sur les mêmes lignes de livraison ({first.number})" in page

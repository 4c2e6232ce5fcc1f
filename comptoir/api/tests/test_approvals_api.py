"""Four eyes through HTTP: a large gesture waits for another person's approval before its issue, a large
refund is requested then approved (and paid) by someone else, and a credit note cannot cite another
customer's case."""

import pytest

from comptoir.api.tests.conftest import ApiClient, error_of, issue_token
from comptoir.billing.models import Invoice
from comptoir.core.models import AuditEvent
from comptoir.core.permissions import Role
from comptoir.core.testing import colleague_of, make_customer, make_user
from comptoir.payments.models import Refund
from comptoir.returns.services import approve_case, open_case, submit_case
from comptoir.returns.tests.factories import make_sale

pytestmark = pytest.mark.django_db


@pytest.fixture
def sale(boss, company, customer, product):
    """10 drills at 120 € delivered and invoiced 1,440 € TTC."""
    return make_sale(boss, customer, product)


@pytest.fixture
def accountants(db):
    claire = make_user("claire", Role.COMPTABILITE)
    return ApiClient(issue_token(claire)), ApiClient(issue_token(colleague_of(claire)))


def _gesture(client, sale, quantity):
    return client.post(
        "/credit-notes",
        {
            "invoice": sale.invoice.pk,
            "gesture_category": "fidélité",
            "reason": "Client historique",
            "lines": [{"invoice_line": sale.invoice_line.pk, "quantity": quantity}],
        },
    )


def test_a_large_gesture_is_issued_once_another_person_approved_it(accountants, sale):
    claire, colleague = accountants
    draft = _gesture(claire, sale, "9").json()  # 1,080 € HT
    assert draft["approval"] == {
        "required": True,
        "pending": True,
        "cumulated": "1080.00",
        "threshold": "500.00",
        "approved_by": None,
        "approved_at": None,
    }
    assert error_of(claire.post(f"/invoices/{draft['id']}/issue")) == (409, "credit_note_approval_required")
    assert error_of(claire.post(f"/credit-notes/{draft['id']}/approve")) == (403, "approval_same_person")
    approved = colleague.post(f"/credit-notes/{draft['id']}/approve", {"reason": "Accord direction"})
    assert approved.status_code == 200, approved.json()
    assert (approved.json()["approval"]["pending"], approved.json()["approval"]["approved_by"]) == (
        False,
        "claire-collegue",
    )
    issued = claire.post(f"/invoices/{draft['id']}/issue")
    assert issued.status_code == 200, issued.json()

    # Paying it back above the refund threshold takes a request another person approves.
    assert error_of(claire.post(f"/credit-notes/{draft['id']}/refund", {"method": "cash"})) == (
        403,
        "refund_approval_required",
    )
    asked = claire.post(f"/credit-notes/{draft['id']}/refund-requests", {"method": "cash"})
    assert asked.status_code == 201, asked.json()
    request = asked.json()
    assert (request["status"], request["amount"], request["requested_by"]) == ("pending", "1296.00", "claire")
    pending = colleague.get("/refund-requests", {"status": "pending"}).json()
    assert [item["id"] for item in pending["items"]] == [request["id"]]
    assert error_of(claire.post(f"/refund-requests/{request['id']}/approve")) == (403, "approval_same_person")
    assert not Refund.objects.exists()
    paid = colleague.post(f"/refund-requests/{request['id']}/approve")
    assert paid.status_code == 201, paid.json()
    assert (paid.json()["amount"], paid.json()["method"]) == ("1296.00", "cash")
    assert (
        colleague.get("/refund-requests", {"status": "approved"}).json()["items"][0]["refund"]["number"]
        == (paid.json()["number"])
    )


def test_a_gesture_and_a_refund_request_may_be_refused_with_a_reason(accountants, sale):
    claire, colleague = accountants
    draft = _gesture(claire, sale, "9").json()
    assert error_of(colleague.post(f"/credit-notes/{draft['id']}/refuse", {"reason": ""})) == (
        400,
        "credit_note_refusal_reason_required",
    )
    refused = colleague.post(f"/credit-notes/{draft['id']}/refuse", {"reason": "Trop généreux"})
    assert (refused.status_code, refused.json()["status"]) == (200, "cancelled")
    assert AuditEvent.objects.get(action="credit_note.refused").data["reason"] == "Trop généreux"

    small = _gesture(claire, sale, "4").json()  # 480 € HT: one person issues it
    assert claire.post(f"/invoices/{small['id']}/issue").status_code == 200
    asked = claire.post(f"/credit-notes/{small['id']}/refund-requests", {"method": "transfer"}).json()
    response = colleague.post(f"/refund-requests/{asked['id']}/refuse", {"reason": "À imputer"})
    assert (response.status_code, response.json()["status"]) == (200, "refused")
    assert claire.post(f"/credit-notes/{small['id']}/refund", {"method": "transfer"}).status_code == 201


def test_a_credit_note_cannot_cite_another_customers_case(api, boss, product, sale):
    other = make_sale(boss, make_customer(boss, name="Ébénisterie Roux"), product, stock=None)
    case = submit_case(
        open_case(
            other.delivery,
            [{"delivery_line": other.delivery_line, "quantity": "1"}],
            by=boss,
            reason="damaged",
        ),
        by=boss,
    )
    approve_case(case, by=colleague_of(boss))
    adv = ApiClient(issue_token(make_user("nadia", Role.ADV)))  # no gesture right
    response = adv.post(
        "/credit-notes",
        {
            "invoice": sale.invoice.pk,
            "case": case.pk,
            "reason": "Casse",
            "lines": [{"invoice_line": sale.invoice_line.pk, "quantity": "1"}],
        },
    )
    assert error_of(response) == (400, "credit_note_case_other_customer")
    assert not Invoice.objects.filter(kind=Invoice.Kind.CREDIT_NOTE).exists()

"""Manual entries through the API: a draft, its four-eyes approval, its posting and its reversal."""

from decimal import Decimal

import pytest

from comptoir.api.tests.conftest import ApiClient, error_of, issue_token
from comptoir.core import approvals
from comptoir.core.permissions import Role
from comptoir.core.testing import make_user

pytestmark = pytest.mark.django_db

RENT = {
    "label": "Loyer de mars",
    "document_number": "BAIL-03",
    "lines": [
        {"account": "613", "debit": "1200.00"},
        {"account": "44566", "debit": "240.00"},
        {"account": "401", "credit": "1440.00"},
    ],
}


def test_a_draft_is_approved_by_a_second_person_posted_then_reversed(api, company):
    approvals.set_thresholds(manual_entry_threshold=Decimal("1000"))
    response = api.post("/accounting/manual-entries", RENT)
    assert response.status_code == 201, response.json()
    draft = response.json()
    assert (draft["status"], draft["journal"], draft["entry_number"], draft["approval_required"]) == (
        "draft",
        "OD",
        None,
        True,
    )
    assert error_of(api.post(f"/accounting/manual-entries/{draft['id']}/post")) == (
        409,
        "manual_entry_approval_required",
    )
    assert error_of(api.post(f"/accounting/manual-entries/{draft['id']}/approve")) == (
        403,
        "approval_same_person",
    )
    colleague = ApiClient(issue_token(make_user("compta", Role.COMPTABILITE)))
    assert (
        colleague.post(f"/accounting/manual-entries/{draft['id']}/approve").json()["approved_by"] == "compta"
    )
    posted = api.post(f"/accounting/manual-entries/{draft['id']}/post").json()
    assert posted["status"] == "posted" and posted["entry_number"].startswith("OD-")
    assert [(line["account"], line["debit"], line["credit"]) for line in posted["lines"]] == [
        ("613", "1200.00", "0.00"),
        ("44566", "240.00", "0.00"),
        ("401", "0.00", "1440.00"),
    ]
    response = api.post(f"/accounting/manual-entries/{draft['id']}/reverse", {"reason": "Saisi deux fois"})
    assert response.status_code == 201, response.json()
    reversal = response.json()
    assert reversal["reverses"] == draft["id"] and reversal["status"] == "posted"
    assert api.get(f"/accounting/manual-entries/{draft['id']}").json()["reversed_by"] == reversal["id"]
    listed = api.get("/accounting/manual-entries", {"status": "posted"}).json()
    assert [item["id"] for item in listed["items"]] == [reversal["id"], draft["id"]]


def test_a_reserved_journal_an_unbalanced_draft_or_a_role_without_the_right_is_refused(api, api_as, company):
    assert error_of(api.post("/accounting/manual-entries", RENT | {"journal": "VE"})) == (
        400,
        "manual_entry_journal_reserved",
    )
    unbalanced = RENT | {
        "lines": [{"account": "613", "debit": "10.00"}, {"account": "401", "credit": "9.00"}]
    }
    assert error_of(api.post("/accounting/manual-entries", unbalanced)) == (400, "entry_unbalanced")
    assert error_of(api_as("adv").post("/accounting/manual-entries", RENT)) == (403, "permission_denied")

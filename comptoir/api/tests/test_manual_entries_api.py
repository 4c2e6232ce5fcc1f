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


def test_the_closing_checklist_the_closing_and_the_reopening_through_the_api(
    api, api_as, admin_user, company
):
    import datetime

    from comptoir.accounting import services as ledger
    from comptoir.core import dates
    from comptoir.parties.services import configure_company

    configure_company(by=admin_user, backdating_days=800)
    last = ledger.fiscal_year_for(
        ledger.fiscal_year_for(dates.today()).start_date - datetime.timedelta(days=1)
    )
    rent = RENT | {
        "date": last.end_date.isoformat(),
        "lines": [*RENT["lines"][:1], {"account": "512", "credit": "1200.00"}],
    }
    draft = api.post("/accounting/manual-entries", rent).json()
    checklist = api.get(f"/accounting/years/{last.name}/closing-checklist").json()
    assert [(item["code"], item["blocking"]) for item in checklist["items"]] == [
        ("manual_entries_draft", True)
    ]
    assert error_of(api.post(f"/accounting/years/{last.name}/close", {})) == (409, "closing_blocked")
    api.post(f"/accounting/manual-entries/{draft['id']}/post")
    accountant = api_as("comptabilite")
    response = accountant.post(f"/accounting/years/{last.name}/close", {})
    assert response.status_code == 201, response.json()
    done = response.json()
    assert done["result"] == "-1200.00" and done["closing_entry"].startswith("CL-")
    assert done["opening_entry"].startswith("AN-")
    assert api.get(f"/accounting/years/{last.name}/closing-checklist").json()["closed"] is True
    assert error_of(accountant.post(f"/accounting/years/{last.name}/reopen", {"reason": "x"})) == (
        403,
        "permission_denied",
    )
    reopened = api.post(f"/accounting/years/{last.name}/reopen", {"reason": "Oubli"}).json()
    assert reopened["reopened"] is True and reopened["opening_reversal"].startswith("AN-")
    assert error_of(api.get("/accounting/years/1999/closing-checklist")) == (404, "fiscal_year_unknown")

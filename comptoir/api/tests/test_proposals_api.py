"""The proposals inbox and the billing agent through the API: a run, approve (edited), reject, the
acceptance rate per kind, and the refusals as stable codes."""

import pytest

from comptoir.api.tests.conftest import error_of
from comptoir.assistant.tests.factories import delivered_not_invoiced
from comptoir.billing.models import Invoice
from comptoir.core.permissions import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def delivered(boss, company, customer, product):
    return delivered_not_invoiced(boss, customer, product)


def test_a_run_then_approving_its_proposal_issues_the_invoice(api, delivered):
    run = api.post("/agent/runs")
    assert run.status_code == 201, run.json()
    assert run.json()["stats"]["drafts_prepared"] == 1

    inbox = api.get("/proposals").json()
    (proposal,) = [item for item in inbox["items"] if item["kind"] == "issue_invoice"]
    assert proposal["manual"] is False and proposal["rationale"]
    approved = api.post(f"/proposals/{proposal['id']}/approve", {})
    assert approved.status_code == 200, approved.json()
    assert approved.json()["status"] == "approved"
    assert Invoice.objects.get(pk=proposal["payload"]["invoice_id"]).status == Invoice.Status.ISSUED

    again = api.post(f"/proposals/{proposal['id']}/approve", {})
    assert error_of(again) == (409, "proposal_already_decided")
    rates = {row["kind"]: row for row in api.get("/proposals/acceptance").json()}
    assert rates["issue_invoice"]["approved"] == 1 and rates["issue_invoice"]["rate"] == "1.00"


def test_rejecting_needs_a_reason_and_counts_against_the_rate(api, delivered):
    api.post("/agent/runs")
    (proposal,) = api.get("/proposals", {"kind": "issue_invoice"}).json()["items"]
    refused = api.post(f"/proposals/{proposal['id']}/reject", {"reason": " "})
    assert error_of(refused) == (400, "proposal_reason_required")
    done = api.post(f"/proposals/{proposal['id']}/reject", {"reason": "Attendre l'avoir du litige."})
    assert (
        done.json()["status"] == "rejected" and done.json()["decision_note"] == "Attendre l'avoir du litige."
    )
    rates = {row["kind"]: row for row in api.get("/proposals/acceptance").json()}
    assert rates["issue_invoice"]["rejected"] == 1 and rates["issue_invoice"]["rate"] == "0.00"


def test_logistics_reads_the_inbox_but_cannot_approve_an_invoice_nor_run_the_agent(api, api_as, delivered):
    api.post("/agent/runs")
    (proposal,) = api.get("/proposals", {"kind": "issue_invoice"}).json()["items"]
    logistics = api_as(Role.LOGISTIQUE)
    assert logistics.get("/proposals").status_code == 200
    assert logistics.post(f"/proposals/{proposal['id']}/approve", {}).status_code == 403
    assert logistics.post("/agent/runs").status_code == 403


def test_an_unknown_proposal_is_a_404_and_a_bad_status_a_422(api):
    assert api.post("/proposals/999999/approve", {}).status_code == 404
    assert api.get("/proposals", {"status": "whatever"}).status_code == 422

"""The assistant proposes a follow-up for each customer at risk; approving it opens the follow-up through
the pricing service, and running again never duplicates what is open."""

import pytest
from django.utils.module_loading import import_string

from comptoir.assistant import services
from comptoir.assistant.models import Proposal
from comptoir.core.errors import PermissionDenied
from comptoir.core.permissions import Role
from comptoir.core.testing import make_user
from comptoir.insights.tests.factories import order_history
from comptoir.pricing.models import PriceReview
from comptoir.scheduling import registry

pytestmark = pytest.mark.django_db


def _follow_ups():
    return Proposal.objects.filter(kind="open_price_review")


def test_a_customer_whose_orders_stopped_gets_a_call_proposal_that_approving_turns_into_a_follow_up(
    boss, company, customer, product
):
    order_history(boss, customer, product, range(400, 99, -20))
    run = services.run_agent(by=None, trigger="task", customers_only=True)
    [proposal] = _follow_ups()
    assert run.stats["customers_at_risk"] == 1
    assert (proposal.customer, proposal.payload["review_kind"], proposal.status) == (customer, "call", "open")
    assert proposal.rationale.startswith("Commande tous les 20 jours en moyenne, aucune depuis 100 jours")
    assert "Appeler le client" in proposal.title

    # Running again refreshes the open proposal, never a second one
    services.run_agent(by=None, trigger="task", customers_only=True)
    assert _follow_ups().count() == 1

    # A warehouse clerk cannot open a commercial follow-up
    with pytest.raises(PermissionDenied):
        services.approve_proposal(proposal, by=make_user("karim", Role.LOGISTIQUE))

    sophie = make_user("sophie", Role.COMMERCIAL)
    approved = services.approve_proposal(proposal, by=sophie)
    review = PriceReview.objects.get()
    assert (review.customer, review.kind, review.status, review.proposal_id, review.assigned_to) == (
        customer,
        "call",
        "open",
        proposal.pk,
        sophie,
    )
    assert review.reason == proposal.rationale
    assert approved.result["kind"] == "price_review" and approved.result["id"] == review.pk

    # While the follow-up is open nothing more is proposed for it
    services.run_agent(by=None, trigger="task", customers_only=True)
    assert list(_follow_ups().values_list("status", flat=True)) == ["approved"]


def test_the_billing_pass_leaves_the_customer_follow_ups_open(boss, company, customer, product):
    order_history(boss, customer, product, range(400, 99, -20))
    services.run_agent(by=None, trigger="task", customers_only=True)
    services.run_agent(by=None, trigger="task")
    assert list(_follow_ups().values_list("status", flat=True)) == ["open"]


def test_the_weekly_job_proposes_the_follow_ups(boss, company, customer, product):
    order_history(boss, customer, product, range(400, 99, -20))
    job = import_string(registry.JOBS["customer_follow_ups"].path)
    assert job.call() == "1 suivi(s) proposé(s)"
    assert _follow_ups().count() == 1

"""Commercial follow-ups of a customer (PriceReview): opened, closed, refused when they should be."""

import datetime

import pytest

from comptoir.core import dates
from comptoir.core.errors import Conflict, DomainError, PermissionDenied
from comptoir.core.models import AuditEvent
from comptoir.core.permissions import Role
from comptoir.core.testing import make_user
from comptoir.pricing.models import PriceReview
from comptoir.pricing.services import close_price_review, open_price_review

pytestmark = pytest.mark.django_db


def test_a_salesperson_opens_a_follow_up_due_in_two_weeks_and_closes_it_with_its_outcome(customer):
    sophie = make_user("sophie", Role.COMMERCIAL)
    review = open_price_review(customer, by=sophie, kind="call", reason="Plus de commande depuis 64 jours.")
    assert (review.status, review.assigned_to, review.due_date) == (
        PriceReview.Status.OPEN,
        sophie,
        dates.today() + datetime.timedelta(days=14),
    )
    done = close_price_review(review, by=sophie, outcome="Chantier décalé à mars, commande prévue.")
    assert (done.status, done.closed_by, done.outcome) == (
        PriceReview.Status.DONE,
        sophie,
        "Chantier décalé à mars, commande prévue.",
    )
    assert list(
        AuditEvent.objects.filter(object_id=str(review.pk), action__startswith="price_review.")
        .order_by("id")
        .values_list("action", flat=True)
    ) == ["price_review.opened", "price_review.closed"]
    with pytest.raises(Conflict):
        close_price_review(done, by=sophie)


def test_a_second_open_follow_up_of_the_same_kind_is_refused_another_kind_is_not(boss, customer):
    open_price_review(customer, by=boss, kind="price_list", reason="Marge en baisse.")
    with pytest.raises(Conflict) as refused:
        open_price_review(customer, by=boss, kind="price_list", reason="Encore.")
    assert refused.value.code == "price_review_already_open"
    open_price_review(customer, by=boss, kind="payment_terms", reason="Paie de plus en plus tard.")
    assert PriceReview.objects.filter(customer=customer, status="open").count() == 2


def test_a_follow_up_needs_a_reason_a_known_kind_a_future_date_and_the_right_role(boss, customer):
    with pytest.raises(DomainError) as refused:
        open_price_review(customer, by=boss, kind="call", reason="  ")
    assert refused.value.code == "price_review_reason_missing"
    with pytest.raises(DomainError) as refused:
        open_price_review(customer, by=boss, kind="lunch", reason="x")
    assert refused.value.code == "price_review_kind"
    with pytest.raises(DomainError) as refused:
        open_price_review(
            customer,
            by=boss,
            kind="call",
            reason="x",
            due_date=dates.today() - datetime.timedelta(days=1),
        )
    assert refused.value.code == "price_review_due_date"
    with pytest.raises(PermissionDenied):
        open_price_review(customer, by=make_user("karim", Role.LOGISTIQUE), kind="call", reason="x")
    assert not PriceReview.objects.exists()

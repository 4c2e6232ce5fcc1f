"""Four eyes on discounts: above the threshold of the person who granted it, someone else approves."""

from decimal import Decimal

import pytest

from comptoir.core.errors import Conflict, DomainError, PermissionDenied
from comptoir.core.models import AuditEvent
from comptoir.core.permissions import Role
from comptoir.core.testing import make_user
from comptoir.pricing import services
from comptoir.sales import discounts
from comptoir.sales.models import Order, Quote
from comptoir.sales.services import (
    accept_quote,
    confirm_order,
    create_order,
    create_quote,
    replace_quote_lines,
    send_quote,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def seller(db):
    return make_user("claire", Role.COMMERCIAL)


@pytest.fixture
def adv(db):
    return make_user("adv-paul", Role.ADV)


def _quote(customer, product, by, percent):
    return create_quote(
        customer,
        [
            {
                "product": product,
                "quantity": "10",
                "discount_percent": percent,
                "discount_category": "negotiated",
            }
        ],
        by=by,
    )


def test_a_discount_within_the_sellers_threshold_is_sent_without_approval(seller, customer, product):
    quote = send_quote(_quote(customer, product, seller, "10"), by=seller)
    assert quote.status == Quote.Status.SENT


def test_a_discount_above_the_threshold_waits_for_someone_whose_threshold_covers_it(
    seller, adv, boss, customer, product
):
    quote = _quote(customer, product, seller, "15")
    with pytest.raises(Conflict) as exc:
        send_quote(quote, by=seller)
    assert exc.value.code == "discount_approval_required"
    assert exc.value.message == (
        f"La remise de 15,00 % sur {quote.number} dépasse le seuil de claire (10,00 %) : elle doit être "
        "approuvée par une autre personne dont le seuil la couvre (Direction, Administrateur) avant l'envoi."
    )
    assert [document for document, _state in discounts.pending_approvals()] == [quote]

    # Neither the seller herself, nor ADV whose threshold is lower, may approve it.
    with pytest.raises(PermissionDenied) as exc:
        discounts.approve_discounts(quote, by=seller)
    assert exc.value.code == "approval_same_person"
    with pytest.raises(PermissionDenied) as exc:
        discounts.approve_discounts(quote, by=adv)
    assert exc.value.code == "discount_approval_beyond_threshold"
    assert "Votre seuil de remise (5,00 %)" in exc.value.message

    discounts.approve_discounts(quote, by=boss, reason="Client stratégique")
    event = AuditEvent.objects.get(action="quote.discount_approved")
    assert event.data["granted_by"] == "claire" and event.data["reason"] == "Client stratégique"
    assert discounts.pending_approvals() == []
    assert send_quote(quote, by=seller).status == Quote.Status.SENT


def test_changing_the_lines_withdraws_the_approval(seller, boss, customer, product):
    quote = _quote(customer, product, seller, "15")
    discounts.approve_discounts(quote, by=boss)
    replace_quote_lines(
        quote,
        [{"product": product, "quantity": "10", "discount_percent": "18", "discount_category": "volume"}],
        by=seller,
    )
    with pytest.raises(Conflict):
        send_quote(quote, by=seller)


def test_the_order_of_an_approved_quote_is_confirmed_without_a_second_approval(
    seller, adv, boss, customer, product
):
    quote = _quote(customer, product, seller, "15")
    discounts.approve_discounts(quote, by=boss)
    order = accept_quote(send_quote(quote, by=seller), by=seller)
    assert confirm_order(order, by=adv).status == Order.Status.CONFIRMED


def test_an_order_discount_above_adv_threshold_is_approved_by_a_seller_then_confirmed(
    adv, seller, customer, product
):
    order = create_order(
        customer,
        [{"product": product, "quantity": "4", "discount_percent": "8", "discount_category": "gesture"}],
        by=adv,
    )
    with pytest.raises(Conflict) as exc:
        confirm_order(order, by=adv)
    assert "avant la confirmation" in exc.value.message
    discounts.approve_discounts(order, by=seller)
    assert confirm_order(order, by=adv).status == Order.Status.CONFIRMED


def test_a_discount_direction_grants_needs_no_one(boss, customer, product):
    quote = _quote(customer, product, boss, "40")
    assert send_quote(quote, by=boss).status == Quote.Status.SENT
    with pytest.raises(Conflict) as exc:
        discounts.approve_discounts(
            create_quote(customer, [{"product": product, "quantity": "1"}], by=boss), by=boss
        )
    assert exc.value.code == "discount_approval_not_needed"


def test_direction_sets_the_thresholds_and_they_apply_at_once(boss, seller, customer, product):
    with pytest.raises(PermissionDenied):
        services.set_discount_thresholds({"commercial": "20"}, by=seller)
    services.set_discount_thresholds({"commercial": "20", "adv": ""}, by=boss)
    assert send_quote(_quote(customer, product, seller, "15"), by=seller).status == Quote.Status.SENT
    assert AuditEvent.objects.filter(action="pricing.discount_thresholds_set").exists()
    with pytest.raises(DomainError) as exc:
        services.set_discount_thresholds({"commercial": "120"}, by=boss)
    assert exc.value.code == "discount_threshold_invalid"
    from comptoir.pricing.selectors import discount_thresholds

    assert discount_thresholds()["adv"] is None and discount_thresholds()["commercial"] == Decimal("20.00")

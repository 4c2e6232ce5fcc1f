"""Expired quotes (issue 20, point 4): a sent quote past its validity is expired, everywhere it is
listed, and is renewed into a new draft with the same lines, linked to it."""

import datetime
from decimal import Decimal

import pytest

from comptoir.core import dates
from comptoir.core.errors import DomainError, PermissionDenied
from comptoir.core.models import AuditEvent
from comptoir.core.permissions import Role
from comptoir.core.testing import make_user
from comptoir.parties.services import update_customer
from comptoir.sales.models import Quote
from comptoir.sales.services import accept_quote, create_quote, renew_quote, send_quote

pytestmark = pytest.mark.django_db


def expired_quote(boss, customer, product) -> Quote:
    today = dates.today()
    quote = create_quote(
        customer,
        [{"product": product, "quantity": "4", "unit_price": "99.50", "discount_percent": "7.5"}],
        by=boss,
        date=today - datetime.timedelta(days=20),
        valid_until=today - datetime.timedelta(days=1),
        note="Livraison sous 3 semaines.",
    )
    return send_quote(quote, by=boss)


def test_a_sent_quote_past_its_validity_is_expired_and_only_then(boss, customer, product):
    today = dates.today()
    quote = expired_quote(boss, customer, product)
    assert quote.is_expired(today)
    assert not quote.is_expired(quote.valid_until)  # its last day is still valid
    draft = create_quote(customer, [{"product": product, "quantity": "1"}], by=boss, valid_until=today)
    assert not draft.is_expired(today + datetime.timedelta(days=30))  # never sent: nothing to expire


def test_renewing_an_expired_quote_drafts_the_same_offer_linked_to_it(boss, customer, product):
    old = expired_quote(boss, customer, product)

    new = renew_quote(old, by=boss)

    assert new.status == Quote.Status.DRAFT and new.number != old.number
    assert new.renewed_from == old and list(old.renewals.all()) == [new]
    assert new.date == dates.today() and new.valid_until > dates.today()
    assert new.customer == old.customer and new.note == old.note
    (line,) = new.lines.all()
    assert (line.product, line.quantity, line.unit_price, line.discount_percent) == (
        product,
        Decimal("4.000"),
        Decimal("99.5000"),
        Decimal("7.50"),
    )
    assert (new.total_untaxed, new.total) == (old.total_untaxed, old.total)
    old.refresh_from_db()
    assert old.status == Quote.Status.SENT  # the old offer stays what it was: sent, unanswered
    event = AuditEvent.objects.filter(action="quote.created", object_id=str(new.pk)).get()
    assert event.data["renews"] == old.number

    send_quote(new, by=boss)
    order = accept_quote(new, by=boss)
    assert order.quote == new


def test_a_quote_for_a_customer_archived_since_is_not_renewed(boss, customer, product):
    old = expired_quote(boss, customer, product)
    update_customer(customer, by=boss, is_active=False)
    count = Quote.objects.count()

    with pytest.raises(DomainError) as exc:
        renew_quote(old, by=boss)

    assert exc.value.code == "inactive_customer"
    assert Quote.objects.count() == count


def test_renewing_needs_the_right_to_make_quotes(boss, customer, product):
    old = expired_quote(boss, customer, product)
    with pytest.raises(PermissionDenied):
        renew_quote(old, by=make_user("entrepot", Role.LOGISTIQUE))


def test_a_quote_cannot_lapse_before_it_is_made(boss, customer, product):
    today = dates.today()
    count = Quote.objects.count()
    with pytest.raises(DomainError) as exc:
        create_quote(
            customer,
            [{"product": product, "quantity": "1"}],
            by=boss,
            valid_until=today - datetime.timedelta(days=1),
        )
    assert exc.value.code == "validity_before_date"
    assert Quote.objects.count() == count

"""Expired quotes in the web app (issue 20, point 4): shown as such, out of the pending lists, no Accept
button that can only fail, and a Renew action."""

import datetime

import pytest

from comptoir.core import dates
from comptoir.core.permissions import Role
from comptoir.core.testing import make_user
from comptoir.sales.models import Quote
from comptoir.sales.services import create_quote, send_quote
from comptoir.web.tests.clients import client_for, text_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def quotes(boss, customer, product):
    """One quote still open to an answer, one expired eleven months ago."""
    today = dates.today()
    open_quote = send_quote(create_quote(customer, [{"product": product, "quantity": "2"}], by=boss), by=boss)
    old = create_quote(
        customer,
        [{"product": product, "quantity": "3"}],
        by=boss,
        date=today - datetime.timedelta(days=20),
        valid_until=today - datetime.timedelta(days=1),
    )
    Quote.objects.filter(pk=old.pk).update(valid_until=today - datetime.timedelta(days=330))
    return open_quote, send_quote(old, by=boss)


def test_the_home_lists_only_the_quotes_a_customer_can_still_accept(boss, quotes):
    open_quote, expired = quotes
    page = text_of(client_for(make_user("vendeur", Role.COMMERCIAL)).get("/"))
    assert open_quote.number in page
    assert expired.number not in page
    assert "1 devis expiré sans réponse" in page and "?etat=expired" in page


def test_the_list_shows_and_filters_expired_quotes(boss, quotes):
    open_quote, expired = quotes
    client = client_for(boss)
    listed = text_of(client.get("/devis/?etat=expired"))
    assert expired.number in listed and open_quote.number not in listed
    assert 'chip-expired">Expiré' in listed
    waiting = text_of(client.get("/devis/?etat=sent"))
    assert open_quote.number in waiting and expired.number not in waiting


def test_an_expired_quote_offers_renewal_not_acceptance(boss, quotes):
    _open_quote, expired = quotes
    client = client_for(boss)
    page = text_of(client.get(f"/devis/{expired.pk}/"))
    assert "Ce devis a expiré le" in page
    assert f"/devis/{expired.pk}/accepter/" not in page
    assert f"/devis/{expired.pk}/renouveler/" in page

    response = client.post(f"/devis/{expired.pk}/renouveler/", follow=True)

    renewal = Quote.objects.get(renewed_from=expired)
    assert response.redirect_chain[-1][0] == f"/devis/{renewal.pk}/"
    page = text_of(response)
    assert f"Devis {renewal.number} créé à partir du devis {expired.number}" in page
    assert expired.number in page  # the link back to the offer it renews


def test_a_role_that_cannot_make_quotes_sees_no_renew_button(boss, quotes):
    _open_quote, expired = quotes
    response = client_for(make_user("compta", Role.COMPTABILITE)).get(f"/devis/{expired.pk}/")
    assert response.status_code == 200 and "Ce devis a expiré le" in text_of(response)
    assert "/renouveler/" not in text_of(response)


def test_the_export_says_expired(boss, quotes):
    _open_quote, expired = quotes
    body = b"".join(client_for(boss).get("/devis/export.csv?etat=expired").streaming_content).decode()
    assert expired.number in body and ";Expiré;" in body

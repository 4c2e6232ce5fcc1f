"""Expired quotes through the API (issue 20, point 4): `expired` says it, the list filters on it, an
expired quote's acceptance is refused with a stable code, and /renew drafts the offer again."""

import datetime

import pytest

from comptoir.api.tests.conftest import error_of
from comptoir.core import dates
from comptoir.sales.models import Quote
from comptoir.sales.services import create_quote, send_quote

pytestmark = pytest.mark.django_db


@pytest.fixture
def expired(boss, customer, product):
    today = dates.today()
    quote = create_quote(
        customer,
        [{"product": product, "quantity": "3", "discount_percent": "5"}],
        by=boss,
        date=today - datetime.timedelta(days=20),
        valid_until=today - datetime.timedelta(days=1),
    )
    return send_quote(quote, by=boss)


def test_an_expired_quote_says_so_and_is_filtered(api, boss, customer, product, expired):
    waiting = send_quote(create_quote(customer, [{"product": product, "quantity": "1"}], by=boss), by=boss)

    assert api.get(f"/quotes/{expired.pk}").json()["expired"] is True
    assert api.get(f"/quotes/{waiting.pk}").json()["expired"] is False
    assert [q["id"] for q in api.get("/quotes", {"expired": "true"}).json()["items"]] == [expired.pk]
    assert waiting.pk in [q["id"] for q in api.get("/quotes", {"expired": "false"}).json()["items"]]
    assert error_of(api.post(f"/quotes/{expired.pk}/accept")) == (400, "quote_expired")


def test_renew_drafts_the_same_lines_and_links_back(api, expired):
    response = api.post(f"/quotes/{expired.pk}/renew")

    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "draft" and body["renewed_from_id"] == expired.pk and body["expired"] is False
    assert [(line["quantity"], line["discount_percent"]) for line in body["lines"]] == [("3.000", "5.00")]
    assert Quote.objects.get(pk=body["id"]).renewed_from_id == expired.pk


def test_renew_needs_the_right_to_make_quotes(api_as, expired):
    assert error_of(api_as("logistique").post(f"/quotes/{expired.pk}/renew"))[0] == 403

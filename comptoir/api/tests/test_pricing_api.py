"""Pricing through HTTP: a group price list prices an order line and says why, a discount above the
seller's threshold keeps the quote from being sent until direction approves, thresholds are direction's."""

import json

import pytest

from comptoir.api.tests.conftest import BASE, error_of
from comptoir.core.permissions import Role
from comptoir.pricing import services

pytestmark = pytest.mark.django_db


def test_a_group_list_prices_a_line_typed_without_a_price(api, boss, customer, product):
    group = services.create_customer_group("GROS", "Grossistes", by=boss)
    services.set_customer_group(customer, group, by=boss)
    created = api.post(
        "/pricing/price-lists",
        {
            "name": "Grossistes 2026",
            "group": group.pk,
            "lines": [
                {"product": product.pk, "price": "110"},
                {"product": product.pk, "min_quantity": "50", "price": "96.50"},
            ],
        },
    )
    assert created.status_code == 201, created.json()
    assert [line["min_quantity"] for line in created.json()["lines"]] == ["1.000", "50.000"]

    asked = api.get(
        "/pricing/price", {"customer": customer.pk, "product": product.pk, "quantity": "60"}
    ).json()
    assert asked == {
        "price": "96.5000",
        "source": "group_list",
        "explanation": "liste Grossistes 2026, palier ≥ 50",
    }

    order = api.post(
        "/orders",
        {
            "customer": customer.pk,
            "lines": [
                {
                    "product": product.pk,
                    "quantity": "60",
                    "discount_percent": "2",
                    "discount_category": "volume",
                }
            ],
        },
    ).json()
    line = order["lines"][0]
    assert (line["unit_price"], line["price_explanation"], line["discount_category"]) == (
        "96.5000",
        "liste Grossistes 2026, palier ≥ 50",
        "volume",
    )
    bad = api.post(
        "/orders",
        {
            "customer": customer.pk,
            "lines": [{"product": product.pk, "quantity": "1", "discount_category": "cadeau"}],
        },
    )
    assert bad.status_code == 422

    changed = api.client.put(
        BASE + f"/pricing/price-lists/{created.json()['id']}",
        json.dumps(
            {
                "name": "Grossistes 2026",
                "group": group.pk,
                "lines": [{"product": product.pk, "percent_off": "25"}],
            }
        ),
        content_type="application/json",
        headers=api.headers,
    )
    assert changed.status_code == 200 and changed.json()["lines"][0]["percent_off"] == "25.00"


def test_a_large_discount_waits_for_approval_then_the_quote_is_sent(api, api_as, customer, product):
    seller = api_as(Role.COMMERCIAL, username="claire")
    quote = seller.post(
        "/quotes",
        {
            "customer": customer.pk,
            "lines": [
                {
                    "product": product.pk,
                    "quantity": "5",
                    "discount_percent": "15",
                    "discount_category": "negotiated",
                }
            ],
        },
    ).json()
    assert error_of(seller.post(f"/quotes/{quote['id']}/send")) == (409, "discount_approval_required")
    waiting = api.get("/pricing/discount-approvals").json()
    assert [(row["number"], row["granted_by"], row["max_percent"]) for row in waiting] == [
        (quote["number"], "claire", "15.00")
    ]
    assert error_of(seller.post(f"/quotes/{quote['id']}/approve-discounts")) == (403, "approval_same_person")
    approved = api.post(f"/quotes/{quote['id']}/approve-discounts", {"reason": "Client stratégique"}).json()
    assert approved["discount_approval"]["approved_by"] == "direction"
    assert seller.post(f"/quotes/{quote['id']}/send").json()["status"] == "sent"


def _put(client, path, data):
    return client.client.put(
        BASE + path, json.dumps(data), content_type="application/json", headers=client.headers
    )


def test_thresholds_are_set_by_direction_only(api, api_as):
    refused = _put(api_as(Role.ADV), "/pricing/discount-thresholds", {"thresholds": {"adv": "50"}})
    assert error_of(refused) == (403, "permission_denied")
    response = _put(api, "/pricing/discount-thresholds", {"thresholds": {"adv": "7.5", "commercial": None}})
    rows = {row["role"]: row["max_percent"] for row in response.json()}
    assert rows["adv"] == "7.50" and rows["commercial"] is None and rows["logistique"] == "0.00"

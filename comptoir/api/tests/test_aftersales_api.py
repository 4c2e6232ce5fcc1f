"""Time entries, after-sales tickets, a delivery's logistics cost and the customer waterfall through HTTP."""

import pytest

from comptoir.core.permissions import Role
from comptoir.returns.tests.factories import make_sale

from .conftest import error_of

pytestmark = pytest.mark.django_db


def test_time_is_recorded_valued_and_corrected_and_a_ticket_carries_its_costs(
    api, boss, company, customer, product
):
    sale = make_sale(boss, customer, product)
    profile = api.post("/aftersales/cost-profiles", {"name": "Direction", "hourly_cost": "90"})
    assert profile.status_code == 201
    assert (
        api.post(f"/aftersales/cost-profiles/{profile.json()['id']}/users", {"user": boss.pk}).status_code
        == 200
    )

    ticket = api.post(
        "/aftersales/tickets",
        {
            "customer": customer.pk,
            "title": "Perceuse bruyante",
            "kind": "intervention",
            "order": sale.order.pk,
            "parts_cost": "45.50",
        },
    )
    assert ticket.status_code == 201, ticket.content
    ticket = ticket.json()
    assert (ticket["number"][:4], ticket["status"], ticket["parts_cost"]) == ("SAV-", "open", "45.50")

    entry = api.post(
        "/aftersales/time-entries",
        {
            "customer": customer.pk,
            "minutes": 90,
            "activity": "admin",
            "ticket": ticket["id"],
            "note": "sur site",
        },
    )
    assert entry.status_code == 201, entry.content
    body = entry.json()
    # Time on a ticket is after-sales; 1 h 30 at 90 €/h
    assert (body["activity"], body["hourly_cost"], body["cost"], body["ticket"]["number"]) == (
        "aftersales",
        "90.00",
        "135.00",
        ticket["number"],
    )
    corrected = api.patch(f"/aftersales/time-entries/{body['id']}", {"minutes": 60})
    assert (corrected.status_code, corrected.json()["cost"]) == (200, "90.00")

    costs = api.post(
        f"/aftersales/tickets/{ticket['id']}/costs", {"parts_cost": "45.50", "travel_cost": "30"}
    )
    assert costs.json()["travel_cost"] == "30.00" and costs.json()["time_cost"] == "90.00"
    resolved = api.post(f"/aftersales/tickets/{ticket['id']}/status", {"status": "resolved"})
    assert resolved.json()["status"] == "resolved"
    assert error_of(api.post(f"/aftersales/tickets/{ticket['id']}/status", {"status": "open"})) == (
        409,
        "invalid_transition",
    )
    listed = api.get("/aftersales/tickets", {"customer": customer.pk}).json()
    assert [t["number"] for t in listed["items"]] == [ticket["number"]]


def test_time_without_a_cost_profile_and_someone_elses_time_are_refused(api, api_as, boss, company, customer):
    commercial = api_as(Role.COMMERCIAL)
    refused = commercial.post(
        "/aftersales/time-entries", {"customer": customer.pk, "minutes": 30, "activity": "presales"}
    )
    assert error_of(refused) == (400, "no_cost_profile")
    assert error_of(
        commercial.post(
            "/aftersales/time-entries",
            {"customer": customer.pk, "minutes": 30, "activity": "presales", "user": boss.pk},
        )
    ) == (403, "permission_denied")
    assert error_of(commercial.post("/aftersales/cost-profiles", {"name": "X", "hourly_cost": "1"})) == (
        403,
        "permission_denied",
    )


def test_delivery_logistics_and_the_customer_waterfall(api, api_as, boss, company, customer, product):
    sale = make_sale(boss, customer, product)
    refused = api.post(f"/deliveries/{sale.delivery.pk}/logistics", {"urgent_absorbed": True})
    assert error_of(refused) == (400, "urgent_reason_missing")
    done = api.post(
        f"/deliveries/{sale.delivery.pk}/logistics",
        {
            "carrier_cost": "42",
            "weight_kg": "18",
            "urgent_absorbed": True,
            "urgent_reason": "Panne en production",
        },
    )
    assert done.status_code == 200 and done.json()["carrier_cost"] == "42.00"
    assert (
        api.post(
            "/aftersales/adjustments", {"customer": customer.pk, "amount": "100", "reason": "Pénalité"}
        ).status_code
        == 201
    )

    body = api.get(f"/insights/customers/{customer.pk}/waterfall").json()
    steps = {step["key"]: step for step in body["steps"]}
    assert list(steps) == [
        "gross_revenue",
        "discounts",
        "credit_notes",
        "net_revenue",
        "cost_of_goods",
        "logistics",
        "aftersales",
        "internal_time",
        "payment_delay",
        "adjustments",
        "real_margin",
    ]
    assert (steps["gross_revenue"]["amount"], steps["cost_of_goods"]["amount"]) == ("1200.00", "-700.00")
    assert [(d["key"], d["amount"]) for d in steps["logistics"]["details"]] == [("urgent_absorbed", "42.00")]
    assert steps["logistics"]["details"][0]["label"] == "Urgences absorbées pour la relation"
    # 1 200 − 700 − 42 − 100 = 358 € of real margin, where the sales view shows 500 €
    assert (body["real_margin"], body["real_rate"], body["sales_view"]["margin"]) == (
        "358.00",
        "29.8",
        "500.00",
    )
    assert error_of(api_as(Role.COMMERCIAL).get(f"/insights/customers/{customer.pk}/waterfall")) == (
        403,
        "permission_denied",
    )
    assert error_of(api.get("/insights/customers/999999/waterfall")) == (404, "not_found")

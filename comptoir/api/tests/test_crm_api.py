"""The commercial pipeline through HTTP: a lead converted, an opportunity moved and won by its quote,
activities planned and done, the figures, and the refusals with their stable codes."""

import pytest

from comptoir.core.permissions import Role

from .conftest import error_of

pytestmark = pytest.mark.django_db


def test_a_lead_becomes_a_customer_whose_opportunity_is_won_by_its_accepted_quote(
    api, boss, company, product
):
    lead = api.post(
        "/crm/leads",
        {"company_name": "Charpentes Roux", "contact_name": "Léa Roux", "source": "referral"},
    )
    assert lead.status_code == 201, lead.content
    lead_id = lead.json()["id"]
    assert error_of(api.post(f"/crm/leads/{lead_id}/convert", {})) == (400, "lead_not_qualified")
    assert api.post(f"/crm/leads/{lead_id}/qualify").json()["status"] == "qualified"
    converted = api.post(
        f"/crm/leads/{lead_id}/convert", {"opportunity_title": "Atelier neuf", "amount": "5000"}
    )
    assert converted.status_code == 200, converted.content
    body = converted.json()
    assert (body["lead"]["status"], body["lead"]["customer"]["name"]) == ("converted", "Charpentes Roux")
    opportunity_id = body["opportunity_id"]

    deal = api.get(f"/crm/opportunities/{opportunity_id}").json()
    assert (deal["stage"], deal["source"], deal["weighted_amount"], deal["next_stages"]) == (
        "qualification",
        "referral",
        "500.00",
        ["proposal", "lost"],
    )
    refused = api.post(f"/crm/opportunities/{opportunity_id}/stage", {"stage": "won"})
    assert error_of(refused) == (409, "invalid_transition")
    moved = api.post(f"/crm/opportunities/{opportunity_id}/stage", {"stage": "proposal"})
    assert (moved.status_code, moved.json()["probability"]) == (200, 40)

    customer_id = deal["customer"]["id"]
    quote = api.post(
        "/quotes",
        {
            "customer": customer_id,
            "opportunity": opportunity_id,
            "lines": [{"product": product.pk, "quantity": "10"}],
        },
    )
    assert quote.status_code == 201, quote.content
    assert quote.json()["opportunity_id"] == opportunity_id
    quote_id = quote.json()["id"]
    assert api.post(f"/quotes/{quote_id}/send").status_code == 200
    assert api.post(f"/quotes/{quote_id}/accept", {}).status_code in (200, 201)

    won = api.get(f"/crm/opportunities/{opportunity_id}").json()
    assert (won["stage"], won["amount"], won["probability"], won["next_stages"]) == (
        "won",
        "1200.00",
        100,
        [],
    )
    stats = api.get("/crm/stats").json()
    assert stats["by_source"] == [
        {
            "key": "referral",
            "label": "Recommandation",
            "won": 1,
            "lost": 0,
            "conversion_rate": "100.0",
            "median_cycle_days": "0",
        }
    ]


def test_activities_are_planned_listed_done_and_counted_overdue(api, boss, customer):
    deal = api.post("/crm/opportunities", {"customer": customer.pk, "title": "Perceuses", "amount": "900"})
    assert deal.status_code == 201, deal.content
    late = api.post(
        "/crm/activities",
        {
            "opportunity": deal.json()["id"],
            "kind": "call",
            "subject": "Relancer l'acheteur",
            "due_date": "2026-01-05",
        },
    )
    assert late.status_code == 201, late.content
    assert late.json()["customer"]["id"] == customer.pk
    stats = api.get("/crm/stats").json()
    assert stats["overdue_activities"] == [{"user_id": boss.pk, "username": "direction", "count": 1}]
    assert [row["count"] for row in stats["pipeline"]] == [1, 0, 0]
    assert stats["pipeline"][0]["weighted"] == "90.00"

    listed = api.get("/crm/activities", {"customer": customer.pk, "open": "true"}).json()
    assert [item["subject"] for item in listed["items"]] == ["Relancer l'acheteur"]
    done = api.post(f"/crm/activities/{late.json()['id']}/complete", {"note": "Rappel fait"})
    assert done.status_code == 200 and done.json()["done_at"]
    assert api.get("/crm/activities", {"open": "true"}).json()["count"] == 0


def test_crm_refusals_carry_stable_codes(api, api_as, boss, customer):
    assert error_of(api.post("/crm/activities", {"subject": "Sans objet", "due_date": "2026-01-05"})) == (
        400,
        "activity_without_target",
    )
    assert error_of(api.post("/crm/opportunities", {"customer": 999999, "title": "X"})) == (
        404,
        "unknown_customer",
    )
    deal = api.post("/crm/opportunities", {"customer": customer.pk, "title": "X"}).json()
    assert error_of(api.post(f"/crm/opportunities/{deal['id']}/stage", {"stage": "lost"})) == (
        400,
        "lost_needs_reason",
    )
    storekeeper = api_as(Role.LOGISTIQUE)
    assert error_of(storekeeper.get("/crm/opportunities")) == (403, "permission_denied")
    assert error_of(storekeeper.post("/crm/leads", {"company_name": "X"})) == (403, "permission_denied")

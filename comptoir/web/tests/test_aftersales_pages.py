"""The time and after-sales pages, a delivery note's logistics cost and the customer's real-margin panel."""

import pytest

from comptoir.aftersales import services as aftersales
from comptoir.aftersales.models import Ticket, TimeEntry
from comptoir.core.permissions import Role
from comptoir.core.testing import make_user
from comptoir.returns.tests.factories import make_sale
from comptoir.stock.models import Delivery
from comptoir.web.tests.clients import client_for, messages_of, text_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def sale(boss, company, customer, product):
    return make_sale(boss, customer, product)


def test_a_ticket_is_opened_costed_timed_and_resolved_from_its_pages(boss, customer, sale):
    aftersales.assign_profile(
        boss, aftersales.create_profile(by=boss, name="Direction", hourly_cost="80"), by=boss
    )
    web = client_for(boss)
    created = web.post(
        "/sav/nouveau/",
        {
            "customer": customer.pk,
            "kind": "intervention",
            "title": "Perceuse qui chauffe",
            "order": sale.order.number,
            "parts_cost": "35,50",
        },
    )
    ticket = Ticket.objects.get()
    assert created.status_code == 302 and created["Location"] == f"/sav/{ticket.pk}/"
    assert (ticket.order, ticket.parts_cost, ticket.created_by) == (sale.order, 35.5, boss)

    web.post(f"/sav/{ticket.pk}/couts/", {"parts_cost": "35,50", "travel_cost": "60"})
    web.post(f"/sav/{ticket.pk}/temps/", {"minutes": "45"})
    web.post(f"/sav/{ticket.pk}/etat/", {"status": "resolved"})
    page = web.get(f"/sav/{ticket.pk}/")
    text = text_of(page)
    assert "60,00\u00a0€" in text and "60,00\u00a0€" in text and "Résolu" in text
    entry = TimeEntry.objects.get()
    assert (entry.activity, entry.minutes, entry.cost) == ("aftersales", 45, 60)
    assert ticket.number in text_of(web.get("/sav/"))


def test_time_is_recorded_against_a_document_number_and_corrected(boss, customer, sale):
    aftersales.assign_profile(
        boss, aftersales.create_profile(by=boss, name="Direction", hourly_cost="60"), by=boss
    )
    web = client_for(boss)
    answer = web.post(
        "/temps/saisir/",
        {"customer": customer.pk, "minutes": "90", "activity": "project", "document": sale.order.number},
    )
    assert answer.status_code == 302
    entry = TimeEntry.objects.get()
    assert (entry.order, entry.cost) == (sale.order, 90)
    web.post(
        f"/temps/{entry.pk}/corriger/", {"date": entry.date.isoformat(), "minutes": "30", "activity": "admin"}
    )
    entry.refresh_from_db()
    assert (entry.minutes, entry.activity, entry.cost) == (30, "admin", 30)
    assert "Gestion de projet" not in text_of(web.get("/temps/")).split("time-table")[1]

    unknown = web.post(
        "/temps/saisir/",
        {"customer": customer.pk, "minutes": "10", "activity": "admin", "document": "CMD-1999-99999"},
    )
    assert unknown.status_code == 200 and "Aucun devis, commande" in text_of(unknown)


def test_someone_without_a_cost_profile_is_told_whom_to_ask(company, customer):
    seller = make_user("vendeur", Role.COMMERCIAL)
    answer = client_for(seller).post(
        "/temps/saisir/", {"customer": customer.pk, "minutes": "30", "activity": "presales"}
    )
    assert answer.status_code == 200
    assert "n'a pas de profil de coût" in text_of(answer)


def test_the_delivery_page_records_the_carrier_cost_and_an_absorbed_urgency(boss, sale):
    web = client_for(boss)
    path = f"/livraisons/{sale.delivery.pk}/"
    assert "Saisir le coût logistique" in text_of(web.get(path))
    refused = web.post(path + "logistique/", {"carrier_cost": "38", "urgent_absorbed": "on"}, follow=True)
    assert any("pourquoi l'urgence est absorbée" in m for m in messages_of(refused))
    web.post(
        path + "logistique/",
        {
            "carrier_cost": "38",
            "weight_kg": "12,5",
            "urgent_absorbed": "on",
            "urgent_reason": "Chantier bloqué",
        },
    )
    delivery = Delivery.objects.get(pk=sale.delivery.pk)
    assert (delivery.carrier_cost, delivery.weight_kg, delivery.urgent_absorbed) == (38, 12.5, True)
    assert "Chantier bloqué" in text_of(web.get(path))


def test_the_customer_page_shows_the_real_margin_waterfall_to_those_who_see_margins(boss, customer, sale):
    aftersales.record_adjustment(customer, by=boss, amount="600", reason="Pénalité contractuelle")
    page = client_for(boss).get(f"/clients/{customer.pk}/")
    text = text_of(page)
    assert "Rentabilité réelle" in text and "<svg" in text and "Pénalité contractuelle" in text
    # 1 200 € of sales, 700 € of goods, 600 € of penalty: −100 €, where the sales view shows 500 €
    assert page.context["waterfall"].real_margin == -100
    assert 'id="real-margin">−100,00\u00a0€' in text and 'id="sales-margin">500,00\u00a0€' in text
    assert "style=" not in text.split('id="rentabilite"')[1].split("</section>")[0]
    seller = make_user("vendeur", Role.COMMERCIAL)
    assert "Rentabilité réelle" not in text_of(client_for(seller).get(f"/clients/{customer.pk}/"))

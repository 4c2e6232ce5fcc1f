"""The CRM pages: a lead typed, qualified and converted, the opportunity's stage buttons drawn from its table,
« Créer un devis » prefilled and the quote attached, the pipeline's columns and owner filter, « Mes activités »
overdue first, and the activities on the customer page."""

import datetime

import pytest

from comptoir.core import dates
from comptoir.core.permissions import Role
from comptoir.core.testing import make_user
from comptoir.crm import services as crm
from comptoir.crm.models import Lead, Opportunity
from comptoir.sales.models import Quote
from comptoir.web.tests.clients import client_for, messages_of, text_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def seller(db):
    return make_user("paul", Role.COMMERCIAL)


def test_a_lead_is_typed_qualified_and_converted_into_a_customer_and_its_opportunity(seller, company):
    web = client_for(seller)
    created = web.post(
        "/pistes/nouvelle/",
        {"company_name": "Charpentes Roux", "contact_name": "Léa Roux", "source": "trade_show"},
    )
    lead = Lead.objects.get()
    assert created.status_code == 302 and created["Location"] == f"/pistes/{lead.pk}/"
    page = text_of(web.get(f"/pistes/{lead.pk}/"))
    assert "Qualifier" in page and "Convertir" not in page
    web.post(f"/pistes/{lead.pk}/qualifier/")
    assert "Convertir en client" in text_of(web.get(f"/pistes/{lead.pk}/"))

    converted = web.post(f"/pistes/{lead.pk}/convertir/", {"opportunity_title": "Atelier", "amount": "4 500"})
    opportunity = Opportunity.objects.get()
    assert converted["Location"] == f"/opportunites/{opportunity.pk}/"
    lead.refresh_from_db()
    assert (lead.status, lead.customer.name, opportunity.amount) == ("converted", "Charpentes Roux", 4500)
    assert "Charpentes Roux" in text_of(web.get("/pistes/?etat=converted"))


def test_the_opportunity_page_shows_only_the_allowed_stage_moves_and_quotes_from_it(
    seller, customer, product
):
    deal = crm.create_opportunity(customer, by=seller, title="Perceuses du chantier", amount="3000")
    web = client_for(seller)
    page = text_of(web.get(f"/opportunites/{deal.pk}/"))
    assert "Passer à « Proposition »" in page
    assert "Passer à « Gagnée »" not in page and "Passer à « Négociation »" not in page
    assert "Perdre l'opportunité" in page
    assert f"/devis/nouveau/?opportunite={deal.pk}" in page

    form = web.get(f"/devis/nouveau/?opportunite={deal.pk}")
    assert form.context["form"].initial == {"customer": customer.pk, "opportunity": deal.pk}
    web.post(
        "/devis/nouveau/",
        {
            "customer": customer.pk,
            "opportunity": deal.pk,
            "row_id": ["a1"],
            "product": [product.pk],
            "quantity": ["2"],
            "unit_price": [""],
            "discount_percent": [""],
        },
    )
    quote = Quote.objects.get()
    assert quote.opportunity == deal
    assert quote.number in text_of(web.get(f"/opportunites/{deal.pk}/"))

    moved = web.post(f"/opportunites/{deal.pk}/etape/", {"stage": "proposal"})
    assert moved.status_code == 302
    page = text_of(web.get(f"/opportunites/{deal.pk}/"))
    assert "Passer à « Négociation »" in page and "Passer à « Gagnée »" in page
    refused = web.post(f"/opportunites/{deal.pk}/etape/", {"stage": "lost"}, follow=True)
    assert any("motif" in message for message in messages_of(refused))
    deal.refresh_from_db()
    assert deal.stage == "proposal"

    # A role without the CRM does not open it
    assert (
        client_for(make_user("lucien", Role.LOGISTIQUE)).get(f"/opportunites/{deal.pk}/").status_code == 403
    )


def test_the_pipeline_shows_each_stage_with_its_amounts_and_filters_by_owner(seller, boss, customer):
    anne = make_user("anne", Role.ADV)
    crm.create_opportunity(customer, by=seller, title="Scies", amount="1000")
    proposal = crm.create_opportunity(customer, by=seller, title="Perceuses", amount="2000")
    crm.move_stage(proposal, "proposal", by=seller)
    crm.create_opportunity(customer, by=anne, title="Visseuses d'Anne", amount="500")
    web = client_for(boss)
    page = text_of(web.get("/pipeline/"))
    assert "Scies" in page and "Visseuses d'Anne" in page
    # Qualification: 1 500 € (weighted 150 €); proposal 2 000 € (weighted 800 €)
    assert "1\u202f500,00\u00a0€" in page and "150,00\u00a0€" in page and "800,00\u00a0€" in page
    mine = text_of(web.get(f"/pipeline/?responsable={seller.pk}"))
    assert "Scies" in mine and "Visseuses d'Anne" not in mine


def test_my_activities_list_the_overdue_first_and_the_customer_page_shows_its_activities(seller, customer):
    today = dates.today()
    later = crm.plan_activity(
        customer=customer,
        kind="meeting",
        subject="Visite de l'atelier",
        due_date=today + datetime.timedelta(days=5),
        assigned_to=seller,
        by=seller,
    )
    crm.plan_activity(
        customer=customer,
        kind="call",
        subject="Rappeler l'acheteur",
        due_date=today - datetime.timedelta(days=3),
        assigned_to=seller,
        by=seller,
    )
    web = client_for(seller)
    page = text_of(web.get("/activites/"))
    assert page.index("Rappeler l'acheteur") < page.index("Visite de l'atelier")
    assert "En retard" in page

    customer_page = text_of(web.get(f"/clients/{customer.pk}/"))
    assert "Visite de l'atelier" in customer_page and "Planifier une activité" in customer_page
    planned = web.post(
        "/activites/planifier/",
        {
            "customer": customer.pk,
            "kind": "task",
            "subject": "Envoyer le catalogue",
            "due_date": today.isoformat(),
            "assigned_to": seller.pk,
            "next": f"/clients/{customer.pk}/",
        },
    )
    assert planned["Location"] == f"/clients/{customer.pk}/"
    assert "Envoyer le catalogue" in text_of(web.get(f"/clients/{customer.pk}/"))

    done = web.post(f"/activites/{later.pk}/faite/")
    assert done["Location"] == "/activites/"
    later.refresh_from_db()
    assert later.done_at is not None
    table = text_of(web.get("/activites/")).split('id="activity-table"')[1]
    assert "Visite de l'atelier" not in table and "Envoyer le catalogue" in table

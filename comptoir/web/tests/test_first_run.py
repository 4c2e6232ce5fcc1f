"""The first-run screen (Premiers pas): a new installation without a company is led through the set-up
of a real company, step by step, then lands on the home with its first steps to do."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from comptoir.accounting.models import FiscalYear
from comptoir.core.models import AuditEvent
from comptoir.core.permissions import Role, roles_of
from comptoir.core.testing import make_user
from comptoir.parties.models import Company, Customer
from comptoir.web.tests.clients import client_for, text_of

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("first_run_gate")]

IDENTITY = {
    "legal_name": "Atelier Mercier SARL",
    "legal_form": "SARL",
    "siren": "542 107 651",
    "siret": "",
    "vat_number": "",
    "rcs_city": "Nantes",
    "share_capital": "7 500",
    "street": "3 quai de la Fosse",
    "street2": "",
    "postal_code": "44000",
    "city": "Nantes",
    "country": "FR",
    "email": "",
    "phone": "",
}
BANK = {"iban": "FR76 3000 6000 0112 3456 7890 189", "bic": "BNPAFRPP"}
VAT_AND_YEAR = {"vat_regime": "debits", "fiscal_year_start_month": "1", "open_year_containing": ""}
TERMS = {
    "invoice_series": "FM",
    "default_payment_days": "45",
    "late_penalty_rate": "15",
    "early_payment_discount": "Pas d'escompte pour paiement anticipé.",
}
ADMIN = {
    "admin-username": "paul",
    "admin-first_name": "Paul",
    "admin-last_name": "Mercier",
    "admin-email": "paul@mercier.fr",
    "admin-password": "Mercier-Atelier-9",
}
NO_COLLEAGUE = {
    "collegues-TOTAL_FORMS": "2",
    "collegues-INITIAL_FORMS": "0",
    "collegues-MIN_NUM_FORMS": "0",
    "collegues-MAX_NUM_FORMS": "2",
}


def walk_to_the_users_step(client, *, terms=TERMS):
    for step, data in (
        ("societe", IDENTITY),
        ("banque", BANK),
        ("tva-exercice", VAT_AND_YEAR),
        ("facturation", terms),
    ):
        response = client.post(f"/premiers-pas/{step}/", data | {"go": "next"})
        assert response.status_code == 302, text_of(response)


def test_without_a_company_every_page_leads_to_the_first_run_and_the_api_says_why():
    client = Client()
    assert client.get("/").url == "/premiers-pas/"
    assert client.get("/clients/").url == "/premiers-pas/"
    assert client.get("/premiers-pas/").url == "/premiers-pas/societe/"
    assert client.get("/connexion/").status_code == 200
    assert client.get("/healthz").status_code == 200
    api = client.get("/api/v1/customers")
    assert api.status_code == 409
    assert api.json()["code"] == "company_not_set_up"
    assert client.get("/api/v1/openapi.json").status_code == 200


def test_a_new_installation_sets_up_its_company_and_lands_home_signed_in_with_its_first_steps():
    client = Client()
    walk_to_the_users_step(client)
    page = client.get("/premiers-pas/utilisateurs/")
    assert "Atelier Mercier SARL" in text_of(page) and "542107651" in text_of(page)
    assert "Mercier-Atelier-9" not in str(dict(client.session))

    response = client.post(
        "/premiers-pas/utilisateurs/",
        ADMIN
        | NO_COLLEAGUE
        | {
            "collegues-0-username": "lea",
            "collegues-0-password": "Lea-Commerce-2026",
            "collegues-0-roles": ["commercial"],
            "go": "finish",
        },
    )

    assert response.status_code == 302 and response.url == "/"
    company = Company.objects.get()
    assert (company.siren, company.iban, company.invoice_series) == (
        "542107651",
        "FR7630006000011234567890189",
        "FM",
    )
    assert company.vat_on_debits is True and company.default_payment_days == 45
    assert FiscalYear.objects.count() == 1
    paul = get_user_model().objects.get(username="paul")
    assert roles_of(paul) == {Role.DIRECTION, Role.ADMIN}
    assert roles_of(get_user_model().objects.get(username="lea")) == {Role.COMMERCIAL}
    assert AuditEvent.objects.get(action="company.set_up").actor == paul
    home = client.get("/")
    assert home.status_code == 200
    card = text_of(home)
    assert "La société Atelier Mercier SARL est en place" in card
    for step in (
        "Importer vos clients",
        "Importer vos produits",
        "Importer votre stock de départ",
        "Faire un premier devis",
    ):
        assert step in card
    assert not Customer.objects.exists()


def test_going_back_keeps_what_was_typed():
    client = Client()
    client.post("/premiers-pas/societe/", IDENTITY | {"go": "next"})
    client.post("/premiers-pas/banque/", {"iban": "FR76 1234", "bic": "", "go": "back"})

    assert 'value="Atelier Mercier SARL"' in client.get("/premiers-pas/societe/").content.decode()
    assert 'value="FR76 1234"' in client.get("/premiers-pas/banque/").content.decode()


def test_an_invalid_siren_or_iban_is_refused_on_its_step_in_french():
    client = Client()
    response = client.post("/premiers-pas/societe/", IDENTITY | {"siren": "542107652", "go": "next"})
    assert response.status_code == 200
    assert "Le SIREN « 542107652 » n'est pas valide" in text_of(response)

    client.post("/premiers-pas/societe/", IDENTITY | {"go": "next"})
    response = client.post("/premiers-pas/banque/", {"iban": "FR76 0000", "bic": "", "go": "next"})
    assert "L'IBAN « FR76 0000 » n'est pas valide." in text_of(response)


def test_a_later_step_cannot_be_reached_before_the_earlier_ones():
    assert Client().get("/premiers-pas/facturation/").url == "/premiers-pas/societe/"


def test_a_refusal_at_the_end_brings_the_person_back_to_the_step_it_concerns():
    client = Client()
    walk_to_the_users_step(client, terms=TERMS | {"late_penalty_rate": "1"})

    response = client.post("/premiers-pas/utilisateurs/", ADMIN | NO_COLLEAGUE | {"go": "finish"})

    assert response.url == "/premiers-pas/facturation/"
    page = text_of(client.get(response.url))
    assert "Le taux des pénalités de retard" in page
    assert not Company.objects.exists() and not get_user_model().objects.exists()


def test_a_weak_password_is_refused_next_to_the_administrator():
    client = Client()
    walk_to_the_users_step(client)
    response = client.post(
        "/premiers-pas/utilisateurs/", ADMIN | NO_COLLEAGUE | {"admin-password": "1234", "go": "finish"}
    )
    assert response.status_code == 200
    assert "Mot de passe refusé" in text_of(response)
    assert not Company.objects.exists()


def test_once_a_user_exists_only_a_signed_in_administrator_may_set_the_company_up():
    clerk = make_user("lea", Role.COMMERCIAL)
    assert Client().get("/premiers-pas/societe/").url.startswith("/connexion/")
    refused = client_for(clerk).get("/premiers-pas/societe/")
    assert refused.status_code == 403
    assert "Un administrateur doit d'abord renseigner la société" in text_of(refused)

    admin = make_user("admin", Role.ADMIN)
    client = client_for(admin)
    walk_to_the_users_step(client)
    page = client.get("/premiers-pas/utilisateurs/")
    assert "admin-username" not in page.content.decode()
    response = client.post("/premiers-pas/utilisateurs/", NO_COLLEAGUE | {"go": "finish"})
    assert response.url == "/"
    assert AuditEvent.objects.get(action="company.set_up").actor == admin


def test_once_the_company_exists_the_first_run_leads_home_and_pages_open(company, admin_user):
    client = client_for(admin_user)
    assert client.get("/premiers-pas/").url == "/"
    assert client.get("/clients/").status_code == 200

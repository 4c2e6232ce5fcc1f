"""The settings pages (Paramètres) through Django's test client: who opens and who may change what,
users created and locked out (or not) by form posts, refusals shown on the field, rules that take
effect, CSRF on every form."""

import datetime
import io
import re
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from comptoir.accounting.models import FiscalYear
from comptoir.core import dates
from comptoir.core.models import ApprovalPolicy, AuditEvent
from comptoir.core.permissions import ALL_ROLES, Role, roles_of
from comptoir.core.testing import make_user
from comptoir.core.users import stored_roles
from comptoir.parties.models import Company
from comptoir.returns import selectors as returns_view
from comptoir.returns.models import ReturnPolicy
from comptoir.returns.services import approve_case, open_case, submit_case
from comptoir.returns.tests.factories import make_sale
from comptoir.web.templatetags.comptoir_format import euros
from comptoir.web.tests.clients import client_for, messages_of, text_of

pytestmark = pytest.mark.django_db

INDEX = "/parametres/"
COMPANY = "/parametres/societe/"
USERS = "/parametres/utilisateurs/"
NEW_USER = "/parametres/utilisateurs/nouveau/"
ROLES = "/parametres/roles/"
VAT = "/parametres/tva/"
NUMBERING = "/parametres/numerotation/"
TERMS = "/parametres/conditions-de-paiement/"
RULES = "/parametres/regles/"
YEARS = "/parametres/exercices/"
READ_PAGES = (INDEX, COMPANY, ROLES, VAT, NUMBERING, TERMS, RULES, YEARS)
PASSWORD = "Bienvenue-2026"


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def company_post(company: Company, **changes) -> dict:
    data = {
        "legal_name": company.legal_name,
        "legal_form": company.legal_form,
        "siren": company.siren,
        "siret": company.siret,
        "vat_number": company.vat_number,
        "rcs_city": company.rcs_city,
        "share_capital": "50 000,00",
        "street": company.street,
        "street2": "",
        "postal_code": company.postal_code,
        "city": company.city,
        "country": "FR",
        "email": "",
        "phone": "",
        "iban": company.iban,
        "bic": company.bic,
        "backdating_days": str(company.backdating_days),
    }
    return data | changes


# --- Who opens the pages ------------------------------------------------------------------------


def test_every_settings_page_renders_for_an_admin(admin_user, company, boss):
    client = client_for(admin_user)
    for url in (*READ_PAGES, USERS, NEW_USER, f"{USERS}{boss.pk}/"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "Traceback" not in text_of(response)
    index = text_of(client.get(INDEX))
    for url in (COMPANY, USERS, ROLES, VAT, NUMBERING, TERMS, RULES, YEARS):
        assert f'href="{url}"' in index, url


@pytest.mark.parametrize("role", [Role.COMMERCIAL, Role.ADV, Role.LOGISTIQUE])
def test_operational_roles_get_403_on_every_settings_page(role, company):
    client = client_for(make_user(f"u-{role}", role))
    for url in (*READ_PAGES, USERS, NEW_USER):
        response = client.get(url)
        assert response.status_code == 403, (role, url)
        assert "Accès refusé" in text_of(response)
    assert 'href="/parametres/"' not in text_of(client.get("/"))


@pytest.mark.parametrize("role", [Role.DIRECTION, Role.COMPTABILITE])
def test_direction_and_accounting_read_the_settings_but_not_the_users(role, company):
    client = client_for(make_user(f"u-{role}", role))
    assert 'href="/parametres/"' in text_of(client.get("/"))
    for url in READ_PAGES:
        assert client.get(url).status_code == 200, url
    assert client.get(USERS).status_code == 403
    index = text_of(client.get(INDEX))
    assert f'href="{USERS}"' not in index
    page = client.get(COMPANY)
    assert 'id="company-form"' not in text_of(page) and "Outillage Durand SAS" in text_of(page)


def test_the_sidebar_links_to_the_settings_for_an_admin(admin_user):
    html_text = text_of(client_for(admin_user).get("/"))
    assert 'href="/parametres/"' in html_text and "Paramètres" in html_text


# --- Company ------------------------------------------------------------------------------------


def test_an_admin_edits_the_company(admin_user, company):
    response = client_for(admin_user).post(
        COMPANY,
        company_post(company, legal_name="Outillage Durand SA", vat_on_debits="on", city="Villeurbanne"),
    )
    assert response.status_code == 302
    company.refresh_from_db()
    assert (company.legal_name, company.vat_on_debits, company.city) == (
        "Outillage Durand SA",
        True,
        "Villeurbanne",
    )
    event = AuditEvent.objects.filter(action="company.configured").last()
    assert event.actor == admin_user and event.data["fields"] == ["city", "legal_name", "vat_on_debits"]


def test_an_admin_gives_the_company_a_logo_which_stays_when_the_form_is_saved_again(admin_user, company):
    image = io.BytesIO()
    Image.new("RGB", (8, 4), "navy").save(image, format="JPEG")
    client = client_for(admin_user)
    logo = SimpleUploadedFile("logo.jpg", image.getvalue(), content_type="image/jpeg")

    assert client.post(COMPANY, company_post(company) | {"logo": logo}).status_code == 302
    client.post(COMPANY, company_post(company, city="Villeurbanne"))

    company.refresh_from_db()
    assert bytes(company.logo) == image.getvalue() and company.city == "Villeurbanne"
    served = client.get("/parametres/societe/logo")
    assert served["Content-Type"] == "image/jpeg" and served.content == image.getvalue()
    assert 'src="/parametres/societe/logo"' in text_of(client.get(COMPANY))
    not_an_image = SimpleUploadedFile("logo.png", b"GIF89a no", content_type="image/png")
    refused = client.post(COMPANY, company_post(company) | {"logo": not_an_image})
    assert "Le logo doit être une image PNG ou JPEG" in text_of(refused)


def test_an_admin_sets_how_far_back_documents_may_be_dated(admin_user, company):
    assert 'name="backdating_days" value="31"' in text_of(client_for(admin_user).get(COMPANY))
    response = client_for(admin_user).post(COMPANY, company_post(company, backdating_days="7"))
    assert response.status_code == 302
    company.refresh_from_db()
    assert company.backdating_days == 7
    assert AuditEvent.objects.filter(action="company.configured").last().data["fields"] == ["backdating_days"]
    response = client_for(admin_user).post(COMPANY, company_post(company, backdating_days="-1"))
    assert "backdating_days" in response.context["form"].errors


def test_an_invalid_siren_is_shown_on_its_field_and_nothing_is_saved(admin_user, company):
    events = AuditEvent.objects.count()
    response = client_for(admin_user).post(
        COMPANY, company_post(company, legal_name="Nouveau nom SAS", siren="732 829 321")
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "siren" in errors and "n'est pas valide" in errors["siren"][0]
    assert "732 829 321" in errors["siren"][0]
    assert 'aria-invalid="true"' in text_of(response)
    company.refresh_from_db()
    assert (company.legal_name, company.siren) == ("Outillage Durand SAS", "732829320")
    assert AuditEvent.objects.count() == events


def test_an_invalid_iban_is_shown_on_its_field(admin_user, company):
    response = client_for(admin_user).post(COMPANY, company_post(company, iban="FR7630006000011234567890180"))
    assert "iban" in response.context["form"].errors


def test_direction_cannot_change_the_company_even_by_posting(boss, company):
    response = client_for(boss).post(COMPANY, company_post(company, legal_name="Pirate SAS"))
    assert response.status_code == 200
    assert any("Votre rôle ne permet pas" in m for m in messages_of(response))
    company.refresh_from_db()
    assert company.legal_name == "Outillage Durand SAS"


def test_an_admin_sets_up_the_company_from_scratch(admin_user):
    empty = Company(legal_name="Nouvelle SAS", siren="542107651", iban="", bic="")
    response = client_for(admin_user).post(
        COMPANY, company_post(empty, siret="", vat_number="", share_capital="")
    )
    assert response.status_code == 302
    assert Company.objects.get().siren == "542107651"


# --- Payment terms ------------------------------------------------------------------------------


def test_payment_terms_page_shows_the_legal_ceiling_and_saves_the_default(admin_user, company):
    client = client_for(admin_user)
    page = text_of(client.get(TERMS))
    assert "60 jours" in page and "45 jours fin de mois" in page and "L441-10" in page
    response = client.post(
        TERMS,
        {"default_payment_days": "45", "late_penalty_rate": "10,5", "early_payment_discount": "Escompte 1 %"},
    )
    assert response.status_code == 302
    company.refresh_from_db()
    assert (company.default_payment_days, company.late_penalty_rate) == (45, Decimal("10.50"))
    assert company.early_payment_discount == "Escompte 1 %"
    # The new default is offered on the new-customer form.
    assert client.get("/clients/nouveau/").context["form"]["payment_days"].value() == 45


def test_default_terms_beyond_sixty_days_are_refused_on_the_field(admin_user, company):
    response = client_for(admin_user).post(
        TERMS, {"default_payment_days": "90", "late_penalty_rate": "12", "early_payment_discount": "Aucun"}
    )
    assert response.status_code == 200
    assert "60 jours" in response.context["form"].errors["default_payment_days"][0]
    company.refresh_from_db()
    assert company.default_payment_days == 30


# --- Users and roles ----------------------------------------------------------------------------


def test_a_user_created_through_the_page_signs_in_with_exactly_the_chosen_roles(admin_user):
    response = client_for(admin_user).post(
        NEW_USER,
        {
            "username": "claire",
            "first_name": "Claire",
            "last_name": "Petit",
            "email": "claire@durand.fr",
            "password": PASSWORD,
            "roles": [Role.COMPTABILITE, Role.ADV],
        },
    )
    user = get_user_model().objects.get(username="claire")
    assert response.status_code == 302 and response["Location"] == f"{USERS}{user.pk}/"
    assert roles_of(user) == {Role.COMPTABILITE, Role.ADV}
    client = Client()
    assert client.login(username="claire", password=PASSWORD)
    assert client.get("/comptabilite/balance/").status_code == 200
    assert client.get(USERS).status_code == 403
    listing = text_of(client_for(admin_user).get(USERS))
    assert "claire" in listing and "Comptabilité" in listing


def test_a_weak_password_or_a_taken_name_is_refused_on_its_field(admin_user):
    client = client_for(admin_user)
    response = client.post(NEW_USER, {"username": "bob", "password": "court", "roles": [Role.ADV]})
    assert "Mot de passe refusé" in response.context["form"].errors["password"][0]
    response = client.post(NEW_USER, {"username": "ADMIN", "password": PASSWORD, "roles": [Role.ADV]})
    assert "existe déjà" in response.context["form"].errors["username"][0]
    response = client.post(NEW_USER, {"username": "bob", "password": PASSWORD})
    assert "au moins un rôle" in response.context["form"].errors["roles"][0]
    assert not get_user_model().objects.filter(username="bob").exists()


def test_an_admin_changes_a_users_roles(admin_user):
    user = make_user("nadia", Role.ADV)
    response = client_for(admin_user).post(f"{USERS}{user.pk}/", {"roles": [Role.ADV, Role.DIRECTION]})
    assert response.status_code == 302
    assert stored_roles(user) == [Role.ADV, Role.DIRECTION]
    assert AuditEvent.objects.filter(action="user.roles_changed", object_id=str(user.pk)).exists()
    history = text_of(client_for(admin_user).get(f"{USERS}{user.pk}/"))
    assert "Rôles de l'utilisateur modifiés" in history


def test_an_admin_cannot_lock_themselves_out(admin_user):
    client = client_for(admin_user)
    own_page = f"{USERS}{admin_user.pk}/"
    response = client.post(own_page, {"roles": [Role.DIRECTION]})
    assert response.status_code == 200
    assert "votre propre rôle d'administrateur" in response.context["form"].errors["roles"][0]
    assert stored_roles(admin_user) == [Role.ADMIN]
    assert "/desactiver/" not in text_of(client.get(own_page))  # no button on one's own page…
    response = client.post(f"{own_page}desactiver/", follow=True)  # …and the service refuses anyway
    assert any("propre compte" in m for m in messages_of(response))
    admin_user.refresh_from_db()
    assert admin_user.is_active
    assert client.get(USERS).status_code == 200


def test_a_deactivated_user_can_no_longer_sign_in_nor_use_their_session(admin_user):
    user = make_user("karim", Role.LOGISTIQUE, password=PASSWORD)
    session = client_for(user)
    assert session.get("/").status_code == 200
    response = client_for(admin_user).post(f"{USERS}{user.pk}/desactiver/", follow=True)
    assert any("désactivé" in m for m in messages_of(response))
    assert session.get("/").status_code == 302  # signed out
    assert not Client().login(username="karim", password=PASSWORD)
    assert get_user_model().objects.filter(pk=user.pk).exists()  # never deleted
    client_for(admin_user).post(f"{USERS}{user.pk}/reactiver/")
    assert Client().login(username="karim", password=PASSWORD)


def test_the_roles_page_shows_each_permission_per_role(boss):
    page = text_of(client_for(boss).get(ROLES))
    assert "Émettre une facture" in page and "invoice.issue" in page
    rows = re.findall(r"<tr>\s*<th scope=\"row\">([^<]+)</th>", page)
    assert len(rows) > 20
    assert len(re.findall(r'<th scope="col" class="num">', page)) == len(ALL_ROLES)


# --- VAT and numbering --------------------------------------------------------------------------


def test_the_vat_page_shows_rates_categories_and_accounts(boss, company):
    page = text_of(client_for(boss).get(VAT))
    for text in ("20 %", "5,5 %", "2,1 %", "Autoliquidation", "VATEX-EU-AE", "VATEX-EU-G", "262 ter I"):
        assert text in page, text
    for account in ("44571", "44574", "44566", "707", "706"):
        assert f">{account}<" in page, account
    assert "n'a pas opté pour la TVA sur les débits" in page


def test_the_numbering_page_shows_the_next_numbers_and_why_they_cannot_be_edited(
    boss, company, customer, product
):
    sale = make_sale(boss, customer, product)
    year = sale.invoice.date.year
    page = text_of(client_for(boss).get(NUMBERING))
    assert "242 nonies A" in page and "ne peuvent pas être modifiés" in page
    assert f"FA-{year}-00001" in page and f"FA-{year}-00002" in page
    assert f"CMD-{year}-00002" in page
    assert "<form" not in page.split('id="contenu"')[1]  # read-only


# --- Rules and thresholds -----------------------------------------------------------------------


def _policy_post(policy: ReturnPolicy, **changes) -> dict:
    data = {
        "approval_threshold": str(policy.approval_threshold),
        "gesture_approval_threshold": "500",
        "refund_approval_threshold": "1000",
        "answer_within_hours": policy.answer_within_hours,
        "close_within_days": policy.close_within_days,
        "blocking_reasons": list(policy.blocking_reasons),
        "goods_back_reasons": list(policy.goods_back_reasons),
        "require_validation": "on",
        "require_receipt_before_credit": "on",
        "block_invoicing": "on",
    }
    return data | changes


def test_raising_the_threshold_is_audited_and_changes_who_may_approve(
    admin_user, boss, company, customer, product
):
    sale = make_sale(boss, customer, product)
    adv = make_user("nadia", Role.ADV)
    case = open_case(
        sale.delivery, [{"delivery_line": sale.delivery_line, "quantity": "9"}], by=adv, reason="damaged"
    )
    case = submit_case(case, by=adv)  # 1 080 € HT at stake, above the 1 000 € default
    assert "approve" not in returns_view.available_actions(case, adv, returns_view.policy())

    response = client_for(admin_user).post(
        RULES, _policy_post(ReturnPolicy.current(), approval_threshold="2 000,00")
    )
    assert response.status_code == 302
    event = AuditEvent.objects.get(action="return.policy_updated")
    assert event.actor == admin_user
    assert event.data == {
        "before": {"approval_threshold": "1000.00"},
        "after": {"approval_threshold": "2000.00"},
    }

    colleague = make_user("lea", Role.ADV)  # whoever opened the case never approves it
    assert "approve" not in returns_view.available_actions(case, adv, returns_view.policy())
    assert "approve" in returns_view.available_actions(case, colleague, returns_view.policy())
    assert approve_case(case, by=colleague).status == "approved"


def test_the_four_eyes_thresholds_of_gestures_and_refunds_are_set_beside_the_return_rules(boss):
    client = client_for(boss)
    data = _policy_post(
        ReturnPolicy.current(), gesture_approval_threshold="250,00", refund_approval_threshold="2 000"
    )
    assert client.post(RULES, data).status_code == 302
    thresholds = ApprovalPolicy.current()
    assert (thresholds.gesture_threshold, thresholds.refund_threshold) == (
        Decimal("250.00"),
        Decimal("2000.00"),
    )
    assert AuditEvent.objects.get(action="return.policy_updated").data == {
        "before": {"gesture_approval_threshold": "500.00", "refund_approval_threshold": "1000.00"},
        "after": {"gesture_approval_threshold": "250.00", "refund_approval_threshold": "2000.00"},
    }
    page = text_of(client_for(make_user("claire", Role.COMPTABILITE)).get(RULES))
    assert f"{euros(Decimal('250'))} HT" in page and f"{euros(Decimal('2000'))} TTC" in page


def test_the_rules_form_saves_switches_and_reasons(boss):
    client = client_for(boss)  # direction may change the return rules
    data = _policy_post(ReturnPolicy.current(), answer_within_hours="24", blocking_reasons=["short_shipment"])
    del data["require_validation"]
    assert client.post(RULES, data).status_code == 302
    policy = ReturnPolicy.current()
    assert (policy.answer_within_hours, policy.require_validation, policy.blocking_reasons) == (
        24,
        False,
        ["short_shipment"],
    )
    assert client.post(RULES, data, follow=True).status_code == 200
    assert AuditEvent.objects.filter(action="return.policy_updated").count() == 1  # nothing changed twice


def test_accounting_reads_the_rules_but_cannot_change_them(company):
    client = client_for(make_user("claire", Role.COMPTABILITE))
    page = text_of(client.get(RULES))
    assert 'id="rules-form"' not in page and euros(Decimal("1000")) in page
    response = client.post(RULES, _policy_post(ReturnPolicy.current(), approval_threshold="5"))
    assert any("Votre rôle ne permet pas" in m for m in messages_of(response))
    assert ReturnPolicy.current().approval_threshold == Decimal("1000.00")


# --- Fiscal years -------------------------------------------------------------------------------


def test_accounting_locks_a_period_and_cannot_unlock_it(company):
    client = client_for(make_user("claire", Role.COMPTABILITE))
    this_year = dates.today().year
    until = datetime.date(this_year, 3, 31)
    response = client.post(YEARS, {"until": until.isoformat()})
    assert response.status_code == 302
    year = FiscalYear.objects.get(name=str(this_year))
    assert year.lock_date == until
    assert AuditEvent.objects.get(action="accounting.period_locked").data == {"until": until.isoformat()}
    page = text_of(client.get(YEARS))
    assert f"31/03/{this_year}" in page and "Partiellement verrouillé" in page
    assert 'id="unlock-form"' not in page
    response = client.post(YEARS, {"until": f"{this_year}-02-28"})
    assert "Seule la direction peut déverrouiller" in response.context["form"].errors["until"][0]
    response = client.post(
        YEARS, {"action": "unlock", "unlock-until": f"{this_year}-02-28", "unlock-reason": "Oubli"}
    )
    assert any("Votre rôle ne permet pas" in m for m in messages_of(response))
    year.refresh_from_db()
    assert year.lock_date == until


def test_accounting_opens_the_year_in_progress_and_the_next_from_the_page(admin_user):
    from comptoir.parties.services import configure_company

    configure_company(by=admin_user, legal_name="Nouvelle SAS", siren="542107651")  # no year open yet
    client = client_for(make_user("claire", Role.COMPTABILITE))
    today = dates.today()
    page = text_of(client.get(YEARS))
    assert "Aucun exercice ouvert" in page and f"Ouvrir l'exercice {today.year + 1}" in page
    response = client.post(YEARS, {"action": "open", "containing": f"{today.year}-01-01"})
    assert response.status_code == 302
    assert list(FiscalYear.objects.values_list("name", flat=True)) == [str(today.year)]
    assert AuditEvent.objects.filter(action="accounting.fiscal_year_opened").count() == 1
    response = client.post(YEARS, {"action": "open", "containing": f"{today.year + 5}-01-01"}, follow=True)
    assert any("seuls l'exercice en cours et le suivant" in m for m in messages_of(response))
    assert FiscalYear.objects.count() == 1


def test_direction_unlocks_a_period_with_a_written_reason(boss, company):
    this_year = dates.today().year
    year = FiscalYear.objects.get(name=str(this_year))
    client = client_for(boss)
    client.post(YEARS, {"until": f"{this_year}-03-31"})
    page = text_of(client.get(YEARS))
    assert 'id="unlock-form"' in page
    response = client.post(
        YEARS, {"action": "unlock", "unlock-until": f"{this_year}-01-31", "unlock-reason": ""}
    )
    assert "reason" in response.context["unlock_form"].errors
    reason = "Avoir de mars oublié, accord de l'expert-comptable"
    response = client.post(
        YEARS, {"action": "unlock", "unlock-until": f"{this_year}-01-31", "unlock-reason": reason}
    )
    assert response.status_code == 302
    year.refresh_from_db()
    assert year.lock_date == datetime.date(this_year, 1, 31)
    event = AuditEvent.objects.get(action="accounting.period_unlocked")
    assert (event.actor, event.data["reason"], event.data["to"]) == (boss, reason, f"{this_year}-01-31")


# --- CSRF ---------------------------------------------------------------------------------------


def test_every_settings_form_is_csrf_protected(admin_user, company):
    target = make_user("cible", Role.ADV)
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin_user)
    posts = {
        COMPANY: company_post(company, legal_name="Sans jeton SAS"),
        TERMS: {"default_payment_days": "10", "late_penalty_rate": "12", "early_payment_discount": "x"},
        NEW_USER: {"username": "sansjeton", "password": PASSWORD, "roles": [Role.ADV]},
        f"{USERS}{target.pk}/": {"roles": [Role.ADMIN]},
        f"{USERS}{target.pk}/desactiver/": {},
        RULES: _policy_post(ReturnPolicy.current(), approval_threshold="1"),
        YEARS: {"until": "2026-01-31"},
        f"{YEARS}?unlock": {"action": "unlock", "unlock-reason": "x"},
    }
    for url, data in posts.items():
        assert client.post(url, data).status_code == 403, url
    for url in (COMPANY, TERMS, NEW_USER, f"{USERS}{target.pk}/", RULES, YEARS):
        assert "csrfmiddlewaretoken" in text_of(client.get(url)), url
    company.refresh_from_db()
    target.refresh_from_db()
    assert company.legal_name == "Outillage Durand SAS" and company.default_payment_days == 30
    assert target.is_active and stored_roles(target) == [Role.ADV]
    assert not get_user_model().objects.filter(username="sansjeton").exists()
    assert ReturnPolicy.current().approval_threshold == Decimal("1000.00")
    assert not FiscalYear.objects.filter(lock_date__isnull=False).exists()

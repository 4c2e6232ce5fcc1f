"""`comptoir setup-company`: an IT provider sets a real company up from a file, without the demo."""

import io
import json

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from PIL import Image

from comptoir.accounting.models import FiscalYear
from comptoir.catalog.models import Product
from comptoir.core.models import AuditEvent
from comptoir.core.permissions import Role, roles_of
from comptoir.onboarding.plan import EXAMPLE
from comptoir.parties.models import Company, Customer
from comptoir.sales.models import Quote

pytestmark = pytest.mark.django_db


def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 2), "navy").save(buffer, format="PNG")
    return buffer.getvalue()


PNG = png()


def run(*args, env=None) -> str:
    out = io.StringIO()
    call_command("setup_company", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def passwords(monkeypatch):
    monkeypatch.setenv("COMPTOIR_CLAIRE_PASSWORD", "Durand-Lyon-2026")
    monkeypatch.setenv("COMPTOIR_MARC_PASSWORD", "Petit-Commerce-77")


def test_the_example_file_sets_up_a_real_company_with_its_year_and_users(tmp_path, passwords):
    plan = tmp_path / "societe.toml"
    plan.write_text(EXAMPLE.replace('# logo = "logo.png"', 'logo = "logo.png"'), encoding="utf-8")
    (tmp_path / "logo.png").write_bytes(PNG)

    out = run("--file", str(plan))

    company = Company.objects.get()
    assert company.legal_name == "Outillage Durand SAS"
    assert (company.siren, company.vat_number, company.iban) == (
        "732829320",
        "FR44732829320",
        "FR7630006000011234567890189",
    )
    assert company.vat_on_debits is False
    assert bytes(company.logo) == PNG and company.logo_type == "image/png"
    assert FiscalYear.objects.count() == 1
    claire = get_user_model().objects.get(username="claire")
    assert claire.check_password("Durand-Lyon-2026")
    assert roles_of(claire) >= {Role.DIRECTION, Role.ADMIN}
    assert roles_of(get_user_model().objects.get(username="marc")) == {Role.COMMERCIAL, Role.ADV}
    summary = AuditEvent.objects.get(action="company.set_up")
    assert summary.actor == claire and summary.data["users"] == ["claire", "marc"]
    assert "Société « Outillage Durand SAS » en place" in out
    assert "Import de données" in out


def test_nothing_of_the_demo_exists_after_the_set_up_and_the_demo_then_refuses_to_load(tmp_path, passwords):
    plan = tmp_path / "societe.toml"
    plan.write_text(EXAMPLE, encoding="utf-8")
    run("--file", str(plan))

    out = io.StringIO()
    call_command("seed_demo", "--no-progress", stdout=out)

    assert "pas de données de démonstration" in out.getvalue()
    assert not Customer.objects.exists()
    assert not Product.objects.exists()
    assert not Quote.objects.exists()
    assert set(get_user_model().objects.values_list("username", flat=True)) == {"claire", "marc"}
    assert Company.objects.get().legal_name == "Outillage Durand SAS"


def test_a_json_file_works_too_and_the_first_user_becomes_the_administrator(tmp_path):
    document = {
        "societe": {"raison_sociale": "Atelier Mercier SARL", "siren": "542107651", "capital_social": "7500"},
        "tva": {"regime": "debits"},
        "exercice": {"premier_mois": 7},
        "numerotation": {"prefixe_factures": "F"},
        "paiement": {"delai_jours": 45, "taux_penalites": "15"},
        "utilisateurs": [{"identifiant": "paul", "mot_de_passe": "Mercier-Atelier-9"}],
    }
    plan = tmp_path / "societe.json"
    plan.write_text(json.dumps(document), encoding="utf-8")

    run("--file", str(plan))

    company = Company.objects.get()
    assert company.vat_on_debits is True
    assert (company.fiscal_year_start_month, company.invoice_series, company.default_payment_days) == (
        7,
        "F",
        45,
    )
    assert str(company.share_capital) == "7500.00"
    assert FiscalYear.objects.get().start_date.month == 7
    assert roles_of(get_user_model().objects.get(username="paul")) == {Role.DIRECTION, Role.ADMIN}


def test_an_invalid_siren_writes_nothing_at_all(tmp_path, passwords):
    plan = tmp_path / "societe.toml"
    plan.write_text(EXAMPLE.replace('siren = "732829320"', 'siren = "732829321"'), encoding="utf-8")

    with pytest.raises(
        CommandError, match="Rien n'a été enregistré. Le SIREN « 732829321 » n'est pas valide"
    ):
        run("--file", str(plan))

    assert not Company.objects.exists()
    assert not get_user_model().objects.exists()
    assert not FiscalYear.objects.exists()


def test_a_penalty_rate_below_the_legal_floor_is_refused(tmp_path, passwords):
    plan = tmp_path / "societe.toml"
    plan.write_text(EXAMPLE.replace('taux_penalites = "12.00"', 'taux_penalites = "1"'), encoding="utf-8")

    with pytest.raises(CommandError, match="pénalités"):
        run("--file", str(plan))
    assert not Company.objects.exists()


def test_an_unknown_key_is_named_with_the_keys_expected(tmp_path):
    plan = tmp_path / "societe.toml"
    plan.write_text('[societe]\nraison_sociale = "X"\nsirene = "1"\n', encoding="utf-8")

    with pytest.raises(CommandError, match=r"Clé inconnue dans \[societe\] : sirene") as refused:
        run("--file", str(plan))
    assert refused.value.returncode == 2


def test_a_plan_without_any_user_is_refused(tmp_path):
    plan = tmp_path / "societe.toml"
    plan.write_text('[societe]\nraison_sociale = "X"\nsiren = "732829320"\n', encoding="utf-8")

    with pytest.raises(CommandError, match="Indiquez au moins un utilisateur"):
        run("--file", str(plan))
    assert not Company.objects.exists()


def test_a_second_set_up_is_refused(tmp_path, passwords, company):
    plan = tmp_path / "societe.toml"
    plan.write_text(EXAMPLE, encoding="utf-8")

    with pytest.raises(CommandError, match="déjà en place"):
        run("--file", str(plan))
    assert not get_user_model().objects.filter(username="claire").exists()


def test_an_existing_administrator_may_set_up_the_company_for_the_others(tmp_path, admin_user):
    plan = tmp_path / "societe.toml"
    plan.write_text(
        '[societe]\nraison_sociale = "Atelier Mercier SARL"\nsiren = "542107651"\n', encoding="utf-8"
    )

    run("--file", str(plan), "--user", admin_user.username)

    assert Company.objects.get().legal_name == "Atelier Mercier SARL"
    assert AuditEvent.objects.get(action="company.set_up").actor == admin_user


def test_without_a_file_nor_a_terminal_the_command_says_to_pass_one(monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO())
    with pytest.raises(CommandError, match="passez --file"):
        run()


def test_without_a_file_the_command_asks_each_question_at_the_terminal(monkeypatch):
    replies = {
        "Raison sociale : ": "Atelier Mercier SARL",
        "SIREN (9 chiffres) : ": "542107651",
        "Capital social (€) : ": "7 500,00",
        "IBAN : ": "FR76 3000 6000 0112 3456 7890 189",
        "TVA sur les encaissements ou les débits (encaissements/debits) : ": "debits",
        "Premier mois de l'exercice (1 = janvier) : ": "4",
    }
    users = iter(["paul", "Paul", "Mercier", "", ""])
    asked = []

    def answer(question):
        asked.append(question)
        if question.startswith("Identifiant") or question in ("Prénom : ", "Nom : ", "E-mail : "):
            return next(users)
        return replies.get(question, "")

    monkeypatch.setattr("sys.stdin.isatty", lambda: True, raising=False)
    monkeypatch.setattr("builtins.input", answer)
    monkeypatch.setattr("getpass.getpass", lambda prompt: "Mercier-Atelier-9")

    out = run()

    company = Company.objects.get()
    assert (company.legal_name, str(company.share_capital), company.fiscal_year_start_month) == (
        "Atelier Mercier SARL",
        "7500.00",
        4,
    )
    assert company.vat_on_debits is True
    assert roles_of(get_user_model().objects.get(username="paul")) == {Role.DIRECTION, Role.ADMIN}
    assert "Raison sociale : " in asked and "IBAN : " in asked
    assert "Utilisateur « paul » créé." in out

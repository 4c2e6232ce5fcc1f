"""French invoicing pages through Django's test client: the billing schedule of an order, the VAT
summary, the FEC export; who may open them, what the forms change, the French refusals."""

import datetime
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from comptoir.accounting.fec_check import COLUMNS
from comptoir.billing.models import Invoice
from comptoir.billing.services import create_invoice_from_order, issue_invoice
from comptoir.core.permissions import ALL_ROLES, PERMISSIONS
from comptoir.core.testing import make_user
from comptoir.payments.services import register_payment
from comptoir.sales.models import BillingMilestone
from comptoir.sales.services import confirm_order, create_order, set_billing_schedule
from comptoir.stock.services import create_delivery, receive_stock, validate_delivery
from comptoir.web.tests.clients import client_for, messages_of

pytestmark = pytest.mark.django_db

D = Decimal


def text_of(response) -> str:
    return response.content.decode()


def schedule_post(*rows) -> dict:
    """The editor's columns, one list per column, as the browser sends them."""
    columns = ("label", "kind", "trigger", "percent", "amount")
    return {column: [row.get(column, "") for row in rows] for column in columns}


DEPOSIT_30 = {"label": "Acompte à la commande", "kind": "deposit", "trigger": "confirmation", "percent": "30"}
BALANCE_70 = {"label": "Solde à la réception", "kind": "milestone", "trigger": "acceptance", "percent": "70"}


@pytest.fixture
def order(boss, company, customer, service_product):
    """A draft order of 900.00 excl. VAT."""
    return create_order(customer, [{"product": service_product, "quantity": "2"}], by=boss)


@pytest.fixture
def books(boss, company, customer, product, service_product):
    """This month: goods invoiced (240.00 + 48.00 VAT due at once) and services invoiced (450.00 +
    90.00 VAT due on receipt), a third of which is paid (30.00 of VAT falls due)."""
    receive_stock([{"product": product, "quantity": "10", "unit_cost": "70"}], by=boss)
    goods = confirm_order(create_order(customer, [{"product": product, "quantity": "2"}], by=boss), by=boss)
    validate_delivery(create_delivery(goods, by=boss), by=boss)
    issue_invoice(create_invoice_from_order(goods, by=boss), by=boss)
    work = confirm_order(
        create_order(customer, [{"product": service_product, "quantity": "1"}], by=boss), by=boss
    )
    services = issue_invoice(create_invoice_from_order(work, by=boss), by=boss)
    register_payment(
        customer,
        amount="180",
        method="transfer",
        allocations=[{"invoice": services, "amount": "180"}],
        by=boss,
    )
    return services


# --- Who opens what -------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ALL_ROLES)
def test_vat_and_fec_pages_open_for_accounting_roles_only(role, company):
    client = client_for(make_user(f"user-{role}", role))
    allowed = "accounting.view" in PERMISSIONS[role]
    year = timezone.localdate().year
    for url in (
        "/comptabilite/tva/",
        "/comptabilite/fec/",
        f"/comptabilite/fec/telecharger/?exercice={year}",
    ):
        response = client.get(url)
        if allowed:
            assert response.status_code == 200, (role, url)
        else:
            assert response.status_code == 403, (role, url)
            assert "Accès refusé" in text_of(response)


def test_the_sidebar_links_the_vat_summary_and_the_fec_export_for_accountants(company):
    html = text_of(client_for(make_user("comptable", "comptabilite")).get("/"))
    assert 'href="/comptabilite/tva/"' in html and 'href="/comptabilite/fec/"' in html
    html = text_of(client_for(make_user("vendeur", "commercial")).get("/"))
    assert 'href="/comptabilite/tva/"' not in html and 'href="/comptabilite/fec/"' not in html


@pytest.mark.parametrize("role", ALL_ROLES)
def test_the_schedule_editor_opens_for_roles_that_manage_orders(role, order):
    response = client_for(make_user(f"user-{role}", role)).get(f"/commandes/{order.pk}/echeancier/")
    assert response.status_code == (200 if "order.manage" in PERMISSIONS[role] else 403)


def test_pages_need_a_signed_in_user(order):
    for url in ("/comptabilite/tva/", "/comptabilite/fec/", f"/commandes/{order.pk}/echeancier/"):
        response = Client().get(url)
        assert response.status_code == 302 and response["Location"].startswith("/connexion/")


# --- VAT summary ----------------------------------------------------------------------------------


def test_the_vat_summary_shows_the_ca3_figures_of_the_period(boss, books):
    today = timezone.localdate()
    response = client_for(make_user("comptable", "comptabilite")).get(
        "/comptabilite/tva/", {"du": today.replace(day=1).isoformat(), "au": today.isoformat()}
    )
    assert response.status_code == 200
    summary = response.context["summary"]
    (row,) = summary.rows
    assert (row.rate, row.base, row.collected, row.cashed_on_receipts, row.pending_invoiced) == (
        D("20.00"),
        D("690.00"),
        D("78.00"),
        D("30.00"),
        D("90.00"),
    )
    assert (summary.total_collected, summary.deductible, summary.net_due) == (D("78.00"), D("0"), D("78.00"))
    # Goods invoiced (240 €) and the part of the service cashed (150 €): what the 78 € of VAT are due on.
    assert row.taxable_base == D("390.00")
    html = text_of(response)
    assert "À reporter sur la déclaration CA3" in html
    assert '<td class="mono">08</td>' in html and "TVA nette due" in html
    assert "78,00" in html and "60,00" in html  # due now; still waiting for the customer's payment
    assert "390,00" in html


def test_the_vat_summary_defaults_to_the_last_full_month(boss, company):
    response = client_for(boss).get("/comptabilite/tva/")
    assert response.status_code == 200
    summary = response.context["summary"]
    first_of_month = timezone.localdate().replace(day=1)
    assert summary.date_to == first_of_month - datetime.timedelta(days=1)
    assert summary.date_from == summary.date_to.replace(day=1)
    assert "Aucune vente comptabilisée sur la période." in text_of(response)


@pytest.mark.parametrize(
    ("params", "words"),
    [
        ({"du": "2026-13-45", "au": "2026-01-31"}, "Date non valide"),
        ({"du": "hier", "au": "demain"}, "Date non valide"),
        ({"du": "2026-03-31", "au": "2026-03-01"}, "précède son début"),
        ({"du": "2026-03-01"}, "Au"),
        ({"du": "2026-03-01\x00", "au": "2026-03-31"}, "Période non valide"),
    ],
)
def test_a_bad_vat_period_is_explained_in_french(boss, company, params, words):
    response = client_for(boss).get("/comptabilite/tva/", params)
    assert response.status_code == 200
    assert response.context["summary"] is None
    (message,) = messages_of(response)
    assert message.startswith("Période non valide") and words in message


# --- FEC ------------------------------------------------------------------------------------------


def test_the_fec_page_exports_checks_and_offers_the_legal_file(boss, books):
    year = books.date.year
    name = f"732829320FEC{year}1231.txt"
    client = client_for(make_user("comptable", "comptabilite"))
    page = client.get("/comptabilite/fec/")
    assert page.status_code == 200 and page.context["report"] is None
    assert f'<option value="{year}" selected>' in text_of(page)

    response = client.get("/comptabilite/fec/", {"exercice": str(year)})
    assert response.status_code == 200
    report = response.context["report"]
    assert report.ok and report.lines > 0 and report.debit == report.credit
    html = text_of(response)
    assert name in html and "Aucune anomalie" in html and "Conforme" in html
    assert f'href="/comptabilite/fec/telecharger/?exercice={year}&amp;codage=utf-8"' in html

    download = client.get("/comptabilite/fec/telecharger/", {"exercice": str(year), "codage": "utf-8"})
    assert download.status_code == 200
    assert download["Content-Type"] == "text/plain; charset=utf-8"
    assert download["Content-Disposition"] == f'attachment; filename="{name}"'
    content = b"".join(download.streaming_content).decode()
    assert content.split("\r\n")[0] == "\t".join(COLUMNS)
    assert books.number in content


def test_the_fec_of_a_year_without_books_is_reported_empty(boss, company):
    year = timezone.localdate().year
    response = client_for(boss).get("/comptabilite/fec/", {"exercice": str(year)})
    assert response.status_code == 200
    report = response.context["report"]
    assert not report.ok and report.lines == 0
    assert "aucune écriture" in text_of(response)


@pytest.mark.parametrize("params", [{"exercice": "deux-mille"}, {"exercice": "1999"}, {"exercice": ""}])
def test_a_bad_fiscal_year_is_explained_in_french(boss, company, params):
    client = client_for(boss)
    response = client.get("/comptabilite/fec/", params)
    assert response.status_code == 200 and response.context["report"] is None
    (message,) = messages_of(response)
    assert message.startswith("Exercice non valide")
    download = client.get("/comptabilite/fec/telecharger/", params, follow=True)
    assert download.redirect_chain == [("/comptabilite/fec/", 302)]
    assert messages_of(download)[0].startswith("Exercice non valide")


def test_the_fec_needs_the_company_identity(admin_user):
    year = str(timezone.localdate().year)
    response = client_for(admin_user).get("/comptabilite/fec/", {"exercice": year})
    assert response.context["report"] is None
    assert "La société n'est pas encore paramétrée" in messages_of(response)[0]
    download = client_for(admin_user).get("/comptabilite/fec/telecharger/", {"exercice": year}, follow=True)
    assert "La société n'est pas encore paramétrée" in messages_of(download)[0]


# --- Billing schedule on the order page -----------------------------------------------------------


def test_the_order_page_shows_what_remains_to_invoice_and_the_schedule_editor(boss, order):
    html = text_of(client_for(boss).get(f"/commandes/{order.pk}/"))
    assert "Échéancier de facturation" in html and "Reste à facturer HT" in html
    assert "Pas d'échéancier" in html
    assert f'action="/commandes/{order.pk}/echeancier/"' in html
    html = text_of(client_for(make_user("logisticien", "logistique")).get(f"/commandes/{order.pk}/"))
    assert "Échéancier de facturation" in html
    assert f'action="/commandes/{order.pk}/echeancier/"' not in html


def test_a_schedule_typed_in_the_editor_is_saved_and_shown(boss, order):
    client = client_for(make_user("vendeur", "commercial"))
    response = client.post(
        f"/commandes/{order.pk}/echeancier/",
        schedule_post(DEPOSIT_30, {**BALANCE_70, "percent": "70,00"}, {}),
        follow=True,
    )
    assert response.redirect_chain == [(f"/commandes/{order.pk}/", 302)]
    assert "Échéancier de la commande" in messages_of(response)[0]
    steps = list(BillingMilestone.objects.filter(order=order))
    assert [(s.label, s.is_deposit, s.trigger, s.percent) for s in steps] == [
        ("Acompte à la commande", True, "confirmation", D("30.00")),
        ("Solde à la réception", False, "acceptance", D("70.00")),
    ]
    html = text_of(response)
    assert "Acompte à la commande" in html and "Prévue" in html and "270,00" in html
    # The editor comes back filled with the schedule, ready to change it.
    editor = text_of(client.get(f"/commandes/{order.pk}/echeancier/"))
    assert 'value="Solde à la réception"' in editor and 'value="70"' in editor

    cleared = client.post(f"/commandes/{order.pk}/echeancier/", schedule_post({}), follow=True)
    assert "supprimé" in messages_of(cleared)[0]
    assert not BillingMilestone.objects.filter(order=order).exists()


@pytest.mark.parametrize(
    ("row", "words"),
    [
        ({**DEPOSIT_30, "percent": "trente"}, "Échéance 1 :"),
        ({**DEPOSIT_30, "amount": "100"}, "pourcentage"),
        ({**DEPOSIT_30, "percent": "130"}, "130"),
        ({**DEPOSIT_30, "label": "", "percent": "30"}, "libellé"),
        ({**DEPOSIT_30, "trigger": ""}, "déclencheur"),
        ({**BALANCE_70}, "couvrir toute la commande"),
    ],
)
def test_a_bad_schedule_is_refused_in_french_and_the_typed_rows_come_back(boss, order, row, words):
    response = client_for(boss).post(f"/commandes/{order.pk}/echeancier/", schedule_post(row))
    assert response.status_code == 200
    (message,) = messages_of(response)
    assert words.lower() in message.lower(), message
    assert not BillingMilestone.objects.filter(order=order).exists()
    if row["label"]:
        assert f'value="{row["label"]}"' in text_of(response)


def test_only_roles_that_manage_orders_may_post_a_schedule(order):
    response = client_for(make_user("logisticien", "logistique")).post(
        f"/commandes/{order.pk}/echeancier/", schedule_post(DEPOSIT_30)
    )
    assert response.status_code == 403
    assert not BillingMilestone.objects.filter(order=order).exists()


def test_a_deposit_is_invoiced_from_the_order_page_and_the_schedule_then_locks(boss, order):
    set_billing_schedule(order, [{**DEPOSIT_30, "is_deposit": True}], by=boss)
    confirm_order(order, by=boss)
    step = BillingMilestone.objects.get(order=order)
    client = client_for(boss)
    html = text_of(client.get(f"/commandes/{order.pk}/"))
    assert "Facturer l'acompte" in html and "À facturer" in html

    response = client.post(f"/commandes/{order.pk}/echeances/{step.pk}/facturer/", follow=True)
    invoice = Invoice.objects.get(order=order)
    assert response.redirect_chain == [(f"/factures/{invoice.pk}/", 302)]
    assert "Brouillon de facture d'acompte créé" in messages_of(response)[0]
    assert (invoice.kind, invoice.status, invoice.total_untaxed) == ("deposit", "draft", D("270.00"))

    issue_invoice(invoice, by=boss)
    html = text_of(client.get(f"/commandes/{order.pk}/"))
    assert "Facturée" in html and "Facturer l'acompte" not in html
    assert f'action="/commandes/{order.pk}/echeancier/"' not in html  # something is invoiced

    again = client.post(f"/commandes/{order.pk}/echeances/{step.pk}/facturer/", follow=True)
    assert "déjà facturée" in messages_of(again)[0]
    assert Invoice.objects.filter(order=order).count() == 1


def test_a_milestone_is_marked_reached_then_invoiced(boss, order):
    set_billing_schedule(order, [{**DEPOSIT_30, "is_deposit": True}, BALANCE_70], by=boss)
    confirm_order(order, by=boss)
    balance = BillingMilestone.objects.get(order=order, is_deposit=False)
    client = client_for(boss)
    refused = client.post(f"/commandes/{order.pk}/echeances/{balance.pk}/facturer/", follow=True)
    assert "n'est pas encore atteinte" in messages_of(refused)[0]

    assert "Marquer comme atteinte" in text_of(client.get(f"/commandes/{order.pk}/"))
    reached = client.post(f"/commandes/{order.pk}/echeances/{balance.pk}/atteinte/", follow=True)
    assert "atteinte" in messages_of(reached)[0]
    assert "Facturer l'échéance" in text_of(reached)
    client.post(f"/commandes/{order.pk}/echeances/{balance.pk}/facturer/")
    invoice = Invoice.objects.get(order=order, milestone=balance)
    assert invoice.kind == "invoice"


def test_a_sales_rep_sees_no_invoice_button_and_is_refused_by_the_service(order, boss):
    set_billing_schedule(order, [{**DEPOSIT_30, "is_deposit": True}], by=boss)
    confirm_order(order, by=boss)
    step = BillingMilestone.objects.get(order=order)
    client = client_for(make_user("vendeur", "commercial"))
    assert "Facturer l'acompte" not in text_of(client.get(f"/commandes/{order.pk}/"))
    response = client.post(f"/commandes/{order.pk}/echeances/{step.pk}/facturer/", follow=True)
    assert "Votre rôle ne permet pas cette action" in messages_of(response)[0]
    assert not Invoice.objects.filter(order=order).exists()


def test_a_step_of_another_order_is_not_found(boss, order, customer, service_product):
    set_billing_schedule(order, [{**DEPOSIT_30, "is_deposit": True}], by=boss)
    step = BillingMilestone.objects.get(order=order)
    other = create_order(customer, [{"product": service_product, "quantity": "1"}], by=boss)
    client = client_for(boss)
    assert client.post(f"/commandes/{other.pk}/echeances/{step.pk}/facturer/").status_code == 404
    assert client.post(f"/commandes/{other.pk}/echeances/{step.pk}/atteinte/").status_code == 404
    assert client.get(f"/commandes/{order.pk}/echeances/{step.pk}/facturer/").status_code == 405


# --- E-invoice download of a draft ----------------------------------------------------------------


def test_a_draft_invoice_has_no_download_and_says_why(boss, order):
    confirm_order(order, by=boss)
    draft = create_invoice_from_order(order, by=boss)
    response = client_for(boss).get(f"/factures/{draft.pk}/telecharger/pdf/", follow=True)
    assert response.redirect_chain == [(f"/factures/{draft.pk}/", 302)]
    assert "n'est pas émise" in messages_of(response)[0]

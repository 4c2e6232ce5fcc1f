"""The « Marges » page (per customer, product, sales person, month; period; sort; export) and the margin
panel of the invoice and order pages, for the roles that may see costs."""

import csv
import io

import pytest
from openpyxl import load_workbook

from comptoir.billing.models import Invoice
from comptoir.core.permissions import Role
from comptoir.core.testing import make_user
from comptoir.insights.tests.factories import two_sales
from comptoir.web.tests.clients import client_for, text_of

pytestmark = pytest.mark.django_db
PAGE = "/marges/"


@pytest.fixture
def sales(boss, company, customer, product):
    return two_sales(boss, customer, product)


def _labels(response) -> list[str]:
    return [row.label for row in response.context["rows"]]


def test_the_margins_page_ranks_customers_and_shows_a_loss_in_red(boss, customer, sales):
    page = client_for(boss).get(PAGE)
    assert page.status_code == 200
    assert _labels(page) == [customer.name, sales.name]
    text = text_of(page)
    assert "500,00\u00a0€" in text and "41,7\u202f%" in text
    assert 'class="num negative">−40,00\u00a0€' in text
    assert 'href="/marges/"' in text  # in the menu


def test_sorting_by_margin_rate_puts_the_loss_first(boss, customer, sales):
    page = client_for(boss).get(PAGE, {"tri": "taux"})
    assert _labels(page) == [sales.name, customer.name]


def test_tabs_group_by_product_sales_person_and_month(boss, product, sales):
    client = client_for(boss)
    assert _labels(client.get(PAGE, {"par": "produit"})) == ["REF-88 — Perceuse à percussion"]
    assert _labels(client.get(PAGE, {"par": "commercial"})) == [boss.get_username()]
    [month] = client.get(PAGE, {"par": "mois"}).context["rows"]
    assert month.amount == 460


def test_a_period_with_no_invoice_shows_none(boss, sales):
    page = client_for(boss).get(PAGE, {"du": "2001-01-01", "au": "2001-12-31"})
    assert page.context["rows"] == []
    assert "Aucune facture émise sur la période." in text_of(page)


def test_the_export_holds_the_rows_of_the_tab_in_csv_and_excel(boss, customer, sales):
    client = client_for(boss)
    response = client.get("/marges/export/csv/", {"par": "client"})
    rows = list(
        csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig")), delimiter=";")
    )
    assert rows[0][0] == "Client" and [row[0] for row in rows[1:]] == [customer.name, sales.name]
    sheet = load_workbook(io.BytesIO(client.get("/marges/export/xlsx/").content)).active
    assert [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)] == [customer.name, sales.name]


def test_a_salesperson_sees_neither_the_page_nor_the_margin_of_an_invoice(boss, customer, sales):
    seller = client_for(make_user("sophie", Role.COMMERCIAL))
    assert seller.get(PAGE).status_code == 403
    invoice = Invoice.objects.filter(customer=customer).get()
    assert "margins" not in seller.get(f"/factures/{invoice.pk}/").context
    assert 'href="/marges/"' not in text_of(seller.get("/"))


def test_invoice_and_order_pages_show_the_margin_per_line_and_total(boss, customer, sales):
    invoice = Invoice.objects.filter(customer=customer).get()
    client = client_for(make_user("nadia", Role.ADV))
    page = client.get(f"/factures/{invoice.pk}/")
    assert page.context["margins"].total.margin == 500
    assert 'id="margin-total">500,00\u00a0€' in text_of(page)
    order_page = client.get(f"/commandes/{invoice.order_id}/")
    assert order_page.context["margins"].total.margin == 500
    assert invoice.number in text_of(order_page)


def test_one_customers_margins_are_reached_from_the_customer_page(boss, customer, sales):
    client = client_for(boss)
    link = f"/marges/?par=produit&client={customer.pk}"
    assert link in text_of(client.get(f"/clients/{customer.pk}/"))
    page = client.get("/marges/", {"par": "produit", "client": customer.pk})
    [row] = page.context["rows"]
    assert (row.revenue, row.amount) == (1200, 500)
    assert f"Marges — {customer.name}" in text_of(page)

"""CSV and XLSX exports of the list pages: what the filters select, French CSV, real numbers and
dates in XLSX, inert formulas, permissions, and a query count independent of the number of rows."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from comptoir.billing.services import create_invoice_from_order, issue_invoice
from comptoir.core.permissions import Role
from comptoir.core.testing import make_customer, make_product, make_user
from comptoir.payments.services import register_payment
from comptoir.sales.services import accept_quote, confirm_order, create_order, create_quote, send_quote
from comptoir.stock.services import create_delivery, receive_stock, validate_delivery
from comptoir.web import export
from comptoir.web.tests.clients import client_for

pytestmark = pytest.mark.django_db

# Each list page, its export's file name, and a search that selects one known row.
LISTS = {
    "/clients/": "clients",
    "/produits/": "produits",
    "/devis/": "devis",
    "/commandes/": "commandes",
    "/livraisons/": "livraisons",
    "/factures/": "factures",
    "/reglements/": "reglements",
}
DANGEROUS_NAMES = ('=HYPERLINK("http://x")', "+1", "@SUM(A1)", "-2+3", "\tcmd")


def csv_text(response) -> str:
    return b"".join(response.streaming_content).decode("utf-8")


def csv_rows(response) -> list[list[str]]:
    text = csv_text(response)
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:], newline=""), delimiter=";"))


def xlsx_rows(response) -> list[tuple]:
    sheet = load_workbook(io.BytesIO(response.content)).active
    return list(sheet.iter_rows(values_only=True))


def xlsx_cells(response) -> list[tuple]:
    return list(load_workbook(io.BytesIO(response.content)).active.iter_rows())


def sell(boss, customer, product, service):
    """A paid invoice's whole chain for `customer`: quote, order, delivery, invoice, payment."""
    quote = create_quote(
        customer,
        [
            {"product": product, "quantity": "12", "discount_percent": "10"},
            {"product": service, "quantity": "1"},
        ],
        by=boss,
    )
    send_quote(quote, by=boss)
    order = accept_quote(quote, by=boss)
    confirm_order(order, by=boss)
    delivery = create_delivery(
        order, [{"order_line": order.lines.get(product=product), "quantity": "10"}], by=boss
    )
    validate_delivery(delivery, by=boss)
    invoice = issue_invoice(create_invoice_from_order(order, by=boss), by=boss)
    register_payment(
        customer,
        amount="1000.00",
        method="transfer",
        allocations=[{"invoice": invoice, "amount": "1000.00"}],
        by=boss,
    )
    return invoice


@pytest.fixture
def stocked(boss, product):
    receive_stock(
        [{"product": product, "quantity": "500", "unit_cost": "70"}], by=boss, supplier_name="Bosch"
    )
    return product


@pytest.fixture
def sold(boss, company, customer, stocked, service_product):
    """One chain for the regular customer, a draft order for another, and a customer whose name
    would be a formula in a spreadsheet."""
    invoice = sell(boss, customer, stocked, service_product)
    other = make_customer(boss, name="Quincaillerie Bernard")
    create_order(other, [{"product": stocked, "quantity": "2"}], by=boss)
    return invoice


# --- The pure module ----------------------------------------------------------------------------


@pytest.mark.parametrize("text", DANGEROUS_NAMES + ("\rx", "=1+1"))
def test_text_starting_with_a_formula_trigger_gets_a_leading_quote(text):
    assert export.csv_cell(text) == "'" + text


def test_numbers_and_dates_are_never_quoted_and_use_french_notation():
    assert export.csv_cell(Decimal("-1234.5")) == "-1234,50"
    assert export.csv_cell(Decimal("1234567.891")) == "1234567,891"
    assert export.csv_cell(Decimal("0")) == "0,00"
    assert export.csv_cell(datetime.date(2026, 11, 2)) == "02/11/2026"
    assert export.csv_cell(30) == "30"
    assert export.csv_cell(None) == ""
    assert export.csv_cell("Menuiserie Martin") == "Menuiserie Martin"


def test_xlsx_writes_formula_lookalikes_as_plain_strings():
    data = export.xlsx_bytes("t", ["a", "b"], [['=HYPERLINK("http://x")', Decimal("1234.56")]])
    cells = list(load_workbook(io.BytesIO(data)).active.iter_rows())[1]
    assert cells[0].data_type == "s" and cells[0].value == '=HYPERLINK("http://x")'
    assert cells[1].data_type == "n" and cells[1].value == pytest.approx(1234.56)
    assert cells[1].number_format == export.AMOUNT_FORMAT
    assert b"<f>" not in data  # no formula element anywhere in the sheet


# --- Each list exports --------------------------------------------------------------------------


@pytest.mark.parametrize("path", LISTS)
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_each_list_exports_for_a_role_that_can_view_it(sold, path, fmt):
    client = client_for(make_user("compta", Role.COMPTABILITE))
    page = client.get(path)
    assert page.status_code == 200
    assert f'href="{path}export.{fmt}"' in page.content.decode()

    response = client.get(f"{path}export.{fmt}")

    assert response.status_code == 200
    today = timezone.localdate().isoformat()
    assert response["Content-Disposition"] == f'attachment; filename="{LISTS[path]}-{today}.{fmt}"'
    if fmt == "csv":
        assert response.streaming
        assert response["Content-Type"].startswith("text/csv")
        rows = csv_rows(response)
    else:
        rows = xlsx_rows(response)
    assert len(rows) >= 2  # header and at least one row
    assert len({len(row) for row in rows}) == 1


def test_the_export_link_keeps_the_filters_but_not_the_page(boss, sold):
    page = client_for(boss).get("/factures/?q=Martin&etat=partial&page=2")
    assert 'href="/factures/export.csv?q=Martin&amp;etat=partial"' in page.content.decode()


def test_export_covers_every_page_not_only_the_first(boss, company):
    for n in range(30):
        make_customer(boss, name=f"Client export {n:02d}")
    rows = csv_rows(client_for(boss).get("/clients/export.csv?q=export"))
    assert len(rows) == 1 + 30


@pytest.mark.parametrize(
    ("path", "query", "expected", "excluded"),
    [
        ("/clients/", "q=Bernard", "Quincaillerie Bernard", "Menuiserie Martin SARL"),
        ("/commandes/", "etat=draft", "Quincaillerie Bernard", "Menuiserie Martin SARL"),
        ("/factures/", "etat=draft", None, "Menuiserie Martin SARL"),
        ("/factures/", "etat=partial", "Menuiserie Martin SARL", None),
        ("/produits/", "type=service", "Installation sur site", "Perceuse à percussion"),
    ],
)
def test_export_honours_the_current_filter(boss, sold, path, query, expected, excluded):
    client = client_for(boss)
    csv_body = csv_text(client.get(f"{path}export.csv?{query}"))
    xlsx_values = {value for row in xlsx_rows(client.get(f"{path}export.xlsx?{query}")) for value in row}
    if expected:
        assert expected in csv_body and expected in xlsx_values
    if excluded:
        assert excluded not in csv_body and excluded not in xlsx_values
    if expected is None:
        assert len(csv_rows(client.get(f"{path}export.csv?{query}"))) == 1  # the header alone


def test_export_keeps_the_order_of_the_list(boss, company):
    for name in ("Charlie", "Alpha", "Bravo"):
        make_customer(boss, name=name)
    rows = csv_rows(client_for(boss).get("/clients/export.csv"))
    assert [row[1] for row in rows[1:]] == ["Alpha", "Bravo", "Charlie"]


# --- Formats ------------------------------------------------------------------------------------


def test_invoice_amounts_are_french_text_in_csv_and_numbers_in_xlsx(boss, sold):
    client = client_for(boss)
    sold.refresh_from_db()
    header, *rows = csv_rows(client.get("/factures/export.csv?etat=partial"))
    row = dict(zip(header, rows[0], strict=True))
    assert row["Numéro"] == sold.number
    assert row["Total TTC"] == "1836,00"
    assert row["Reste dû"] == "836,00"
    assert row["Date"] == sold.date.strftime("%d/%m/%Y")

    header_cells, *cell_rows = xlsx_cells(client.get("/factures/export.xlsx?etat=partial"))
    cells = dict(zip([c.value for c in header_cells], cell_rows[0], strict=True))
    assert cells["Total TTC"].data_type == "n"
    assert Decimal(str(cells["Total TTC"].value)) == sold.total == Decimal("1836.00")
    assert cells["Total TTC"].number_format == export.AMOUNT_FORMAT
    assert cells["Reste dû"].value == pytest.approx(836)
    assert cells["Date"].is_date and cells["Date"].value.date() == sold.date


def test_customer_balance_and_payment_amount_are_numeric_in_xlsx(boss, sold):
    client = client_for(boss)
    header, *rows = xlsx_rows(client.get("/reglements/export.xlsx"))
    assert rows[0][header.index("Montant")] == 1000
    header, *rows = xlsx_rows(client.get("/clients/export.xlsx?q=Martin"))
    assert isinstance(rows[0][header.index("Solde ouvert")], int | float)


@pytest.mark.parametrize("name", DANGEROUS_NAMES)
def test_a_customer_named_like_a_formula_comes_out_inert(boss, company, stocked, service_product, name):
    customer = make_customer(boss, name=name)
    sell(boss, customer, stocked, service_product)
    client = client_for(boss)
    for path in ("/clients/", "/devis/", "/commandes/", "/livraisons/", "/factures/", "/reglements/"):
        csv_cells = [cell for row in csv_rows(client.get(f"{path}export.csv")) for cell in row]
        assert "'" + name in csv_cells, path
        assert name not in csv_cells, path

        response = client.get(f"{path}export.xlsx")
        assert b"<f>" not in response.content, path
        cells = [cell for row in xlsx_cells(response) for cell in row if cell.value == name]
        assert cells, path
        assert all(cell.data_type == "s" and cell.quotePrefix for cell in cells)


def test_csv_is_semicolon_separated_and_quotes_separators_inside_text(boss, company):
    make_customer(boss, name="Dupont; Fils & Cie")
    text = csv_text(client_for(boss).get("/clients/export.csv"))
    assert text.splitlines()[0].lstrip("\ufeff").startswith("Code;Raison sociale;Ville")
    assert '"Dupont; Fils & Cie"' in text


# --- Permission and formats refused ---------------------------------------------------------------


@pytest.mark.parametrize("path", LISTS)
def test_export_is_forbidden_without_the_list_view_permission(company, path):
    client = client_for(make_user("nobody"))
    assert client.get(path).status_code == 403
    assert client.get(f"{path}export.csv").status_code == 403
    assert client.get(f"{path}export.xlsx").status_code == 403


def test_export_asks_anonymous_users_to_sign_in():
    response = Client().get("/factures/export.csv")
    assert response.status_code == 302
    assert response["Location"].endswith("?next=/factures/export.csv")


def test_unknown_export_format_is_not_found(boss):
    assert client_for(boss).get("/factures/export.pdf").status_code == 404


# --- Query count --------------------------------------------------------------------------------


def _count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
        body = b"".join(response.streaming_content) if response.streaming else response.content
    assert response.status_code == 200 and body
    return len(queries)


def test_number_of_queries_does_not_grow_with_the_number_of_rows(boss, sold, stocked, service_product):
    client = client_for(boss)
    urls = [f"{path}export.{fmt}" for path in LISTS for fmt in ("csv", "xlsx")]
    before = {url: _count_queries(client, url) for url in urls}
    for n in range(3):
        sell(boss, make_customer(boss, name=f"Client supplémentaire {n}"), stocked, service_product)
        make_product(boss, name=f"Produit supplémentaire {n}")
    after = {url: _count_queries(client, url) for url in urls}
    assert after == before

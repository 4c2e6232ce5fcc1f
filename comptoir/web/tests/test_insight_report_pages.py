"""« Délais », « Chiffre d'affaires » and « Produits et stock »: linked from « Marges », sortable, charted,
exported to CSV and XLSX (read back: numbers as numbers), closed to the roles that may not see costs."""

import csv
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from comptoir.core.permissions import Role
from comptoir.core.testing import make_product, make_user
from comptoir.insights.tests.factories import two_sales
from comptoir.stock.services import receive_stock
from comptoir.web.tests.clients import client_for, text_of

pytestmark = pytest.mark.django_db
PAGES = ("/marges/delais/", "/marges/chiffre-affaires/", "/marges/produits-stock/")


@pytest.fixture
def sales(boss, company, customer, product):
    return two_sales(boss, customer, product)


def _csv(response) -> list[list[str]]:
    content = b"".join(response.streaming_content)
    assert content.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs to read UTF-8
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))


def _xlsx(response) -> list[tuple]:
    return list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))


def test_the_margins_page_links_to_the_three_pages_and_each_links_back(boss, sales):
    client = client_for(boss)
    margins = text_of(client.get("/marges/"))
    for path in PAGES:
        assert f'href="{path}"' in margins
        page = client.get(path)
        assert page.status_code == 200
        assert 'href="/marges/"' in text_of(page)


def test_lead_times_per_customer_on_the_page_and_in_its_exports(boss, customer, sales):
    client = client_for(boss)
    page = client.get("/marges/delais/", {"par": "client"})
    assert [row.label for row in page.context["rows"]] == sorted([customer.name, sales.name])
    assert 'id="chart-lead-times-title"' in text_of(page)  # the chart of the medians

    rows = _csv(client.get("/marges/delais/export/csv/", {"par": "client"}))
    assert rows[0][:4] == [
        "Client",
        "Commande → 1re livraison — médiane (jours)",
        "Commande → 1re livraison — 90e centile (jours)",
        "Commande → 1re livraison — documents",
    ]
    assert {row[0]: row[1:4] for row in rows[1:]}[customer.name] == ["0,00", "0,00", "1"]
    sheet = _xlsx(client.get("/marges/delais/export/xlsx/", {"par": "produit"}))
    assert sheet[0][0] == "Produit"
    [drill] = sheet[1:]
    assert drill[0] == "REF-88 — Perceuse à percussion"
    assert drill[1] == 0 and drill[3] == 2  # a number of days and a count, typed as numbers


def test_revenue_per_channel_with_its_trend_and_exports(boss, customer, sales):
    client = client_for(boss)
    page = client.get("/marges/chiffre-affaires/", {"par": "canal"})
    assert [(row.label, row.revenue) for row in page.context["rows"]] == [("Saisie", Decimal("1300.00"))]
    text = text_of(page)
    assert 'id="chart-revenue-months-title"' in text and 'id="chart-revenue-channels-title"' in text

    rows = _csv(client.get("/marges/chiffre-affaires/export/csv/", {"par": "client"}))
    assert rows[0][:3] == ["Client", "Factures et avoirs", "Chiffre d'affaires HT"]
    assert [row[:3] for row in rows[1:]] == [[customer.name, "1", "1200,00"], [sales.name, "1", "100,00"]]
    sheet = _xlsx(client.get("/marges/chiffre-affaires/export/xlsx/", {"par": "client", "tri": "ca"}))
    assert [(row[0], row[2]) for row in sheet[1:]] == [(sales.name, 100), (customer.name, 1200)]


def test_products_and_stock_flag_the_dormant_product_first(boss, customer, product, sales):
    saw = make_product(boss, sku="SCIE-1", name="Scie", sale_price="40.00", purchase_cost="20.00")
    receive_stock([{"product": saw, "quantity": "5", "unit_cost": "20"}], by=boss)
    client = client_for(boss)

    page = client.get("/marges/produits-stock/")
    assert [row.sku for row in page.context["rows"]] == ["SCIE-1", "REF-88"]
    summary = "Produits dormants (aucune vente depuis 90 jours) : 1, pour 100,00\u00a0€ de stock."
    assert summary in text_of(page)
    only = client.get("/marges/produits-stock/", {"dormants": "1"})
    assert [row.sku for row in only.context["rows"]] == ["SCIE-1"]

    rows = _csv(client.get("/marges/produits-stock/export/csv/", {"tri": "-ca"}))
    assert [row[0] for row in rows[1:]] == ["REF-88", "SCIE-1"]
    header = rows[0]
    drill = dict(zip(header, rows[1], strict=True))
    assert (drill["Stock en main"], drill["Valeur du stock"], drill["Dormant"]) == ("38,00", "2660,00", "non")
    sheet = _xlsx(client.get("/marges/produits-stock/export/xlsx/"))
    saw_row = dict(zip(sheet[0], sheet[1], strict=True))
    assert (saw_row["Référence"], saw_row["Valeur du stock"], saw_row["Couverture (jours)"]) == (
        "SCIE-1",
        100,
        None,
    )


def test_a_salesperson_sees_none_of_the_pages(boss, sales):
    seller = client_for(make_user("sophie", Role.COMMERCIAL))
    for path in PAGES:
        assert seller.get(path).status_code == 403
        assert seller.get(path + "export/csv/").status_code == 403


def test_a_long_list_of_products_comes_a_page_at_a_time_and_exports_whole(boss, product, sales):
    # A catalogue of hundreds of products was one page of hundreds of rows (3 s at a bench's size).
    products = [
        make_product(boss, sku=f"VIS-{n:03}", name=f"Vis {n}", sale_price="1.00", purchase_cost="0.50")
        for n in range(30)
    ]
    receive_stock([{"product": p, "quantity": "10", "unit_cost": "0.50"} for p in products], by=boss)
    client = client_for(boss)

    first = client.get("/marges/produits-stock/")
    assert len(first.context["rows"]) == 25
    assert "page=2" in text_of(first)
    second = client.get("/marges/produits-stock/", {"page": 2})
    shown = [row.sku for row in first.context["rows"]] + [row.sku for row in second.context["rows"]]
    assert sorted(shown) == sorted([p.sku for p in products] + ["REF-88"])
    assert len(_csv(client.get("/marges/produits-stock/export/csv/"))) == 1 + 31  # the header and every row

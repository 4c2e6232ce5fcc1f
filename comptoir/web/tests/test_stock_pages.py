"""Stock pages: the history of stock moves (filters, order, links to the documents they came from), the
last moves on a product page, the receipt page, and low-stock alerts on the stock page."""

import csv
import datetime
import io
from decimal import Decimal
from types import SimpleNamespace

import pytest

from comptoir.core.testing import colleague_of, make_product
from comptoir.returns.services import (
    approve_case,
    open_case,
    receive_goods,
    resolve_with_reinvoice,
    submit_case,
)
from comptoir.returns.tests.factories import make_sale
from comptoir.stock.models import StockMove
from comptoir.stock.services import receive_stock
from comptoir.web.tests.clients import client_for, text_of

pytestmark = pytest.mark.django_db
MOVES = "/mouvements/"


def moves_on(response) -> list[tuple[str, str, Decimal]]:
    return [(m.kind, m.document, m.quantity) for m in response.context["page_obj"].object_list]


@pytest.fixture
def history(boss, company, customer, product):
    """A drill's whole story: 50 received (REC-), 10 delivered (BL-), 3 returned to stock (RR-) on a
    return case; and a screwdriver received once, a month ago."""
    sale = make_sale(boss, customer, product, invoiced=False)
    receipt_number = StockMove.objects.get(kind=StockMove.Kind.RECEIPT, product=product).document
    case = open_case(
        sale.delivery, [{"delivery_line": sale.delivery_line, "quantity": "3"}], by=boss, reason="damaged"
    )
    case = approve_case(submit_case(case, by=boss), by=colleague_of(boss))
    return_receipt = receive_goods(
        case, [{"line": case.lines.get(), "quantity": "3", "disposition": "back_to_stock"}], by=boss
    )
    screwdriver = make_product(boss, sku="TOURN-1", name="Tournevis", low_stock_threshold="5")
    month_ago = datetime.date.today() - datetime.timedelta(days=30)
    other = receive_stock(
        [{"product": screwdriver, "quantity": "4", "unit_cost": "3"}],
        by=boss,
        supplier_name="Facom",
        date=month_ago,
    )
    return SimpleNamespace(
        product=product,
        screwdriver=screwdriver,
        receipt=receipt_number,
        other_receipt=other,
        delivery=sale.delivery,
        case=case,
        return_receipt=return_receipt,
    )


def test_the_history_links_each_move_to_the_document_it_came_from(boss, history):
    response = client_for(boss).get(MOVES)
    page = text_of(response)
    assert {kind for kind, _doc, _qty in moves_on(response)} == {"receipt", "delivery", "return"}
    receipt = history.other_receipt
    assert f'<a href="/stock/receptions/{receipt.pk}/">{receipt.number}</a>' in page
    assert f'<a href="/livraisons/{history.delivery.pk}/">{history.delivery.number}</a>' in page
    assert f'<a href="/litiges/{history.case.pk}/">{history.return_receipt.number}</a>' in page
    assert f'href="/produits/{history.screwdriver.pk}/"' in page


def test_the_history_filters_by_product_kind_date_and_document(boss, history):
    client = client_for(boss)
    drill = moves_on(client.get(f"{MOVES}?produit={history.product.pk}"))
    assert [kind for kind, _doc, _qty in drill] == ["return", "delivery", "receipt"]  # newest first
    assert moves_on(client.get(f"{MOVES}?type=delivery")) == [
        ("delivery", history.delivery.number, Decimal("-10"))
    ]
    assert moves_on(client.get(f"{MOVES}?type=return")) == [
        ("return", history.return_receipt.number, Decimal("3"))
    ]
    today = datetime.date.today().isoformat()
    assert len(moves_on(client.get(f"{MOVES}?du={today}"))) == 3  # the screwdriver came a month ago
    old = moves_on(
        client.get(f"{MOVES}?au={(datetime.date.today() - datetime.timedelta(days=1)).isoformat()}")
    )
    assert old == [("receipt", history.other_receipt.number, Decimal("4"))]
    assert moves_on(client.get(f"{MOVES}?q={history.delivery.number}")) == [
        ("delivery", history.delivery.number, Decimal("-10"))
    ]
    assert moves_on(client.get(f"{MOVES}?q=tournevis")) == [
        ("receipt", history.other_receipt.number, Decimal("4"))
    ]


@pytest.mark.parametrize("url", [f"{MOVES}?type=vol", f"{MOVES}?produit=abc", f"{MOVES}?du=2026-02-31"])
def test_odd_filters_are_ignored(boss, history, url):
    response = client_for(boss).get(url)
    assert response.status_code == 200 and len(moves_on(response)) == 4


def test_the_history_sorts_and_exports_in_the_same_order(boss, history):
    client = client_for(boss)
    quantities = [qty for _kind, _doc, qty in moves_on(client.get(f"{MOVES}?tri=quantite"))]
    assert quantities == sorted(quantities) == [Decimal("-10"), Decimal("3"), Decimal("4"), Decimal("50")]
    down = [qty for _kind, _doc, qty in moves_on(client.get(f"{MOVES}?tri=-quantite"))]
    assert down == list(reversed(quantities))
    export = client.get(f"{MOVES.rstrip('/')}/export.csv?tri=-quantite&produit={history.product.pk}")
    text = b"".join(export.streaming_content).decode("utf-8")[1:]
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))
    assert rows[0] == ["Date", "Référence", "Désignation", "Type", "Pièce", "Quantité", "Coût unitaire"]
    assert [row[5] for row in rows[1:]] == ["50,00", "3,00", "-10,00"]


def test_a_product_page_shows_its_last_moves_with_links_and_the_whole_history(boss, history):
    page = text_of(client_for(boss).get(f"/produits/{history.product.pk}/"))
    assert f'<a href="/livraisons/{history.delivery.pk}/">{history.delivery.number}</a>' in page
    assert f'<a href="/litiges/{history.case.pk}/">{history.return_receipt.number}</a>' in page
    assert f'href="/mouvements/?produit={history.product.pk}"' in page
    response = client_for(boss).get(f"/mouvements/?produit={history.product.pk}")
    assert response.context["product"] == history.product
    assert "Mouvements de stock — REF-88" in text_of(response)


def test_the_receipt_page_shows_what_came_in(boss, history):
    receipt = history.other_receipt
    page = text_of(client_for(boss).get(f"/stock/receptions/{receipt.pk}/"))
    assert receipt.number in page and "Facom" in page and "TOURN-1" in page and "Réception validée" in page
    assert client_for(boss).get("/stock/receptions/999999/").status_code == 404


def test_the_stock_page_shows_the_low_stock_alerts(boss, history):
    # The screwdriver: 4 on hand for a threshold of 5.
    client = client_for(boss)
    page = text_of(client.get("/stock/"))
    assert "1 alerte de stock" in page
    assert "1 article au seuil d'alerte ou en dessous" in page
    assert f'<a href="/produits/{history.screwdriver.pk}/" class="mono">TOURN-1</a>' in page
    response = client.get("/stock/?alertes=1")
    assert [level.product.sku for level in response.context["page_obj"].object_list] == ["TOURN-1"]
    assert "au seuil d'alerte ou en dessous" not in text_of(response)  # the list itself is the alerts


def test_without_alerts_the_stock_page_has_no_alert_section(boss, company, product):
    receive_stock([{"product": product, "quantity": "50", "unit_cost": "70"}], by=boss)
    page = text_of(client_for(boss).get("/stock/"))
    assert "alerte de stock" not in page and "seuil d'alerte ou en dessous" not in page


def test_the_stock_alert_filter_keeps_search_and_order(boss, company):
    for sku, name in (("B-2", "Burin"), ("A-1", "Scie"), ("C-3", "Marteau")):
        make_product(boss, sku=sku, name=name, low_stock_threshold="1")  # nothing on hand: all on alert
    client = client_for(boss)
    by_name = client.get("/stock/?alertes=1&tri=nom").context["page_obj"].object_list
    assert [level.product.name for level in by_name] == ["Burin", "Marteau", "Scie"]
    by_sku = client.get("/stock/?alertes=1&tri=-reference&q=r").context["page_obj"].object_list
    assert [level.product.sku for level in by_sku] == ["C-3", "B-2"]  # "r" is in Burin and Marteau


def test_a_kept_surplus_shows_in_the_history_linked_to_its_case(boss, company, customer, product):
    sale = make_sale(boss, customer, product, invoiced=False)
    case = open_case(
        sale.delivery, [{"delivery_line": sale.delivery_line, "quantity": "2"}], by=boss, reason="surplus"
    )
    resolve_with_reinvoice(approve_case(submit_case(case, by=boss), by=colleague_of(boss)), by=boss)
    response = client_for(boss).get(MOVES, {"type": "surplus"})
    assert moves_on(response) == [("surplus", case.number, Decimal("-2"))]
    assert f'<a href="/litiges/{case.pk}/">{case.number}</a>' in text_of(response)

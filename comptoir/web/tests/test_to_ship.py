"""The warehouse sees what to ship (issue 20, point 2): a confirmed order appears in its list and on its
home before anyone prepared a delivery note, oldest first, with what the stock on hand covers — allotted
first come, first served — and one button prepares the note."""

import datetime

import pytest

from comptoir.core import dates
from comptoir.core.permissions import Role
from comptoir.core.testing import make_product, make_user
from comptoir.sales.services import confirm_order, create_order
from comptoir.stock.models import Delivery
from comptoir.stock.services import create_delivery, receive_stock
from comptoir.web.tests.clients import client_for, text_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def warehouse(db):
    return make_user("entrepot", Role.LOGISTIQUE)


def rows_of(page: str) -> dict[str, str]:
    """Each row of the list by its order number."""
    body = page.split('id="to-ship"')[1].split("</table>")[0]
    return {row.split('"', 1)[0]: row for row in body.split('data-order="')[1:]}


def test_a_confirmed_order_waits_in_the_warehouse_list_until_its_note_is_prepared(
    boss, customer, product, warehouse
):
    receive_stock([{"product": product, "quantity": "10", "unit_cost": "6"}], by=boss)
    today = dates.today()
    older = confirm_order(
        create_order(
            customer,
            [{"product": product, "quantity": "8"}],
            by=boss,
            date=today - datetime.timedelta(days=3),
        ),
        by=boss,
    )
    newer = confirm_order(create_order(customer, [{"product": product, "quantity": "5"}], by=boss), by=boss)
    missing = make_product(boss, sku="RUPT-1")
    empty = confirm_order(create_order(customer, [{"product": missing, "quantity": "2"}], by=boss), by=boss)

    client = client_for(warehouse)
    home = text_of(client.get("/"))
    assert "Commandes à expédier" in home and older.number in home.split('id="orders-to-ship"')[1]

    page = text_of(client.get("/livraisons/a-expedier/"))
    rows = rows_of(page)
    assert list(rows) == [older.number, newer.number, empty.number]  # oldest first
    # 10 on hand: the older order takes 8, the newer gets the 2 left, the third has none.
    assert "Tout disponible" in rows[older.number]
    assert "Partiellement disponible" in rows[newer.number] and "(2 en stock)" in rows[newer.number]
    assert "Rien en stock" in rows[empty.number] and "En attente de réception" in rows[empty.number]

    response = client.post(f"/commandes/{older.pk}/livrer/", {"mode": "tout"})
    assert response.status_code == 302
    assert Delivery.objects.get(order=older).status == Delivery.Status.DRAFT
    assert older.number not in rows_of(text_of(client.get("/livraisons/a-expedier/")))


def test_what_is_already_on_a_draft_note_is_not_listed_again(boss, customer, product, warehouse):
    receive_stock([{"product": product, "quantity": "10", "unit_cost": "6"}], by=boss)
    order = confirm_order(create_order(customer, [{"product": product, "quantity": "6"}], by=boss), by=boss)
    line = order.lines.get()
    create_delivery(order, [{"order_line": line.pk, "quantity": "4"}], by=boss)

    row = rows_of(text_of(client_for(warehouse).get("/livraisons/a-expedier/")))[order.number]
    assert f"{product.sku}</span> × 2" in row


def test_services_and_unconfirmed_orders_are_not_the_warehouses_business(
    boss, customer, service_product, product, warehouse
):
    confirm_order(create_order(customer, [{"product": service_product, "quantity": "1"}], by=boss), by=boss)
    create_order(customer, [{"product": product, "quantity": "1"}], by=boss)  # a draft
    page = text_of(client_for(warehouse).get("/livraisons/a-expedier/"))
    assert "Rien à expédier" in page

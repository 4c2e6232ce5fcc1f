"""Planned receipts (issue 20, point 2): the warehouse plans a receipt, finds it in the list of receipts
to come, and receives it with one button; the goods count as incoming until then, on hand after."""

import pytest

from comptoir.core.permissions import Role
from comptoir.core.testing import make_user
from comptoir.stock import selectors as stock_view
from comptoir.stock.models import Receipt
from comptoir.web.tests.clients import client_for, text_of

pytestmark = pytest.mark.django_db


def level(product):
    return stock_view.stock_levels([product])[0]


def test_a_planned_receipt_is_listed_then_received(product):
    warehouse = client_for(make_user("entrepot", Role.LOGISTIQUE))
    response = warehouse.post(
        "/stock/receptions/nouvelle/",
        {
            "supplier_name": "Bosch France",
            "product": [str(product.pk)],
            "quantity": ["12"],
            "unit_cost": ["70"],
            "prevoir": "1",
        },
    )
    receipt = Receipt.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/stock/receptions/{receipt.pk}/"
    assert receipt.status == Receipt.Status.DRAFT
    assert (level(product).on_hand, level(product).incoming) == (0, 12)

    listed = text_of(warehouse.get("/stock/receptions/"))
    assert receipt.number in listed and "Bosch France" in listed
    detail = text_of(warehouse.get(f"/stock/receptions/{receipt.pk}/"))
    assert f'action="/stock/receptions/{receipt.pk}/valider/"' in detail

    warehouse.post(f"/stock/receptions/{receipt.pk}/valider/")
    receipt.refresh_from_db()
    assert receipt.status == Receipt.Status.VALIDATED
    assert (level(product).on_hand, level(product).incoming) == (12, 0)
    to_come = text_of(warehouse.get("/stock/receptions/"))
    assert "Aucune réception" in to_come and 'id="receipts"' not in to_come  # no longer to come
    assert receipt.number in text_of(warehouse.get("/stock/receptions/?etat=recues"))
    assert "/valider/" not in text_of(warehouse.get(f"/stock/receptions/{receipt.pk}/"))


def test_sales_see_receipts_but_cannot_receive_them(boss, product):
    from comptoir.stock.services import create_receipt

    receipt = create_receipt([{"product": product, "quantity": "3", "unit_cost": "70"}], by=boss)
    sales = client_for(make_user("vendeur", Role.COMMERCIAL))
    page = text_of(sales.get("/stock/receptions/"))
    assert receipt.number in page and "/valider/" not in page
    sales.post(f"/stock/receptions/{receipt.pk}/valider/")
    receipt.refresh_from_db()
    assert receipt.status == Receipt.Status.DRAFT

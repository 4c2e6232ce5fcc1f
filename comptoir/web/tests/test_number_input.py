"""Numbers typed in the web forms: French notation (`1 234,50`) or a dot, and nothing else."""

from decimal import Decimal

import pytest

from comptoir.catalog.models import Product
from comptoir.stock.models import Receipt
from comptoir.web.tests.clients import client_for, text_of

pytestmark = pytest.mark.django_db

NOT_A_NUMBER = ["1_000", "\uff11\uff12", "\u0663", "1e3", " 1e3", "NaN", "Infinity", "1,234.5", "0x10"]


def _product(client, sku: str, sale_price: str):
    return client.post(
        "/produits/nouveau/",
        {
            "sku": sku,
            "name": "Clé dynamométrique",
            "kind": "goods",
            "unit": "pièce",
            "sale_price": sale_price,
            "purchase_cost": "41,5",
            "vat_rate": "20.00",
            "low_stock_threshold": "2",
            "ean": "",
        },
    )


@pytest.mark.parametrize("typed", NOT_A_NUMBER)
def test_a_price_that_is_not_plain_decimal_notation_is_refused(boss, company, typed):
    response = _product(client_for(boss), "CLE-13", typed)
    assert response.status_code == 200
    assert "Saisissez un nombre." in text_of(response)
    assert not Product.objects.filter(sku="CLE-13").exists()


@pytest.mark.parametrize(
    "typed, price",
    [("1 234,5", "1234.5"), ("1\u202f234,50", "1234.5"), ("89.90", "89.9"), (" 7,25 ", "7.25")],
)
def test_french_and_dotted_prices_are_read(boss, company, typed, price):
    response = _product(client_for(boss), "CLE-14", typed)
    assert response.status_code == 302
    assert Product.objects.get(sku="CLE-14").sale_price == Decimal(price)


@pytest.mark.parametrize("typed", ["1_000", "\uff15", "5e1"])
def test_a_quantity_typed_in_an_editable_table_is_refused_unless_plain(boss, company, product, typed):
    response = client_for(boss).post(
        "/stock/receptions/nouvelle/",
        {
            "supplier_name": "Facom",
            "date": "",
            "product": [product.pk],
            "quantity": [typed],
            "unit_cost": ["40"],
        },
    )
    assert response.status_code == 200
    assert "Saisissez un nombre." in text_of(response)
    assert not Receipt.objects.exists()

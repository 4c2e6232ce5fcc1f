from decimal import Decimal

import pytest

from comptoir.catalog.models import Product
from comptoir.catalog.services import create_product, update_product
from comptoir.core.errors import DomainError

pytestmark = pytest.mark.django_db


def test_product_prices_are_decimals_with_four_places(boss):
    product = create_product(
        by=boss, sku="VIS-6x40", name="Vis 6×40", sale_price="0.0345", ean="4006381333931"
    )
    product.refresh_from_db()
    assert product.sale_price == Decimal("0.0345")
    assert product.vat_rate == Decimal("20.00")
    assert product.ean == "4006381333931"


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"vat_rate": "19.6"}, "invalid_vat_rate"),
        ({"ean": "4006381333932"}, "invalid_ean"),
        ({"sale_price": "-1"}, "negative_price"),
        ({"name": " "}, "product_name_required"),
    ],
)
def test_bad_product_data_is_refused(boss, fields, code):
    with pytest.raises(DomainError) as exc:
        create_product(by=boss, **({"sku": "X1", "name": "Produit", "sale_price": "10"} | fields))
    assert exc.value.code == code
    assert not Product.objects.exists()


def test_sku_is_unique(boss, product):
    with pytest.raises(DomainError) as exc:
        create_product(by=boss, sku=product.sku, name="Doublon", sale_price="1")
    assert exc.value.code == "duplicate_sku"


@pytest.mark.parametrize("rate", ["20", "10", "5.5", "2.1", "0"])
def test_every_french_vat_rate_is_allowed(boss, product, rate):
    # 0 % is an exemption: it states its legal ground (issue #16).
    reason = {"vat_exemption_reason": "Exonération de TVA, article 261 du CGI"} if rate == "0" else {}
    assert update_product(product, by=boss, vat_rate=rate, **reason).vat_rate == Decimal(rate).quantize(
        Decimal("0.01")
    )

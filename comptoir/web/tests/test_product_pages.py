"""The product card: a VAT rate change says from when it applies, or that it corrects the card."""

import datetime

import pytest

from comptoir.core import dates
from comptoir.web.tests.clients import client_for, text_of

pytestmark = pytest.mark.django_db


def _edit(product, **changes):
    data = {
        "name": product.name,
        "kind": product.kind,
        "unit": product.unit,
        "sale_price": "120",
        "purchase_cost": "70",
        "vat_rate": str(product.vat_rate),
        "low_stock_threshold": "0",
        "ean": "",
        "is_active": "on",
    }
    return {**data, **changes}


def test_a_new_rate_applies_from_the_day_given_and_a_future_day_is_refused_on_its_field(boss, product):
    client = client_for(boss)
    url = f"/produits/{product.pk}/modifier/"
    tomorrow = dates.today() + datetime.timedelta(days=1)
    response = client.post(url, _edit(product, vat_rate="10.00", vat_rate_from=tomorrow.strftime("%d/%m/%Y")))
    assert "vat_rate_from" in response.context["form"].errors
    assert "date future" in text_of(response)
    last_week = dates.today() - datetime.timedelta(days=7)
    response = client.post(
        url, _edit(product, vat_rate="10.00", vat_rate_from=last_week.strftime("%d/%m/%Y"))
    )
    assert response.status_code == 302
    product.refresh_from_db()
    assert product.vat_rate_since == last_week
    [change] = product.vat_rate_changes.all()
    assert (str(change.old_rate), str(change.new_rate)) == ("20.00", "10.00")


def test_the_customs_data_of_a_good_are_typed_on_its_card_and_a_wrong_code_is_refused_on_its_field(
    boss, product
):
    client = client_for(boss)
    url = f"/produits/{product.pk}/modifier/"
    response = client.post(
        url, _edit(product, customs_code="8467 215", net_mass_kg="1,6", origin_country="de")
    )
    assert "customs_code" in response.context["form"].errors
    assert "8 chiffres" in text_of(response)
    response = client.post(
        url, _edit(product, customs_code="8467 21 51", net_mass_kg="1,6", origin_country="de")
    )
    assert response.status_code == 302
    product.refresh_from_db()
    assert (product.customs_code, str(product.net_mass_kg), product.origin_country) == (
        "84672151",
        "1.600",
        "DE",
    )
    page = text_of(client.get(f"/produits/{product.pk}/"))
    assert "84672151" in page and "1,6\xa0kg" in page and "DE" in page

"""Amounts and quantities are exact decimal strings both ways, never floats."""

import json
from decimal import Decimal

from pydantic import BaseModel

from comptoir.api.routers.invoices import TaxOut
from comptoir.catalog.models import Product
from comptoir.sales.models import Quote


def test_pydantic_writes_a_plain_decimal_as_a_string_in_json():
    # What Ninja builds on: pydantic v2 dumps Decimal as a JSON string, never a float.
    class Plain(BaseModel):
        value: Decimal

    assert Plain(value=Decimal("1836.00")).model_dump_json() == '{"value":"1836.00"}'


def test_output_decimals_are_strings_at_the_column_scale():
    tax = TaxOut.model_validate(
        {"vat_rate": Decimal("20"), "base": Decimal("1530"), "amount": Decimal("3.06E+2")}
    )
    dumped = tax.model_dump()
    assert (dumped["vat_rate"], dumped["base"], dumped["amount"]) == ("20.00", "1530.00", "306.00")


def test_amounts_prices_and_quantities_are_served_as_strings(api, customer, product):
    response = api.post(
        "/quotes",
        {
            "customer": customer.pk,
            "lines": [{"product": product.pk, "quantity": "12", "discount_percent": "10"}],
        },
    )
    raw = json.loads(response.content)  # no parse_float: a float would show up as such
    assert (raw["total_untaxed"], raw["total_vat"], raw["total"]) == ("1296.00", "259.20", "1555.20")
    line = raw["lines"][0]
    assert (
        line["quantity"],
        line["unit_price"],
        line["discount_percent"],
        line["vat_rate"],
        line["net_amount"],
    ) == ("12.000", "120.0000", "10.00", "20.00", "1296.00")


def test_french_decimal_comma_is_understood(api, customer, product):
    response = api.post(
        "/quotes",
        {
            "customer": customer.pk,
            "lines": [{"product": product.pk, "quantity": "2,5", "unit_price": "10,10"}],
        },
    )
    assert response.status_code == 201, response.json()
    assert response.json()["lines"][0]["net_amount"] == "25.25"


def test_json_numbers_are_read_exactly_not_as_binary_floats(api, customer, product):
    # 0.1 + 0.2 is 0.30000000000000004 in floating point; the API must keep 0.1 and 0.2 exact.
    body = (
        f'{{"customer": {customer.pk}, "lines": [{{"product": {product.pk}, "quantity": 3, "unit_price": 0.1}}, '
        f'{{"product": {product.pk}, "quantity": 1, "unit_price": 0.2}}]}}'
    )
    response = api.post("/quotes", raw=body)
    assert response.status_code == 201, response.json()
    quote = Quote.objects.get()
    assert quote.total_untaxed == Decimal("0.50")
    assert [line.unit_price for line in quote.lines.all()] == [Decimal("0.1000"), Decimal("0.2000")]


def test_more_decimals_than_the_column_keeps_are_refused_not_rounded(api):
    response = api.post("/products", {"sku": "VIS-4", "name": "Vis", "sale_price": "0.12345"})
    assert response.status_code == 422
    assert response.json()["details"][0] == {
        "field": "sale_price",
        "location": "body",
        "type": "value_error",
        "message": "au plus 4 décimales",
    }
    assert not Product.objects.filter(sku="VIS-4").exists()

"""Amounts and quantities are exact decimal strings both ways, never floats."""

import json
from decimal import Decimal

import pytest
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


@pytest.mark.parametrize(
    "text",
    ["1_000", "\uff11\uff12", "\u0663", "1e3", " 1e3", "12 ", "NaN", "Infinity", "-inf", "12,5", "1 000"],
)
def test_only_plain_ascii_decimal_notation_is_accepted(api, text):
    # Python's Decimal() reads all of these; a price typed with an underscore or full-width digits is a
    # slip (or an attack on a parser downstream), and the API speaks one notation: digits and a dot.
    response = api.post("/products", {"sku": "VIS-5", "name": "Vis", "sale_price": text})
    assert response.status_code == 422, response.json()
    detail = response.json()["details"][0]
    assert (detail["field"], detail["type"]) == ("sale_price", "value_error")
    assert "n'est pas un nombre décimal" in detail["message"]
    assert not Product.objects.filter(sku="VIS-5").exists()


@pytest.mark.parametrize("number", ["12.5", "0.1", "2e-1", "1.25E+1"])
def test_json_numbers_with_a_fraction_are_refused(api, number):
    # Decimals travel as text, exactly as written; a JSON number is taken only when it is an integer.
    body = '{"sku": "VIS-6", "name": "Vis", "sale_price": NUMBER}'.replace("NUMBER", number)
    response = api.post("/products", raw=body)
    assert response.status_code == 422, response.json()
    detail = response.json()["details"][0]
    assert (detail["field"], detail["type"]) == ("sale_price", "value_error")
    assert "sous forme de texte" in detail["message"]
    assert not Product.objects.filter(sku="VIS-6").exists()


def test_json_integers_and_plain_decimal_strings_are_read_exactly(api, customer, product):
    body = (
        f'{{"customer": {customer.pk}, "lines": [{{"product": {product.pk}, "quantity": 3, "unit_price": "0.1"}}, '
        f'{{"product": {product.pk}, "quantity": 1, "unit_price": "0.2"}}]}}'
    )
    response = api.post("/quotes", raw=body)
    assert response.status_code == 201, response.json()
    quote = Quote.objects.get()
    assert quote.total_untaxed == Decimal("0.50")
    assert [line.unit_price for line in quote.lines.all()] == [Decimal("0.1000"), Decimal("0.2000")]
    assert [line.quantity for line in quote.lines.all()] == [Decimal("3"), Decimal("1")]


def test_integers_written_as_json_allows_are_integers(api, customer, product):
    # JSON Schema counts 2.0 and 1e1 as integers, and so does the API, for ids as for quantities.
    body = f'{{"customer": {customer.pk}.0, "lines": [{{"product": {product.pk}, "quantity": 1e1, "unit_price": 2.0}}]}}'
    response = api.post("/quotes", raw=body)
    assert response.status_code == 201, response.json()
    line = response.json()["lines"][0]
    assert (line["quantity"], line["unit_price"]) == ("10.000", "2.0000")


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

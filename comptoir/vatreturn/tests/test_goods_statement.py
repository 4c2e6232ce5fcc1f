"""The intra-EU goods statement (EMEBI) carries what the product card says of the goods: CN8 code, net
mass, country of origin; what the card lacks is named, never invented."""

from decimal import Decimal

import pytest

from comptoir.catalog.services import update_product
from comptoir.core.errors import DomainError
from comptoir.vatreturn import statements
from comptoir.vatreturn.tests.factories import eu_month


@pytest.mark.django_db
def test_the_goods_statement_takes_cn8_mass_and_origin_from_the_product_card(
    admin_user, boss, company, customer, product, service_product
):
    update_product(product, by=boss, customs_code="8467 21 51", net_mass_kg="1.6", origin_country="de")
    month = eu_month(admin_user, boss, customer, product, service_product)

    (row,) = statements.goods_rows(month.start, month.end)
    assert (row.customs_code, row.net_mass_kg, row.origin_country, row.missing) == ("84672151", 2, "DE", ())
    csv_lines = statements.goods_csv([row]).splitlines()
    assert csv_lines[1] == (
        f"DE136695976;DE;REF-88;Perceuse à percussion;84672151;120;1;;2;DE;11;21;{month.supply.number}"
    )


@pytest.mark.django_db
def test_a_card_without_customs_data_leaves_the_cells_empty_and_says_what_is_missing(
    admin_user, boss, company, customer, product, service_product
):
    month = eu_month(admin_user, boss, customer, product, service_product)

    (row,) = statements.goods_rows(month.start, month.end)
    assert row.missing == ("nomenclature NC8", "masse nette", "pays d'origine")
    assert ";REF-88;Perceuse à percussion;;120;1;;;;11;21;" in statements.goods_csv([row])


@pytest.mark.parametrize(
    ("per_unit", "quantity", "kg"),
    [
        (None, "3", None),  # no mass on the card: not known, not zero
        ("0.3", "1", 1),  # goods that weigh something never declare 0 kg
        ("0.2", "2", 1),
        ("1.25", "2", 3),  # 2.5 kg: half up
        ("1.6", "-1", 2),  # a credit note's quantity counts by its size
        ("0", "5", 0),
    ],
)
def test_net_mass_in_whole_kilograms(per_unit, quantity, kg):
    per_unit = None if per_unit is None else Decimal(per_unit)
    assert statements.net_mass(per_unit, Decimal(quantity)) == kg


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("customs_code", "8467215", "invalid_customs_code"),
        ("customs_code", "8467-21-51", "invalid_customs_code"),
        ("origin_country", "FRA", "invalid_origin_country"),
        ("origin_country", "É1", "invalid_origin_country"),
        ("net_mass_kg", "-1", "invalid_net_mass"),
        ("net_mass_kg", "0.0001", "invalid_net_mass"),
    ],
)
def test_customs_data_typed_wrong_is_refused_with_its_reason(boss, product, field, value, code):
    with pytest.raises(DomainError) as refused:
        update_product(product, by=boss, **{field: value})
    assert refused.value.code == code
    product.refresh_from_db()
    assert getattr(product, field) in ("", None)

"""Price lists and customer prices price the lines of quotes and orders; every discount has a category."""

import datetime
from decimal import Decimal

import pytest

from comptoir.core.errors import DomainError, PermissionDenied
from comptoir.core.permissions import Role
from comptoir.core.testing import make_customer, make_user
from comptoir.pricing import services
from comptoir.pricing.models import DiscountCategory
from comptoir.sales.services import accept_quote, create_order, create_quote, replace_quote_lines, send_quote

pytestmark = pytest.mark.django_db


@pytest.fixture
def wholesalers(boss, customer, product):
    group = services.create_customer_group("GROS", "Grossistes", by=boss)
    services.set_customer_group(customer, group, by=boss)
    return services.create_price_list(
        "Grossistes 2026",
        group=group,
        valid_from=datetime.date(2026, 1, 1),
        valid_until=datetime.date(2026, 12, 31),
        lines=[
            {"product": product, "min_quantity": "1", "price": "110"},
            {"product": product, "min_quantity": "50", "price": "96.50"},
        ],
        by=boss,
    )


def test_a_line_without_a_price_takes_the_group_list_break_and_says_so(boss, customer, product, wholesalers):
    quote = create_quote(
        customer, [{"product": product, "quantity": "60"}, {"product": product, "quantity": "5"}], by=boss
    )
    big, small = quote.lines.order_by("position")
    assert (big.unit_price, big.price_explanation) == (
        Decimal("96.5000"),
        "liste Grossistes 2026, palier ≥ 50",
    )
    assert (small.unit_price, small.price_explanation) == (Decimal("110.0000"), "liste Grossistes 2026")
    assert big.net_amount == Decimal("5790.00")


def test_a_customer_outside_the_group_pays_the_catalogue_price(boss, company, product, wholesalers):
    other = make_customer(boss)
    line = create_quote(other, [{"product": product, "quantity": "60"}], by=boss).lines.get()
    assert (line.unit_price, line.price_explanation) == (Decimal("120.0000"), "prix catalogue")


def test_a_customer_price_wins_over_the_lists(boss, customer, product, wholesalers):
    services.set_customer_price(customer, product, "93", by=boss)
    line = create_order(customer, [{"product": product, "quantity": "60"}], by=boss).lines.get()
    assert (line.unit_price, line.price_explanation) == (Decimal("93.0000"), "prix spécifique client")


def test_a_typed_price_is_said_typed_unless_it_is_the_list_price(boss, customer, product, wholesalers):
    quote = create_quote(
        customer,
        [
            {"product": product, "quantity": "60", "unit_price": "90"},
            {"product": product, "quantity": "60", "unit_price": "96.5"},
        ],
        by=boss,
    )
    typed, same = quote.lines.order_by("position")
    assert typed.price_explanation == "prix saisi"
    assert same.price_explanation == "liste Grossistes 2026, palier ≥ 50"


def test_a_discount_keeps_the_category_chosen_and_one_without_says_uncategorised(boss, customer, product):
    quote = create_quote(
        customer,
        [
            {"product": product, "quantity": "2", "discount_percent": "5", "discount_category": "volume"},
            {"product": product, "quantity": "2", "discount_percent": "3"},
            {"product": product, "quantity": "2", "discount_category": "promotion"},
        ],
        by=boss,
    )
    assert [line.discount_category for line in quote.lines.order_by("position")] == [
        DiscountCategory.VOLUME,
        DiscountCategory.UNCATEGORISED,
        "",
    ]
    with pytest.raises(DomainError) as exc:
        replace_quote_lines(
            quote,
            [{"product": product, "quantity": "1", "discount_percent": "5", "discount_category": "cadeau"}],
            by=boss,
        )
    assert exc.value.code == "discount_category_unknown"
    assert "Ligne 1" in exc.value.message and "cadeau" in exc.value.message


def test_the_order_keeps_the_quote_lines_price_explanation_and_category(boss, customer, product, wholesalers):
    quote = create_quote(
        customer,
        [{"product": product, "quantity": "60", "discount_percent": "2", "discount_category": "negotiated"}],
        by=boss,
    )
    order = accept_quote(send_quote(quote, by=boss), by=boss)
    line = order.lines.get()
    assert (line.price_explanation, line.discount_category) == (
        "liste Grossistes 2026, palier ≥ 50",
        DiscountCategory.NEGOTIATED,
    )


def test_price_list_rules_are_refused_in_french(boss, customer, product):
    with pytest.raises(DomainError) as exc:
        services.create_price_list("Sans cible", by=boss)
    assert exc.value.code == "price_list_target"
    with pytest.raises(DomainError) as exc:
        services.create_price_list(
            "Double",
            customer=customer,
            lines=[{"product": product, "price": "1", "percent_off": "5"}],
            by=boss,
        )
    assert exc.value.code == "price_list_line_price_xor_percent"
    with pytest.raises(DomainError) as exc:
        services.create_price_list(
            "Paliers",
            customer=customer,
            lines=[
                {"product": product, "price": "1"},
                {"product": product, "min_quantity": "1", "price": "2"},
            ],
            by=boss,
        )
    assert exc.value.code == "price_list_line_duplicate"
    with pytest.raises(DomainError) as exc:
        services.create_price_list(
            "Dates",
            customer=customer,
            valid_from=datetime.date(2026, 5, 1),
            valid_until=datetime.date(2026, 4, 1),
            by=boss,
        )
    assert exc.value.message == "La fin de validité (01/04/2026) ne peut pas précéder le début (01/05/2026)."


def test_only_direction_and_adv_manage_price_lists(customer, product):
    seller = make_user("vendeur", Role.COMMERCIAL)
    with pytest.raises(PermissionDenied):
        services.create_price_list("Martin", customer=customer, by=seller)
    adv = make_user("adv", Role.ADV)
    assert services.create_price_list("Martin", customer=customer, by=adv).customer == customer

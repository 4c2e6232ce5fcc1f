"""What is left to credit on a line after price reductions and returns (pure: no database)."""

from decimal import Decimal as D

from comptoir.billing.crediting import Room
from comptoir.core import money


def test_after_a_price_reduction_on_every_unit_a_return_is_credited_at_the_price_left():
    # 10 units sold at 5 €, then 0,50 € off each: 45 € left on the 10 units.
    room = Room(D("10"), D("50.00")).after(D("10"), D("5.00"), takes_back=False)
    assert room == Room(D("10"), D("45.00"))
    assert room.take_back_price(D("4"), D("5"), D("0")) == D("4.5")
    assert room.worth(D("4")) == D("18.00")


def test_a_price_reduction_on_some_units_lowers_the_value_of_every_unit_left():
    room = Room(D("10"), D("50.00")).after(D("5"), D("2.50"), takes_back=False)
    assert room.take_back_price(D("5"), D("5"), D("0")) == D("4.75")


def test_taking_back_every_unit_left_credits_what_is_left():
    for left in ("48.50", "47.51", "0.07", "33.33"):
        room = Room(D("10"), D(left))
        price = room.take_back_price(D("10"), D("5"), D("0"))
        assert money.line_net(D("10"), price, D("0")) == D(left)


def test_without_any_reduction_units_go_back_at_the_invoiced_price_discount_included():
    room = Room(D("4"), D("420.00"))  # 4 × 120 € less 12,5 %
    assert room.take_back_price(D("1"), D("120"), D("12.5")) == D("120")


def test_a_line_credited_in_full_has_nothing_left_for_its_units():
    room = Room(D("10"), D("50.00")).after(D("10"), D("50.00"), takes_back=False)
    assert room.worth(D("4")) == D("0")
    assert room.take_back_price(D("4"), D("5"), D("0")) == D("0")


def test_the_price_within_a_cap_never_rounds_the_line_above_it():
    for cap, qty, discount in [
        ("10.00", "3", "0"),
        ("0.01", "3", "0"),
        ("99.99", "7", "12.5"),
        ("45.00", "9", "0"),
    ]:
        price = money.unit_price_within(D(cap), D(qty), D(discount))
        assert money.line_net(D(qty), price, D(discount)) <= D(cap)
        assert money.line_net(D(qty), price + money.PRICE_STEP * 100, D(discount)) > D(cap)

"""Spreading quantities and amounts: pure, no database."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from comptoir.returns.allocation import allocate, spread_amount

D = Decimal


def test_a_quantity_is_taken_from_the_oldest_lines_first():
    taken, left = allocate(D("5"), [("FA-1", D("4")), ("FA-2", D("2")), ("FA-3", D("9"))])
    assert taken == [("FA-1", D("4")), ("FA-2", D("1"))]
    assert left == 0


def test_what_cannot_be_placed_is_reported():
    taken, left = allocate(D("5"), [("FA-1", D("1")), ("FA-2", D("0"))])
    assert taken == [("FA-1", D("1"))] and left == D("4")


def test_an_amount_is_spread_in_proportion_to_the_cent():
    assert spread_amount(D("100.00"), [D("1"), D("1"), D("1")]) == [D("33.34"), D("33.33"), D("33.33")]
    assert spread_amount(D("50.00"), [D("480"), D("120")]) == [D("40.00"), D("10.00")]


def test_spreading_over_nothing_is_a_programming_error():
    with pytest.raises(ValueError):
        spread_amount(D("1"), [D("0")])


@given(
    total=st.decimals(min_value=0, max_value=100000, places=2),
    weights=st.lists(st.decimals(min_value=D("0.01"), max_value=10000, places=2), min_size=1, max_size=8),
)
def test_the_parts_always_add_up_to_the_whole(total, weights):
    parts = spread_amount(total, weights)
    assert sum(parts) == total
    assert all(part >= 0 for part in parts)

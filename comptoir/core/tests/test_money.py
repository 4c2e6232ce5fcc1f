"""Rounding rules (DESIGN.md rule 4), without a database."""

from decimal import Decimal

import pytest

from comptoir.core import money
from comptoir.core.taxes import document_totals


def test_money_refuses_floats():
    with pytest.raises(TypeError):
        money.D(0.1)


def test_amounts_round_half_up_to_the_cent():
    assert money.amount("0.005") == Decimal("0.01")
    assert money.amount("2.675") == Decimal("2.68")
    assert money.amount("-0.005") == Decimal("-0.01")


def test_french_decimal_comma_is_accepted():
    assert money.D("1 234,56") == Decimal("1234.56")


def test_line_net_applies_discount_then_rounds_once():
    # 3 × 19.99 × 0.85 = 50.9745 → 50.97
    assert money.line_net("3", "19.99", "15") == Decimal("50.97")


def test_vat_is_computed_per_rate_on_the_sum_of_line_nets():
    # Three lines of 0.15 at 20 %: per-line VAT would be 3 × 0.03 = 0.09; on the sum it is 0.09 too,
    # but 3 lines of 0.05 give per-line 3 × 0.01 = 0.03 against 0.03 on 0.15: use a case that differs.
    totals = document_totals([(Decimal("0.13"), Decimal("20")), (Decimal("0.13"), Decimal("20"))])
    # per line: 0.026 → 0.03 each → 0.06; on the sum 0.26 × 20 % = 0.052 → 0.05
    assert totals.vat == Decimal("0.05")
    assert totals.total == totals.untaxed + totals.vat


def test_totals_keep_one_tax_line_per_rate():
    totals = document_totals(
        [
            (Decimal("100.00"), Decimal("20")),
            (Decimal("50.00"), Decimal("5.5")),
            (Decimal("10.00"), Decimal("20")),
        ]
    )
    assert [(t.rate, t.base, t.amount) for t in totals.taxes] == [
        (Decimal("20.00"), Decimal("110.00"), Decimal("22.00")),
        (Decimal("5.50"), Decimal("50.00"), Decimal("2.75")),
    ]
    assert totals.total == Decimal("184.75")


def test_weighted_average_cost_weighs_quantities():
    # 10 at 5.00 then 30 at 7.00 → (50 + 210) / 40 = 6.50
    assert money.weighted_average_cost("10", "5.00", "30", "7.00") == Decimal("6.5000")


def test_weighted_average_cost_ignores_empty_stock():
    assert money.weighted_average_cost("0", "99", "5", "4.20") == Decimal("4.2000")


@pytest.mark.parametrize("text", ["NaN", "Infinity", "-inf", "sNaN"])
def test_non_finite_numbers_are_refused(text):
    with pytest.raises(ValueError):
        money.D(text)

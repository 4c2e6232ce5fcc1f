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


@pytest.mark.parametrize(
    "text, number",
    [("12", "12"), ("-1.5", "-1.5"), ("+3", "3"), ("0.001", "0.001"), (".5", "0.5"), ("12.", "12")],
)
def test_plain_decimal_notation_is_read_exactly(text, number):
    assert money.D(text) == Decimal(number)


# What Python's Decimal() would read but nobody types as an amount or a quantity: digit grouping with
# underscores, non-ASCII digits (full-width, Arabic-Indic), exponents, padding, special values, and the
# French comma and spaces (only the web's French parser reads those).
NOT_PLAIN = [
    "1_000",
    "\uff11\uff12",
    "\u0663",
    "1e3",
    " 1e3",
    "1E-2",
    " 12",
    "12 ",
    "NaN",
    "-nan",
    "sNaN",
    "Infinity",
    "-Inf",
    "0x10",
    "1.2.3",
    "",
    "-",
    ".",
    "12,5",
    "1 234",
    "\u22121",
]


@pytest.mark.parametrize("text", NOT_PLAIN)
def test_anything_but_plain_ascii_decimal_notation_is_refused(text):
    with pytest.raises(ValueError):
        money.D(text)


@pytest.mark.parametrize(
    "text, number",
    [
        ("1 234,56", "1234.56"),
        ("1\u202f234,56", "1234.56"),
        ("1\xa0234,5", "1234.5"),
        (" 12,5 ", "12.5"),
        ("12.5", "12.5"),
        ("-3", "-3"),
    ],
)
def test_french_notation_is_read_from_what_people_type(text, number):
    assert money.parse_french(text) == Decimal(number)


@pytest.mark.parametrize(
    "text", ["1_000", "\uff11\uff12", "1e3", " 1e3", "NaN", "Infinity", "1,234.5", "1,2,3", "12 ,5", ""]
)
def test_french_notation_refuses_what_is_not_a_plain_number(text):
    with pytest.raises(ValueError):
        money.parse_french(text)


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

"""The CA3 line an accountant copies each figure to (form 3310-CA3-SD)."""

from decimal import Decimal

import pytest

from comptoir.accounting import ca3


@pytest.mark.parametrize(
    "rate, line",
    [("20", "08"), ("10", "9B"), ("5.5", "09"), ("2.1", "T6"), ("8.5", "3310 A"), ("0", "")],
)
def test_each_rate_of_mainland_france_has_its_line_and_other_rates_go_to_the_annex(rate, line):
    assert ca3.gross_vat_line(Decimal(rate)) == line


def test_the_balance_is_net_vat_due_or_a_credit():
    assert ca3.balance_line(Decimal("12.00")) == "TD"
    assert ca3.balance_line(Decimal("0")) == "TD"
    assert ca3.balance_line(Decimal("-0.01")) == "25"

"""French display filters: pure functions, no database."""

import datetime
from decimal import Decimal

import pytest

from comptoir.web.templatetags.comptoir_format import euros, frdate, percent, qty

NNBSP = "\u202f"  # narrow no-break space: thousands separator, before "%"
NBSP = "\u00a0"  # no-break space: before "€"
MINUS = "\u2212"


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        (Decimal("1234.56"), f"1{NNBSP}234,56{NBSP}€"),
        (Decimal("0"), f"0,00{NBSP}€"),
        (Decimal("0.5"), f"0,50{NBSP}€"),
        (Decimal("12"), f"12,00{NBSP}€"),
        (Decimal("999.99"), f"999,99{NBSP}€"),
        (Decimal("1000"), f"1{NNBSP}000,00{NBSP}€"),
        (Decimal("1234567890.12"), f"1{NNBSP}234{NNBSP}567{NNBSP}890,12{NBSP}€"),
        (Decimal("-1234.56"), f"{MINUS}1{NNBSP}234,56{NBSP}€"),
        (Decimal("-0.01"), f"{MINUS}0,01{NBSP}€"),
        (42, f"42,00{NBSP}€"),
        ("1234.5", f"1{NNBSP}234,50{NBSP}€"),
    ],
)
def test_euros_formats_french_money(amount, expected):
    assert euros(amount) == expected


def test_euros_rounds_half_up_to_the_cent():
    assert euros(Decimal("0.005")) == f"0,01{NBSP}€"
    assert euros(Decimal("2.675")) == f"2,68{NBSP}€"  # as float, 2.675 would round down to 2.67
    assert euros(Decimal("0.004")) == f"0,00{NBSP}€"
    assert euros(Decimal("-0.005")) == f"{MINUS}0,01{NBSP}€"


def test_euros_never_prints_a_negative_zero():
    assert euros(Decimal("-0.004")) == f"0,00{NBSP}€"
    assert euros(Decimal("-0")) == f"0,00{NBSP}€"


def test_euros_keeps_full_precision_of_large_amounts():
    assert euros(Decimal("12345678901234567.895")) == (
        f"12{NNBSP}345{NNBSP}678{NNBSP}901{NNBSP}234{NNBSP}567,90{NBSP}€"
    )


def test_euros_of_a_float_does_not_show_binary_noise():
    assert euros(0.1 + 0.2) == f"0,30{NBSP}€"


def test_missing_values_show_a_dash():
    assert euros(None) == "—"
    assert qty(None) == "—"
    assert percent(None) == "—"
    assert frdate(None) == "—"
    assert euros("") == "—"


def test_non_numeric_values_are_shown_unchanged():
    assert euros("n/a") == "n/a"
    assert qty("abc") == "abc"


@pytest.mark.parametrize(
    ("quantity", "expected"),
    [
        (Decimal("3.000"), "3"),
        (Decimal("2.500"), "2,5"),
        (Decimal("0.125"), "0,125"),
        (Decimal("0.000"), "0"),
        (Decimal("1000"), f"1{NNBSP}000"),
        (Decimal("1500.000"), f"1{NNBSP}500"),
        (Decimal("1234567.250"), f"1{NNBSP}234{NNBSP}567,25"),
        (Decimal("-4.500"), f"{MINUS}4,5"),
        (Decimal("1E+3"), f"1{NNBSP}000"),
        (7, "7"),
    ],
)
def test_qty_strips_trailing_zeros(quantity, expected):
    assert qty(quantity) == expected


@pytest.mark.parametrize(
    ("rate", "expected"),
    [
        (Decimal("20.00"), f"20{NNBSP}%"),
        (Decimal("5.50"), f"5,5{NNBSP}%"),
        (Decimal("2.10"), f"2,1{NNBSP}%"),
        (Decimal("0"), f"0{NNBSP}%"),
        (Decimal("-12.5"), f"{MINUS}12,5{NNBSP}%"),
        (Decimal("1250"), f"1{NNBSP}250{NNBSP}%"),
    ],
)
def test_percent_formats_french_rates(rate, expected):
    assert percent(rate) == expected


def test_frdate_formats_day_month_year():
    assert frdate(datetime.date(2026, 11, 22)) == "22/11/2026"
    assert frdate(datetime.date(2026, 1, 5)) == "05/01/2026"


def test_frdate_of_a_naive_datetime_shows_its_date():
    assert frdate(datetime.datetime(2026, 3, 9, 23, 30)) == "09/03/2026"


def test_frdate_of_an_aware_datetime_shows_the_paris_date():
    from django.conf import settings

    if not settings.configured:
        pytest.skip("needs Django settings (TIME_ZONE)")
    late_utc = datetime.datetime(2026, 11, 21, 23, 30, tzinfo=datetime.UTC)
    assert frdate(late_utc) == "22/11/2026"

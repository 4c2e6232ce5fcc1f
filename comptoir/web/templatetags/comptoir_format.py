"""French display of amounts, quantities, rates and dates: `{% load comptoir_format %}`.

Display only: the amounts shown are already rounded by `core.money`; the `euros` filter rounds
half-up to the cent again only so that a stray unrounded value never prints more than two
decimals. Values never pass through float, which would print 0.1 + 0.2 as 0,30000000000000004.

Typography follows the French CLDR data: a narrow no-break space (U+202F) groups thousands and
precedes "%", a no-break space (U+00A0) precedes "€", and negative numbers take the minus sign
U+2212 rather than a hyphen.
"""

import datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django import template
from django.utils import timezone

register = template.Library()

EMPTY = "—"
THOUSANDS_SEPARATOR = "\u202f"
DECIMAL_SEPARATOR = ","
NO_BREAK_SPACE = "\u00a0"
MINUS = "\u2212"
CENT = Decimal("0.01")


def _to_decimal(value) -> Decimal | None:
    """A Decimal from a Decimal, an int or a numeric string; None when the value is not a number."""
    if isinstance(value, Decimal):
        number = value
    elif isinstance(value, bool):
        return None
    elif isinstance(value, int | str):
        try:
            number = Decimal(value)
        except InvalidOperation:
            return None
    elif isinstance(value, float):
        # repr() gives the shortest string that reads back as the same float, so 0.1 stays 0.1.
        number = Decimal(repr(value))
    else:
        return None
    return number if number.is_finite() else None


def _group_thousands(digits: str) -> str:
    groups = []
    while len(digits) > 3:
        groups.insert(0, digits[-3:])
        digits = digits[:-3]
    groups.insert(0, digits)
    return THOUSANDS_SEPARATOR.join(groups)


def _french_number(number: Decimal) -> str:
    """Fixed-point French spelling of `number`, keeping exactly the decimals it carries."""
    text = format(abs(number), "f")
    integer_part, _, fraction = text.partition(".")
    result = _group_thousands(integer_part)
    if fraction:
        result += DECIMAL_SEPARATOR + fraction
    if number < 0 and any(ch not in "0." for ch in text):
        result = MINUS + result
    return result


def _strip_trailing_zeros(number: Decimal) -> Decimal:
    """3.000 → 3 and 2.500 → 2.5, without the exponent notation `normalize()` gives 1000 (1E+3)."""
    if number == number.to_integral_value():
        return number.quantize(Decimal(1))
    return number.normalize()


@register.filter
def euros(value) -> str:
    """Decimal("-1234.5") → "−1 234,50 €"; None → "—"."""
    number = _to_decimal(value)
    if number is None:
        return EMPTY if value is None or value == "" else str(value)
    return _french_number(number.quantize(CENT, rounding=ROUND_HALF_UP)) + NO_BREAK_SPACE + "€"


@register.filter
def qty(value) -> str:
    """Decimal("1500.000") → "1 500"; Decimal("2.500") → "2,5"; None → "—"."""
    number = _to_decimal(value)
    if number is None:
        return EMPTY if value is None or value == "" else str(value)
    return _french_number(_strip_trailing_zeros(number))


@register.filter
def percent(value) -> str:
    """A rate already in percent: Decimal("20.00") → "20 %"; Decimal("5.50") → "5,5 %"."""
    number = _to_decimal(value)
    if number is None:
        return EMPTY if value is None or value == "" else str(value)
    return _french_number(_strip_trailing_zeros(number)) + THOUSANDS_SEPARATOR + "%"


@register.filter
def frdate(value) -> str:
    """date(2026, 11, 22) → "22/11/2026"; an aware datetime is shown in the local time zone."""
    if value is None or value == "":
        return EMPTY
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        value = value.date()
    if isinstance(value, datetime.date):
        return f"{value.day:02d}/{value.month:02d}/{value.year:04d}"
    return str(value)

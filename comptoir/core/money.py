"""The only place where money and quantities are built and rounded.

Amounts have 2 decimals, unit prices up to 4, quantities up to 3 (DESIGN.md rule 4). Line net amounts are
rounded half-up to the cent; VAT is computed per rate on the sum of the rounded line nets (EN 16931
BR-CO-10…17). Never use float for any of these.
"""

import re
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

ZERO = Decimal("0")
CENT = Decimal("0.01")
HUNDRED = Decimal("100")
PRICE_STEP = Decimal("0.0001")
QTY_STEP = Decimal("0.001")

# Allowed French VAT rates, in percent (CGI art. 278 et seq.).
# What a document may carry. Amounts are stored as DECIMAL(14, 2) (12 digits before the point) and
# quantities as DECIMAL(14, 3): a line is kept well below that so that a document of many lines, its VAT
# and the ledger sums still fit. Beyond these, the input is refused with a clear message, not a crash.
MAX_LINE_AMOUNT = Decimal("1000000000")  # 1 billion € excl. VAT per line
MAX_DOCUMENT_AMOUNT = Decimal("10000000000")  # 10 billion € per document
MAX_QUANTITY = Decimal("100000000")  # 100 million units per line

VAT_RATES = (Decimal("20.00"), Decimal("10.00"), Decimal("5.50"), Decimal("2.10"), Decimal("0.00"))


# The one notation a number is read in: an optional sign, ASCII digits and at most one decimal point.
# Python's Decimal() reads much more (« 1_000 », full-width or Arabic-Indic digits, « 1e3 », spaces around,
# NaN, Infinity); none of it is how anyone writes an amount, and each is a way past a check downstream.
PLAIN_DECIMAL = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")
PLAIN_DECIMAL_PATTERN = r"^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)$"
# Digit grouping as French users type it: a space, a no-break space or a narrow no-break space, between digits.
_FRENCH_GROUPING = re.compile(r"(?<=[0-9])[ \u00a0\u202f](?=[0-9])")


def D(value) -> Decimal:
    """Build a Decimal from a str in plain notation (`PLAIN_DECIMAL`), an int or a finite Decimal; a float is
    refused because it is already inexact, anything else with ValueError."""
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError(f"not a finite number: {value!r}")
        return value
    if isinstance(value, float):
        raise TypeError("money and quantities are never floats; pass a string")
    if isinstance(value, bool):
        raise TypeError("a boolean is not a number")
    if isinstance(value, int):
        return Decimal(value)
    if not isinstance(value, str) or not PLAIN_DECIMAL.fullmatch(value):
        raise ValueError(f"not a decimal number in plain notation: {value!r}")
    return Decimal(value)


def parse_french(text: str) -> Decimal:
    """A number as a French user types it in a form: `1 234,56` (grouping spaces between digits, decimal
    comma) or `1234.56`, spaces around ignored; otherwise the same plain notation as `D`."""
    if not isinstance(text, str):
        raise ValueError(f"not a decimal number: {text!r}")
    cleaned = _FRENCH_GROUPING.sub("", text.strip())
    if "," in cleaned and "." not in cleaned:
        cleaned = cleaned.replace(",", ".", 1)
    return D(cleaned)


def amount(value) -> Decimal:
    """An amount in euros, rounded half-up to the cent."""
    return D(value).quantize(CENT, rounding=ROUND_HALF_UP)


def unit_price(value) -> Decimal:
    return D(value).quantize(PRICE_STEP, rounding=ROUND_HALF_UP)


def quantity(value) -> Decimal:
    return D(value).quantize(QTY_STEP, rounding=ROUND_HALF_UP)


def line_net(qty, price, discount_percent=ZERO) -> Decimal:
    """Net amount of a line: quantity × unit price × (1 − discount), rounded once to the cent."""
    gross = D(qty) * D(price)
    discount = D(discount_percent)
    if discount:
        gross = gross * (HUNDRED - discount) / HUNDRED
    return amount(gross)


def unit_price_within(net_cap, qty, discount_percent=ZERO) -> Decimal:
    """The highest unit price (to the 0.0001) at which `qty` units, less the discount, stay within `net_cap`
    once rounded like a line (`line_net`): what a credit may still give per unit when only `net_cap` is left.

    Rounded down, never half-up: the product then never exceeds `net_cap`, which is on the cent, so neither
    does its rounding."""
    qty, cap = D(qty), D(net_cap)
    factor = (HUNDRED - D(discount_percent)) / HUNDRED
    if qty <= 0 or factor <= 0 or cap <= 0:
        return ZERO
    return (cap / (qty * factor)).quantize(PRICE_STEP, rounding=ROUND_DOWN)


def vat_on(base, rate_percent) -> Decimal:
    """VAT of a base at a rate in percent, rounded once to the cent."""
    return amount(D(base) * D(rate_percent) / HUNDRED)


def percent_of(base, percent) -> Decimal:
    """`percent` % of a base (a discount, an early-payment discount), rounded once to the cent."""
    return amount(D(base) * D(percent) / HUNDRED)


def weighted_average_cost(on_hand, current_cost, received_qty, received_cost) -> Decimal:
    """Weighted average unit cost after a receipt (PCG art. 213-33: coût moyen unitaire pondéré)."""
    on_hand, received_qty = D(on_hand), D(received_qty)
    total_qty = on_hand + received_qty
    if total_qty <= ZERO:
        return unit_price(received_cost)
    # Negative stock must not weigh the average: value only what is physically there.
    valued_on_hand = max(on_hand, ZERO)
    return unit_price(
        (valued_on_hand * D(current_cost) + received_qty * D(received_cost)) / (valued_on_hand + received_qty)
    )


def cost_of(qty, unit_cost) -> Decimal:
    return amount(D(qty) * D(unit_cost))


def percent(value) -> Decimal:
    """A rate in percent, rounded half-up to the tenth (a margin rate: 23,5 %)."""
    return D(value).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def fr(value, places: int = 2) -> str:
    """A number as French users write it in a message: 1 234,56 (narrow no-break space, decimal comma)."""
    return f"{Decimal(value):,.{places}f}".replace(",", "\u202f").replace(".", ",")

"""The only place where money and quantities are built and rounded.

Amounts have 2 decimals, unit prices up to 4, quantities up to 3 (DESIGN.md rule 4). Line net amounts are
rounded half-up to the cent; VAT is computed per rate on the sum of the rounded line nets (EN 16931
BR-CO-10…17). Never use float for any of these.
"""

from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal, InvalidOperation

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


def D(value) -> Decimal:
    """Build a Decimal from a str, int or Decimal; a float is refused because it is already inexact."""
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError(f"not a finite number: {value!r}")
        return value
    if isinstance(value, float):
        raise TypeError("money and quantities are never floats; pass a string")
    try:
        number = Decimal(str(value).strip().replace(",", ".").replace("\u202f", "").replace(" ", ""))
    except InvalidOperation as exc:
        raise ValueError(f"not a decimal number: {value!r}") from exc
    # NaN and infinities parse, but no amount or quantity is ever one; refusing here keeps every caller safe.
    if not number.is_finite():
        raise ValueError(f"not a finite number: {value!r}")
    return number


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


def fr(value, places: int = 2) -> str:
    """A number as French users write it in a message: 1 234,56 (narrow no-break space, decimal comma)."""
    return f"{Decimal(value):,.{places}f}".replace(",", "\u202f").replace(".", ",")

"""How numbers and dates are written: dotted decimals in XML (BR-DEC, BR-FR-DEC), French style on paper."""

from datetime import date
from decimal import Decimal

from comptoir.core.money import CENT

NBSP = "\u00a0"  # thousands separator on paper: reportlab draws U+00A0 with the font's space


def xml_amount(value: Decimal) -> str:
    """BT-106…115, BT-116/117, BT-131…: exactly 2 decimals (BR-DEC-*, BR-FR-DEC-01)."""
    quantized = Decimal(value).quantize(CENT)
    if quantized != value:
        raise ValueError(f"amount {value} has more than 2 decimals; round it with core.money first")
    return format(quantized, "f")


def xml_decimal(value: Decimal, max_places: int) -> str:
    """A quantity (4 places, BR-FR-DEC-02) or a price (6 places, BR-FR-DEC-03) without exponent."""
    value = Decimal(value)
    if value == value.to_integral_value():
        return format(value.quantize(Decimal(1)), "f")
    normalized = value.normalize()
    if -normalized.as_tuple().exponent > max_places:
        raise ValueError(f"{value} has more than {max_places} decimals")
    return format(normalized, "f")


def xml_quantity(value: Decimal) -> str:
    return xml_decimal(value, 4)


def xml_price(value: Decimal) -> str:
    return xml_decimal(value, 6)


def xml_rate(value: Decimal) -> str:
    """A VAT rate as the French list spells it: 20, 5.5, 2.1, 0 (BR-FR-16, BR-FR-DEC-04)."""
    return xml_decimal(value, 2)


def cii_date(value: date) -> str:
    """CII format 102: AAAAMMJJ (BR-FR-03)."""
    return value.strftime("%Y%m%d")


def fr_number(value: Decimal, places: int = 2) -> str:
    """1234.5 → "1 234,50" (no-break space between thousands, decimal comma)."""
    value = (
        Decimal(value).quantize(Decimal(1).scaleb(-places)) if places else Decimal(value).quantize(Decimal(1))
    )
    sign = "-" if value < 0 else ""
    text = format(abs(value), "f")
    whole, _, fraction = text.partition(".")
    groups = []
    while whole:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    result = NBSP.join(groups) or "0"
    return f"{sign}{result},{fraction}" if fraction else f"{sign}{result}"


def fr_money(value: Decimal, currency: str = "EUR") -> str:
    """1234.56 → "1 234,56 €"."""
    symbol = "€" if currency == "EUR" else currency
    return f"{fr_number(value)}{NBSP}{symbol}"


def fr_decimal(value: Decimal, max_places: int = 4) -> str:
    """A quantity or unit price without useless zeros, at least 2 places for prices: 3 → "3", 12.5 → "12,5"."""
    value = Decimal(value)
    normalized = value.normalize()
    places = max(0, -normalized.as_tuple().exponent)
    return fr_number(value, min(places, max_places))


def fr_price(value: Decimal) -> str:
    """A unit price: 2 decimals at least, up to 4 when they matter (12.3450 → "12,345")."""
    normalized = Decimal(value).normalize()
    places = max(2, min(6, -normalized.as_tuple().exponent))
    return fr_number(value, places)


def fr_date(value: date) -> str:
    return value.strftime("%d/%m/%Y")

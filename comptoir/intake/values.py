"""The values an order's words may carry, each read as its kind or not at all (no Django): numbers in
French (« 1 234,50 ») and English (« 1,234.50 ») forms, the document's own decimal habit settling
« 1,500 »; dates in French and English formats; SIRET and SIREN with their Luhn key, VAT numbers, PO
numbers (`VALIDATORS`, by field).
"""

import datetime
import re
from decimal import Decimal, InvalidOperation

from comptoir.intake.words import plain

# --- Numbers and dates ----------------------------------------------------------------------------------

_NUMBER = re.compile(r"^[+-]?\d[\d\s\u00a0\u202f.,']*$")


def decimal_habit(texts) -> str:
    """« , » or « . »: the decimal separator the document uses for amounts with two decimals."""
    comma = point = 0
    for text in texts:
        compact = re.sub(r"[\s\u00a0\u202f€$]|EUR", "", text)
        if re.fullmatch(r"\d[\d.]*,\d{2}", compact):
            comma += 1
        elif re.fullmatch(r"\d[\d,]*\.\d{2}", compact):
            point += 1
    return "." if point > comma else ","


def parse_number(text: str, habit: str = ",") -> Decimal | None:
    value = re.sub(r"[\s\u00a0\u202f']|€|EUR|\$", "", text or "", flags=re.I)
    if not value or not _NUMBER.match(value):
        return None
    if "," in value and "." in value:
        if value.rfind(",") > value.rfind("."):
            value = value.replace(".", "").replace(",", ".")
        else:
            value = value.replace(",", "")
    elif "," in value:
        groups = value.split(",")
        if len(groups) > 2 or (habit == "." and len(groups[-1]) == 3):
            value = value.replace(",", "")
        else:
            value = value.replace(",", ".")
    elif "." in value:
        groups = value.split(".")
        if len(groups) > 2 or (habit == "," and len(groups[-1]) == 3 and len(groups[0]) <= 3):
            value = value.replace(".", "")
    try:
        number = Decimal(value)
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def number_text(number: Decimal) -> str:
    text = format(number.normalize(), "f")
    return text


MONTHS = {
    "janvier": 1,
    "janv": 1,
    "jan": 1,
    "january": 1,
    "fevrier": 2,
    "fevr": 2,
    "fev": 2,
    "feb": 2,
    "february": 2,
    "mars": 3,
    "mar": 3,
    "march": 3,
    "avril": 4,
    "avr": 4,
    "apr": 4,
    "april": 4,
    "mai": 5,
    "may": 5,
    "juin": 6,
    "jun": 6,
    "june": 6,
    "juillet": 7,
    "juil": 7,
    "jul": 7,
    "july": 7,
    "aout": 8,
    "aug": 8,
    "august": 8,
    "septembre": 9,
    "sept": 9,
    "sep": 9,
    "september": 9,
    "octobre": 10,
    "oct": 10,
    "october": 10,
    "novembre": 11,
    "nov": 11,
    "november": 11,
    "decembre": 12,
    "dec": 12,
    "december": 12,
}
_MONTH = "(" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
DATE_PATTERNS = (
    (re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})"), "ymd"),
    (re.compile(r"(\d{1,2})\s?[/.\-]\s?(\d{1,2})\s?[/.\-]\s?(\d{4}|\d{2})(?!\d)"), "dmy"),
    (re.compile(r"(\d{1,2})(?:er|st|nd|rd|th)?\s+" + _MONTH + r"\s+(\d{4})"), "dMy"),
    (re.compile(_MONTH + r"\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})"), "Mdy"),
)


def find_date(text: str) -> tuple[datetime.date, int, int] | None:
    """The first date in `text` (French or English forms) and where it is: (date, start, end)."""
    folded = plain(text)
    best = None
    for pattern, order in DATE_PATTERNS:
        for match in pattern.finditer(folded):
            groups = match.groups()
            try:
                if order == "ymd":
                    year, month, day = (int(g) for g in groups)
                elif order == "dmy":
                    day, month, year = (int(g) for g in groups)
                    if month > 12 >= day:
                        day, month = month, day
                elif order == "dMy":
                    day, month, year = int(groups[0]), MONTHS[groups[1]], int(groups[2])
                else:
                    month, day, year = MONTHS[groups[0]], int(groups[1]), int(groups[2])
                if year < 100:
                    year += 2000
                found = datetime.date(year, month, day)
            except (ValueError, KeyError):
                continue
            if best is None or match.start() < best[1]:
                best = (found, match.start(), match.end())
            break
    return best


# --- Identifiers ----------------------------------------------------------------------------------------


def luhn(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def _siret(text: str):
    match = re.search(r"(?<!\d)(\d[\d\s.]{12,20}\d)(?!\d)", text)
    if not match:
        return None
    digits = re.sub(r"\D", "", match.group(1))
    if len(digits) != 14:
        return None
    return digits, luhn(digits)


def _siren(text: str):
    match = re.search(r"(?<!\d)(\d[\d\s.]{7,12}\d)(?!\d)", text)
    if not match:
        return None
    digits = re.sub(r"\D", "", match.group(1))
    if len(digits) == 14:
        digits = digits[:9]
    if len(digits) != 9:
        return None
    return digits, luhn(digits)


def _vat(text: str):
    match = re.search(r"\b([A-Z]{2})\s?([0-9A-Z]{2}(?:\s?[0-9A-Z]){6,11})\b", text.upper())
    if not match or match.group(1) not in _EU:
        return None
    value = match.group(1) + re.sub(r"\s", "", match.group(2))
    if value.startswith("FR"):
        if not re.fullmatch(r"FR[0-9A-Z]{2}\d{9}", value):
            return None
        key, siren = value[2:4], value[4:]
        ok = key.isdigit() and int(key) == (12 + 3 * (int(siren) % 97)) % 97
        return value, ok
    return value, any(c.isdigit() for c in value)


_EU = set("AT BE BG CY CZ DE DK EE EL ES FI FR HR HU IE IT LT LU LV MT NL PL PT RO SE SI SK XI".split())


def _po(text: str):
    text = text.strip().lstrip(":#°").strip()
    text = re.sub(r"^(n[°o]\.?|no\.?|#)\s*", "", text, flags=re.I).lstrip(":").strip()
    match = re.match(r"([A-Za-z0-9][A-Za-z0-9/_.\-]{1,39})", text)
    if not match:
        return None
    value = match.group(1).rstrip(".-/")
    if not any(c.isdigit() for c in value):
        return None
    if find_date(value) and re.fullmatch(r"[\d/.\-]+", value):
        return None
    return value, True


def _date_value(text: str):
    found = find_date(text)
    if not found:
        return None
    return found[0].isoformat(), True


VALIDATORS = {
    "po_number": _po,
    "po_date": _date_value,
    "requested_date": _date_value,
    "buyer_siret": _siret,
    "buyer_siren": _siren,
    "buyer_vat": _vat,
}

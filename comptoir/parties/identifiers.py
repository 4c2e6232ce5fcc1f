"""French and EU company identifiers, checked with python-stdnum (no hand-written checksums)."""

import re

from stdnum import iban as std_iban
from stdnum.ch import vat as ch_vat
from stdnum.eu import vat as eu_vat
from stdnum.exceptions import ValidationError
from stdnum.fr import siren as fr_siren
from stdnum.fr import siret as fr_siret
from stdnum.gb import vat as gb_vat
from stdnum.no import mva as no_mva

try:
    from stdnum import bic as std_bic
except ImportError:  # older python-stdnum
    std_bic = None


def clean_siren(value: str) -> str | None:
    """The 9-digit SIREN, compact, or None if it is not valid."""
    try:
        return fr_siren.validate(value)
    except ValidationError:
        return None


def clean_siret(value: str) -> str | None:
    try:
        return fr_siret.validate(value)
    except ValidationError:
        return None


def clean_vat(value: str, *, country: str = "FR", foreign: bool = False) -> str | None:
    """A VAT number, compact and upper-case with its country prefix, or None if it is not valid.

    EU numbers (FR…, DE…, EL…, XI…) are checked with python-stdnum. With `foreign` (a customer's number),
    the UK, Swiss and Norwegian numbers are checked too (GB…, CHE… MWST/TVA/IVA, NO…MVA), and a customer
    outside the EU may have another country's number, accepted when it has 4 to 20 letters and digits
    with at least one digit (no public checksum to check)."""
    compact = re.sub(r"[\s.\-/]", "", value or "").upper()
    prefix = compact[:2]
    if is_eu_vat_prefix(prefix) or not foreign:
        try:
            return eu_vat.validate(compact)
        except ValidationError:
            return None
    module = FOREIGN_VAT.get(prefix)
    if module is not None:
        try:
            number = module.validate(compact)
        except ValidationError:
            return None
        return number if number.startswith(prefix) else prefix + number
    if is_eu_vat_prefix((country or "FR").upper()) or (country or "FR").upper() == "FR":
        return None
    if GENERIC_FOREIGN_VAT.fullmatch(compact) and any(c.isdigit() for c in compact):
        return compact
    return None


# Non-EU VAT numbers python-stdnum checks, by prefix (the prefix is part of the stored number).
FOREIGN_VAT = {"GB": gb_vat, "CH": ch_vat, "NO": no_mva}
GENERIC_FOREIGN_VAT = re.compile(r"[A-Z0-9]{4,20}")


def is_eu_vat_prefix(prefix: str) -> bool:
    """Whether a 2-letter prefix is an EU VAT prefix (member states, EL for Greece, XI for Northern Ireland)."""
    prefix = prefix.lower()
    return prefix in eu_vat.MEMBER_STATES or prefix == "el"


def is_eu_vat(number: str) -> bool:
    return bool(number) and is_eu_vat_prefix(number[:2])


def clean_iban(value: str) -> str | None:
    try:
        return std_iban.validate(value)
    except ValidationError:
        return None


def clean_bic(value: str) -> str | None:
    if std_bic is None:
        compact = value.replace(" ", "").upper()
        return compact if len(compact) in (8, 11) and compact[:6].isalpha() else None
    try:
        return std_bic.validate(value)
    except ValidationError:
        return None


def french_vat_from_siren(siren: str) -> str:
    return fr_siren.to_tva(siren)

"""French and EU company identifiers, checked with python-stdnum (no hand-written checksums)."""

from stdnum import iban as std_iban
from stdnum.eu import vat as eu_vat
from stdnum.exceptions import ValidationError
from stdnum.fr import siren as fr_siren
from stdnum.fr import siret as fr_siret

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


def clean_vat(value: str) -> str | None:
    """An intra-EU VAT number (FR…, DE…, …), compact and upper-case, or None if it is not valid."""
    try:
        return eu_vat.validate(value.upper())
    except ValidationError:
        return None


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

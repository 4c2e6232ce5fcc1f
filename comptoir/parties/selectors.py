"""Reads of the parties area that other areas share."""

from comptoir.core.compiled import Compiled
from comptoir.parties import series
from comptoir.parties.models import Company

# Every invoice drafted and issued reads the company (its series, the seller it freezes): compiled once.
_COMPANY = Compiled(lambda: Company.objects.order_by("pk")[:1])


def company() -> Company | None:
    """The company using Comptoir (one per database), or None before it is set up."""
    return _COMPANY.one()


def number_prefix(field: str) -> str:
    """The prefix (and counter name) of a numbered series, e.g. `number_prefix("quote_series")` → "DEV";
    the default before the company is set up."""
    found = company()
    return getattr(found, field) if found is not None else series.DEFAULTS[field]


def number_prefixes() -> dict[str, str]:
    """Every series' prefix by its Company field."""
    found = company()
    return {field: getattr(found, field) if found else default for field, default in series.DEFAULTS.items()}

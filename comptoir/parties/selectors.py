"""Reads of the parties area that other areas share."""

from comptoir.core.compiled import Compiled
from comptoir.parties.models import Company

# Every invoice drafted and issued reads the company (its series, the seller it freezes): compiled once.
_COMPANY = Compiled(lambda: Company.objects.order_by("pk")[:1])


def company() -> Company | None:
    """The company using Comptoir (one per database), or None before it is set up."""
    return _COMPANY.one()

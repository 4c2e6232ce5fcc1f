"""Reads of the catalogue."""

import datetime
from decimal import Decimal

from comptoir.catalog.models import Product, VatRateChange


def vat_rate_on(product: Product, day: datetime.date) -> Decimal:
    """The product's VAT rate in force on `day` (the day the tax fell due): the current one unless it
    changed after `day` (`services.update_product` records each change with the day it applies from)."""
    if product.vat_rate_since is None or day >= product.vat_rate_since:
        return product.vat_rate
    earlier = (
        VatRateChange.objects.filter(product=product, applies_from__gt=day)
        .order_by("applies_from", "id")
        .values_list("old_rate", flat=True)
        .first()
    )
    return product.vat_rate if earlier is None else earlier

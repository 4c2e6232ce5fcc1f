"""Discounts granted to a customer over a period, summed by category (#22 point 2); the customer
waterfall reads them as its "discounts by category" step.

What counts, on issued documents dated in the period (deposit invoices left out, as for margins):
- each discounted line: its gross amount (quantity × unit price, rounded to the cent as the line's net
  is) less its net amount; on a credit note that takes goods back the discount it carried comes back,
  so it counts negative. Price-reduction lines of a credit note give nothing back: they are left out;
- each document-level allowance (remise globale), negative on a credit note; charges are not discounts.
The category is the one chosen when the discount was granted (`pricing.DiscountCategory`); rows older
than the categories say « non catégorisé ». Two queries, summed by the database.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Case, DecimalField, ExpressionWrapper, F, Sum, Value, When
from django.db.models.functions import Round

from comptoir.billing.models import AllowanceCharge, Invoice, InvoiceLine
from comptoir.pricing.models import DiscountCategory

ZERO = Decimal("0")
_AMOUNT = DecimalField(max_digits=20, decimal_places=2)
_GROSS = DecimalField(max_digits=28, decimal_places=7)


@dataclass(frozen=True)
class DiscountByCategory:
    category: str
    label: str
    line_discounts: Decimal
    allowances: Decimal

    @property
    def total(self) -> Decimal:
        return self.line_discounts + self.allowances


def _sign(prefix: str = "invoice__"):
    return Case(When(**{f"{prefix}kind": Invoice.Kind.CREDIT_NOTE}, then=Value(-1)), default=Value(1))


def discounts_by_category(customer, start: datetime.date, end: datetime.date) -> list[DiscountByCategory]:
    """The discounts granted to `customer` on documents dated from `start` to `end` (both included),
    one row per category that has any, largest first."""
    issued = {
        "invoice__customer": customer,
        "invoice__status": Invoice.Status.ISSUED,
        "invoice__date__gte": start,
        "invoice__date__lte": end,
    }
    gross = Round(ExpressionWrapper(F("quantity") * F("unit_price"), output_field=_GROSS), 2)
    line_rows = (
        InvoiceLine.objects.filter(**issued, discount_percent__gt=0, price_reduction=False)
        .exclude(invoice__kind=Invoice.Kind.DEPOSIT)
        .values("discount_category")
        .annotate(
            amount=Sum(
                ExpressionWrapper((gross - F("net_amount")) * _sign(), output_field=_AMOUNT),
                output_field=_AMOUNT,
            )
        )
    )
    allowance_rows = (
        AllowanceCharge.objects.filter(**issued, is_charge=False)
        .values("discount_category")
        .annotate(
            amount=Sum(ExpressionWrapper(F("amount") * _sign(), output_field=_AMOUNT), output_field=_AMOUNT)
        )
    )
    lines = {
        row["discount_category"] or DiscountCategory.UNCATEGORISED: Decimal(str(row["amount"] or 0))
        for row in line_rows
    }
    allowances = {
        row["discount_category"] or DiscountCategory.UNCATEGORISED: Decimal(str(row["amount"] or 0))
        for row in allowance_rows
    }
    labels = dict(DiscountCategory.choices)
    found = [
        DiscountByCategory(
            category=code,
            label=str(labels.get(code, code)),
            line_discounts=lines.get(code, ZERO).quantize(Decimal("0.01")),
            allowances=allowances.get(code, ZERO).quantize(Decimal("0.01")),
        )
        for code in sorted(set(lines) | set(allowances))
    ]
    return sorted(found, key=lambda row: (-row.total, row.category))

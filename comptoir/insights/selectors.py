"""Reads of margins: per line of a document, and summed per invoice, order, product, customer, sales person
or month. The rules are `insights.margins`; the aggregations apply the same rules in SQL, one query per
table, so a list of thousands of lines is summed by the database, never line by line in Python.

Which lines count: issued invoices and credit notes, except deposit invoices and lines booked on the
customer-deposit account (4191) — an advance is not a sale of goods; the final invoice carries the revenue.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db.models import (
    Case,
    DecimalField,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Greatest, Least, Round, TruncMonth

from comptoir.accounting import chart
from comptoir.billing.models import Invoice, InvoiceLine
from comptoir.catalog.models import Product
from comptoir.insights import margins
from comptoir.parties.models import Customer
from comptoir.returns.models import ReturnReceiptLine
from comptoir.sales.models import Order

ZERO = Decimal("0")
_AMOUNT = DecimalField(max_digits=20, decimal_places=2)
_QTY = DecimalField(max_digits=20, decimal_places=3)
_COST = DecimalField(max_digits=20, decimal_places=4)

# The groupings the margins page and the API offer: name → the field lines are grouped by.
GROUPINGS = {
    "invoice": "invoice_id",
    "order": "invoice__order_id",
    "product": "product_id",
    "customer": "invoice__customer_id",
    "salesperson": "salesperson_id",
    "month": "month",
}


def counted_lines():
    """Issued invoice and credit note lines that are sales of goods or services (no deposit)."""
    return (
        InvoiceLine.objects.filter(invoice__status=Invoice.Status.ISSUED)
        .exclude(invoice__kind=Invoice.Kind.DEPOSIT)
        .exclude(account_code=chart.CUSTOMER_DEPOSITS)
    )


def _restocked():
    """Units of the line's delivery line put back on the shelf under the case its credit note cites."""
    received = (
        ReturnReceiptLine.objects.filter(
            disposition=ReturnReceiptLine.Disposition.BACK_TO_STOCK,
            return_line__delivery_line_id=OuterRef("delivery_line_id"),
            return_line__case__number=OuterRef("invoice__source_reference"),
        )
        .values("return_line__delivery_line_id")
        .annotate(total=Sum("quantity"))
        .values("total")
    )
    return Coalesce(Subquery(received, output_field=_QTY), Value(ZERO, output_field=_QTY))


def _credited_before():
    """Units of the same delivery line already taken back by earlier issued credit note lines citing the same
    case: the units restocked go to the credit note lines in the order they were written."""
    earlier = (
        InvoiceLine.objects.filter(
            invoice__kind=Invoice.Kind.CREDIT_NOTE,
            invoice__status=Invoice.Status.ISSUED,
            invoice__source_reference=OuterRef("invoice__source_reference"),
            delivery_line_id=OuterRef("delivery_line_id"),
            price_reduction=False,
            id__lt=OuterRef("id"),
        )
        .values("delivery_line_id")
        .annotate(total=Sum("quantity"))
        .values("total")
    )
    return Coalesce(Subquery(earlier, output_field=_QTY), Value(ZERO, output_field=_QTY))


def with_margin(qs):
    """Annotate lines with `revenue`, `cost` (signed, to the cent), `unit_cost_used`, `cost_units`, `month`
    and `salesperson_id`: the rules of `insights.margins.of_line` written in SQL."""
    credit = Q(invoice__kind=Invoice.Kind.CREDIT_NOTE)
    goods = Q(product__kind=Product.Kind.GOODS)
    unit_cost = Case(
        When(delivery_line__unit_cost__isnull=False, then=F("delivery_line__unit_cost")),
        When(~goods, then=F("product__purchase_cost")),
        default=Value(ZERO),
        output_field=_COST,
    )
    units = Case(
        When(~credit, then=F("quantity")),
        When(price_reduction=True, then=Value(ZERO)),
        When(~goods, then=F("quantity")),
        default=Greatest(Least(F("quantity"), _restocked() - _credited_before()), Value(ZERO)),
        output_field=_QTY,
    )
    unsigned_cost = Round(ExpressionWrapper(F("cost_units") * F("unit_cost_used"), output_field=_COST), 2)
    return qs.annotate(
        unit_cost_used=unit_cost,
        cost_units=units,
        revenue=Case(When(credit, then=-F("net_amount")), default=F("net_amount"), output_field=_AMOUNT),
        cost=Case(
            When(credit, then=-unsigned_cost),
            default=unsigned_cost,
            output_field=_AMOUNT,
        ),
        month=TruncMonth("invoice__date"),
        salesperson_id=Coalesce("invoice__order__quote__created_by_id", "invoice__order__created_by_id"),
    )


@dataclass(frozen=True)
class LineMargin:
    line: InvoiceLine
    margin: margins.Margin


@dataclass
class DocumentMargins:
    lines: list[LineMargin] = field(default_factory=list)

    @property
    def total(self) -> margins.Margin:
        return margins.total(row.margin for row in self.lines)


def _lines_of(qs) -> DocumentMargins:
    rows = (
        with_margin(counted_lines().filter(qs))
        .select_related("invoice", "product")
        .order_by("invoice__date", "invoice_id", "position", "id")
    )
    return DocumentMargins([LineMargin(line, margins.Margin(line.revenue, line.cost)) for line in rows])


def invoice_margins(invoice) -> DocumentMargins:
    """Each counted line of an issued invoice or credit note with its margin (empty for a draft or a
    deposit)."""
    return _lines_of(Q(invoice_id=invoice.pk))


def order_margins(order) -> DocumentMargins:
    """Each counted line of the order's issued invoices and credit notes, in date order."""
    return _lines_of(Q(invoice__order_id=order.pk))


@dataclass(frozen=True)
class MarginRow:
    key: object
    label: str
    lines: int
    margin: margins.Margin

    # Flat figures, for sorting and exporting the rows.
    @property
    def revenue(self) -> Decimal:
        return self.margin.revenue

    @property
    def cost(self) -> Decimal:
        return self.margin.cost

    @property
    def amount(self) -> Decimal:
        return self.margin.margin

    @property
    def rate(self) -> Decimal | None:
        return self.margin.rate


def _period(qs, date_from, date_to):
    if date_from:
        qs = qs.filter(invoice__date__gte=date_from)
    if date_to:
        qs = qs.filter(invoice__date__lte=date_to)
    return qs


def margins_by(
    by: str, *, date_from: datetime.date | None = None, date_to: datetime.date | None = None, **filters
) -> list[MarginRow]:
    """Margins summed per `by` (a key of GROUPINGS) over the invoice dates from–to (both included), the
    largest revenue first. `filters` narrow the lines (e.g. invoice__customer_id=…)."""
    key = GROUPINGS[by]
    qs = with_margin(_period(counted_lines(), date_from, date_to).filter(**filters))
    sums = (
        qs.values(key)
        .annotate(revenue_sum=Sum("revenue"), cost_sum=Sum("cost"), line_count=Sum(Value(1)))
        .order_by(key)
    )
    found = [
        (row[key], row["line_count"], row["revenue_sum"] or ZERO, row["cost_sum"] or ZERO) for row in sums
    ]
    labels = _labels(by, [pk for pk, *_ in found])
    rows = [
        MarginRow(pk, labels.get(pk, "—"), count, margins.Margin(Decimal(revenue), Decimal(cost)))
        for pk, count, revenue, cost in found
    ]
    if by == "month":
        return sorted(rows, key=lambda row: row.key or datetime.date.min)
    return sorted(rows, key=lambda row: (-row.margin.revenue, row.label))


def totals(*, date_from=None, date_to=None, **filters) -> margins.Margin:
    qs = with_margin(_period(counted_lines(), date_from, date_to).filter(**filters))
    sums = qs.aggregate(revenue_sum=Sum("revenue"), cost_sum=Sum("cost"))
    return margins.Margin(Decimal(sums["revenue_sum"] or ZERO), Decimal(sums["cost_sum"] or ZERO))


def _labels(by: str, keys) -> dict:
    keys = [key for key in keys if key is not None]
    if by == "month":
        return {key: key.strftime("%Y-%m") for key in keys}
    if by == "invoice":
        return dict(Invoice.objects.filter(pk__in=keys).values_list("pk", "number"))
    if by == "order":
        return dict(Order.objects.filter(pk__in=keys).values_list("pk", "number"))
    if by == "product":
        return {
            pk: f"{sku} — {name}"
            for pk, sku, name in Product.objects.filter(pk__in=keys).values_list("pk", "sku", "name")
        }
    if by == "customer":
        return dict(Customer.objects.filter(pk__in=keys).values_list("pk", "name"))
    if by == "salesperson":
        users = get_user_model().objects.filter(pk__in=keys)
        return {user.pk: user.get_full_name() or user.get_username() for user in users}
    raise KeyError(by)

"""Lead times along the chain, per customer or per product: order → first and last delivery, delivery →
invoice, invoice → payment, order → cash; the median and the 90th percentile in days over a period.

Each step is measured on the document it starts from, dated in the period:
- order → first delivery: a confirmed order (per product: each of its goods lines) to its first validated
  delivery note (replacements are not deliveries of the order);
- order → last delivery: the same, only once nothing is left to deliver (every goods line delivered);
- delivery → invoice: a validated delivery note (per product: each of its lines) to the first issued invoice
  that bills it;
- invoice → payment: an issued invoice or deposit invoice (per product: each of its lines) to the day it was
  paid: the lettering of its receivable (411), or, when it is settled without being lettered (a credit note
  spread over several invoices; a year closed in between), the day of the last payment or credit applied;
- order → cash: a confirmed order entirely invoiced (per product: each fully invoiced line) to the day its
  last invoice was paid; an order with an invoice still unpaid has no cash date yet.

The database does the work on SQLite and PostgreSQL alike: one query per step, which computes each
document's days, numbers them in order within their group (a window function) and returns only the rows at
the ranks the median and the 90th percentile need (`insights.percentiles`). Nothing is read document by
document, whatever the number of orders.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connections
from django.db.models import (
    Case,
    DateField,
    Exists,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Greatest, NullIf

from comptoir.accounting.chart import CUSTOMERS
from comptoir.accounting.models import ReconciledLine
from comptoir.billing.models import Invoice, InvoiceLine
from comptoir.catalog.models import Product
from comptoir.insights import percentiles
from comptoir.insights.selectors import _labels as names_of
from comptoir.payments.models import CreditApplication, PaymentAllocation
from comptoir.payments.selectors import with_amount_paid
from comptoir.sales.models import TO_DELIVER, TO_INVOICE, Order, OrderLine
from comptoir.stock.models import Delivery, DeliveryLine

# The steps, in the order of the chain.
STEPS = ("first_delivery", "last_delivery", "invoicing", "payment", "cash")
GROUPINGS = ("customer", "product")
# The percentiles shown, in tenths (the window query computes their ranks in integers).
_TENTHS = {"median": 5, "p90": 9}
_NEVER = datetime.date(9999, 12, 31)


class DaysBetween(Func):
    """Whole days from `start` to `end` (two dates), negative when `end` comes first."""

    output_field = IntegerField()

    def __init__(self, end, start):
        super().__init__(end, start)

    def as_sql(self, compiler, connection, **extra):  # pragma: no cover - every backend has its own below
        raise NotImplementedError(connection.vendor)

    def as_sqlite(self, compiler, connection, **extra):
        return self.as_sql_template(
            compiler, connection, "CAST(julianday(%(expressions)s) AS INTEGER)", " ) - julianday( ", **extra
        )

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql_template(compiler, connection, "(%(expressions)s)", " - ", **extra)

    def as_sql_template(self, compiler, connection, template, joiner, **extra):
        return super().as_sql(compiler, connection, template=template, arg_joiner=joiner, **extra)


@dataclass(frozen=True)
class Spread:
    """How long a step took over `count` documents: median and 90th percentile in days (None: none)."""

    count: int = 0
    median: Decimal | None = None
    p90: Decimal | None = None


NO_SPREAD = Spread()


@dataclass(frozen=True)
class LeadTimeRow:
    """One customer's or product's lead times. Its flat figures (`first_delivery_median`,
    `payment_p90`, `cash_count`…) are there for sorting and exporting."""

    key: object
    label: str
    spreads: dict[str, Spread] = field(default_factory=dict)

    def spread(self, step: str) -> Spread:
        return self.spreads.get(step, NO_SPREAD)

    @property
    def ordered(self) -> list[Spread]:
        """Each step's spread, in the order of the chain."""
        return [self.spread(step) for step in STEPS]

    def __getattr__(self, name):
        step, _, figure = name.rpartition("_")
        if step in STEPS and figure in ("count", "median", "p90"):
            return getattr(self.spread(step), figure)
        raise AttributeError(name)


@dataclass(frozen=True)
class LeadTimes:
    by: str
    date_from: datetime.date | None
    date_to: datetime.date | None
    rows: list[LeadTimeRow]
    overall: LeadTimeRow


# --- The dates each step ends on ------------------------------------------------------------------


def _validated_sale(prefix: str = "") -> Q:
    return Q(**{f"{prefix}status": Delivery.Status.VALIDATED, f"{prefix}kind": Delivery.Kind.SALE})


def paid_invoices():
    """Issued invoices annotated with `paid_on`: the day their receivable was lettered, else — settled but
    not lettered — the day of the last payment or credit note applied (the invoice's own day when its
    deposits alone settled it); None while something is left to pay."""
    lettered = (
        ReconciledLine.objects.filter(line__entry_id=OuterRef("entry_id"), line__account__code=CUSTOMERS)
        .order_by("-reconciliation__date")
        .values("reconciliation__date")[:1]
    )
    paid = PaymentAllocation.objects.filter(invoice_id=OuterRef("pk")).order_by("-payment__date")
    credited = CreditApplication.objects.filter(invoice_id=OuterRef("pk")).order_by("-date")
    last_payment = Subquery(paid.values("payment__date")[:1], output_field=DateField())
    last_credit = Subquery(credited.values("date")[:1], output_field=DateField())
    # GREATEST ignores NULLs on PostgreSQL but not on SQLite: each side falls back on the other.
    settled_on = Greatest(
        Coalesce(last_payment, last_credit, F("date")), Coalesce(last_credit, last_payment, F("date"))
    )
    return with_amount_paid(Invoice.objects.filter(status=Invoice.Status.ISSUED)).annotate(
        paid_on=Coalesce(
            Subquery(lettered, output_field=DateField()),
            Case(When(amount_paid__gte=F("total"), then=settled_on), output_field=DateField()),
        )
    )


def _cash_on(invoices) -> Subquery:
    """The day the last of `invoices` was paid; a date in year 9999 (made NULL by the caller) when one of
    them is not paid yet."""
    last = (
        invoices.annotate(paid_or_never=Coalesce("paid_on", Value(_NEVER, output_field=DateField())))
        .order_by("-paid_or_never")
        .values("paid_or_never")[:1]
    )
    return Subquery(last, output_field=DateField())


def _between(qs, field_name: str, date_from, date_to):
    if date_from:
        qs = qs.filter(**{f"{field_name}__gte": date_from})
    if date_to:
        qs = qs.filter(**{f"{field_name}__lte": date_to})
    return qs


def _samples(step: str, by: str, date_from, date_to):
    """(queryset of the documents that start the step, the field they are grouped by, their days)."""
    sale_kinds = [Invoice.Kind.INVOICE, Invoice.Kind.DEPOSIT]
    if by == "customer":
        orders = _between(Order.objects.filter(status=Order.Status.CONFIRMED), "date", date_from, date_to)
        if step in ("first_delivery", "last_delivery"):
            notes = Delivery.objects.filter(_validated_sale(), order_id=OuterRef("pk"))
            ordered = notes.order_by("date") if step == "first_delivery" else notes.order_by("-date")
            reached = Subquery(ordered.values("date")[:1], output_field=DateField())
            if step == "last_delivery":
                left = OrderLine.objects.filter(
                    TO_DELIVER, order_id=OuterRef("pk"), product__kind=Product.Kind.GOODS
                )
                orders = orders.filter(~Exists(left))
            return orders, "customer_id", DaysBetween(reached, F("date"))
        if step == "invoicing":
            notes = _between(Delivery.objects.filter(_validated_sale()), "date", date_from, date_to)
            billed = (
                InvoiceLine.objects.filter(
                    delivery_line__delivery_id=OuterRef("pk"),
                    invoice__status=Invoice.Status.ISSUED,
                    invoice__kind=Invoice.Kind.INVOICE,
                )
                .order_by("invoice__date")
                .values("invoice__date")[:1]
            )
            return (
                notes,
                "order__customer_id",
                DaysBetween(Subquery(billed, output_field=DateField()), F("date")),
            )
        if step == "payment":
            invoices = _between(paid_invoices().filter(kind__in=sale_kinds), "date", date_from, date_to)
            return invoices, "customer_id", DaysBetween(F("paid_on"), F("date"))
        invoiced = orders.filter(~Exists(OrderLine.objects.filter(TO_INVOICE, order_id=OuterRef("pk"))))
        cash = _cash_on(paid_invoices().filter(order_id=OuterRef("pk"), kind__in=sale_kinds))
        return (
            invoiced,
            "customer_id",
            DaysBetween(NullIf(cash, Value(_NEVER, output_field=DateField())), F("date")),
        )
    # Per product: the lines of the same documents.
    lines = _between(
        OrderLine.objects.filter(order__status=Order.Status.CONFIRMED), "order__date", date_from, date_to
    )
    if step in ("first_delivery", "last_delivery"):
        shipped = DeliveryLine.objects.filter(_validated_sale("delivery__"), order_line_id=OuterRef("pk"))
        ordered = shipped.order_by("delivery__date" if step == "first_delivery" else "-delivery__date")
        reached = Subquery(ordered.values("delivery__date")[:1], output_field=DateField())
        lines = lines.filter(product__kind=Product.Kind.GOODS)
        if step == "last_delivery":
            lines = lines.filter(quantity_delivered__gte=F("quantity"))
        return lines, "product_id", DaysBetween(reached, F("order__date"))
    if step == "invoicing":
        shipped = _between(
            DeliveryLine.objects.filter(_validated_sale("delivery__")), "delivery__date", date_from, date_to
        )
        billed = (
            InvoiceLine.objects.filter(
                delivery_line_id=OuterRef("pk"),
                invoice__status=Invoice.Status.ISSUED,
                invoice__kind=Invoice.Kind.INVOICE,
            )
            .order_by("invoice__date")
            .values("invoice__date")[:1]
        )
        return (
            shipped,
            "product_id",
            DaysBetween(Subquery(billed, output_field=DateField()), F("delivery__date")),
        )
    if step == "payment":
        billed = _between(
            InvoiceLine.objects.filter(invoice__status=Invoice.Status.ISSUED, invoice__kind__in=sale_kinds),
            "invoice__date",
            date_from,
            date_to,
        )
        paid_on = Subquery(paid_invoices().filter(pk=OuterRef("invoice_id")).values("paid_on")[:1])
        return billed, "product_id", DaysBetween(paid_on, F("invoice__date"))
    invoiced = lines.filter(quantity_invoiced__gte=F("quantity"))
    cash = _cash_on(paid_invoices().filter(lines__order_line_id=OuterRef("pk"), kind=Invoice.Kind.INVOICE))
    return (
        invoiced,
        "product_id",
        DaysBetween(NullIf(cash, Value(_NEVER, output_field=DateField())), F("order__date")),
    )


# --- Percentiles in the database ------------------------------------------------------------------


def _wanted(rank: str, count: str) -> str:
    """SQL: the rows at the ranks the median and the p90 need among `count` values (integer arithmetic:
    the floor and the ceiling of p × (count − 1), plus one)."""
    ranks = " OR ".join(
        f"{rank} = ({count} - 1) * {tenths} / 10 + 1 OR {rank} = (({count} - 1) * {tenths} + 9) / 10 + 1"
        for tenths in _TENTHS.values()
    )
    return f"({count} >= 1 AND ({ranks}))"


# The documents' days are computed once, in the derived table; both numberings read its column (written
# inside the window, the expression — correlated subqueries — would be evaluated once per use).
_RANKED_SQL = """
SELECT lt_group, lt_rank, lt_count, lt_rank_all, lt_count_all, lt_days FROM (
    SELECT lt_group, lt_days,
        ROW_NUMBER() OVER (PARTITION BY lt_group ORDER BY lt_days IS NULL, lt_days) AS lt_rank,
        COUNT(lt_days) OVER (PARTITION BY lt_group) AS lt_count,
        ROW_NUMBER() OVER (ORDER BY lt_days IS NULL, lt_days) AS lt_rank_all,
        COUNT(lt_days) OVER () AS lt_count_all
    FROM ({samples}) samples
) ranked
WHERE {wanted} OR {wanted_all}
"""


def spreads(qs, key: str, days) -> tuple[dict[object, Spread], Spread]:
    """Median and p90 of `days` over the rows of `qs`, per value of `key` and over all of them, in one
    query. The rows are numbered in the database, those without days last and uncounted; only the rows at
    the ranks needed come back (a few per group)."""
    samples = qs.order_by().annotate(lt_group=F(key), lt_days=days).values_list("lt_group", "lt_days")
    sql, params = samples.query.sql_with_params()
    ranked = _RANKED_SQL.format(
        samples=sql, wanted=_wanted("lt_rank", "lt_count"), wanted_all=_wanted("lt_rank_all", "lt_count_all")
    )
    found: dict[object, tuple[int, dict[int, int]]] = {}
    count_all, values_all = 0, {}
    with connections[qs.db].cursor() as cursor:
        cursor.execute(ranked, params)
        rows = cursor.fetchall()
    for group, rank, count, rank_all, total, days_taken in rows:
        if days_taken is None:
            continue
        found.setdefault(group, (count, {}))[1][rank] = days_taken
        count_all = total
        values_all[rank_all] = days_taken
    return {group: _spread(count, values) for group, (count, values) in found.items()}, _spread(
        count_all, values_all
    )


def _spread(count: int, values: dict[int, int]) -> Spread:
    if not count:
        return NO_SPREAD
    return Spread(
        count=count,
        median=percentiles.interpolate(percentiles.MEDIAN, count, values),
        p90=percentiles.interpolate(percentiles.P90, count, values),
    )


def lead_times(
    by: str = "customer", *, date_from: datetime.date | None = None, date_to: datetime.date | None = None
) -> LeadTimes:
    """Every step's median and p90 per customer or product (`by`), for the documents starting it dated
    from–to (both included), and over all of them; the rows in the order of their names. One query per
    step, and one for the names."""
    if by not in GROUPINGS:
        raise KeyError(by)
    per_group: dict[object, dict[str, Spread]] = {}
    overall: dict[str, Spread] = {}
    for step in STEPS:
        qs, key, days = _samples(step, by, date_from, date_to)
        found, overall[step] = spreads(qs, key, days)
        for group, spread in found.items():
            per_group.setdefault(group, {})[step] = spread
    labels = _labels(by, per_group)
    rows = [LeadTimeRow(key, labels.get(key, "—"), found) for key, found in per_group.items()]
    rows.sort(key=lambda row: (row.label.casefold(), row.key or 0))
    return LeadTimes(by, date_from, date_to, rows, LeadTimeRow(None, "", overall))


def _labels(by: str, keys) -> dict:
    return names_of(by, list(keys))

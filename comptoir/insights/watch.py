"""Reads for the rankings and the customers to watch: every customer at once, summed by the database, a
fixed number of queries whatever the number of customers. The rules are `insights.ranking` and
`insights.at_risk` (pure); this module only gathers their facts.
"""

import datetime
from decimal import Decimal

from django.db.models import Count, F, IntegerField, Max, Min, Q, Sum, Value
from django.db.models.expressions import Func
from django.db.models.functions import Greatest

from comptoir.core import dates, money
from comptoir.insights import at_risk, ranking, real_margins
from comptoir.insights.selectors import counted_lines, with_margin
from comptoir.parties.models import Customer
from comptoir.payments.models import PaymentAllocation
from comptoir.returns.models import ReturnCase
from comptoir.sales.models import Order

ZERO = Decimal("0")


class DayNumber(Func):
    """A date as a whole number of days, so that the difference of two is a count of days in SQL on
    SQLite (julianday) and PostgreSQL (date − date)."""

    output_field = IntegerField()

    def as_sqlite(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, template="CAST(julianday(%(expressions)s) AS INTEGER)")

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, template="(%(expressions)s - DATE '1970-01-01')")


def _d(value) -> Decimal:
    return money.amount(value or ZERO)


def rankings(*, date_from=None, date_to=None) -> ranking.Rankings:
    """The rankings of the period (invoices and costs dated from–to, both included; no end: today)."""
    return ranking.rank(real_margins.customer_margins(date_from=date_from, date_to=date_to))


def histories(today: datetime.date, *, customer_id: int | None = None) -> list[at_risk.History]:
    """Each customer who ordered in the last `HISTORY_DAYS` (or only `customer_id`), with the two windows
    `at_risk` compares: the last `RECENT_DAYS` (recent) and the days before (earlier)."""

    def only(field: str) -> Q:
        return Q(**{field: customer_id}) if customer_id is not None else Q()

    start = today - datetime.timedelta(days=at_risk.HISTORY_DAYS)
    boundary = today - datetime.timedelta(days=at_risk.RECENT_DAYS)
    recent_orders, earlier_orders = Q(date__gt=boundary), Q(date__lte=boundary)
    orders = (
        Order.objects.filter(
            only("customer_id"), status=Order.Status.CONFIRMED, date__gte=start, date__lte=today
        )
        .values("customer_id")
        .annotate(
            count=Count("id"),
            first=Min("date"),
            last=Max("date"),
            recent=Count("id", filter=recent_orders),
            recent_amount=Sum("total_untaxed", filter=recent_orders),
            earlier=Count("id", filter=earlier_orders),
            earlier_amount=Sum("total_untaxed", filter=earlier_orders),
        )
        .order_by()
    )
    orders = {row["customer_id"]: row for row in orders}
    if not orders:
        return []
    returns = {
        row["customer_id"]: row
        for row in ReturnCase.objects.filter(
            only("customer_id"), opened_at__date__gte=start, opened_at__date__lte=today
        )
        .values("customer_id")
        .annotate(
            recent=Count("id", filter=Q(opened_at__date__gt=boundary)),
            earlier=Count("id", filter=Q(opened_at__date__lte=boundary)),
        )
        .order_by()
    }
    late = Greatest(DayNumber(F("payment__date")) - DayNumber(F("invoice__due_date")), Value(0))
    recent_paid, earlier_paid = Q(payment__date__gt=boundary), Q(payment__date__lte=boundary)
    payments = {
        row["invoice__customer_id"]: row
        for row in PaymentAllocation.objects.filter(
            only("invoice__customer_id"),
            payment__date__gte=start,
            payment__date__lte=today,
            invoice__due_date__isnull=False,
        )
        .values("invoice__customer_id")
        .annotate(
            recent=Count("id", filter=recent_paid),
            recent_late=Sum(late, filter=recent_paid),
            earlier=Count("id", filter=earlier_paid),
            earlier_late=Sum(late, filter=earlier_paid),
        )
        .order_by()
    }
    recent_lines, earlier_lines = Q(invoice__date__gt=boundary), Q(invoice__date__lte=boundary)
    margins = {
        row["invoice__customer_id"]: row
        for row in with_margin(
            counted_lines().filter(
                only("invoice__customer_id"), invoice__date__gte=start, invoice__date__lte=today
            )
        )
        .values("invoice__customer_id")
        .annotate(
            recent_revenue=Sum("revenue", filter=recent_lines),
            recent_cost=Sum("cost", filter=recent_lines),
            earlier_revenue=Sum("revenue", filter=earlier_lines),
            earlier_cost=Sum("cost", filter=earlier_lines),
        )
        .order_by()
    }
    names = dict(Customer.objects.filter(pk__in=list(orders)).values_list("pk", "name"))

    def window(customer_id: int, which: str) -> at_risk.Window:
        order = orders[customer_id]
        returned = returns.get(customer_id, {})
        paid = payments.get(customer_id, {})
        margin = margins.get(customer_id, {})
        return at_risk.Window(
            orders=order[which],
            ordered=_d(order[f"{which}_amount"]),
            returns=returned.get(which, 0),
            payments=paid.get(which, 0),
            days_late=Decimal(paid.get(f"{which}_late") or 0),
            revenue=_d(margin.get(f"{which}_revenue")),
            cost=_d(margin.get(f"{which}_cost")),
        )

    return [
        at_risk.History(
            customer_id=customer_id,
            name=names.get(customer_id, "—"),
            orders=row["count"],
            first_order=row["first"],
            last_order=row["last"],
            recent=window(customer_id, "recent"),
            earlier=window(customer_id, "earlier"),
        )
        for customer_id, row in orders.items()
    ]


def customers_at_risk(today: datetime.date | None = None) -> at_risk.Watchlist:
    today = today or dates.today()
    return at_risk.watchlist(histories(today), today)


def customer_assessment(customer, today: datetime.date | None = None) -> at_risk.Assessment | None:
    """One customer's assessment, for its page (None: no order over the history read)."""
    today = today or dates.today()
    found = histories(today, customer_id=customer.pk)
    return at_risk.assess(found[0], today) if found else None

"""The direction's home: revenue and margin of the last twelve months, and the customers who earned the most
margin over them, as figures for the page's charts and tables (read through insights.selectors, two
aggregate queries and one for the customers' names, whatever the number of invoices)."""

import datetime
from dataclasses import dataclass

from django.utils import formats
from django.utils.translation import gettext as _

from comptoir.insights import selectors as margin_view
from comptoir.insights.margins import Margin
from comptoir.web import charts
from comptoir.web.templatetags.comptoir_format import euros

MONTHS = 12
TOP_CUSTOMERS = 5


@dataclass(frozen=True)
class MonthFigures:
    month: datetime.date
    short: str  # « janv. »: under the columns
    long: str  # « janvier 2026 »: in the table and the chart's description
    margin: Margin


@dataclass(frozen=True)
class Trends:
    date_from: datetime.date
    date_to: datetime.date
    months: list[MonthFigures]
    total: Margin
    months_title: str
    months_chart: charts.ColumnChart
    months_description: str
    series: tuple[str, str]
    top_customers: list[margin_view.MarginRow]
    customers_chart: charts.BarChart


def first_month(today: datetime.date, months: int = MONTHS) -> datetime.date:
    """The first day of the month `months - 1` months before today's: twelve months counting this one."""
    index = today.year * 12 + today.month - 1 - (months - 1)
    return datetime.date(index // 12, index % 12 + 1, 1)


def month_starts(start: datetime.date, months: int = MONTHS) -> list[datetime.date]:
    index = start.year * 12 + start.month - 1
    return [datetime.date((index + n) // 12, (index + n) % 12 + 1, 1) for n in range(months)]


def _month_key(value) -> datetime.date:
    # TruncMonth gives a date on a DateField; a datetime on some backends.
    return value.date() if isinstance(value, datetime.datetime) else value


def trends(today: datetime.date) -> Trends:
    start = first_month(today)
    per_month = {
        _month_key(row.key): row.margin
        for row in margin_view.margins_by("month", date_from=start, date_to=today)
        if row.key is not None
    }
    months = [
        MonthFigures(
            month=month,
            short=formats.date_format(month, "N"),
            long=formats.date_format(month, "F Y"),
            margin=per_month.get(month, Margin()),
        )
        for month in month_starts(start)
    ]
    customers = margin_view.margins_by("customer", date_from=start, date_to=today)
    top = sorted(customers, key=lambda row: (-row.margin.margin, row.label))[:TOP_CUSTOMERS]
    return Trends(
        date_from=start,
        date_to=today,
        months=months,
        total=sum((figures.margin for figures in months), Margin()),
        months_title=_("Chiffre d'affaires HT et marge par mois, de %(start)s à %(end)s")
        % {"start": months[0].long, "end": months[-1].long},
        months_chart=charts.column_chart(
            [(figures.short, (figures.margin.revenue, figures.margin.margin)) for figures in months]
        ),
        months_description=_describe(months),
        series=(_("Chiffre d'affaires HT"), _("Marge")),
        top_customers=top,
        # Narrower than the other bar charts: it shares the width with the month chart, and its text must
        # stay readable when a phone shrinks it.
        customers_chart=charts.bar_chart(
            [(_shortened(row.label), row.margin.margin) for row in top],
            width=400,
            label_width=150,
            value_width=90,
        ),
    )


def _describe(months: list[MonthFigures]) -> str:
    """The chart in words, for those who do not see it: every month's revenue and margin."""
    return " ".join(
        _("%(month)s : chiffre d'affaires %(revenue)s, marge %(margin)s.")
        % {
            "month": figures.long,
            "revenue": euros(figures.margin.revenue),
            "margin": euros(figures.margin.margin),
        }
        for figures in months
    )


def _shortened(label: str, length: int = 22) -> str:
    return label if len(label) <= length else label[: length - 1].rstrip() + "…"

"""The direction's home (issue 20, point 9): revenue and margin of the last twelve months and the customers
who earned the most margin, as charts drawn on the server (inline SVG with a title, a description and a
table of the same figures), shown to direction only, in a fixed number of queries."""

import datetime
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from comptoir.core.permissions import Role
from comptoir.core.testing import make_user
from comptoir.insights.tests.factories import two_sales
from comptoir.web.charts import column_chart, nice_step
from comptoir.web.tests.clients import client_for, text_of
from comptoir.web.trends import first_month, month_starts

D = Decimal


# --- The chart's geometry (pure) -----------------------------------------------------------------


def test_grid_lines_fall_on_round_values():
    assert nice_step(D("2300")) == 5000
    assert nice_step(D("1000")) == 1000
    assert nice_step(D("0.7")) == 1
    assert nice_step(D("0")) == 1


def test_columns_stand_on_the_zero_line_and_a_loss_hangs_below_it():
    chart = column_chart([("janv.", [D("1000"), D("300")]), ("févr.", [D("2500"), D("-400")])])
    assert [line.value for line in chart.grid] == [-1000, 0, 1000, 2000, 3000]
    [january, february] = chart.groups
    revenue, margin = january.columns
    assert revenue.y + revenue.height == chart.zero_y == margin.y + margin.height
    assert revenue.height > margin.height > 0 and revenue.x < margin.x
    loss = february.columns[1]
    assert loss.negative and loss.y == chart.zero_y and loss.height > 0
    # Heights are proportional to the values: 2 500 is two and a half times 1 000.
    assert abs(february.columns[0].height / revenue.height - D("2.5")) < D("0.01")


def test_a_year_without_sales_draws_flat_columns_on_one_grid_step():
    chart = column_chart([("janv.", [0, 0])] * 12)
    assert [line.value for line in chart.grid] == [0, 1]
    assert all(column.height == 0 for group in chart.groups for column in group.columns)
    assert column_chart([]).empty


def test_twelve_months_end_with_the_current_one():
    assert first_month(datetime.date(2026, 12, 7)) == datetime.date(2026, 1, 1)
    assert first_month(datetime.date(2026, 3, 31)) == datetime.date(2025, 4, 1)
    months = month_starts(datetime.date(2025, 4, 1))
    assert len(months) == 12 and months[-1] == datetime.date(2026, 3, 1)


# --- The page ------------------------------------------------------------------------------------


@pytest.fixture
def sales(boss, company, customer, product):
    return two_sales(boss, customer, product)


@pytest.mark.django_db
def test_the_direction_home_charts_revenue_margin_and_the_best_customers(boss, customer, sales):
    page = client_for(boss).get("/")
    html = text_of(page)
    trends = page.context["trends"]
    # This month: 1 200 € sold at 500 € of margin, 100 € sold at a 40 € loss.
    this_month = trends.months[-1]
    assert this_month.month == timezone.localdate().replace(day=1)
    assert (this_month.margin.revenue, this_month.margin.margin) == (D("1300.00"), D("460.00"))
    assert len(trends.months) == 12 and all(m.margin.revenue == 0 for m in trends.months[:-1])
    assert [row.label for row in trends.top_customers] == [customer.name, sales.name]

    section = html[html.index('id="direction-trends"') :]
    # Each chart is an image with its title and a description that says every figure in words.
    svgs = re.findall(r"<svg[^>]*role=\"img\"[^>]*>.*?</svg>", section, re.S)
    assert len(svgs) == 2
    assert '<title id="chart-trend-months-title">Chiffre d\'affaires HT et marge par mois, de ' in svgs[0]
    assert "chiffre d'affaires 1\u202f300,00\u00a0€, marge 460,00\u00a0€." in svgs[0]
    assert f"{customer.name} : 500,00\u00a0€." in svgs[1] and f"{sales.name} : −40,00\u00a0€." in svgs[1]
    # The same figures as tables, and the loss in red.
    assert 'id="trend-months-table"' in section and 'id="trend-customers-table"' in section
    assert 'class="num negative">−40,00\u00a0€' in section
    assert (
        "Sur douze mois : 1\u202f300,00\u00a0€ de chiffre d'affaires HT, 460,00\u00a0€ de marge (35,4\u202f%)."
        in html
    )
    # No style attribute or script the Content-Security-Policy would refuse.
    assert "style=" not in section and "<script" not in section


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.COMMERCIAL, Role.ADV, Role.LOGISTIQUE, Role.COMPTABILITE])
def test_other_roles_homes_show_no_trends(role, sales):
    page = client_for(make_user(f"user-{role}", role)).get("/")
    assert "trends" not in page.context
    assert 'id="direction-trends"' not in text_of(page)


@pytest.mark.django_db
def test_the_trends_cost_the_same_queries_for_one_customer_or_three(boss, company, customer, product):
    from comptoir.core.testing import make_customer
    from comptoir.returns.tests.factories import make_sale

    client = client_for(boss)
    make_sale(boss, customer, product)

    def home_queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/").status_code == 200
        return len(captured)

    few = home_queries()
    for index, siren in enumerate(["732829320", "443061841"]):
        make_sale(boss, make_customer(boss, name=f"Client {index}", siren=siren), product, stock=None)
    assert home_queries() == few

"""GET /api/v1/insights/margins: margins per customer, product, sales person or month, for the roles that
may see costs."""

import pytest
from django.utils import timezone

from comptoir.core.permissions import Role
from comptoir.insights.tests.factories import two_sales

from .conftest import error_of

pytestmark = pytest.mark.django_db


def test_margins_per_customer_show_the_loss_as_a_negative_margin(api, boss, company, customer, product):
    other = two_sales(boss, customer, product)
    body = api.get("/insights/margins", {"by": "customer"}).json()
    assert body["by"] == "customer"
    assert [
        (r["key"], r["label"], r["revenue"], r["cost"], r["margin"], r["rate"]) for r in body["rows"]
    ] == [
        (str(customer.pk), customer.name, "1200.00", "700.00", "500.00", "41.7"),
        (str(other.pk), other.name, "100.00", "140.00", "-40.00", "-40.0"),
    ]
    assert (body["total"]["revenue"], body["total"]["margin"], body["total"]["lines"]) == (
        "1300.00",
        "460.00",
        2,
    )


def test_margins_per_month_and_product_within_a_period(api, boss, company, customer, product):
    two_sales(boss, customer, product)
    today = timezone.localdate()
    month = api.get("/insights/margins", {"by": "month", "from": today.isoformat(), "to": today.isoformat()})
    assert [(r["key"], r["margin"]) for r in month.json()["rows"]] == [(today.strftime("%Y-%m"), "460.00")]
    [row] = api.get("/insights/margins", {"by": "product"}).json()["rows"]
    assert (row["key"], row["label"]) == (str(product.pk), "REF-88 — Perceuse à percussion")
    before = api.get("/insights/margins", {"to": today.replace(year=today.year - 1).isoformat()}).json()
    assert before["rows"] == [] and before["total"]["rate"] is None


def test_a_salesperson_may_not_read_margins_and_a_bad_period_is_refused(api, api_as, boss, company):
    assert error_of(api_as(Role.COMMERCIAL).get("/insights/margins")) == (403, "permission_denied")
    assert api_as(Role.ADV).get("/insights/margins").status_code == 200
    assert api_as(Role.COMPTABILITE).get("/insights/margins").status_code == 200
    assert error_of(api.get("/insights/margins", {"from": "2026-02-01", "to": "2026-01-01"}))[0] == 400
    assert api.get("/insights/margins", {"by": "warehouse"}).status_code in (400, 422)

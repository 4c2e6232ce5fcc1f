"""GET /api/v1/insights/rankings and /api/v1/insights/at-risk, for the roles that may see costs."""

import pytest

from comptoir.core.permissions import Role
from comptoir.insights.tests.factories import order_history, two_sales

from .conftest import error_of

pytestmark = pytest.mark.django_db


def test_rankings_list_the_real_margins_and_resources_of_the_period(api, boss, company, customer, product):
    other = two_sales(boss, customer, product)
    body = api.get("/insights/rankings").json()
    assert [(r["customer"], r["net_revenue"], r["real_margin"]) for r in body["most_profitable"]] == [
        (customer.pk, "1200.00", "500.00"),
        (other.pk, "100.00", "-40.00"),
    ]
    assert body["most_consuming"] == []  # no time, ticket or return yet
    assert body["looks_good_loses_money"] == [] and body["top_quartile_revenue"] == "1200.00"


def test_at_risk_lists_the_customer_whose_orders_stopped_with_its_reasons(
    api, boss, company, customer, product
):
    order_history(boss, customer, product, range(400, 99, -20))
    body = api.get("/insights/at-risk").json()
    assert (body["scored"], body["unscored"], body["threshold"]) == (1, 0, 25)
    [row] = body["customers"]
    assert (row["customer"], row["score"], row["action"]) == (customer.pk, 40, "call")
    assert row["reasons"][0]["signal"] == "rhythm"
    assert row["reasons"][0]["text"].startswith(
        "Commande tous les 20 jours en moyenne, aucune depuis 100 jours"
    )


def test_a_salesperson_sees_neither_rankings_nor_at_risk(api_as, company):
    commercial = api_as(Role.COMMERCIAL)
    for path in ("/insights/rankings", "/insights/at-risk"):
        assert error_of(commercial.get(path)) == (403, "permission_denied")

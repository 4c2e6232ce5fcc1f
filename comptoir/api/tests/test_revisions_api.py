"""Quote versions and order amendments through the API (#22 point 7)."""

from decimal import Decimal

import pytest

from comptoir.api.tests.conftest import error_of
from comptoir.core.testing import make_product
from comptoir.sales.services import confirm_order, create_order, create_quote, send_quote

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent(boss, customer, product):
    return send_quote(create_quote(customer, [{"product": product, "quantity": "10"}], by=boss), by=boss)


def test_revise_list_versions_diff_and_accept_only_the_latest(api, boss, sent, product):
    plug = make_product(boss, sku="PRI-2", name="Prise double", sale_price="8.00")
    response = api.post(
        f"/quotes/{sent.pk}/revise",
        {
            "lines": [
                {"product": product.pk, "quantity": "12", "discount_percent": "5"},
                {"product": plug.pk, "quantity": "3"},
            ]
        },
    )
    assert response.status_code == 201, response.json()
    v2 = response.json()
    assert (v2["number"], v2["version"], v2["status"]) == (f"{sent.number}-v2", 2, "draft")
    assert v2["previous_version_id"] == sent.pk == v2["first_version_id"]

    versions = api.get(f"/quotes/{v2['id']}/versions").json()
    assert [(v["version"], v["status"]) for v in versions] == [(1, "superseded"), (2, "draft")]
    assert "seule la dernière version peut être acceptée" in versions[0]["acceptance_refusal"]
    assert versions[1]["acceptance_refusal"] is None

    diff = api.get(f"/quotes/{v2['id']}/diff").json()
    assert (diff["older"], diff["newer"]) == (sent.number, v2["number"])
    assert diff["counts"] == {"added": 1, "removed": 0, "changed": 1, "same": 0}
    changed = diff["lines"][0]
    assert {c["field"]: (c["before"], c["after"]) for c in changed["changes"]}["quantity"] == (
        "10.000",
        "12.000",
    )
    assert api.get(f"/quotes/{sent.pk}/diff", {"against": v2["id"]}).json() == diff

    assert error_of(api.post(f"/quotes/{sent.pk}/accept")) == (409, "quote_superseded")
    assert api.post(f"/quotes/{v2['id']}/send").status_code == 200
    order = api.post(f"/quotes/{v2['id']}/accept").json()
    assert order["quote"]["number"] == v2["number"]
    assert api.get("/quotes", {"status": "superseded"}).json()["items"][0]["id"] == sent.pk


def test_amend_an_order_and_read_its_trail(api, boss, customer, product):
    order = confirm_order(create_order(customer, [{"product": product, "quantity": "10"}], by=boss), by=boss)
    line = order.lines.get()

    response = api.post(
        f"/orders/{order.pk}/amendments",
        {
            "reason": "Le client agrandit son atelier",
            "lines": [{"line": line.pk, "quantity": "14", "unit_price": "110"}],
            "requested_date": order.date.isoformat(),
        },
    )

    assert response.status_code == 201, response.json()
    amendment = response.json()
    assert amendment["sequence"] == 1 and amendment["created_by"] == "direction"
    assert Decimal(amendment["total_untaxed_after"]) == Decimal("1540.00")
    assert [(c["field"], c["before"], c["after"]) for c in amendment["changes"]] == [
        ("quantity", "10", "14"),
        ("unit_price", "120,0000", "110,0000"),
        ("requested_date", "", order.date.strftime("%d/%m/%Y")),
    ]
    detail = api.get(f"/orders/{order.pk}").json()
    assert detail["lines"][0]["quantity"] == "14.000" and detail["requested_date"] == order.date.isoformat()
    assert [a["reason"] for a in api.get(f"/orders/{order.pk}/amendments").json()] == [
        "Le client agrandit son atelier"
    ]


def test_an_amendment_without_reason_or_below_a_floor_is_refused(api, api_as, boss, customer, product):
    order = confirm_order(create_order(customer, [{"product": product, "quantity": "10"}], by=boss), by=boss)
    line = order.lines.get()
    assert api.post(f"/orders/{order.pk}/amendments", {"reason": "", "lines": []}).status_code == 422
    assert error_of(
        api.post(
            f"/orders/{order.pk}/amendments", {"reason": "  ", "lines": [{"line": line.pk, "quantity": "2"}]}
        )
    ) == (400, "amendment_reason_required")
    assert error_of(
        api.post(
            f"/orders/{order.pk}/amendments", {"reason": "r", "lines": [{"line": 999999, "quantity": "2"}]}
        )
    ) == (400, "amendment_line_not_of_order")
    sales = api_as("commercial")
    assert (
        error_of(
            sales.post(
                f"/orders/{order.pk}/amendments",
                {"reason": "r", "lines": [{"line": line.pk, "quantity": "2"}]},
            )
        )[0]
        == 403
    )

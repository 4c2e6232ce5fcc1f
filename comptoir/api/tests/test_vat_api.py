"""The VAT return through the API: each CA3 line with its documents, the settlement entry (once), the
European statements and the e-reporting data."""

import pytest

from comptoir.vatreturn.tests.factories import eu_month

pytestmark = pytest.mark.django_db


@pytest.fixture
def month(admin_user, boss, company, customer, product, service_product):
    return eu_month(admin_user, boss, customer, product, service_product)


def _period(month) -> dict:
    return {"start": month.start.isoformat(), "end": month.end.isoformat()}


def test_the_return_gives_each_line_with_the_invoices_behind_it(api_as, month):
    response = api_as("comptabilite").get("/vat/return", _period(month))
    assert response.status_code == 200, response.json()
    body = response.json()
    operations = {
        line["line"]: (line["base"], [d["document"] for d in line["documents"]])
        for line in body["operations"]
    }
    assert operations == {
        "A1": ("240.00", [month.domestic.number]),
        "E1": ("0.00", []),
        "E2": ("450.00", [month.service.number]),
        "F2": ("120.00", [month.supply.number]),
    }
    (gross,) = body["gross"]
    assert (gross["line"], gross["rate"], gross["base"], gross["vat"]) == ("08", "20.00", "240.00", "48.00")
    assert (body["total_gross"], body["net_due"], body["balance_line"], body["gaps"]) == (
        "48.00",
        "48.00",
        "TD",
        [],
    )
    assert body["settlement"] is None


def test_the_settlement_is_posted_once_and_only_by_accounting_or_direction(api_as, month):
    assert api_as("adv").post("/vat/settlements", _period(month)).status_code == 403
    accountant = api_as("comptabilite")
    done = accountant.post("/vat/settlements", _period(month))
    assert done.status_code == 201, done.json()
    assert (done.json()["collected"], done.json()["net_due"]) == ("48.00", "48.00")
    assert done.json()["entry"].startswith("OD-")
    again = accountant.post("/vat/settlements", _period(month))
    assert (again.status_code, again.json()["code"]) == (409, "vat_already_settled")
    assert accountant.get("/vat/return", _period(month)).json()["settlement"]["entry"] == done.json()["entry"]


def test_the_des_lists_the_eu_services_per_customer_vat_number(api_as, month):
    api = api_as("comptabilite")
    assert api.get("/vat/des", _period(month)).json() == [
        {
            "vat_number": "DE136695976",
            "customer": "Werkzeug GmbH",
            "amount": "450.00",
            "invoices": [month.service.number],
        }
    ]
    file = api.get("/vat/des/file", _period(month))
    assert file["Content-Type"].startswith("text/csv") and b"1;450;DE136695976" in file.content
    (goods,) = api.get("/vat/goods-statement", _period(month)).json()
    assert (goods["vat_number"], goods["quantity"], goods["value"]) == ("DE136695976", "1", "120.00")


def test_the_e_reporting_data_classifies_each_sale(api_as, month):
    body = api_as("comptabilite").get("/vat/e-reporting", _period(month)).json()
    kinds = {doc["number"]: doc["processing"] for doc in body["classification"]["documents"]}
    assert kinds == {
        month.domestic.number: "B2B",
        month.service.number: "B2BINT",
        month.supply.number: "B2BINT",
    }
    (service,) = [i for i in body["international_invoices"] if i["number"] == month.service.number]
    assert service["vat_breakdown"][0]["category"] == "AE" and service["buyer"]["country"] == "DE"

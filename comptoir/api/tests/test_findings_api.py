"""The assistant's findings through the API: listing them for an invoice or an order, filtering them,
and overriding what blocks a draft invoice. Real chains built with the services, no mocks."""

from decimal import Decimal

import pytest

from comptoir.api.tests.conftest import error_of
from comptoir.assistant.models import FindingOverride
from comptoir.assistant.tests.factories import draft, edit_draft_line, ship, sold, stock
from comptoir.billing.models import Invoice
from comptoir.core.permissions import Role

pytestmark = pytest.mark.django_db

OVERBILLED = "invoice_qty_exceeds_delivered"


@pytest.fixture
def overbilled(boss, company, customer, product):
    """A draft billing 12 drills where the delivery note shipped 10 (a blocking finding)."""
    stock(boss, product)
    order = sold(boss, customer, (product, "12"))
    delivery = ship(boss, order, (product, "10"))
    invoice = draft(boss, order)
    edit_draft_line(invoice.lines.get(), quantity=Decimal("12"))
    return invoice, delivery


def test_an_invoice_lists_its_blocking_finding_with_evidence_as_strings(api, overbilled):
    invoice, delivery = overbilled

    response = api.get("/findings", {"invoice": invoice.pk})

    assert response.status_code == 200, response.json()
    body = response.json()
    finding = next(item for item in body["items"] if item["code"] == OVERBILLED)
    assert finding["severity"] == "blocking"
    assert f"alors que le {delivery.number} n'en a livré que 10." in finding["message"]
    assert body["blocking"] >= 1 and body["count"] == len(body["items"])
    documents = {item["document"] for item in finding["evidence"]}
    assert delivery.number in documents
    for item in finding["evidence"]:
        assert set(item) == {"kind", "document", "id", "line_id", "values"}
        assert all(isinstance(value, str) for value in item["values"].values()), item
    assert finding["proposal"] is None or finding["proposal"]["rationale"]


def test_findings_are_filtered_by_severity_and_code(api, overbilled):
    invoice, _ = overbilled

    blocking = api.get("/findings", {"invoice": invoice.pk, "severity": "blocking"}).json()
    info = api.get("/findings", {"invoice": invoice.pk, "severity": "info"}).json()
    by_code = api.get("/findings", {"invoice": invoice.pk, "code": OVERBILLED}).json()
    unknown = api.get("/findings", {"invoice": invoice.pk, "code": "no_such_code"}).json()

    assert blocking["items"] and {item["severity"] for item in blocking["items"]} == {"blocking"}
    assert all(item["severity"] == "info" for item in info["items"])
    assert [item["code"] for item in by_code["items"]] == [OVERBILLED]
    assert unknown == {"count": 0, "blocking": 0, "items": []}


def test_an_order_lists_the_findings_of_its_whole_cycle(api, overbilled):
    invoice, _ = overbilled

    response = api.get("/findings", {"order": invoice.order_id})

    assert response.status_code == 200
    assert OVERBILLED in [item["code"] for item in response.json()["items"]]


def test_a_customer_lists_the_findings_of_their_open_cycles_once(api, overbilled):
    invoice, _ = overbilled

    body = api.get("/findings", {"customer": invoice.customer_id}).json()

    codes = [item["code"] for item in body["items"]]
    assert OVERBILLED in codes and codes.count(OVERBILLED) == 1


def test_a_clean_chain_has_no_finding(api, boss, company, customer, product):
    stock(boss, product)
    order = sold(boss, customer, (product, "2"))
    ship(boss, order)

    body = api.get("/findings", {"invoice": draft(boss, order).pk, "severity": "blocking"}).json()

    assert body == {"count": 0, "blocking": 0, "items": []}


@pytest.mark.parametrize(
    "params, answer",
    [
        # Each parameter is valid; together they do not name one document: a rule, not the schema (400).
        ({}, (400, "invalid_combination")),
        ({"severity": "blocking"}, (400, "invalid_combination")),
        ({"invoice": 1, "order": 1}, (400, "invalid_combination")),
        ({"order": 1, "customer": 1}, (400, "invalid_combination")),
        ({"invoice": 1, "severity": "grave"}, (422, "validation_error")),
    ],
)
def test_findings_need_exactly_one_document_and_a_known_severity(api, params, answer):
    response = api.get("/findings", params)

    assert error_of(response) == answer


def test_findings_of_an_unknown_invoice_or_order_are_not_found(api):
    assert error_of(api.get("/findings", {"invoice": 999999})) == (404, "not_found")
    assert error_of(api.get("/findings", {"order": 999999})) == (404, "not_found")


def test_a_user_without_a_role_may_not_read_findings(api_as, overbilled):
    invoice, _ = overbilled
    nobody = api_as()

    assert error_of(nobody.get("/findings", {"invoice": invoice.pk})) == (403, "permission_denied")
    assert error_of(nobody.get("/findings", {"order": invoice.order_id})) == (403, "permission_denied")


def test_every_role_may_read_findings(api_as, overbilled):
    invoice, _ = overbilled

    assert api_as(Role.COMMERCIAL).get("/findings", {"invoice": invoice.pk}).status_code == 200


def test_an_accountant_overrides_a_blocked_draft_which_can_then_be_issued(api, api_as, overbilled):
    invoice, _ = overbilled
    accountant = api_as(Role.COMPTABILITE)
    assert error_of(accountant.post(f"/invoices/{invoice.pk}/issue")) == (409, "invoice_blocked_by_findings")

    response = accountant.post(
        f"/invoices/{invoice.pk}/override-findings", {"reason": "Les 2 unités partent demain."}
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["codes"] == [OVERBILLED] and body["invoice_id"] == invoice.pk
    assert body["reason"] == "Les 2 unités partent demain." and body["by"] == "comptabilite"
    assert body["findings"][0]["code"] == OVERBILLED
    issued = accountant.post(f"/invoices/{invoice.pk}/issue")
    assert issued.status_code == 200, issued.json()
    assert issued.json()["status"] == Invoice.Status.ISSUED


def test_sales_administration_may_not_override(api_as, overbilled):
    invoice, _ = overbilled

    response = api_as(Role.ADV).post(f"/invoices/{invoice.pk}/override-findings", {"reason": "Urgent."})

    assert error_of(response) == (403, "permission_denied")
    assert not FindingOverride.objects.exists()


def test_an_override_needs_a_written_reason(api, overbilled):
    invoice, _ = overbilled

    assert error_of(api.post(f"/invoices/{invoice.pk}/override-findings", {"reason": "  "})) == (
        400,
        "override_reason_required",
    )
    assert error_of(api.post(f"/invoices/{invoice.pk}/override-findings", {})) == (422, "validation_error")


def test_nothing_to_override_on_a_clean_draft_or_an_unknown_invoice(api, boss, company, customer, product):
    stock(boss, product)
    order = sold(boss, customer, (product, "2"))
    ship(boss, order)
    clean = draft(boss, order)

    assert error_of(api.post(f"/invoices/{clean.pk}/override-findings", {"reason": "Au cas où."})) == (
        409,
        "nothing_to_override",
    )
    assert error_of(api.post("/invoices/999999/override-findings", {"reason": "Au cas où."})) == (
        404,
        "not_found",
    )

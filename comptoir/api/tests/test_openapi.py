"""The API describes itself: OpenAPI document at /api/v1/openapi.json, interactive docs at /api/v1/docs."""

from django.test import Client
from django.urls import reverse


def test_openapi_document_lists_every_resource_and_action(db):
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = response.json()
    assert document["info"]["title"] == "Comptoir API"
    assert document["info"]["version"] == "1"
    paths = set(document["paths"])
    for path in (
        "/api/v1/customers",
        "/api/v1/customers/{customer_id}",
        "/api/v1/customers/{customer_id}/statement",
        "/api/v1/products",
        "/api/v1/products/{product_id}",
        "/api/v1/stock/receipts",
        "/api/v1/stock/receipts/{receipt_id}/validate",
        "/api/v1/stock/levels",
        "/api/v1/quotes",
        "/api/v1/quotes/{quote_id}/send",
        "/api/v1/quotes/{quote_id}/accept",
        "/api/v1/quotes/{quote_id}/refuse",
        "/api/v1/quotes/{quote_id}/cancel",
        "/api/v1/orders",
        "/api/v1/orders/{order_id}/confirm",
        "/api/v1/orders/{order_id}/cancel",
        "/api/v1/deliveries",
        "/api/v1/deliveries/{delivery_id}/validate",
        "/api/v1/deliveries/{delivery_id}/cancel",
        "/api/v1/invoices",
        "/api/v1/invoices/{invoice_id}/issue",
        "/api/v1/invoices/{invoice_id}/cancel",
        "/api/v1/invoices/{invoice_id}/override-findings",
        "/api/v1/findings",
        "/api/v1/payments",
        "/api/v1/payments/{payment_id}",
        "/api/v1/accounting/entries",
        "/api/v1/accounting/trial-balance",
        "/api/v1/accounting/ledger/{code}",
        "/api/v1/audit",
        "/api/v1/audit/verify",
        "/api/v1/tokens",
        "/api/v1/tokens/{token_id}/revoke",
    ):
        assert path in paths, path


def test_openapi_declares_bearer_and_session_auth(db):
    schemes = Client().get("/api/v1/openapi.json").json()["components"]["securitySchemes"]
    assert {"type": "http", "scheme": "bearer"}.items() <= schemes["TokenAuth"].items()
    assert schemes["SessionAuth"]["in"] == "cookie"


def test_openapi_types_amounts_as_decimal_strings_and_documents_errors(db):
    document = Client().get("/api/v1/openapi.json").json()
    schemas = document["components"]["schemas"]
    total = schemas["InvoiceOut"]["properties"]["total"]
    assert (total["type"], total["format"]) == ("string", "decimal")
    issue = document["paths"]["/api/v1/invoices/{invoice_id}/issue"]["post"]
    assert {"200", "403", "404", "409", "422"} <= set(issue["responses"])
    assert schemas["ErrorOut"]["required"] == ["code", "message"]


def test_api_is_mounted_under_its_namespace(db):
    assert reverse("api:openapi-json") == "/api/v1/openapi.json"
    assert Client().get(reverse("api:openapi-view")).status_code == 200

"""The API describes itself: OpenAPI document at /api/v1/openapi.json, interactive docs at /api/v1/docs."""

import json

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


def _component_definitions():
    """Every schema each operation contributes to `components/schemas`, as Ninja builds them: name →
    {canonical JSON of the schema: the operations that produced it}."""
    from pydantic import BaseModel

    from comptoir.api.site import api

    found: dict[str, dict[str, list[str]]] = {}
    for prefix, router in api._routers:
        for path, path_view in router.path_operations.items():
            for operation in path_view.operations:
                models = list(operation.models) + [
                    model
                    for model in operation.response_models.values()
                    if isinstance(model, type) and issubclass(model, BaseModel)
                ]
                where = f"{'/'.join(operation.methods)} {prefix}{path}"
                for model in models:
                    schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
                    for name, definition in schema.get("$defs", {}).items():
                        canonical = json.dumps(definition, sort_keys=True)
                        found.setdefault(name, {}).setdefault(canonical, []).append(where)
    return found


def test_no_two_different_schemas_share_a_component_name():
    # Ninja files every schema under its class name: two classes of the same name overwrite each other
    # and one operation ends up documented with the other's schema.
    found = _component_definitions()
    assert len(found) > 50
    shared = {
        name: sorted(where[0] for where in variants.values())
        for name, variants in found.items()
        if len(variants) > 1
    }
    assert shared == {}


def test_stock_receipts_are_documented_with_the_stock_receipt_schema(db):
    document = Client().get("/api/v1/openapi.json").json()
    schemas = document["components"]["schemas"]

    def ok_schema(path, method, status):
        content = document["paths"][path][method]["responses"][status]["content"]["application/json"]
        return content["schema"]["$ref"].rsplit("/", 1)[1]

    for path, method, status in (
        ("/api/v1/stock/receipts", "post", "201"),
        ("/api/v1/stock/receipts/{receipt_id}", "get", "200"),
        ("/api/v1/stock/receipts/{receipt_id}/validate", "post", "200"),
    ):
        receipt = schemas[ok_schema(path, method, status)]
        assert {"number", "status", "supplier_name", "validated_at", "lines"} <= set(receipt["properties"])
        line = schemas[receipt["properties"]["lines"]["items"]["$ref"].rsplit("/", 1)[1]]
        assert {"product", "quantity", "unit_cost"} <= set(line["properties"])
        assert "disposition" not in line["properties"]
    page = schemas[ok_schema("/api/v1/stock/receipts", "get", "200")]
    assert schemas[page["properties"]["items"]["items"]["$ref"].rsplit("/", 1)[1]] == receipt
    # The return receipts keep their own schema.
    case = schemas[ok_schema("/api/v1/returns/{case_id}", "get", "200")]
    return_receipt = schemas[case["properties"]["receipts"]["items"]["$ref"].rsplit("/", 1)[1]]
    assert {"loss_entry_id", "lines"} <= set(return_receipt["properties"])


def _strings(node):
    if isinstance(node, list):
        for item in node:
            yield from _strings(item)
    elif isinstance(node, dict):
        if node.get("type") == "string":
            yield node
        for key in ("anyOf", "oneOf", "allOf", "items"):
            yield from _strings(node.get(key))


def test_text_fields_of_bodies_and_queries_state_that_a_nul_is_refused(db):
    # The API refuses NUL in any text (PostgreSQL cannot store it): the schema says so, or a client
    # following it sends one and is answered 422 for a request the document calls valid.
    document = Client().get("/api/v1/openapi.json").json()
    schemas = document["components"]["schemas"]
    inputs = set()
    for methods in document["paths"].values():
        for operation in methods.values():
            for parameter in operation.get("parameters", []):
                if parameter["in"] == "query":
                    for text in _strings(parameter["schema"]):
                        assert text.get("pattern") or text.get("enum"), (operation["operationId"], parameter)
            for content in operation.get("requestBody", {}).get("content", {}).values():
                ref = content["schema"].get("$ref", "")
                inputs.add(ref.rsplit("/", 1)[-1])
    pending = [name for name in inputs if name in schemas]
    seen = set()
    while pending:
        name = pending.pop()
        if name in seen:
            continue
        seen.add(name)
        text = json.dumps(schemas[name])
        pending += [ref.split('"')[0] for ref in text.split('"$ref": "#/components/schemas/')[1:]]
        for prop_name, prop in schemas[name].get("properties", {}).items():
            for text_field in _strings(prop):
                if text_field.get("format") == "binary":
                    continue
                assert text_field.get("pattern") or text_field.get("enum"), (name, prop_name)
    assert len(seen) > 30

"""A few operations against the published OpenAPI with schemathesis, through the WSGI application: what
`bench/api_contract.py` checks over the whole API, kept small enough to run with the suite. Each operation
here once answered outside its contract (a 10 MB body, text/plain read as JSON, « 1_000 » taken as a
price, 0 taken as a date, 12.0 refused as an id)."""

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, settings
from schemathesis.config import SchemathesisConfig

from comptoir.api.openapi import SCHEMA_VALID_STATUSES
from comptoir.api.tests.conftest import issue_token
from comptoir.stock.services import receive_stock

OPERATIONS = (
    r"^/api/v1/products$",
    r"^/api/v1/products/\{product_id\}$",
    r"^/api/v1/stock/receipts$",
    r"^/api/v1/accounting/trial-balance$",
    r"^/api/v1/findings$",
)


# Loaded once, when the tests are collected: building the document reads no database.
schema = schemathesis.openapi.from_wsgi(
    "/api/v1/openapi.json",
    get_wsgi_application(),
    config=SchemathesisConfig.from_dict(
        {"checks": {"positive_data_acceptance": {"expected-statuses": SCHEMA_VALID_STATUSES}}}
    ),
)


@pytest.fixture
def bearer(boss, company, customer, product):
    receive_stock([{"product": product, "quantity": "5", "unit_cost": "70"}], by=boss)
    return {"Authorization": f"Bearer {issue_token(boss)}"}


@schema.include(path_regex="|".join(OPERATIONS)).parametrize()
@settings(
    max_examples=8,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_the_api_answers_as_its_openapi_document_says(case, bearer):
    case.call_and_validate(headers=bearer)

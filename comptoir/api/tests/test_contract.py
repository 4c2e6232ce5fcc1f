"""Every operation of the API against its published OpenAPI document, with schemathesis through the WSGI
application: a few generated requests per operation, valid and invalid, each answered as the document says
(no 5xx, documented status codes, content types and bodies, invalid input refused, valid input accepted).
`bench/api_contract.py` runs the same checks with every phase and many more requests over HTTP.

Operations that once answered outside their contract: a 10 MB body (500), text/plain read as JSON,
« 1_000 » taken as a price, 0 taken as a date, 12.0 refused as an id, a JSON number taken for a body whose
fields are all optional."""

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis.config import SchemathesisConfig
from schemathesis.generation import GenerationMode

from comptoir.api.contract import CONFIG, seed_company
from comptoir.api.tests.conftest import issue_token

EXAMPLES_PER_OPERATION = 3

# Loaded once, when the tests are collected: building the document reads no database.
schema = schemathesis.openapi.from_wsgi(
    "/api/v1/openapi.json", get_wsgi_application(), config=SchemathesisConfig.from_dict(CONFIG)
)


def _failures_of(operation, headers) -> list[str]:
    strategy = st.one_of(operation.as_strategy(generation_mode=mode) for mode in GenerationMode)

    @given(case=strategy)
    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        derandomize=True,
        deadline=None,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def check(case):
        case.call_and_validate(headers=headers)

    # Each operation starts from the seeded company.
    with transaction.atomic():
        try:
            check()
        except Exception as failure:  # schemathesis' FailureGroup: each failed check of the first bad case
            return [f"{operation.label}: {failure}"]
        finally:
            transaction.set_rollback(True)
    return []


@pytest.fixture
def connection_kept_across_requests():
    # Django's WSGI handler closes the database connection around each request when it is in a
    # transaction (as the test's is): on PostgreSQL that ends the test. Its own test client does the same.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.mark.django_db
def test_every_operation_answers_as_the_openapi_document_says(connection_kept_across_requests):
    headers = {"Authorization": f"Bearer {issue_token(seed_company())}"}
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 80
    failures = [failure for operation in operations for failure in _failures_of(operation, headers)]
    assert not failures, "\n\n".join(failures)

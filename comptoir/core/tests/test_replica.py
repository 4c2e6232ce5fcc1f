"""Reports read the streaming replica, business actions never do (issue 18, point 9; core/replica.py).

A second database alias, `replica`, is declared as settings.py declares it when COMPTOIR_REPLICA_URL is
set: a TEST MIRROR of the test database, reached through its own connection. Each connection's queries
are captured apart, so the test sees which one a page or a service used.
"""

import copy

import pytest
from django.db import connections
from django.test.utils import CaptureQueriesContext

from comptoir.accounting import selectors as ledger_view
from comptoir.billing.services import create_invoice_from_order, issue_invoice
from comptoir.core import replica
from comptoir.sales.services import confirm_order, create_order

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", replica.REPLICA])


@pytest.fixture(scope="module", autouse=True)
def replica_alias(django_db_setup, django_db_blocker):
    """The `replica` alias, a mirror of the test database (as settings.py sets it up), for this module."""
    settings_dict = copy.deepcopy(connections["default"].settings_dict)
    settings_dict["TEST"] = {**settings_dict.get("TEST", {}), "MIRROR": "default"}
    connections.settings[replica.REPLICA] = settings_dict
    yield
    with django_db_blocker.unblock():
        connections[replica.REPLICA].close()
    del connections[replica.REPLICA]
    del connections.settings[replica.REPLICA]


@pytest.fixture
def issued(boss, company, customer, service_product):
    order = confirm_order(
        create_order(customer, [{"product": service_product, "quantity": "2"}], by=boss), by=boss
    )
    return issue_invoice(create_invoice_from_order(order, by=boss), by=boss)


@pytest.fixture
def browser(client, boss):
    client.force_login(boss)
    return client


def captured(response) -> str:
    """The page, or the file once streamed to its end (a streamed export reads as it goes)."""
    if response.streaming:
        return b"".join(response.streaming_content).decode()
    return response.content.decode()


@pytest.mark.parametrize(
    "path",
    [
        "/comptabilite/balance/",
        "/comptabilite/balance/export.csv",
        "/comptabilite/grand-livre/706/",
        "/comptabilite/ecritures/",
        "/comptabilite/ecritures/export.csv",
    ],
)
def test_an_accounting_report_reads_its_entries_from_the_replica(browser, issued, path):
    with (
        CaptureQueriesContext(connections[replica.REPLICA]) as on_replica,
        CaptureQueriesContext(connections["default"]) as on_primary,
    ):
        response = browser.get(path)
        body = captured(response)
    assert response.status_code == 200
    assert "706" in body or issued.number in body  # the invoice's entry (sales account 706), read back
    assert any("accounting_entryline" in query["sql"] for query in on_replica.captured_queries)
    assert not any("accounting_entryline" in query["sql"] for query in on_primary.captured_queries)


def test_the_return_indicators_are_read_from_the_replica(browser, issued):
    with (
        CaptureQueriesContext(connections[replica.REPLICA]) as on_replica,
        CaptureQueriesContext(connections["default"]) as on_primary,
    ):
        response = browser.get("/litiges/indicateurs/")
    assert response.status_code == 200
    assert any("returns_" in query["sql"] for query in on_replica.captured_queries)
    assert not any("returns_" in query["sql"] for query in on_primary.captured_queries)


def test_a_business_action_reads_and_writes_the_primary_even_inside_a_report(
    boss, company, customer, product
):
    with CaptureQueriesContext(connections[replica.REPLICA]) as on_replica, replica.reading():
        order = create_order(customer, [{"product": product, "quantity": "1"}], by=boss)
        confirm_order(order, by=boss)
    assert on_replica.captured_queries == []
    order.refresh_from_db()
    assert order.status == "confirmed"


def test_pages_that_do_not_ask_for_the_replica_read_the_primary(browser, issued):
    with CaptureQueriesContext(connections[replica.REPLICA]) as on_replica:
        assert browser.get(f"/factures/{issued.pk}/").status_code == 200
        assert ledger_view.trial_balance().total_debit == issued.total
    assert on_replica.captured_queries == []

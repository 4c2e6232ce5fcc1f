"""A scanned order is read by the background worker (django-tasks' database worker, `comptoir db-worker`),
never in the request that received it: received → to review, with its customer and lines."""

from importlib import import_module

import pytest
from django.apps import apps
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from comptoir.intake.models import InboundDocument
from comptoir.intake.tests.conftest import fixture

# The worker closes its database connection between tasks, so the test cannot run inside a transaction
# rolled back at its end; the flush that replaces it empties the chart of accounts a migration seeded,
# which is put back before and after (as the billing agent's worker test does).
pytestmark = pytest.mark.django_db(transaction=True)


def _seed_chart_of_accounts():
    import_module("comptoir.accounting.migrations.0002_seed_chart_and_immutability").seed(apps, None)


@pytest.fixture(scope="module", autouse=True)
def _chart_of_accounts_back_after_the_flush(django_db_blocker):
    yield
    with django_db_blocker.unblock():
        _seed_chart_of_accounts()


def test_a_scanned_order_waits_received_then_the_worker_reads_it():
    _seed_chart_of_accounts()
    from comptoir.core.permissions import Role
    from comptoir.core.testing import make_company, make_customer, make_product, make_user
    from comptoir.intake import services

    boss = make_user("direction", Role.DIRECTION)
    make_company(make_user("admin", Role.ADMIN))
    brasserie = make_customer(boss, name="Brasserie du Port SAS", siren="552032534")
    screws = make_product(boss, sku="VIS-M6-50", name="Vis inox M6x50 boîte de 100", ean="3012345678902")

    document, _ = services.receive(fixture("order-scan.png"), name="scan.png", channel="upload", by=boss)
    assert document.status == InboundDocument.Status.RECEIVED
    assert "lecture (OCR) en cours" in document.reason
    assert DBTaskResult.objects.filter(status="READY").count() == 1

    call_command("db_worker", batch=True, no_startup_delay=True, verbosity=0)

    document.refresh_from_db()
    assert (document.status, document.customer, document.po_number) == (
        InboundDocument.Status.TO_REVIEW,
        brasserie,
        "BC-2026-0917",
    )
    assert document.reason == ""
    assert document.extracted.lines.first().product == screws
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"

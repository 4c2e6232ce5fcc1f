"""The billing agent as a background task: queued by `comptoir agent enqueue`, run by django-tasks'
database worker (`comptoir db-worker`), as a nightly job would."""

import io
from importlib import import_module

import pytest
from django.apps import apps
from django.core.management import call_command

from comptoir.assistant.models import AgentRun
from comptoir.assistant.tests.factories import ship, sold, stock
from comptoir.billing.models import Invoice

# The worker closes its database connection between tasks, as a long-running process should, so the test
# cannot run inside a transaction rolled back at its end; the flush that replaces it empties the chart
# of accounts a migration seeded, which is put back before and after.
pytestmark = pytest.mark.django_db(transaction=True)


def _seed_chart_of_accounts():
    import_module("comptoir.accounting.migrations.0002_seed_chart_and_immutability").seed(apps, None)


@pytest.fixture(scope="module", autouse=True)
def _chart_of_accounts_back_after_the_flush(django_db_blocker):
    yield
    with django_db_blocker.unblock():
        _seed_chart_of_accounts()


@pytest.fixture
def delivered(db):
    _seed_chart_of_accounts()
    from comptoir.core.permissions import Role
    from comptoir.core.testing import make_company, make_customer, make_product, make_user

    boss = make_user("direction", Role.DIRECTION)
    make_company(make_user("admin", Role.ADMIN))
    customer = make_customer(boss, name="Menuiserie Martin SARL", siren="542107651")
    product = make_product(boss, sku="REF-88", name="Perceuse", sale_price="120.00", purchase_cost="70.00")
    stock(boss, product)
    order = sold(boss, customer, (product, "10"))
    ship(boss, order)
    return order


def test_a_queued_run_is_carried_out_by_the_database_worker(delivered):
    call_command("agent", "enqueue", stdout=io.StringIO())
    assert not AgentRun.objects.exists()

    call_command("db_worker", batch=True, no_startup_delay=True, verbosity=0)

    (run,) = AgentRun.objects.all()
    assert run.trigger == "task" and run.status == AgentRun.Status.DONE
    assert Invoice.objects.filter(order=delivered, status=Invoice.Status.DRAFT).exists()

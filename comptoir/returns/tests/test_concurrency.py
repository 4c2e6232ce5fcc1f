"""Races on PostgreSQL (row locks): two people acting on the same case or invoice line at the same moment,
from threads with their own database connections."""

import threading
from decimal import Decimal
from importlib import import_module

import pytest
from django.apps import apps
from django.db import connection, connections
from django.db.models import Sum

from comptoir.billing.models import Invoice, InvoiceLine
from comptoir.billing.services import create_credit_note, issue_invoice
from comptoir.core import audit
from comptoir.core.approvals import set_thresholds
from comptoir.core.errors import DomainError
from comptoir.core.models import AuditEvent
from comptoir.core.testing import colleague_of
from comptoir.returns.models import Resolution
from comptoir.returns.services import approve_case, open_case, resolve_with_credit_note, submit_case
from comptoir.returns.tests.factories import make_sale

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="real concurrent connections: PostgreSQL (row locks)"
    ),
    pytest.mark.django_db(transaction=True),
]


def _seed_chart_of_accounts():
    # Transactional tests end by emptying every table, the chart of accounts and journals that a data
    # migration seeds included: seed them again with the migration's own idempotent code.
    import_module("comptoir.accounting.migrations.0002_seed_chart_and_immutability").seed(apps, None)


@pytest.fixture(scope="module")
def _leave_the_chart_for_later_tests(django_db_blocker):
    ran = []
    yield ran
    if ran:  # runs after the last test's flush (module teardown comes after function teardowns)
        with django_db_blocker.unblock():
            _seed_chart_of_accounts()


@pytest.fixture(autouse=True)
def _chart_of_accounts(_leave_the_chart_for_later_tests):
    _leave_the_chart_for_later_tests.append(True)
    _seed_chart_of_accounts()


def _race(*actions):
    """Run the actions at once; returns (results, errors) in the actions' order."""
    start = threading.Barrier(len(actions))
    results, failures = [None] * len(actions), [None] * len(actions)

    def run(i, action):
        try:
            start.wait()
            results[i] = action()
        except Exception as exc:  # collected and asserted by the test
            failures[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, action)) for i, action in enumerate(actions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, failures


def test_two_concurrent_approvals_of_the_same_case_approve_it_once(boss, company, customer, product):
    sale = make_sale(boss, customer, product)
    case = submit_case(
        open_case(
            sale.delivery, [{"delivery_line": sale.delivery_line, "quantity": "2"}], by=boss, reason="damaged"
        ),
        by=boss,
    )
    colleague = colleague_of(boss)  # created before the race, roles included
    _, failures = _race(lambda: approve_case(case, by=colleague), lambda: approve_case(case, by=colleague))
    errors = [f for f in failures if f is not None]
    assert len(errors) == 1 and isinstance(errors[0], DomainError) and errors[0].code == "invalid_transition"
    assert AuditEvent.objects.filter(action="return.approved").count() == 1
    assert audit.verify_chain().ok


def test_a_case_credit_and_a_direct_credit_racing_on_one_invoice_line_cannot_over_credit(
    boss, company, customer, product
):
    sale = make_sale(boss, customer, product)  # 10 invoiced
    case = open_case(
        sale.delivery,
        [{"delivery_line": sale.delivery_line, "quantity": "6"}],
        by=boss,
        reason="short_shipment",
    )
    approve_case(submit_case(case, by=boss), by=colleague_of(boss))

    set_thresholds(gesture_threshold=Decimal("5000"))  # a gesture one person may grant alone

    def direct_credit():
        gesture = create_credit_note(
            sale.invoice,
            [{"invoice_line": sale.invoice_line, "quantity": "5"}],
            by=boss,
            reason="geste",
            gesture_category="geste",
        )
        return issue_invoice(gesture, by=boss)

    _, failures = _race(lambda: resolve_with_credit_note(case, by=boss), direct_credit)
    errors = [f for f in failures if f is not None]
    assert len(errors) == 1 and isinstance(errors[0], DomainError), failures
    credited = InvoiceLine.objects.filter(credited_line=sale.invoice_line).aggregate(q=Sum("quantity"))["q"]
    assert credited in (Decimal("6"), Decimal("5"))
    assert Invoice.objects.filter(kind=Invoice.Kind.CREDIT_NOTE, status=Invoice.Status.ISSUED).count() == 1


def test_two_people_crediting_the_same_case_at_once_issue_one_credit_note(boss, company, customer, product):
    sale = make_sale(boss, customer, product)
    case = open_case(
        sale.delivery,
        [{"delivery_line": sale.delivery_line, "quantity": "3"}],
        by=boss,
        reason="short_shipment",
    )
    approve_case(submit_case(case, by=boss), by=colleague_of(boss))
    _, failures = _race(
        lambda: resolve_with_credit_note(case, by=boss), lambda: resolve_with_credit_note(case, by=boss)
    )
    errors = [f for f in failures if f is not None]
    assert len(errors) == 1 and errors[0].code == "return_nothing_left_to_settle"
    assert Resolution.objects.filter(case=case).count() == 1
    assert InvoiceLine.objects.filter(credited_line=sale.invoice_line).aggregate(q=Sum("quantity"))[
        "q"
    ] == Decimal("3")


def test_crediting_a_case_while_another_is_declared_on_the_same_delivery_does_not_deadlock(
    boss, company, customer, product
):
    sale = make_sale(boss, customer, product)
    case = open_case(
        sale.delivery,
        [{"delivery_line": sale.delivery_line, "quantity": "2"}],
        by=boss,
        reason="short_shipment",
    )
    approve_case(submit_case(case, by=boss), by=colleague_of(boss))
    results, failures = _race(
        lambda: resolve_with_credit_note(case, by=boss),
        lambda: open_case(
            sale.delivery, [{"delivery_line": sale.delivery_line, "quantity": "1"}], by=boss, reason="quality"
        ),
    )
    assert failures == [None, None]
    sale.delivery.refresh_from_db()
    assert sale.delivery.invoicing_blocked and results[1].number in sale.delivery.blocked_reason
    assert case.number not in sale.delivery.blocked_reason

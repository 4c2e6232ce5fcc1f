"""Invoices issued at the same moment, from threads with their own database connections: twenty get
twenty consecutive numbers (no gap, no duplicate), and numbers follow dates (CGI ann. II art. 242 nonies A)."""

import datetime
import threading
import time

import pytest
from django.db import connection, connections, transaction

from comptoir.billing.models import Invoice
from comptoir.billing.services import create_invoice_from_order, issue_invoice
from comptoir.core import audit
from comptoir.core.errors import DomainError
from comptoir.sales.services import confirm_order, create_order

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="real concurrent connections: PostgreSQL (row locks)"
)

THREADS = 20


@pytest.mark.django_db(transaction=True)
def test_twenty_invoices_issued_at_once_get_continuous_numbers(boss, company, customer, service_product):
    drafts = [
        create_invoice_from_order(
            confirm_order(
                create_order(customer, [{"product": service_product, "quantity": "1"}], by=boss), by=boss
            ),
            by=boss,
        )
        for _ in range(THREADS)
    ]
    start = threading.Barrier(THREADS)
    failures = []

    def issue(draft):
        try:
            start.wait()
            issue_invoice(draft, by=boss)
        except Exception as exc:  # collected and asserted below
            failures.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=issue, args=(draft,)) for draft in drafts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert failures == []
    numbers = sorted(Invoice.objects.filter(status=Invoice.Status.ISSUED).values_list("number", flat=True))
    year = Invoice.objects.first().date.year
    assert numbers == [f"FA-{year}-{n:05d}" for n in range(1, THREADS + 1)]
    assert audit.verify_chain().ok


@pytest.mark.django_db(transaction=True)
def test_a_backdated_invoice_cannot_take_a_number_after_a_later_one_being_issued(
    boss, company, customer, service_product
):
    """Chronology is checked under the counter's lock: an invoice dated yesterday that waits for an issue
    dated today must not get the next number once that issue commits (its date would come before)."""
    today = datetime.date.today()
    if (today.month, today.day) == (1, 1):
        pytest.skip("yesterday is in another numbering year")
    today_draft, backdated_draft = (
        create_invoice_from_order(
            confirm_order(
                # Ordered two days ago: the backdated invoice then follows its order, and only the
                # numbering's chronology can refuse it.
                create_order(
                    customer,
                    [{"product": service_product, "quantity": "1"}],
                    by=boss,
                    date=today - datetime.timedelta(days=2),
                ),
                by=boss,
            ),
            by=boss,
        )
        for _ in range(2)
    )
    numbered = threading.Event()
    outcome = {}

    def issue_today():
        try:
            with transaction.atomic():
                issue_invoice(today_draft, by=boss)
                numbered.set()
                _wait_for_a_blocked_backend()
        finally:
            connections.close_all()

    def issue_backdated():
        try:
            numbered.wait(10)
            issue_invoice(backdated_draft, by=boss, date=today - datetime.timedelta(days=1))
            outcome["issued"] = True
        except DomainError as exc:
            outcome["code"] = exc.code
        finally:
            connections.close_all()

    threads = [threading.Thread(target=issue_today), threading.Thread(target=issue_backdated)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert outcome == {"code": "invoice_date_before_last"}
    issued = Invoice.objects.filter(status=Invoice.Status.ISSUED)
    assert list(issued.values_list("number", "date")) == [(f"FA-{today.year}-00001", today)]


def _wait_for_a_blocked_backend(seconds: float = 10.0) -> None:
    """Until another connection waits on a row lock (the counter this transaction holds)."""
    deadline = time.monotonic() + seconds
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity"
                " WHERE wait_event_type = 'Lock' AND datname = current_database()"
            )
            if cursor.fetchone()[0]:
                return
            time.sleep(0.02)

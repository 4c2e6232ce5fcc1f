"""Twenty invoices issued at the same moment, from twenty threads with their own database connections,
get twenty consecutive numbers: no gap, no duplicate (CGI ann. II art. 242 nonies A)."""

import threading

import pytest
from django.db import connection, connections

from comptoir.billing.models import Invoice
from comptoir.billing.services import create_invoice_from_order, issue_invoice
from comptoir.core import audit
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

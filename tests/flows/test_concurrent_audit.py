"""The audit chain under ordinary concurrency, on PostgreSQL: clients with their own connections, acting
on documents they do not share, so the chain head is the only lock they meet. Every event must be chained
to the one committed just before it, whatever the timing."""

import threading

import pytest
from django.db import connection, connections

from comptoir.core import audit
from comptoir.core.models import AuditEvent
from comptoir.parties.services import update_customer

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="real concurrent connections: PostgreSQL (row locks, snapshots)"
)

CLIENTS = 8


def _run_concurrently(work, args_per_client):
    start = threading.Barrier(len(args_per_client))
    failures = []

    def client(args):
        try:
            start.wait()
            work(*args)
        except Exception as exc:  # collected and asserted below
            failures.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=client, args=(args,)) for args in args_per_client]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return failures


@pytest.mark.django_db(transaction=True)
def test_concurrent_edits_of_different_customers_keep_the_chain_whole(boss, company):
    from comptoir.core.testing import make_customer

    customers = [make_customer(boss) for _ in range(CLIENTS)]
    before = AuditEvent.objects.count()

    def edit_ten_times(customer):
        for n in range(10):
            update_customer(customer, by=boss, city=f"Ville {n}")

    assert _run_concurrently(edit_ten_times, [(c,) for c in customers]) == []
    assert AuditEvent.objects.count() == before + 10 * CLIENTS
    report = audit.verify_chain()
    assert report.ok, report


@pytest.mark.django_db(transaction=True)
def test_eight_clients_doing_ten_mixed_actions_then_tampering_is_named(boss, company, service_product):
    """Issue #15's acceptance: 8 clients × 10 mixed actions that share no document, the chain verifies;
    then a truncation, a rewrite and a forged payment are each named by the same verification."""
    from comptoir.billing.services import create_invoice_from_order, issue_invoice
    from comptoir.core import checkpoints, integrity
    from comptoir.core.testing import make_customer, tamper
    from comptoir.payments.models import Payment
    from comptoir.payments.services import register_payment
    from comptoir.sales.services import confirm_order, create_order

    customers = [make_customer(boss) for _ in range(CLIENTS)]

    def ten_actions(customer):
        update_customer(customer, by=boss, city="Lille")  # 1
        order = create_order(customer, [{"product": service_product, "quantity": "2"}], by=boss)  # 2
        order = confirm_order(order, by=boss)  # 3
        invoice = issue_invoice(create_invoice_from_order(order, by=boss), by=boss)  # 4, 5
        register_payment(
            customer,
            by=boss,
            amount="50.00",
            method="transfer",
            allocations=[{"invoice": invoice, "amount": "50.00"}],
        )  # 6
        update_customer(customer, by=boss, city="Roubaix")  # 7
        register_payment(
            customer,
            by=boss,
            amount=invoice.total - 50,
            method="cheque",
            allocations=[{"invoice": invoice, "amount": invoice.total - 50}],
        )  # 8
        order = create_order(customer, [{"product": service_product, "quantity": "1"}], by=boss)  # 9
        confirm_order(order, by=boss)  # 10

    before = AuditEvent.objects.count()
    assert _run_concurrently(ten_actions, [(c,) for c in customers]) == []
    assert AuditEvent.objects.count() == before + 10 * CLIENTS
    report = integrity.verify()
    assert report.ok, [str(p) for p in report.problems]

    checkpoints.append(checkpoints.take())
    events = list(AuditEvent.objects.order_by("seq"))
    # A rewrite: an order event edited, and every hash after it recomputed without the key.
    rewritten = next(e for e in events if e.action == "order.created")
    prev = rewritten.prev_hash
    for event in events[events.index(rewritten) : -5]:
        event.prev_hash = prev
        event.object_repr = "CMD-FORGED" if event.pk == rewritten.pk else event.object_repr
        event.hash = audit.event_hash(event)
        tamper(
            "UPDATE core_auditevent SET object_repr = %s, prev_hash = %s, hash = %s, key_id = '' WHERE id = %s",
            [event.object_repr, event.prev_hash, event.hash, event.pk],
        )
        prev = event.hash
    # A truncation: the last five events gone, the head moved back.
    tamper("DELETE FROM core_auditevent WHERE seq > %s", [events[-6].seq])
    tamper("UPDATE core_auditchainhead SET last_seq = %s, last_hash = %s", [events[-6].seq, prev])
    # A forged payment: raised by 1,000 € with its bank and 411 lines, the ledger still balanced.
    payment = Payment.objects.order_by("id").first()
    tamper("UPDATE payments_payment SET amount = amount + 1000 WHERE id = %s", [payment.pk])
    tamper(
        "UPDATE accounting_entryline SET debit = debit + 1000 WHERE entry_id = %s AND debit > 0",
        [payment.entry_id],
    )
    tamper(
        "UPDATE accounting_entryline SET credit = credit + 1000 WHERE id = "
        "(SELECT MIN(id) FROM accounting_entryline WHERE entry_id = %s AND credit > 0)",
        [payment.entry_id],
    )

    texts = [str(p) for p in integrity.verify().problems]

    assert any(f"événements n° {rewritten.seq} à" in t and "non scellé" in t for t in texts), texts
    assert any(f"événement n° {events[-1].seq}" in t and "troncature" in t for t in texts), texts
    assert any(f"règlement {payment.number}" in t for t in texts), texts
    assert any(f"écriture {payment.entry.number}" in t for t in texts), texts

"""What `verify-audit` must catch once someone with a SQL prompt (and every right, triggers off) has been
at the books: a truncated log with its head moved back, an event edited and every hash after it
recomputed, a payment raised together with its bank and 411 lines (the ledger still balances), an
invoice's total changed, an archived e-invoice replaced, an issued invoice deleted. Each is named, and
all of them are reported, not only the first."""

import hashlib

import pytest

from comptoir.billing.models import Invoice
from comptoir.billing.services import create_invoice_from_order, issue_invoice
from comptoir.core import audit, checkpoints, integrity
from comptoir.core.models import AuditChainHead, AuditEvent
from comptoir.core.testing import tamper
from comptoir.payments.models import Payment
from comptoir.payments.services import register_payment
from comptoir.sales.services import confirm_order, create_order

pytestmark = pytest.mark.django_db


def _issued_and_paid(boss, customer, product, amount=None):
    order = confirm_order(create_order(customer, [{"product": product, "quantity": "1"}], by=boss), by=boss)
    invoice = issue_invoice(create_invoice_from_order(order, by=boss), by=boss)
    payment = register_payment(
        customer,
        by=boss,
        amount=amount or invoice.total,
        method="transfer",
        allocations=[{"invoice": invoice, "amount": amount or invoice.total}],
    )
    return invoice, payment


@pytest.fixture
def books(boss, company, customer, service_product):
    return [_issued_and_paid(boss, customer, service_product) for _ in range(3)]


def _texts(report):
    return [str(problem) for problem in report.problems]


def test_untouched_books_verify(books):
    report = integrity.verify()
    assert report.ok, _texts(report)
    assert report.checked == AuditEvent.objects.count()


def test_a_truncated_tail_with_its_head_moved_back_is_caught_by_the_checkpoint(
    books, boss, customer, service_product
):
    checkpoints.append(checkpoints.take())
    attested = AuditEvent.objects.order_by("-seq").first()
    cut_from = attested.seq - 4
    new_end = AuditEvent.objects.get(seq=cut_from - 1)
    tamper("DELETE FROM core_auditevent WHERE seq >= %s", [cut_from])
    tamper(
        "UPDATE core_auditchainhead SET last_seq = %s, last_hash = %s, prev_hash = %s",
        [new_end.seq, new_end.hash, new_end.prev_hash],
    )
    assert audit.verify_chain().ok  # what is left is a valid chain: only the checkpoint knows better

    report = integrity.verify(documents=False)

    assert not report.ok
    assert any(f"événement n° {attested.seq}" in t and "troncature" in t for t in _texts(report)), _texts(
        report
    )


def test_an_edited_event_with_every_hash_after_it_recomputed_is_caught_without_the_key(books):
    """The attacker does what the old chain allowed: change an event, then recompute every hash after it
    (plain SHA-256, the only thing computable without the key), and mark them unkeyed."""
    events = list(AuditEvent.objects.order_by("seq"))
    victim = next(e for e in events if e.action == "payment.registered")
    prev = victim.prev_hash
    for event in events[events.index(victim) :]:
        event.prev_hash = prev
        if event.pk == victim.pk:
            event.data = {**event.data, "amount": "1.00"}
        event.hash = audit.event_hash(event)  # no key
        tamper(
            "UPDATE core_auditevent SET data = %s, prev_hash = %s, hash = %s, key_id = '' WHERE id = %s",
            [audit.canonical(event.data), event.prev_hash, event.hash, event.pk],
        )
        prev = event.hash
    tamper("UPDATE core_auditchainhead SET last_hash = %s", [prev])

    report = integrity.verify(documents=False)

    assert not report.ok
    texts = _texts(report)
    assert any(f"événements n° {victim.seq} à {events[-1].seq}" in t and "non scellé" in t for t in texts), (
        texts
    )


def test_an_event_resealed_under_another_key_is_caught(books):
    from comptoir.core.audit_key import AuditKey

    victim = AuditEvent.objects.filter(action="invoice.issued").first()
    forged = AuditKey(b"x" * 32, victim.key_id, 1)  # the attacker guesses the key id, not the key
    victim.data = {**victim.data, "total": "0.01"}
    tamper(
        "UPDATE core_auditevent SET data = %s, hash = %s WHERE id = %s",
        [audit.canonical(victim.data), audit.event_hash(victim, forged), victim.pk],
    )

    texts = _texts(integrity.verify(documents=False))

    assert any(f"événement n° {victim.seq}" in t and "contenu modifié" in t for t in texts), texts


def test_a_payment_raised_with_its_bank_and_customer_lines_is_named_though_the_ledger_balances(books):
    _, payment = books[1]
    lines = {line.account.code: line for line in payment.entry.lines.select_related("account")}
    bank = next(line for code, line in lines.items() if code.startswith("512"))
    receivable = next(line for code, line in lines.items() if code.startswith("411"))
    tamper("UPDATE payments_payment SET amount = amount + 1000 WHERE id = %s", [payment.pk])
    tamper("UPDATE accounting_entryline SET debit = debit + 1000 WHERE id = %s", [bank.pk])
    tamper("UPDATE accounting_entryline SET credit = credit + 1000 WHERE id = %s", [receivable.pk])

    report = integrity.verify()

    assert not report.ok
    texts = _texts(report)
    assert any(f"règlement {payment.number}" in t and "montant" in t for t in texts), texts
    assert any(f"écriture {payment.entry.number}" in t and "modifiée" in t for t in texts), texts
    assert audit.verify_chain().ok  # the chain itself was not touched


def test_every_tampering_is_reported_not_only_the_first(books, boss, customer, service_product):
    (first, _), (second, _), _ = books
    order = confirm_order(
        create_order(customer, [{"product": service_product, "quantity": "2"}], by=boss), by=boss
    )
    third = issue_invoice(create_invoice_from_order(order, by=boss), by=boss)
    tamper("UPDATE billing_invoice SET total = total + 1 WHERE id = %s", [first.pk])
    tamper(
        "UPDATE billing_invoicearchive SET cii_xml = %s WHERE invoice_id = %s",
        [b"<forged/>", second.pk],
    )
    tamper("UPDATE core_auditevent SET object_repr = 'x' WHERE seq = 2", [])
    tamper("DELETE FROM billing_invoicearchive WHERE invoice_id = %s", [third.pk])
    tamper("DELETE FROM billing_invoicetax WHERE invoice_id = %s", [third.pk])
    tamper("DELETE FROM billing_invoiceline WHERE invoice_id = %s", [third.pk])
    tamper("DELETE FROM billing_invoice WHERE id = %s", [third.pk])

    texts = _texts(integrity.verify())

    assert any("événement n° 2" in t and "contenu modifié" in t for t in texts), texts
    assert any(f"facture {first.number}" in t and "total TTC" in t for t in texts), texts
    assert any(f"archive de la facture {second.number}" in t and "XML modifié" in t for t in texts), texts
    assert any(f"facture {second.number}" in t and "archive" in t for t in texts), texts
    assert any("numéros manquants" in t and third.number in t for t in texts), texts
    assert any(f"facture {third.number}" in t and "supprimée" in t for t in texts), texts


def test_a_forged_checkpoint_line_is_refused(books, settings):
    checkpoint = checkpoints.take()
    forged = checkpoints.Checkpoint(
        checkpoint.seq + 50, "f" * 64, checkpoint.at, checkpoint.key_id, checkpoint.mac
    )
    settings.AUDIT_CHECKPOINT_FILE.write_text(forged.line() + "\n")

    texts = _texts(integrity.verify(documents=False))

    assert any("signature invalide" in t for t in texts), texts


def test_a_pdf_replaced_in_the_archive_is_named(books):
    from comptoir.billing.einvoicing import einvoice_file

    invoice = books[0][0]
    einvoice_file(Invoice.objects.get(pk=invoice.pk), "facturx")  # rendered and archived once asked for
    tamper("UPDATE billing_invoicearchive SET pdf = %s WHERE invoice_id = %s", [b"%PDF-forged", invoice.pk])

    texts = _texts(integrity.verify())

    assert any(f"archive de la facture {invoice.number}" in t and "PDF modifié" in t for t in texts), texts
    assert hashlib.sha256(b"%PDF-forged").hexdigest() not in "".join(texts)


def test_the_head_cannot_be_moved_back_by_the_application_connection(books):
    from django.db import DatabaseError, transaction

    head = AuditChainHead.objects.get(pk=1)
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditChainHead.objects.filter(pk=1).update(last_seq=head.last_seq - 3)
    assert Payment.objects.count() == 3

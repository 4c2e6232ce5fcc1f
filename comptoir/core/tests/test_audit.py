import pytest
from django.db import connection, transaction

from comptoir.core import audit, audit_key
from comptoir.core.models import AuditEvent, ImmutableError
from comptoir.core.testing import tamper
from comptoir.sales.services import create_order


@pytest.mark.django_db
def test_every_business_action_writes_a_chained_audit_event(boss, customer, product):
    before = AuditEvent.objects.count()
    order = create_order(customer, [{"product": product, "quantity": "2"}], by=boss)
    event = AuditEvent.objects.order_by("-seq").first()
    assert AuditEvent.objects.count() == before + 1
    assert (event.action, event.actor_name, event.object_repr) == ("order.created", "direction", order.number)
    previous = AuditEvent.objects.get(seq=event.seq - 1)
    assert event.prev_hash == previous.hash
    assert audit.verify_chain().ok


@pytest.mark.django_db
def test_audit_events_cannot_be_changed_through_the_application(boss, customer):
    event = AuditEvent.objects.order_by("-seq").first()
    event.action = "something.else"
    with pytest.raises(ImmutableError):
        event.save()
    with pytest.raises(ImmutableError):
        event.delete()


@pytest.mark.django_db
def test_verify_chain_detects_a_row_altered_behind_the_applications_back(boss, customer):
    victim = AuditEvent.objects.order_by("seq").first()
    tamper("UPDATE core_auditevent SET data = %s WHERE id = %s", ['{"name": "Someone else"}', victim.pk])
    report = audit.verify_chain()
    assert not report.ok
    assert report.broken_at_seq == victim.seq


@pytest.mark.django_db
def test_verify_chain_detects_a_deleted_row(boss, customer, product):
    victim = AuditEvent.objects.order_by("seq")[1]
    tamper("DELETE FROM core_auditevent WHERE id = %s", [victim.pk])
    assert not audit.verify_chain().ok


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="trigger exists on PostgreSQL only")
def test_postgresql_refuses_updates_of_the_audit_log(boss, customer):
    from django.db import DatabaseError

    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE core_auditevent SET action = 'x'")


@pytest.mark.django_db
def test_the_hash_stored_for_an_event_is_the_one_verify_audit_recomputes(boss):
    """On PostgreSQL the database computes the hash (one statement per event); it must be byte for byte
    the one Python recomputes, whatever the text: accents, quotes, backslashes, emoji, nested data."""
    with transaction.atomic():
        for i, text in enumerate(['Société « Élan » \\ "x"', "Ω 𝄞 😀", ""]):
            event = audit.record(
                "test.recorded",
                by=boss,
                object_type="parties.customer",
                object_id=i,
                object_repr=text,
                data={"z": [text, 1.5, None], "a": {"é": "2.10"}},
            )
            stored = AuditEvent.objects.get(pk=event.pk)
            assert (stored.seq, stored.hash, stored.prev_hash) == (event.seq, event.hash, event.prev_hash)
            recomputed = audit.compute_hash(
                seq=stored.seq,
                at=stored.at,
                actor_name=stored.actor_name,
                action=stored.action,
                object_type=stored.object_type,
                object_id=stored.object_id,
                object_repr=stored.object_repr,
                data=stored.data,
                prev_hash=stored.prev_hash,
                key=audit_key.current(),
            )
            assert stored.hash == recomputed
            previous = AuditEvent.objects.filter(seq=stored.seq - 1).values_list("hash", flat=True).first()
            assert stored.prev_hash == (previous or audit.GENESIS_HASH)
    assert audit.verify_chain().ok

"""The audit chain head holds the last hash again (and the one before it), so an event is chained to the
head row's latest committed version instead of a possibly stale snapshot of the log (concurrent events
on PostgreSQL were chained to the genesis hash); events record which key sealed them.

The database guards the head: it only moves forward and is never deleted nor truncated; SQLite now also
refuses UPDATE and DELETE of an event (PostgreSQL has done so since 0002), and PostgreSQL a TRUNCATE of
the log. (core.guards.suspended lifts them for the owner: the test suite's flush.)"""

from django.db import migrations, models

GENESIS = "0" * 64

PG = """
CREATE OR REPLACE FUNCTION core_audit_head_forward() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' OR NEW.last_seq < OLD.last_seq THEN
        RAISE EXCEPTION 'comptoir: the audit chain head only moves forward (% refused)', TG_OP
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER core_auditchainhead_forward BEFORE UPDATE OR DELETE ON core_auditchainhead
    FOR EACH ROW EXECUTE FUNCTION core_audit_head_forward();
CREATE TRIGGER core_auditchainhead_no_truncate BEFORE TRUNCATE ON core_auditchainhead
    FOR EACH STATEMENT EXECUTE FUNCTION core_audit_append_only();
CREATE TRIGGER core_auditevent_no_truncate BEFORE TRUNCATE ON core_auditevent
    FOR EACH STATEMENT EXECUTE FUNCTION core_audit_append_only();
"""
PG_DROP = """
DROP TRIGGER IF EXISTS core_auditchainhead_forward ON core_auditchainhead;
DROP TRIGGER IF EXISTS core_auditchainhead_no_truncate ON core_auditchainhead;
DROP TRIGGER IF EXISTS core_auditevent_no_truncate ON core_auditevent;
DROP FUNCTION IF EXISTS core_audit_head_forward();
"""

SQLITE = [
    """CREATE TRIGGER core_auditchainhead_forward BEFORE UPDATE ON core_auditchainhead
    WHEN NEW.last_seq < OLD.last_seq
    BEGIN SELECT RAISE(ABORT, 'comptoir: the audit chain head only moves forward'); END""",
    """CREATE TRIGGER core_auditchainhead_kept BEFORE DELETE ON core_auditchainhead
    BEGIN SELECT RAISE(ABORT, 'comptoir: the audit chain head is never deleted'); END""",
    """CREATE TRIGGER core_auditevent_append_only BEFORE UPDATE ON core_auditevent
    BEGIN SELECT RAISE(ABORT, 'comptoir: the audit log is append-only (UPDATE refused)'); END""",
    """CREATE TRIGGER core_auditevent_kept BEFORE DELETE ON core_auditevent
    BEGIN SELECT RAISE(ABORT, 'comptoir: the audit log is append-only (DELETE refused)'); END""",
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS core_auditchainhead_forward",
    "DROP TRIGGER IF EXISTS core_auditevent_append_only",
    "DROP TRIGGER IF EXISTS core_auditchainhead_kept",
    "DROP TRIGGER IF EXISTS core_auditevent_kept",
]


def fill_head(apps, schema_editor):
    Head = apps.get_model("core", "AuditChainHead")
    Event = apps.get_model("core", "AuditEvent")
    last = list(Event.objects.order_by("-seq").values_list("seq", "hash")[:2])
    head, _ = Head.objects.get_or_create(pk=1)
    head.last_seq = last[0][0] if last else 0
    head.last_hash = last[0][1] if last else GENESIS
    head.prev_hash = last[1][1] if len(last) > 1 else GENESIS
    head.save()


def guard(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        if schema_editor.connection.vendor == "postgresql":
            cursor.execute(PG)
        elif schema_editor.connection.vendor == "sqlite":
            for sql in SQLITE:
                cursor.execute(sql)


def unguard(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        if schema_editor.connection.vendor == "postgresql":
            cursor.execute(PG_DROP)
        elif schema_editor.connection.vendor == "sqlite":
            for sql in SQLITE_DROP:
                cursor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("core", "0005_guards")]

    operations = [
        migrations.AddField(
            model_name="auditchainhead", name="last_hash", field=models.CharField(default=GENESIS, max_length=64)
        ),
        migrations.AddField(
            model_name="auditchainhead", name="prev_hash", field=models.CharField(default=GENESIS, max_length=64)
        ),
        migrations.AddField(
            model_name="auditevent", name="key_id", field=models.CharField(blank=True, default="", max_length=16)
        ),
        migrations.RunPython(fill_head, migrations.RunPython.noop),
        migrations.RunPython(guard, unguard),
    ]

"""On PostgreSQL the audit table refuses UPDATE and DELETE: the log is append-only in the database too.
(`verify-audit` still detects tampering by someone who disables the trigger, through the hash chain.)"""

from django.db import migrations

SQL = """
CREATE OR REPLACE FUNCTION core_audit_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'comptoir: the audit log is append-only (% refused)', TG_OP
        USING ERRCODE = 'integrity_constraint_violation';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER core_auditevent_append_only BEFORE UPDATE OR DELETE ON core_auditevent
    FOR EACH ROW EXECUTE FUNCTION core_audit_append_only();
"""


def _run(schema_editor, sql):
    # A raw cursor: the SQL holds '%' (RAISE formats) that the schema editor would read as placeholders.
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(sql)


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        _run(schema_editor, SQL)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        _run(schema_editor, "DROP TRIGGER IF EXISTS core_auditevent_append_only ON core_auditevent;")


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]

from django.db import migrations

from comptoir.accounting.chart import ACCOUNTS, JOURNALS

IMMUTABLE_SQL = """
CREATE OR REPLACE FUNCTION comptoir_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'comptoir: % on % is refused: posted accounting data is immutable', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'integrity_constraint_violation';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER accounting_entry_immutable BEFORE UPDATE OR DELETE ON accounting_journalentry
    FOR EACH ROW EXECUTE FUNCTION comptoir_refuse_change();
CREATE TRIGGER accounting_entryline_immutable BEFORE UPDATE OR DELETE ON accounting_entryline
    FOR EACH ROW EXECUTE FUNCTION comptoir_refuse_change();
"""

DROP_SQL = """
DROP TRIGGER IF EXISTS accounting_entry_immutable ON accounting_journalentry;
DROP TRIGGER IF EXISTS accounting_entryline_immutable ON accounting_entryline;
"""


def _run(schema_editor, sql):
    # A raw cursor: the SQL holds '%' (RAISE formats) that the schema editor would read as placeholders.
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(sql)


def seed(apps, schema_editor):
    Account = apps.get_model("accounting", "Account")
    Journal = apps.get_model("accounting", "Journal")
    for code, name, reconcilable in ACCOUNTS:
        Account.objects.get_or_create(code=code, defaults={"name": name, "reconcilable": reconcilable})
    for code, name in JOURNALS:
        Journal.objects.get_or_create(code=code, defaults={"name": name})


def triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        _run(schema_editor, IMMUTABLE_SQL)


def drop_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        _run(schema_editor, DROP_SQL)


class Migration(migrations.Migration):
    dependencies = [("accounting", "0001_initial")]
    operations = [
        migrations.RunPython(seed, migrations.RunPython.noop),
        migrations.RunPython(triggers, drop_triggers),
    ]

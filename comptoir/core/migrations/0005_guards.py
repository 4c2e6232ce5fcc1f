"""The database's guard, shared part: number counters only move forward, and two trigger functions the
apps' guard migrations use on PostgreSQL (billing 0012, accounting 0006, payments 0005, stock 0007).

- `comptoir_append_only()` refuses any UPDATE or DELETE of a row (money documents, lettering, stock moves).
- `comptoir_refuse_truncate()`, a statement trigger, refuses TRUNCATE of a guarded table: row triggers do
  not see a TRUNCATE, which would otherwise empty an issued invoice's lines or the bank journal at once.

A number counter (`core.NumberSequence`) is updated by every number taken (`numbering.next_value`): its
value only grows and the date of its last number (invoice chronology) only moves forward once set, its
series and year never change, it is never deleted or truncated. A counter moving back would hand out an
invoice number a second time (the unique index would stop that one) or, past the last number, reopen a
gap-free series at an earlier date.

SQLite has no TRUNCATE; its triggers RAISE(ABORT) with the same message. The owner of the tables (on
PostgreSQL, or a superuser) can still disable triggers, which is why the application runs under another
role (`comptoir grant-app-role`).
"""

from django.db import migrations

POSTGRESQL = """
CREATE OR REPLACE FUNCTION comptoir_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'comptoir: % on % is refused: its rows are append-only', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'integrity_constraint_violation';
END;
$$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION comptoir_refuse_truncate() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'comptoir: TRUNCATE on % is refused: its rows are frozen or append-only', TG_TABLE_NAME
        USING ERRCODE = 'integrity_constraint_violation';
END;
$$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION core_numbersequence_forward() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'comptoir: number counter %-% is never deleted (DELETE refused)', OLD.series, OLD.year
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RAISE EXCEPTION 'comptoir: number counter %-% only moves forward (% on % refused)',
        OLD.series, OLD.year, TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'integrity_constraint_violation';
END;
$$ LANGUAGE plpgsql;

-- The WHEN clause is checked without calling the function: taking a number pays nothing more.
CREATE TRIGGER core_numbersequence_forward BEFORE UPDATE ON core_numbersequence
    FOR EACH ROW WHEN (
        NEW.id <> OLD.id OR NEW.series <> OLD.series OR NEW.year <> OLD.year
        OR NEW.last_value < OLD.last_value
        OR (OLD.last_date IS NOT NULL AND (NEW.last_date IS NULL OR NEW.last_date < OLD.last_date))
    ) EXECUTE FUNCTION core_numbersequence_forward();
CREATE TRIGGER core_numbersequence_kept BEFORE DELETE ON core_numbersequence
    FOR EACH ROW EXECUTE FUNCTION core_numbersequence_forward();
CREATE TRIGGER core_numbersequence_no_truncate BEFORE TRUNCATE ON core_numbersequence
    FOR EACH STATEMENT EXECUTE FUNCTION comptoir_refuse_truncate();
"""

POSTGRESQL_DROP = """
DROP TRIGGER IF EXISTS core_numbersequence_forward ON core_numbersequence;
DROP TRIGGER IF EXISTS core_numbersequence_kept ON core_numbersequence;
DROP TRIGGER IF EXISTS core_numbersequence_no_truncate ON core_numbersequence;
DROP FUNCTION IF EXISTS core_numbersequence_forward();
DROP FUNCTION IF EXISTS comptoir_refuse_truncate();
DROP FUNCTION IF EXISTS comptoir_append_only();
"""

SQLITE = [
    """CREATE TRIGGER core_numbersequence_forward BEFORE UPDATE ON core_numbersequence
    WHEN NEW.id <> OLD.id OR NEW.series <> OLD.series OR NEW.year <> OLD.year
        OR NEW.last_value < OLD.last_value
        OR (OLD.last_date IS NOT NULL AND (NEW.last_date IS NULL OR NEW.last_date < OLD.last_date))
    BEGIN SELECT RAISE(ABORT, 'comptoir: a number counter only moves forward (UPDATE refused)'); END""",
    """CREATE TRIGGER core_numbersequence_kept BEFORE DELETE ON core_numbersequence
    BEGIN SELECT RAISE(ABORT, 'comptoir: a number counter is never deleted (DELETE refused)'); END""",
]

SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS core_numbersequence_forward",
    "DROP TRIGGER IF EXISTS core_numbersequence_kept",
]


def _run(schema_editor, statements):
    # A raw cursor: the SQL holds '%' (RAISE formats) that the schema editor would read as placeholders.
    with schema_editor.connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        _run(schema_editor, [POSTGRESQL])
    elif vendor == "sqlite":
        _run(schema_editor, SQLITE)


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        _run(schema_editor, [POSTGRESQL_DROP])
    elif vendor == "sqlite":
        _run(schema_editor, SQLITE_DROP)


class Migration(migrations.Migration):
    dependencies = [("core", "0004_numbersequence_last_date")]
    operations = [migrations.RunPython(forwards, backwards)]

"""The database refuses lines added to a posted entry, TRUNCATE of the ledger, and any change to the
lettering; on SQLite too.

0002 refused UPDATE and DELETE of journal entries and their lines on PostgreSQL only. Left open: a line
INSERTed into an entry posted earlier (a debit and a credit added to last year's sale keep it balanced
and change its accounts), TRUNCATE, the lettering (`Reconciliation`, `ReconciledLine`: an invoice
"unpaid" again by deleting its letter) and everything on SQLite. Now:

- `accounting_journalentry`: UPDATE and DELETE refused (as before, and on SQLite), TRUNCATE refused.
  Every entry is posted when it is inserted (`post_entry`), so INSERT stays open.
- `accounting_entryline`: UPDATE and DELETE refused; a line is inserted only by the transaction that
  inserted its entry (`post_entry` writes both). On PostgreSQL the trigger reads the entry's `xmin` by
  primary key: the entry row is visible and its inserting transaction is still in progress only when it
  is this very transaction (or one of its savepoints), since another transaction's uncommitted rows are
  invisible. On SQLite, which has no transaction ids but a single writer at a time, a line may only go
  into the newest entry: the one `post_entry` has just inserted.
- `accounting_reconciliation`, `accounting_reconciledline`: append-only (a letter is never undone).
- `accounting_openitem` is left alone: it is an index of the lines not lettered yet, and lettering
  deletes from it on purpose.

Only the owner of the tables can disable these triggers: the application runs under another role
(`comptoir grant-app-role`, README).
"""

from django.db import migrations

POSTGRESQL = """
CREATE OR REPLACE FUNCTION accounting_entryline_guard() RETURNS trigger AS $$
DECLARE
    entry_xmin xid;
    current bigint;
BEGIN
    IF TG_OP = 'INSERT' THEN
        SELECT xmin INTO entry_xmin FROM accounting_journalentry WHERE id = NEW.entry_id;
        current := pg_current_xact_id()::text::bigint;
        -- The entry's 32-bit xid widened to 64 bits around the current one (within 2^31, as PostgreSQL
        -- compares xids), then asked whether its transaction is still in progress.
        IF entry_xmin IS NOT NULL AND pg_xact_status((current + (
                (entry_xmin::text::bigint - (current & 4294967295) + 6442450944) % 4294967296 - 2147483648
            ))::text::xid8) = 'in progress' THEN
            RETURN NEW;
        END IF;
        RAISE EXCEPTION 'comptoir: entry % is posted: no line is added to it (INSERT on %)', NEW.entry_id, TG_TABLE_NAME
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RAISE EXCEPTION 'comptoir: % on % is refused: posted accounting data is immutable', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'integrity_constraint_violation';
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS accounting_entryline_immutable ON accounting_entryline;
CREATE TRIGGER accounting_entryline_immutable BEFORE INSERT OR UPDATE OR DELETE ON accounting_entryline
    FOR EACH ROW EXECUTE FUNCTION accounting_entryline_guard();

CREATE TRIGGER accounting_reconciliation_append_only BEFORE UPDATE OR DELETE ON accounting_reconciliation
    FOR EACH ROW EXECUTE FUNCTION comptoir_append_only();
CREATE TRIGGER accounting_reconciledline_append_only BEFORE UPDATE OR DELETE ON accounting_reconciledline
    FOR EACH ROW EXECUTE FUNCTION comptoir_append_only();
""" + "".join(
    f"""
CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table}
    FOR EACH STATEMENT EXECUTE FUNCTION comptoir_refuse_truncate();"""
    for table in (
        "accounting_journalentry",
        "accounting_entryline",
        "accounting_reconciliation",
        "accounting_reconciledline",
    )
)

POSTGRESQL_DROP = """
DROP TRIGGER IF EXISTS accounting_entryline_immutable ON accounting_entryline;
CREATE TRIGGER accounting_entryline_immutable BEFORE UPDATE OR DELETE ON accounting_entryline
    FOR EACH ROW EXECUTE FUNCTION comptoir_refuse_change();
DROP FUNCTION IF EXISTS accounting_entryline_guard();
DROP TRIGGER IF EXISTS accounting_reconciliation_append_only ON accounting_reconciliation;
DROP TRIGGER IF EXISTS accounting_reconciledline_append_only ON accounting_reconciledline;
DROP TRIGGER IF EXISTS accounting_journalentry_no_truncate ON accounting_journalentry;
DROP TRIGGER IF EXISTS accounting_entryline_no_truncate ON accounting_entryline;
DROP TRIGGER IF EXISTS accounting_reconciliation_no_truncate ON accounting_reconciliation;
DROP TRIGGER IF EXISTS accounting_reconciledline_no_truncate ON accounting_reconciledline;
"""


def _refuse(table: str, verb: str, why: str) -> str:
    return (
        f"CREATE TRIGGER {table}_{verb.lower()}_refused BEFORE {verb} ON {table} "
        f"BEGIN SELECT RAISE(ABORT, 'comptoir: {verb} on {table} is refused: {why}'); END"
    )


SQLITE = [
    _refuse("accounting_journalentry", "UPDATE", "posted accounting data is immutable"),
    _refuse("accounting_journalentry", "DELETE", "posted accounting data is immutable"),
    _refuse("accounting_entryline", "UPDATE", "posted accounting data is immutable"),
    _refuse("accounting_entryline", "DELETE", "posted accounting data is immutable"),
    """CREATE TRIGGER accounting_entryline_insert_refused BEFORE INSERT ON accounting_entryline
    WHEN NEW.entry_id IS NOT (SELECT max(id) FROM accounting_journalentry)
    BEGIN SELECT RAISE(ABORT, 'comptoir: the entry is posted: no line is added to it (INSERT on accounting_entryline)'); END""",
    _refuse("accounting_reconciliation", "UPDATE", "its rows are append-only"),
    _refuse("accounting_reconciliation", "DELETE", "its rows are append-only"),
    _refuse("accounting_reconciledline", "UPDATE", "its rows are append-only"),
    _refuse("accounting_reconciledline", "DELETE", "its rows are append-only"),
]

SQLITE_DROP = [
    f"DROP TRIGGER IF EXISTS {table}_{verb}_refused"
    for table in (
        "accounting_journalentry",
        "accounting_entryline",
        "accounting_reconciliation",
        "accounting_reconciledline",
    )
    for verb in ("update", "delete")
] + ["DROP TRIGGER IF EXISTS accounting_entryline_insert_refused"]


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
    dependencies = [
        ("accounting", "0005_open_items_and_amount_index"),
        ("core", "0005_guards"),
    ]
    operations = [migrations.RunPython(forwards, backwards)]

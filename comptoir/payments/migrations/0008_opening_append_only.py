"""The invoices of the previous system taken over at the opening (`OpeningInvoice`) and the money set
against them (`OpeningAllocation`) are append-only in the database too, like the other money documents
(0005): written once by `payments.opening`, never updated or deleted.
"""

from django.db import migrations

TABLES = ["payments_openinginvoice", "payments_openingallocation"]

POSTGRESQL = "".join(
    f"""
CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table}
    FOR EACH ROW EXECUTE FUNCTION comptoir_append_only();
CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table}
    FOR EACH STATEMENT EXECUTE FUNCTION comptoir_refuse_truncate();"""
    for table in TABLES
)

POSTGRESQL_DROP = "".join(
    f"""
DROP TRIGGER IF EXISTS {table}_append_only ON {table};
DROP TRIGGER IF EXISTS {table}_no_truncate ON {table};"""
    for table in TABLES
)

SQLITE = [
    f"CREATE TRIGGER {table}_{verb.lower()}_refused BEFORE {verb} ON {table} "
    f"BEGIN SELECT RAISE(ABORT, 'comptoir: {verb} on {table} is refused: its rows are append-only'); END"
    for table in TABLES
    for verb in ("UPDATE", "DELETE")
]

SQLITE_DROP = [
    f"DROP TRIGGER IF EXISTS {table}_{verb}_refused" for table in TABLES for verb in ("update", "delete")
]


def _run(schema_editor, statements):
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
        ("payments", "0007_openinginvoice_openingallocation_and_more"),
        ("payments", "0005_append_only"),
    ]
    operations = [migrations.RunPython(forwards, backwards)]

"""Stock moves are append-only in the database, on PostgreSQL and SQLite: on hand and the weighted
average cost are the history of the moves, so a move is never updated or deleted (TRUNCATE refused on
PostgreSQL); a correction is a new move.

No service updates or deletes a move (`stock.services` only inserts them; `StockMove.save()` already
refused changes). Only the owner of the tables can disable these triggers: the application runs under
another role (`comptoir grant-app-role`, README).
"""

from django.db import migrations

TABLE = "stock_stockmove"

POSTGRESQL = f"""
CREATE TRIGGER {TABLE}_append_only BEFORE UPDATE OR DELETE ON {TABLE}
    FOR EACH ROW EXECUTE FUNCTION comptoir_append_only();
CREATE TRIGGER {TABLE}_no_truncate BEFORE TRUNCATE ON {TABLE}
    FOR EACH STATEMENT EXECUTE FUNCTION comptoir_refuse_truncate();
"""

POSTGRESQL_DROP = f"""
DROP TRIGGER IF EXISTS {TABLE}_append_only ON {TABLE};
DROP TRIGGER IF EXISTS {TABLE}_no_truncate ON {TABLE};
"""

SQLITE = [
    f"CREATE TRIGGER {TABLE}_{verb.lower()}_refused BEFORE {verb} ON {TABLE} "
    f"BEGIN SELECT RAISE(ABORT, 'comptoir: {verb} on {TABLE} is refused: its rows are append-only'); END"
    for verb in ("UPDATE", "DELETE")
]

SQLITE_DROP = [f"DROP TRIGGER IF EXISTS {TABLE}_{verb}_refused" for verb in ("update", "delete")]


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
        ("stock", "0006_delivery_number_trigram"),
        ("core", "0005_guards"),
    ]
    operations = [migrations.RunPython(forwards, backwards)]

"""The log of e-mails sent from documents is append-only in the database, on PostgreSQL and SQLite: a failed
attempt stays failed, a retry is a new row (TRUNCATE refused on PostgreSQL).

Only the owner of the tables can disable these triggers: the application runs under another role
(`comptoir grant-app-role`, README).
"""

from django.db import migrations

TABLES = ("mailing_outgoingemail",)


def _postgresql(table: str) -> str:
    return f"""
CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table}
    FOR EACH ROW EXECUTE FUNCTION comptoir_append_only();
CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table}
    FOR EACH STATEMENT EXECUTE FUNCTION comptoir_refuse_truncate();
"""


def _postgresql_drop(table: str) -> str:
    return f"""
DROP TRIGGER IF EXISTS {table}_append_only ON {table};
DROP TRIGGER IF EXISTS {table}_no_truncate ON {table};
"""


def _sqlite(table: str) -> list[str]:
    return [
        f"CREATE TRIGGER {table}_{verb.lower()}_refused BEFORE {verb} ON {table} "
        f"BEGIN SELECT RAISE(ABORT, 'comptoir: {verb} on {table} is refused: its rows are append-only'); END"
        for verb in ("UPDATE", "DELETE")
    ]


def _sqlite_drop(table: str) -> list[str]:
    return [f"DROP TRIGGER IF EXISTS {table}_{verb}_refused" for verb in ("update", "delete")]


def _run(schema_editor, statements):
    with schema_editor.connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for table in TABLES:
        if vendor == "postgresql":
            _run(schema_editor, [_postgresql(table)])
        elif vendor == "sqlite":
            _run(schema_editor, _sqlite(table))


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for table in TABLES:
        if vendor == "postgresql":
            _run(schema_editor, [_postgresql_drop(table)])
        elif vendor == "sqlite":
            _run(schema_editor, _sqlite_drop(table))


class Migration(migrations.Migration):
    dependencies = [
        ("mailing", "0001_initial"),
        ("core", "0005_guards"),
    ]
    operations = [migrations.RunPython(forwards, backwards)]

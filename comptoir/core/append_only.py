"""The migration operation that makes tables append-only in the database, on PostgreSQL and SQLite.

A row of such a table is never updated or deleted (TRUNCATE refused on PostgreSQL): on PostgreSQL the
triggers call the functions `comptoir_append_only()` and `comptoir_refuse_truncate()` (core migration
0005_guards); on SQLite each verb gets a trigger that aborts with the table's name. Only the owner of the
tables can disable them: the application runs under another role (`comptoir grant-app-role`, README).

Migrations call `append_only(*tables)` instead of repeating the SQL; the statements are the ones the
first append-only migrations wrote by hand, so the schema they produce is unchanged.
"""

from django.db import migrations

_VERBS = ("UPDATE", "DELETE")


def _postgresql(table: str) -> list[str]:
    return [
        f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
        "FOR EACH ROW EXECUTE FUNCTION comptoir_append_only()",
        f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
        "FOR EACH STATEMENT EXECUTE FUNCTION comptoir_refuse_truncate()",
    ]


def _postgresql_drop(table: str) -> list[str]:
    return [
        f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}",
        f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}",
    ]


def _sqlite(table: str) -> list[str]:
    return [
        f"CREATE TRIGGER {table}_{verb.lower()}_refused BEFORE {verb} ON {table} "
        f"BEGIN SELECT RAISE(ABORT, 'comptoir: {verb} on {table} is refused: its rows are append-only'); END"
        for verb in _VERBS
    ]


def _sqlite_drop(table: str) -> list[str]:
    return [f"DROP TRIGGER IF EXISTS {table}_{verb.lower()}_refused" for verb in _VERBS]


_STATEMENTS = {
    "postgresql": (_postgresql, _postgresql_drop),
    "sqlite": (_sqlite, _sqlite_drop),
}


def _runner(tables: tuple[str, ...], backwards: bool):
    def run(apps, schema_editor):
        builders = _STATEMENTS.get(schema_editor.connection.vendor)
        if builders is None:
            return
        build = builders[1 if backwards else 0]
        with schema_editor.connection.cursor() as cursor:
            for table in tables:
                for sql in build(table):
                    cursor.execute(sql)

    return run


def append_only(*tables: str) -> migrations.RunPython:
    """The operation that guards `tables` (and, reversed, drops the guards)."""
    return migrations.RunPython(_runner(tables, False), _runner(tables, True))


def _restorer(tables: tuple[str, ...]):
    def run(apps, schema_editor):
        builders = _STATEMENTS.get(schema_editor.connection.vendor)
        if builders is None:
            return
        with schema_editor.connection.cursor() as cursor:
            for table in tables:
                for sql in builders[1](table) + builders[0](table):
                    cursor.execute(sql)

    return run


def append_only_again(*tables: str) -> migrations.RunPython:
    """After an operation that rebuilds `tables` on SQLite (a constraint or a column changed: Django copies
    the table into a new one, and its triggers are gone), their guards put back; on PostgreSQL the
    triggers survive and are created anew all the same."""
    return migrations.RunPython(_restorer(tables), migrations.RunPython.noop)

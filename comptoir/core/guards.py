"""The database's guard on what never changes, and the owner's way to lift it for a moment.

Triggers refuse changes to issued invoices and their parts, posted entries, lettering, money documents,
stock moves, the e-invoice archive, number counters and the audit log (the apps' guard migrations;
docs/architecture.md, "Immutability"). Nothing in Comptoir's own flows lifts them. `suspended()` is for
the few jobs that must write below them, all of them run by the owner of the tables: the test suite's
flush between transactional tests, a benchmark's bulk seeder, a test playing someone who tampers with
the database behind Comptoir. On PostgreSQL it takes what only the owner of a table (or a superuser)
may do, ALTER TABLE … DISABLE TRIGGER, which is why the application runs under a role that owns
nothing (`comptoir grant-app-role`); on SQLite it drops the triggers and creates them again.
"""

import contextlib

from django.db import DEFAULT_DB_ALIAS, connections, transaction


def guarded_tables(using: str = DEFAULT_DB_ALIAS) -> list[str]:
    """The tables that carry triggers of Comptoir's own (not the ones behind foreign keys)."""
    connection = connections[using]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT DISTINCT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                "JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE NOT t.tgisinternal AND n.nspname = current_schema() ORDER BY 1"
            )
        else:
            cursor.execute("SELECT DISTINCT tbl_name FROM sqlite_master WHERE type = 'trigger' ORDER BY 1")
        return [name for (name,) in cursor.fetchall()]


@contextlib.contextmanager
def suspended(*tables: str, using: str = DEFAULT_DB_ALIAS):
    """Lift the triggers of `tables` (all guarded tables when none is named) for the enclosed block,
    inside one transaction: they are back when it ends, and a failure rolls the whole block back."""
    connection = connections[using]
    quote = connection.ops.quote_name
    with transaction.atomic(using=using):
        names = list(tables) or guarded_tables(using)
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                _alter_triggers(cursor, quote, names, "DISABLE")
                saved = []
            elif not names:
                saved = []
            else:
                placeholders = ", ".join(["%s"] * len(names))
                cursor.execute(
                    "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' "
                    f"AND tbl_name IN ({placeholders}) ORDER BY name",
                    names,
                )
                saved = cursor.fetchall()
                for name, _ in saved:
                    cursor.execute(f"DROP TRIGGER {quote(name)}")
        yield
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                _alter_triggers(cursor, quote, names, "ENABLE")
            else:
                for _, sql in saved:
                    cursor.execute(sql)


def _alter_triggers(cursor, quote, tables, action: str) -> None:
    # A table with foreign-key checks still pending in the transaction (Django's foreign keys are
    # deferred to the commit) cannot be altered: run the checks now, then defer them again.
    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    for table in tables:
        cursor.execute(f"ALTER TABLE {quote(table)} {action} TRIGGER USER")
    cursor.execute("SET CONSTRAINTS ALL DEFERRED")

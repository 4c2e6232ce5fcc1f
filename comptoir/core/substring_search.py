"""Trigram indexes that let PostgreSQL answer the lists' "contains" searches without reading every row.

The list pages search document numbers with `icontains`, which PostgreSQL runs as
`UPPER(number::text) LIKE UPPER('%…%')`: a B-tree cannot help a pattern that starts with `%`, so at
100,000 invoices each search read the whole table (about 150 ms). A GIN index of trigrams on that very
expression can. SQLite has no such index and needs none at its sizes; the operation does nothing there.
"""

from django.db import migrations

# pg_trgm ships with PostgreSQL's standard contrib and is a trusted extension (PostgreSQL 13+): the
# database owner may create it without superuser rights.
_EXTENSION = "CREATE EXTENSION IF NOT EXISTS pg_trgm"


def upper_trigram_index(table: str, column: str) -> migrations.RunPython:
    name = f"{table}_{column}_upper_trgm"

    def create(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(_EXTENSION)
            schema_editor.execute(
                f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" USING gin (UPPER("{column}"::text) gin_trgm_ops)'
            )

    def drop(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')

    return migrations.RunPython(create, drop, elidable=False)

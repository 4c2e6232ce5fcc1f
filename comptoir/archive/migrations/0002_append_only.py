"""Archived files and their contents are append-only in the database, on PostgreSQL and SQLite: what left
Comptoir is kept as it left, never updated nor deleted (TRUNCATE refused on PostgreSQL).

Only the owner of the tables can disable these triggers: the application runs under another role
(`comptoir grant-app-role`, README).
"""

from django.db import migrations

from comptoir.core.append_only import append_only


class Migration(migrations.Migration):
    dependencies = [
        ("archive", "0001_initial"),
        ("core", "0005_guards"),
    ]
    operations = [append_only("archive_storedcontent", "archive_archivedfile")]

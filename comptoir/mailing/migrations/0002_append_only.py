"""The log of e-mails sent from documents is append-only in the database, on PostgreSQL and SQLite: a failed
attempt stays failed, a retry is a new row (TRUNCATE refused on PostgreSQL).

Only the owner of the tables can disable these triggers: the application runs under another role
(`comptoir grant-app-role`, README).
"""

from django.db import migrations

from comptoir.core.append_only import append_only


class Migration(migrations.Migration):
    dependencies = [
        ("mailing", "0001_initial"),
        ("core", "0005_guards"),
    ]
    operations = [append_only("mailing_outgoingemail")]

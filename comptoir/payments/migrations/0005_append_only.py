"""Money documents are append-only in the database, on PostgreSQL and SQLite: a payment, its
allocations, a credit note applied, a refund and a VAT release are never updated or deleted (TRUNCATE
refused on PostgreSQL). A correction is a new document (a refund, a reversing entry).

No service updates or deletes these rows: they are written once by `payments.services` and read since
(payment progress is derived from them, never stored). Only the owner of the tables can disable these
triggers: the application runs under another role (`comptoir grant-app-role`, README).
"""

from django.db import migrations

from comptoir.core.append_only import append_only


class Migration(migrations.Migration):
    dependencies = [
        ("payments", "0004_payment_payment_date_id"),
        ("core", "0005_guards"),
    ]
    operations = [
        append_only(
            "payments_payment",
            "payments_paymentallocation",
            "payments_creditapplication",
            "payments_refund",
            "payments_vatrelease",
        )
    ]

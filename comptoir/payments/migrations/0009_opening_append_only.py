"""The invoices of the previous system taken over at the opening (`OpeningInvoice`) and the money set
against them (`OpeningAllocation`) are append-only in the database too, like the other money documents
(0005): written once by `payments.opening`, never updated or deleted.
"""

from django.db import migrations

from comptoir.core.append_only import append_only


class Migration(migrations.Migration):
    dependencies = [
        ("payments", "0008_openinginvoice_openingallocation_and_more"),
        ("core", "0005_guards"),
    ]
    operations = [append_only("payments_openinginvoice", "payments_openingallocation")]

"""Payment gaps written off (`PaymentWriteOff`) and payments reversed (`PaymentReversal`) are
append-only in the database too, like the other money documents (0005): written once, never updated
or deleted (a reversal is itself the correction)."""

from django.db import migrations

from comptoir.core.append_only import append_only


class Migration(migrations.Migration):
    dependencies = [
        ("payments", "0010_paymentreversal_paymentwriteoff"),
        ("core", "0005_guards"),
    ]
    operations = [append_only("payments_paymentwriteoff", "payments_paymentreversal")]

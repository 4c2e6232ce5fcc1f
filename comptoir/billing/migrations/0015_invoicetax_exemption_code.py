"""InvoiceTax.exemption_code: the VATEX code (BT-121) of an exempt breakdown, frozen at issue.

On SQLite, adding a column with a default rebuilds the table, which drops its triggers: the guards of
0012 on billing_invoicetax (no change to the VAT rows of an issued invoice) are created again."""

import importlib

from django.db import migrations, models

TABLE = "billing_invoicetax"


def restore_sqlite_guards(apps, schema_editor):
    """The same guards, on billing_invoicetax."""
    if schema_editor.connection.vendor != "sqlite":
        return  # PostgreSQL keeps its triggers on ALTER TABLE ADD COLUMN
    frozen = importlib.import_module("comptoir.billing.migrations.0012_frozen_invoices_and_archive")
    drops = [f"DROP TRIGGER IF EXISTS {TABLE}_frozen_{verb}" for verb in ("insert", "update", "delete")]
    frozen._run(schema_editor, drops + frozen._sqlite_child(TABLE))


class Migration(migrations.Migration):
    dependencies = [
        ("billing", "0014_invoice_service_period"),
    ]

    operations = [
        migrations.AddField(
            model_name="invoicetax",
            name="exemption_code",
            field=models.CharField(blank=True, max_length=30),
        ),
        migrations.RunPython(restore_sqlite_guards, migrations.RunPython.noop),
    ]

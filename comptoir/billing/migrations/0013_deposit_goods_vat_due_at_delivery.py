"""The goods share of a deducted deposit's VAT that delivery made due (`DepositDeduction.vat_due_at_delivery`).

On SQLite, adding a column with a default rebuilds the table, which drops its triggers: the frozen-row
triggers of 0012 are created again for `billing_depositdeduction` (PostgreSQL keeps its own).
"""

import importlib
from decimal import Decimal

from django.db import migrations, models

TABLE = "billing_depositdeduction"


def restore_sqlite_guards(apps, schema_editor):
    """Drop and create again the frozen-row triggers of 0012 on TABLE (SQLite only)."""
    if schema_editor.connection.vendor != "sqlite":
        return
    frozen = importlib.import_module("comptoir.billing.migrations.0012_frozen_invoices_and_archive")
    drops = [f"DROP TRIGGER IF EXISTS {TABLE}_frozen_{verb}" for verb in ("insert", "update", "delete")]
    frozen._run(schema_editor, drops + frozen._sqlite_child(TABLE))


class Migration(migrations.Migration):
    dependencies = [
        ("billing", "0012_frozen_invoices_and_archive"),
    ]

    operations = [
        # Backwards, removing the column rebuilds the table again: the triggers come back after it.
        migrations.RunPython(migrations.RunPython.noop, restore_sqlite_guards),
        migrations.AddField(
            model_name="depositdeduction",
            name="vat_due_at_delivery",
            field=models.DecimalField(
                decimal_places=2,
                default=Decimal("0"),
                max_digits=14,
                verbose_name="TVA sur biens devenue exigible à la livraison",
            ),
        ),
        migrations.RunPython(restore_sqlite_guards, migrations.RunPython.noop),
    ]

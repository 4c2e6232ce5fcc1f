"""The goods share of a deducted deposit's VAT that delivery made due (`DepositDeduction.vat_due_at_delivery`).

On SQLite, adding a column with a default rebuilds the table, which drops its triggers: the frozen-row
triggers of 0012 are created again for `billing_depositdeduction` (PostgreSQL keeps its own).
"""

from decimal import Decimal

from django.db import migrations, models

TABLE = "billing_depositdeduction"
TRIGGERS = [f"{TABLE}_frozen_{verb}" for verb in ("insert", "update", "delete")]


def _sqlite_child_triggers() -> list[str]:
    issued = "(SELECT status FROM billing_invoice WHERE id = {}.invoice_id) = 'issued'"
    refuse = f"BEGIN SELECT RAISE(ABORT, 'comptoir: lines of an issued invoice are immutable ({{}} on {TABLE})'); END"
    return [
        f"CREATE TRIGGER {TABLE}_frozen_insert BEFORE INSERT ON {TABLE} WHEN {issued.format('NEW')} "
        + refuse.format("INSERT"),
        f"CREATE TRIGGER {TABLE}_frozen_update BEFORE UPDATE ON {TABLE} "
        f"WHEN {issued.format('OLD')} OR {issued.format('NEW')} " + refuse.format("UPDATE"),
        f"CREATE TRIGGER {TABLE}_frozen_delete BEFORE DELETE ON {TABLE} WHEN {issued.format('OLD')} "
        + refuse.format("DELETE"),
    ]


def _restore_sqlite_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    # A raw cursor: the SQL holds '%' (RAISE formats) that the schema editor would read as placeholders.
    with schema_editor.connection.cursor() as cursor:
        for name in TRIGGERS:
            cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
        for sql in _sqlite_child_triggers():
            cursor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [
        ("billing", "0012_frozen_invoices_and_archive"),
    ]

    operations = [
        # Backwards, removing the column rebuilds the table again: the triggers come back after it.
        migrations.RunPython(migrations.RunPython.noop, _restore_sqlite_triggers),
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
        migrations.RunPython(_restore_sqlite_triggers, migrations.RunPython.noop),
    ]

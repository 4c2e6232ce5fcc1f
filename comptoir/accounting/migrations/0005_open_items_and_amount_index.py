"""Open items (the unlettered lines of reconcilable accounts, filled from the ledger as it stands) and an
index that covers the sums per account and per customer."""

import django.db.models.deletion
from django.db import migrations, models


def fill_open_items(apps, schema_editor):
    """Every line of a reconcilable account that no lettering holds yet is open (one statement)."""
    tables = {
        name: apps.get_model("accounting", name)._meta.db_table
        for name in ("OpenItem", "EntryLine", "Account", "ReconciledLine")
    }
    schema_editor.execute(
        'INSERT INTO "{OpenItem}" ("line_id", "account_id", "entry_id") '
        'SELECT l."id", l."account_id", l."entry_id" '
        'FROM "{EntryLine}" l INNER JOIN "{Account}" a ON a."id" = l."account_id" '
        'WHERE a."reconcilable" AND NOT EXISTS '
        '(SELECT 1 FROM "{ReconciledLine}" r WHERE r."line_id" = l."id")'.format(**tables)
    )


class Migration(migrations.Migration):
    dependencies = [
        ("accounting", "0004_stock_account_three_digits"),
        ("parties", "0003_customer_einvoice_address_customer_einvoice_scheme"),
    ]

    operations = [
        migrations.CreateModel(
            name="OpenItem",
            fields=[
                (
                    "line",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.PROTECT,
                        primary_key=True,
                        related_name="open_item",
                        serialize=False,
                        to="accounting.entryline",
                    ),
                ),
                (
                    "account",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="accounting.account",
                    ),
                ),
                (
                    "entry",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="accounting.journalentry",
                    ),
                ),
            ],
            options={
                "indexes": [models.Index(fields=["account", "entry"], name="openitem_account_entry")],
            },
        ),
        migrations.RunPython(fill_open_items, migrations.RunPython.noop),
        migrations.RemoveIndex(model_name="entryline", name="accounting__account_909d4a_idx"),
        migrations.AddIndex(
            model_name="entryline",
            index=models.Index(
                fields=["account", "partner", "debit", "credit"], name="entryline_account_amounts"
            ),
        ),
    ]

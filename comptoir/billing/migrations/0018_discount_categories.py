"""Every discount carries a category (#22 point 2): invoice lines and document-level allowances.

The lines and allowances already written, issued ones included, are frozen (0012's triggers refuse any
UPDATE of an issued invoice's rows), so they take their category from the column's default when it is
added, never from an UPDATE: « non catégorisé » for every row that exists (a line without a discount, or
a charge, holds a category nobody reads: the sums by category count discounted lines and allowances only).

On SQLite, adding a column with a default rebuilds the table: the triggers that name the two tables are
set aside before and created again, unchanged, after (PostgreSQL keeps its triggers and adds the column
with its default without touching a row).
"""

from django.db import migrations, models

TABLES = ("billing_invoiceline", "billing_allowancecharge")
_SET_ASIDE: list[tuple[str, str]] = []
CHOICES = [
    ("volume", "Remise volume"),
    ("negotiated", "Remise négociée"),
    ("gesture", "Geste commercial"),
    ("promotion", "Promotion"),
    ("early_payment", "Escompte"),
    ("year_end_rebate", "RFA (remise de fin d'année)"),
    ("other", "Autre"),
    ("uncategorised", "Non catégorisé"),
]


def _set_aside_sqlite_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND (sql LIKE %s OR sql LIKE %s)",
            [f"%{TABLES[0]}%", f"%{TABLES[1]}%"],
        )
        _SET_ASIDE[:] = cursor.fetchall()
        for name, _sql in _SET_ASIDE:
            cursor.execute(f'DROP TRIGGER IF EXISTS "{name}"')


def _restore_sqlite_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    with schema_editor.connection.cursor() as cursor:
        for name, sql in _SET_ASIDE:
            cursor.execute(f'DROP TRIGGER IF EXISTS "{name}"')
            cursor.execute(sql)
    _SET_ASIDE.clear()


class Migration(migrations.Migration):
    dependencies = [
        ("billing", "0017_allowances_charges_and_early_discount"),
    ]

    operations = [
        migrations.RunPython(_set_aside_sqlite_triggers, _restore_sqlite_triggers),
        migrations.AddField(
            model_name="allowancecharge",
            name="discount_category",
            field=models.CharField(
                blank=True,
                choices=CHOICES,
                default="uncategorised",
                max_length=20,
                verbose_name="catégorie de remise",
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="invoiceline",
            name="discount_category",
            field=models.CharField(
                blank=True,
                choices=CHOICES,
                default="uncategorised",
                max_length=20,
                verbose_name="catégorie de remise",
            ),
            preserve_default=False,
        ),
        migrations.RunPython(_restore_sqlite_triggers, _set_aside_sqlite_triggers),
    ]

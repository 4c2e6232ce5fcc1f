"""Invoice series now keep the date of their last number on the counter (core.NumberSequence.last_date),
where the chronology check runs under the counter's lock: fill it from the invoices already issued."""

from django.db import migrations
from django.db.models import Max
from django.db.models.functions import ExtractYear


def fill_last_dates(apps, schema_editor):
    Invoice = apps.get_model("billing", "Invoice")
    NumberSequence = apps.get_model("core", "NumberSequence")
    issued = (
        Invoice.objects.filter(status="issued", number__isnull=False)
        .annotate(year=ExtractYear("date"))
        .values("series", "year")
        .annotate(last=Max("date"))
        .order_by()
    )
    for row in issued:
        NumberSequence.objects.filter(series=row["series"], year=row["year"]).update(last_date=row["last"])


class Migration(migrations.Migration):
    dependencies = [
        ("billing", "0010_invoice_number_trigram"),
        ("core", "0004_numbersequence_last_date"),
    ]

    operations = [migrations.RunPython(fill_last_dates, migrations.RunPython.noop)]

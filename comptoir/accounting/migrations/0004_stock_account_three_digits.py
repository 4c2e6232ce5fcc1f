"""A FEC account number starts with the three digits of its PCG class: "37" becomes "370"."""

from django.db import migrations


def rename(apps, schema_editor):
    Account = apps.get_model("accounting", "Account")
    if not Account.objects.filter(code="370").exists():
        Account.objects.filter(code="37").update(code="370")


class Migration(migrations.Migration):
    dependencies = [("accounting", "0003_fiscalyear")]
    operations = [migrations.RunPython(rename, migrations.RunPython.noop)]

"""The account a small payment excess written off goes to (758, payments.writing_off)."""

from django.db import migrations


def seed(apps, schema_editor):
    from comptoir.accounting.chart import ACCOUNTS

    Account = apps.get_model("accounting", "Account")
    for code, name, reconcilable in ACCOUNTS:
        if code == "758":
            Account.objects.get_or_create(code=code, defaults={"name": name, "reconcilable": reconcilable})


class Migration(migrations.Migration):
    dependencies = [("accounting", "0010_openingbalance")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]

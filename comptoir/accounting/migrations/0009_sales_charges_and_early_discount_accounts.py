"""The accounts document-level charges (7085) and early-payment discounts (665) post to."""

from django.db import migrations


def seed(apps, schema_editor):
    from comptoir.accounting.chart import ACCOUNTS

    Account = apps.get_model("accounting", "Account")
    for code, name, reconcilable in ACCOUNTS:
        if code in ("665", "7085"):
            Account.objects.get_or_create(code=code, defaults={"name": name, "reconcilable": reconcilable})


class Migration(migrations.Migration):
    dependencies = [("accounting", "0008_vat_settlement")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]

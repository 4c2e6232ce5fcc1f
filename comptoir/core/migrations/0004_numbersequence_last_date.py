from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0003_audit_head_without_hash"),
    ]

    operations = [
        migrations.AddField(
            model_name="numbersequence",
            name="last_date",
            field=models.DateField(blank=True, null=True),
        ),
    ]

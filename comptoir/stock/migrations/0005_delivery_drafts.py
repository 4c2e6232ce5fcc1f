from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("stock", "0004_alter_stockmove_kind")]

    operations = [
        migrations.RemoveIndex(model_name="delivery", name="stock_deliv_status_dffb82_idx"),
        migrations.AddIndex(
            model_name="delivery",
            index=models.Index(
                condition=models.Q(("status", "draft")), fields=["date", "id"], name="delivery_drafts"
            ),
        ),
    ]

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("sales", "0004_order_order_date_id")]

    operations = [
        migrations.AddIndex(
            model_name="orderline",
            index=models.Index(
                condition=models.Q(("quantity_delivered__lt", models.F("quantity"))),
                fields=["product"],
                name="orderline_to_deliver",
            ),
        ),
        migrations.AddIndex(
            model_name="orderline",
            index=models.Index(
                condition=models.Q(("quantity_invoiced__lt", models.F("quantity"))),
                fields=["order"],
                name="orderline_to_invoice",
            ),
        ),
        migrations.AddIndex(
            model_name="quote",
            index=models.Index(fields=["date", "id"], name="quote_date_id"),
        ),
    ]

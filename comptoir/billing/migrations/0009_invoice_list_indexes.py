from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("billing", "0008_invoiceline_price_reduction")]

    operations = [
        migrations.AddIndex(
            model_name="invoice",
            index=models.Index(condition=models.Q(("status", "draft")), fields=["id"], name="invoice_drafts"),
        ),
        migrations.RemoveIndex(model_name="invoice", name="billing_inv_status_99455f_idx"),
        migrations.AddIndex(
            model_name="invoice",
            index=models.Index(
                fields=["status", "date", "total_untaxed"], name="invoice_status_date_untaxed"
            ),
        ),
    ]

from django.db import migrations

from comptoir.core.substring_search import upper_trigram_index


class Migration(migrations.Migration):
    dependencies = [("billing", "0009_invoice_list_indexes")]

    operations = [upper_trigram_index("billing_invoice", "number")]

from django.db import migrations

from comptoir.core.substring_search import upper_trigram_index


class Migration(migrations.Migration):
    dependencies = [("stock", "0005_delivery_drafts")]

    operations = [upper_trigram_index("stock_delivery", "number")]

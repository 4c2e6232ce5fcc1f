from django.db import migrations

from comptoir.core.substring_search import upper_trigram_index


class Migration(migrations.Migration):
    dependencies = [("sales", "0005_work_in_progress_indexes")]

    operations = [upper_trigram_index("sales_order", "number")]

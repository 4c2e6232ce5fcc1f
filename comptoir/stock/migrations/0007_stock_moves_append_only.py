"""Stock moves are append-only in the database, on PostgreSQL and SQLite: on hand and the weighted
average cost are the history of the moves, so a move is never updated or deleted (TRUNCATE refused on
PostgreSQL); a correction is a new move.

No service updates or deletes a move (`stock.services` only inserts them; `StockMove.save()` already
refused changes). Only the owner of the tables can disable these triggers: the application runs under
another role (`comptoir grant-app-role`, README).
"""

from django.db import migrations

from comptoir.core.append_only import append_only


class Migration(migrations.Migration):
    dependencies = [
        ("stock", "0006_delivery_number_trigram"),
        ("core", "0005_guards"),
    ]
    operations = [append_only("stock_stockmove")]

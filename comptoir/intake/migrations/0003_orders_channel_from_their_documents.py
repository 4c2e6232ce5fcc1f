"""The orders taken from received documents before Order.channel existed: their channel from the document
(the rule of intake.channels, frozen here). Every other order stays « Saisie » (manual): whether one came
through the API was not recorded."""

from django.db import migrations

EDI_FORMATS = ("order_x", "ubl_order", "edifact_orders")


def channel_of(channel: str, file_format: str) -> str:
    if file_format in EDI_FORMATS:
        return "edi"
    if channel == "mail" or file_format == "email":
        return "email"
    return "document"


def set_channels(apps, schema_editor):
    InboundDocument = apps.get_model("intake", "InboundDocument")
    Order = apps.get_model("sales", "Order")
    found = InboundDocument.objects.filter(order__isnull=False).values_list("order_id", "channel", "format")
    by_channel: dict[str, list[int]] = {}
    for order_id, channel, file_format in found.iterator():
        by_channel.setdefault(channel_of(channel, file_format), []).append(order_id)
    for channel, ids in by_channel.items():
        for start in range(0, len(ids), 500):
            Order.objects.filter(pk__in=ids[start : start + 500]).update(channel=channel)


class Migration(migrations.Migration):
    dependencies = [
        ("intake", "0002_mail_messages_and_policy"),
        ("sales", "0011_order_channel"),
    ]

    operations = [migrations.RunPython(set_channels, migrations.RunPython.noop)]

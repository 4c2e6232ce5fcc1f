"""Writing back a handful of locked rows.

Services update a few rows they have locked (an order's lines, a delivery's stock levels). Django's
`bulk_update` builds one CASE WHEN per field in Python, which costs more than it saves below a few dozen
rows; one UPDATE per row is simpler and faster here.
"""


def update_each(objects, fields: list[str]) -> None:
    for obj in objects:
        type(obj).objects.filter(pk=obj.pk).update(**{field: getattr(obj, field) for field in fields})

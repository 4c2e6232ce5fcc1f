"""Writing back a handful of locked rows in one statement.

Services update a few rows they have locked (an order's lines, a delivery's stock levels). One UPDATE
per row costs one round trip each; Django's `bulk_update` costs more Python than it saves at this size.
This builds the single `UPDATE … SET f = CASE id WHEN … END WHERE id IN (…)` directly, with the values
prepared by each field, so it is one round trip whatever the number of rows.
"""

from django.db import connections, router


def update_each(objects, fields: list[str]) -> None:
    objects = [obj for obj in objects]
    if not objects:
        return
    model = type(objects[0])
    connection = connections[router.db_for_write(model)]
    quote = connection.ops.quote_name
    pk = model._meta.pk
    assignments, params = [], []
    for name in fields:
        field = model._meta.get_field(name)
        cast = field.cast_db_type(connection)
        whens = []
        for obj in objects:
            whens.append(f"WHEN %s THEN CAST(%s AS {cast})")
            params += [obj.pk, field.get_db_prep_save(getattr(obj, field.attname), connection)]
        assignments.append(f"{quote(field.column)} = CASE {quote(pk.column)} {' '.join(whens)} END")
    params += [obj.pk for obj in objects]
    placeholders = ", ".join(["%s"] * len(objects))
    sql = (
        f"UPDATE {quote(model._meta.db_table)} SET {', '.join(assignments)} "
        f"WHERE {quote(pk.column)} IN ({placeholders})"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def add_each(model, field_name: str, deltas: dict) -> None:
    """`field += delta` on each row {pk: delta}, in one UPDATE that locks the rows and reads their
    current value itself, so a counter is never overwritten with a stale one."""
    if not deltas:
        return
    connection = connections[router.db_for_write(model)]
    quote = connection.ops.quote_name
    field = model._meta.get_field(field_name)
    cast = field.cast_db_type(connection)
    pk = quote(model._meta.pk.column)
    column = quote(field.column)
    whens, params = [], []
    for key, delta in deltas.items():
        whens.append(f"WHEN %s THEN CAST(%s AS {cast})")
        params += [key, field.get_db_prep_save(delta, connection)]
    params += list(deltas)
    sql = (
        f"UPDATE {quote(model._meta.db_table)} SET {column} = {column} + CASE {pk} {' '.join(whens)} END "
        f"WHERE {pk} IN ({', '.join(['%s'] * len(deltas))})"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def insert_one(obj) -> None:
    """INSERT one new row (no save() hooks, no signals) and set its primary key.

    For the append-only rows written on every business action (audit events): the ORM's insert path
    compiles a query each time, which this skips. Every concrete field is written as prepared by the
    field itself, exactly as the ORM would.
    """
    model = type(obj)
    connection = connections[router.db_for_write(model)]
    quote = connection.ops.quote_name
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    columns = ", ".join(quote(f.column) for f in fields)
    params = [f.get_db_prep_save(f.pre_save(obj, add=True), connection) for f in fields]
    pk = model._meta.pk
    sql = (
        f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES ({', '.join(['%s'] * len(fields))}) "
        f"RETURNING {quote(pk.column)}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        setattr(obj, pk.attname, cursor.fetchone()[0])
    obj._state.adding = False
    obj._state.db = connection.alias

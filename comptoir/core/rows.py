"""Writing a handful of rows in one statement: new ones (inserts), or locked ones written back.

Services update a few rows they have locked (an order's lines, a delivery's stock levels). One UPDATE
per row costs one round trip each; Django's `bulk_update` costs more Python than it saves at this size.
This builds the single `UPDATE … SET f = CASE id WHEN … END WHERE id IN (…)` directly, with the values
prepared by each field, so it is one round trip whatever the number of rows.
"""

from django.db import DatabaseError, connections, router


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


_UPDATE_ONE_SQL: dict = {}


def update_one(obj, fields: list[str] | None = None) -> None:
    """Write back the named fields (all of them by default) of one row the caller has locked:
    `obj.save(update_fields=fields)` without the ORM's per-call query building. As `save()`, a field
    with `auto_now` takes the current time. Not for models whose `save()` guards their rows."""
    model = type(obj)
    connection = connections[router.db_for_write(model)]
    key = (model, tuple(fields) if fields is not None else None, connection.alias)
    plan = _UPDATE_ONE_SQL.get(key)
    if plan is None:
        quote = connection.ops.quote_name
        meta = model._meta
        chosen = (
            [f for f in meta.concrete_fields if not f.primary_key]
            if fields is None
            else [meta.get_field(name) for name in fields]
        )
        sql = (
            f"UPDATE {quote(meta.db_table)} SET {', '.join(f'{quote(f.column)} = %s' for f in chosen)} "
            f"WHERE {quote(meta.pk.column)} = %s"
        )
        plan = _UPDATE_ONE_SQL[key] = (sql, chosen)
    sql, chosen = plan
    obj._prepare_related_fields_for_save(operation_name="save")
    params = [f.get_db_prep_save(f.pre_save(obj, add=False), connection) for f in chosen]
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, obj.pk])
        if cursor.rowcount != 1:  # as save(update_fields=…) does
            raise DatabaseError(f"{model._meta.label} {obj.pk}: the update did not affect one row")


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


def delete_where_in(model, field_name: str, values) -> int:
    """DELETE the rows whose `field` is one of `values`, in one statement: for rows nothing refers to
    and no `delete()` guards (an index of open items), where the ORM's collector is pure cost."""
    values = list(values)
    if not values:
        return 0
    connection = connections[router.db_for_write(model)]
    quote = connection.ops.quote_name
    column = quote(model._meta.get_field(field_name).column)
    deleted = 0
    # In batches within the backend's limit on parameters (a year-end closing deletes tens of thousands).
    size = max_params(connection)
    for start in range(0, len(values), size):
        chunk = values[start : start + size]
        sql = (
            f"DELETE FROM {quote(model._meta.db_table)} WHERE {column} IN ({', '.join(['%s'] * len(chunk))})"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, chunk)
            deleted += cursor.rowcount
    return deleted


def max_params(connection) -> int:
    """Parameters one statement may carry on this backend (SQLite's compiled limit, PostgreSQL's 65,535)."""
    return min(getattr(connection.features, "max_query_params", None) or 65_535, 65_535)


def insert_values(model, columns: list[str], values: list[tuple]) -> int:
    """INSERT rows given as plain tuples of column values (ids, dates, decimals, booleans), in batches:
    for many rows of a model with no save() hook that a service builds from ids it already holds (the
    open items and carried items of a year-end closing), without a model instance per row."""
    if not values:
        return 0
    connection = connections[router.db_for_write(model)]
    quote = connection.ops.quote_name
    head = f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(c) for c in columns)}) VALUES "
    row = f"({', '.join(['%s'] * len(columns))})"
    size = max(1, max_params(connection) // len(columns))
    for start in range(0, len(values), size):
        chunk = values[start : start + size]
        with connection.cursor() as cursor:
            cursor.execute(head + ", ".join([row] * len(chunk)), [v for values_ in chunk for v in values_])
    return len(values)


def reserve_ids(model, count: int) -> list[int]:
    """`count` new primary keys of `model` taken from its sequence before the rows are written (rows
    copied in SQL that the caller must know one by one). PostgreSQL: from the identity sequence, so other
    transactions never take them. SQLite: after the highest id, the database being locked for writing
    by the transaction (the caller's) that will write them."""
    if count <= 0:
        return []
    connection = connections[router.db_for_write(model)]
    table = model._meta.db_table
    column = model._meta.pk.column
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [connection.ops.quote_name(table), column, count],
            )
            return sorted(row[0] for row in cursor.fetchall())
        cursor.execute(
            f"SELECT COALESCE(MAX({connection.ops.quote_name(column)}), 0) FROM {connection.ops.quote_name(table)}"
        )
        (highest,) = cursor.fetchone()
        # AUTOINCREMENT never reuses an id: start after the highest it ever gave as well.
        cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
        found = cursor.fetchone()
        highest = max(highest, found[0] if found else 0)
        return list(range(highest + 1, highest + 1 + count))


def insert_many(objects: list) -> list:
    """INSERT new rows in one statement (no save() hooks, no signals) and set their primary keys.

    For the rows every business action writes (documents, their lines, entries, audit events): the
    ORM's insert path (`create()`, `bulk_create()`) costs more Python than the database takes to
    insert a handful of rows. Every concrete field is written as prepared by the field itself, exactly
    as the ORM would; a related object assigned before it was saved gives its id as it does in
    `bulk_create()`. The models' save() guards refuse changes to frozen rows; the database's triggers
    refuse the same, these inserts included. Ids come back in the order of the rows (RETURNING, as
    `bulk_create()` relies on).
    """
    objects = list(objects)
    if not objects:
        return objects
    model = type(objects[0])
    connection = connections[router.db_for_write(model)]
    quote = connection.ops.quote_name
    pk = model._meta.pk
    # The database numbers an auto primary key; any other (a one-to-one as primary key) is written.
    auto_pk = getattr(pk, "db_returning", False)
    # A generated column is the database's to write.
    fields = [
        f
        for f in model._meta.concrete_fields
        if not (f.primary_key and auto_pk) and not getattr(f, "generated", False)
    ]
    head = f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) VALUES "
    row = f"({', '.join(['%s'] * len(fields))})"
    # Within the backend's limit on parameters per statement (SQLite's, PostgreSQL's 65,535).
    batch = max(1, min(connection.ops.bulk_batch_size(fields, objects), 65_535 // max(len(fields), 1)))
    for start in range(0, len(objects), batch):
        chunk = objects[start : start + batch]
        params = []
        for obj in chunk:
            obj._prepare_related_fields_for_save(operation_name="bulk_create")
            params += [f.get_db_prep_save(f.pre_save(obj, add=True), connection) for f in fields]
        sql = f"{head}{', '.join([row] * len(chunk))} RETURNING {quote(pk.column)}"
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            ids = cursor.fetchall()
        for obj, (pk_value,) in zip(chunk, ids, strict=True):
            setattr(obj, pk.attname, pk_value)
            obj._state.adding = False
            obj._state.db = connection.alias
    return objects


def insert_one(obj):
    """`insert_many([obj])`: one new row, its primary key set; returns the object."""
    insert_many([obj])
    return obj

"""Gap-free document numbers: `FA-2026-00001`, one continuous series per prefix and year.

The number is taken inside the caller's transaction from a locked counter row, so a rollback gives
it back and two concurrent issues never get the same one (CGI ann. II art. 242 nonies A, I-7°).
Numbers satisfy BR-FR-01/02: at most 35 characters from A-Z a-z 0-9 + - _ /.
"""

from django.db import transaction

from comptoir.core.models import NumberSequence

_INCREMENT_SQL = (
    f'UPDATE "{NumberSequence._meta.db_table}" SET "last_value" = "last_value" + 1 '
    'WHERE "series" = %s AND "year" = %s RETURNING "last_value"'
)


def format_number(series: str, year: int, value: int) -> str:
    return f"{series}-{year}-{value:05d}"


def next_value(series: str, year: int) -> int:
    """Take the next value of a counter, locked until the caller's transaction ends."""
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        raise RuntimeError("a number must be taken inside the transaction that uses it")
    # One statement increments, locks and reads the counter (UPDATE … RETURNING: PostgreSQL, SQLite ≥ 3.35),
    # so two concurrent issues queue on the row instead of reading the same value.
    with connection.cursor() as cursor:
        cursor.execute(_INCREMENT_SQL, [series, year])
        row = cursor.fetchone()
        if row is None:
            # ignore_conflicts makes the first use of a (series, year) safe when two transactions race.
            NumberSequence.objects.bulk_create(
                [NumberSequence(series=series, year=year)], ignore_conflicts=True
            )
            cursor.execute(_INCREMENT_SQL, [series, year])
            row = cursor.fetchone()
    return int(row[0])


def next_number(series: str, year: int) -> str:
    return format_number(series, year, next_value(series, year))


def peek_last(series: str, year: int) -> int:
    row = NumberSequence.objects.filter(series=series, year=year).values_list("last_value", flat=True).first()
    return row or 0

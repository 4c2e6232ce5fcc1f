"""Gap-free document numbers: `FA-2026-00001`, one continuous series per prefix and year.

The number is taken inside the caller's transaction from a locked counter row, so a rollback gives
it back and two concurrent issues never get the same one (CGI ann. II art. 242 nonies A, I-7°).
Numbers satisfy BR-FR-01/02: at most 35 characters from A-Z a-z 0-9 + - _ /.
"""

import datetime

from django.db import transaction

from comptoir.core.models import NumberSequence

_TABLE = NumberSequence._meta.db_table
_INCREMENT_SQL = f'UPDATE "{_TABLE}" SET "last_value" = "last_value" + 1 WHERE "series" = %s AND "year" = %s RETURNING "last_value"'
# A dated number: taken only if no number of the series was dated later, in the same locked statement.
_INCREMENT_DATED_SQL = (
    f'UPDATE "{_TABLE}" SET "last_value" = "last_value" + 1, "last_date" = %s '
    'WHERE "series" = %s AND "year" = %s AND ("last_date" IS NULL OR "last_date" <= %s) RETURNING "last_value"'
)


class OutOfOrder(Exception):
    """The date asked for is before the date of the last number of the series."""

    def __init__(self, last_date: datetime.date):
        super().__init__(last_date)
        self.last_date = last_date


def format_number(series: str, year: int, value: int) -> str:
    return f"{series}-{year}-{value:05d}"


def next_value(series: str, year: int, *, dated: datetime.date | None = None) -> int:
    """Take the next value of a counter, locked until the caller's transaction ends.

    With `dated`, the series is chronological: the number is refused (`OutOfOrder`) when a number of the
    series was taken for a later date, and the counter remembers this date."""
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        raise RuntimeError("a number must be taken inside the transaction that uses it")
    # One statement increments, locks and reads the counter (UPDATE … RETURNING: PostgreSQL, SQLite ≥ 3.35),
    # so two concurrent issues queue on the row instead of reading the same value.
    sql, params = (
        (_INCREMENT_SQL, [series, year])
        if dated is None
        else (_INCREMENT_DATED_SQL, [dated, series, year, dated])
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
        if row is None:
            # Either the counter does not exist yet, or (dated) it holds a later date; the row is locked
            # before it is read, so the date seen is the one that refused us.
            found = NumberSequence.objects.select_for_update().filter(series=series, year=year).first()
            if found is not None and dated is not None and found.last_date and found.last_date > dated:
                raise OutOfOrder(found.last_date)
            # ignore_conflicts makes the first use of a (series, year) safe when two transactions race.
            NumberSequence.objects.bulk_create(
                [NumberSequence(series=series, year=year)], ignore_conflicts=True
            )
            cursor.execute(sql, params)
            row = cursor.fetchone()
            if row is None:  # a concurrent first use took a later date meanwhile
                raise OutOfOrder(NumberSequence.objects.get(series=series, year=year).last_date)
    return int(row[0])


def next_number(series: str, year: int, *, dated: datetime.date | None = None) -> str:
    return format_number(series, year, next_value(series, year, dated=dated))


def peek_last(series: str, year: int) -> int:
    row = NumberSequence.objects.filter(series=series, year=year).values_list("last_value", flat=True).first()
    return row or 0


def missing(numbers, series=()) -> dict[str, list[int]]:
    """The values missing from each series-year of `format_number` numbers, from 1 up to the counter's
    last value (`series`: the counters' names) or the highest seen: in a gap-free series, a missing
    number is a document deleted behind the application's back, the last one included."""
    seen: dict[str, set[int]] = {}
    for number in numbers:
        prefix, _, value = number.rpartition("-")
        if value.isdigit():
            seen.setdefault(prefix, set()).add(int(value))
    taken = {
        format_number(name, year, 0).rpartition("-")[0]: last
        for name, year, last in NumberSequence.objects.filter(series__in=list(series)).values_list(
            "series", "year", "last_value"
        )
    }
    gaps = {
        prefix: sorted(
            set(range(1, max([*seen.get(prefix, ()), taken.get(prefix, 0)]) + 1)) - seen.get(prefix, set())
        )
        for prefix in {*seen, *taken}
    }
    return {prefix: values for prefix, values in sorted(gaps.items()) if values}


def shown(prefix: str, values: list[int], limit: int = 10) -> str:
    text = ", ".join(f"{prefix}-{n:05d}" for n in values[:limit])
    return text + (f" … ({len(values)} en tout)" if len(values) > limit else "")

"""Gap-free document numbers: `FA-2026-00001`, one continuous series per prefix and year.

The number is taken inside the caller's transaction from a locked counter row, so a rollback gives
it back and two concurrent issues never get the same one (CGI ann. II art. 242 nonies A, I-7°).
Numbers satisfy BR-FR-01/02: at most 35 characters from A-Z a-z 0-9 + - _ /.
"""

from django.db import transaction

from comptoir.core.models import NumberSequence


def format_number(series: str, year: int, value: int) -> str:
    return f"{series}-{year}-{value:05d}"


def next_value(series: str, year: int) -> int:
    """Take the next value of a counter, locked until the caller's transaction ends."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("a number must be taken inside the transaction that uses it")
    seq = NumberSequence.objects.select_for_update().filter(series=series, year=year).first()
    if seq is None:
        # ignore_conflicts makes the first use of a (series, year) safe when two transactions race.
        NumberSequence.objects.bulk_create([NumberSequence(series=series, year=year)], ignore_conflicts=True)
        seq = NumberSequence.objects.select_for_update().get(series=series, year=year)
    seq.last_value += 1
    NumberSequence.objects.filter(pk=seq.pk).update(last_value=seq.last_value)
    return seq.last_value


def next_number(series: str, year: int) -> str:
    return format_number(series, year, next_value(series, year))


def peek_last(series: str, year: int) -> int:
    row = NumberSequence.objects.filter(series=series, year=year).values_list("last_value", flat=True).first()
    return row or 0

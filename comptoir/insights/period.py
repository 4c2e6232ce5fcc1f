"""The period the lead-time, revenue and stock pages read when none is given: the last twelve months
(this month and the eleven before it), which also bounds how many documents their queries rank. Pure."""

import datetime

MONTHS = 12


def first_month(today: datetime.date, months: int = MONTHS) -> datetime.date:
    """The first day of the month `months - 1` months before today's."""
    index = today.year * 12 + today.month - 1 - (months - 1)
    return datetime.date(index // 12, index % 12 + 1, 1)


def resolve(
    date_from: datetime.date | None, date_to: datetime.date | None, *, today: datetime.date
) -> tuple[datetime.date, datetime.date]:
    """The period asked for, its missing ends filled: up to today, from twelve months before its end."""
    date_to = date_to or today
    return date_from or first_month(date_to), date_to

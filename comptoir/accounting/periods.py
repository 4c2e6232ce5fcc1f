"""Which days may carry a business date: the company's backdating window, the locked periods and the
fiscal years opened, each read in one query.

`check_business_date` is the one call every dated service makes (sales, stock, billing, payments,
returns): the pure rules of `core.dates` (not in the future, not before the documents followed, not
beyond the window) plus the period lock. `posting_year` is what `post_entry` asks before it posts: the
fiscal year a person opened around the date (a posting never creates one), not locked at that date.

Locks are read as one date: the latest lock date of any fiscal year. Locking March 2027 locks every day
before it, the whole of 2026 included, as a closing does; unlocking goes through `unlock_period` only.

This module reads the company and the fiscal years and writes nothing; sales and stock, which post
nothing, import it for the dates alone (it imports nothing of theirs).
"""

import calendar
import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction

from comptoir.accounting import errors
from comptoir.accounting.models import FiscalYear
from comptoir.core import dates
from comptoir.core.errors import fail as _fail
from comptoir.parties.models import Company

_COMPANY = Company._meta.db_table
_YEARS = FiscalYear._meta.db_table
_WINDOW_AND_LOCK_SQL = (
    f'SELECT (SELECT "backdating_days" FROM "{_COMPANY}" ORDER BY "id" LIMIT 1), '
    f'(SELECT MAX("lock_date") FROM "{_YEARS}")'
)
_YEAR_AND_LOCK_SQL = (
    f'SELECT "id", "name", "start_date", "end_date", (SELECT MAX("lock_date") FROM "{_YEARS}") '
    f'FROM "{_YEARS}" WHERE "start_date" <= %s AND "end_date" >= %s'
)


@dataclass(frozen=True)
class OpenYear:
    id: int
    name: str
    start_date: datetime.date
    end_date: datetime.date


def _as_date(value) -> datetime.date | None:
    # SQLite hands back dates computed in SQL (MAX) as text.
    return datetime.date.fromisoformat(value) if isinstance(value, str) else value


def _fetch(sql: str, params: list) -> list[tuple]:
    connection = transaction.get_connection()
    with connection.cursor() as cursor:
        cursor.execute(sql, [connection.ops.adapt_datefield_value(p) for p in params])
        return cursor.fetchall()


def _refuse_if_locked(date: datetime.date, lock: datetime.date | None) -> None:
    if lock is not None and date <= lock:
        _fail(errors.PERIOD_LOCKED, lock=dates.fr(lock), date=dates.fr(date))


def check_business_date(
    date: datetime.date | None, *, follows: Iterable[dates.Follows] = ()
) -> datetime.date:
    """The business date of an action (today when None), refused in the future, before a document it
    follows, beyond the company's backdating window, or in a locked period."""
    today = dates.today()
    date = date or today
    [(window, lock)] = _fetch(_WINDOW_AND_LOCK_SQL, [])
    dates.check(
        date,
        today=today,
        backdating_days=dates.DEFAULT_BACKDATING_DAYS if window is None else window,
        follows=follows,
    )
    _refuse_if_locked(date, _as_date(lock))
    return date


def posting_year(date: datetime.date) -> OpenYear:
    """The opened fiscal year containing `date`, which must not be locked there. Never creates a year."""
    found = _fetch(_YEAR_AND_LOCK_SQL, [date, date])
    if not found:
        name, _start, _end = year_bounds(date, start_month())
        _fail(errors.FISCAL_YEAR_NOT_OPEN, date=dates.fr(date), year=name)
    year_id, name, start, end, lock = found[0]
    _refuse_if_locked(date, _as_date(lock))
    return OpenYear(year_id, name, _as_date(start), _as_date(end))


def locked_until() -> datetime.date | None:
    """The lock date in force: nothing may be dated on or before it."""
    return _as_date(_fetch(_WINDOW_AND_LOCK_SQL, [])[0][1])


def start_month() -> int:
    return Company.objects.values_list("fiscal_year_start_month", flat=True).first() or 1


def year_bounds(date: datetime.date, start_month: int) -> tuple[str, datetime.date, datetime.date]:
    """(name, first day, last day) of the fiscal year containing `date` for a year starting on the 1st
    of `start_month`; named by its closing year, or "2026-2027" when it straddles two."""
    start_year = date.year if date.month >= start_month else date.year - 1
    start = datetime.date(start_year, start_month, 1)
    end = datetime.date(start_year + (1 if start_month > 1 else 0), (start_month - 2) % 12 + 1, 1)
    end = end.replace(day=calendar.monthrange(end.year, end.month)[1])
    name = str(end.year) if start_month == 1 else f"{start.year}-{end.year}"
    return name, start, end

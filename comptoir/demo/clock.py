"""The demo's clock: the history is told day by day, and the services must believe it is that day.

The services take the business date of what they record as an argument (`date=`): invoices, deliveries,
payments, and the return cases' openings, receipts and resolutions with the documents they produce. But
some facts are stamped with the current time by the services themselves: every audit event, when a
document was validated or issued, when a milestone was reached, when a return case was submitted,
decided or closed. Without a clock the whole year's audit trail would be dated the day `seed-demo` runs.

So while the story runs, `django.utils.timezone.now()` reads this clock. It is set to each simulated
business day (from 08:30, a few seconds more at each reading, so times stay in order within the day),
and falls back to the real time on today, so nothing is ever stamped in the future.

How: `django.utils.timezone.now()` is `datetime.now(tz=…)` on its module's `datetime` name, which is
swapped for a subclass whose `now()` reads this clock, for the duration of `running()` only. Going
through that name (rather than replacing the function) also reaches the `default=timezone.now` of model
fields, which hold the function itself. Nothing else in that module calls `datetime` while seeding
(only `template_localtime` checks `isinstance(…, datetime)`, and no template is rendered).
"""

import contextlib
import datetime
import zoneinfo

from django.conf import settings
from django.utils import timezone as django_timezone

OPENING = datetime.time(8, 30)
# Each reading moves the clock on a little; a busy day still ends before the evening.
TICK = datetime.timedelta(seconds=20)
LAST_TICK = datetime.timedelta(hours=9, minutes=30)
_REAL_DATETIME = datetime.datetime


class DemoClock:
    def __init__(self, today: datetime.date):
        self.today = today
        self._day: datetime.date | None = None
        self._start: datetime.datetime | None = None
        self._elapsed = datetime.timedelta(0)

    def set_day(self, day: datetime.date) -> None:
        """From now on it is `day` (the real time when `day` is today or later); time goes on if it
        already is."""
        if day == self._day:
            return
        self._day = day
        if day >= self.today:
            self._start = None
            return
        local = zoneinfo.ZoneInfo(settings.TIME_ZONE)
        self._start = _REAL_DATETIME.combine(day, OPENING, tzinfo=local).astimezone(datetime.UTC)
        self._elapsed = datetime.timedelta(0)

    def now(self, tz=None) -> datetime.datetime:
        if self._start is None:
            return _REAL_DATETIME.now(tz)
        self._elapsed = min(self._elapsed + TICK, LAST_TICK)
        moment = self._start + self._elapsed
        return moment.astimezone(tz) if tz is not None else moment.astimezone().replace(tzinfo=None)

    @contextlib.contextmanager
    def running(self):
        """Make `django.utils.timezone.now()` read this clock until the block ends."""
        clock = self

        class _DemoDatetime(_REAL_DATETIME):
            @classmethod
            def now(cls, tz=None):
                return clock.now(tz)

        original = django_timezone.datetime
        django_timezone.datetime = _DemoDatetime
        try:
            yield self
        finally:
            django_timezone.datetime = original

"""When a periodic job runs next, and how long a failed one waits before its next attempt. Pure: no Django.

A schedule is either a cron expression (five fields, minute hour day month weekday, read by croniter, e.g.
"30 2 * * *" every night at 02:30) or a fixed interval in seconds. Cron expressions are read in the
company's time zone, so "every night at 02:30" stays 02:30 across the change to summer time.
"""

import datetime
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from croniter import croniter

MIN_INTERVAL = 60
MAX_INTERVAL = 366 * 24 * 3600
# Retries wait 1, 5, 25… minutes (capped at a day).
BACKOFF_BASE = 60
BACKOFF_FACTOR = 5
BACKOFF_MAX = 24 * 3600


class InvalidSchedule(ValueError):
    pass


@dataclass(frozen=True)
class Schedule:
    cron: str = ""
    interval: int | None = None  # seconds

    def describe(self) -> str:
        if self.cron:
            return f"cron « {self.cron} »"
        return "toutes les " + describe_interval(self.interval or 0)


def describe_interval(seconds: int) -> str:
    for unit, size in (("jour", 86400), ("heure", 3600), ("minute", 60)):
        if seconds >= size and seconds % size == 0:
            count = seconds // size
            return f"{count} {unit}{'s' if count > 1 else ''}" if count > 1 else f"{unit}"
    return f"{seconds} s"


def validate(cron: str = "", interval: int | None = None) -> Schedule:
    """The schedule, or InvalidSchedule saying (in French) what is wrong with it."""
    cron = (cron or "").strip()
    if cron and interval:
        raise InvalidSchedule("Choisissez une expression cron ou un intervalle, pas les deux.")
    if cron:
        if len(cron.split()) != 5 or not croniter.is_valid(cron):
            raise InvalidSchedule(
                f"Expression cron invalide : « {cron[:60]} » (cinq champs : minute heure jour mois jour-semaine)."
            )
        return Schedule(cron=cron)
    if interval is None:
        raise InvalidSchedule("Indiquez une expression cron ou un intervalle.")
    if not MIN_INTERVAL <= interval <= MAX_INTERVAL:
        raise InvalidSchedule(
            f"L'intervalle doit être compris entre {MIN_INTERVAL} secondes et {MAX_INTERVAL // 86400} jours."
        )
    return Schedule(interval=int(interval))


def next_run(schedule: Schedule, after: datetime.datetime, tz: str = "Europe/Paris") -> datetime.datetime:
    """The first moment strictly after `after` (an aware datetime) when the job is due; returned in UTC."""
    if after.tzinfo is None:
        raise ValueError("after must be timezone-aware")
    if schedule.cron:
        local = after.astimezone(ZoneInfo(tz))
        following = croniter(schedule.cron, local).get_next(datetime.datetime)
        return following.astimezone(datetime.UTC)
    return (after + datetime.timedelta(seconds=schedule.interval)).astimezone(datetime.UTC)


def backoff(attempt: int) -> datetime.timedelta:
    """How long to wait after failed attempt number `attempt` (1 = the first) before the next one."""
    seconds = BACKOFF_BASE * BACKOFF_FACTOR ** max(attempt - 1, 0)
    return datetime.timedelta(seconds=min(seconds, BACKOFF_MAX))

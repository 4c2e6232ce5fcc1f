"""Business days of the demo's calendar: weekends and French fixed bank holidays are off."""

import datetime

_FIXED_HOLIDAYS = {(1, 1), (5, 1), (5, 8), (7, 14), (8, 15), (11, 1), (11, 11), (12, 25)}


def is_business_day(day: datetime.date) -> bool:
    return day.weekday() < 5 and (day.month, day.day) not in _FIXED_HOLIDAYS


def add_business_days(day: datetime.date, n: int) -> datetime.date:
    while n > 0 or not is_business_day(day):
        day += datetime.timedelta(days=1)
        if is_business_day(day):
            n -= 1
    return day


def months_before(day: datetime.date, months: int) -> datetime.date:
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    month += 1
    last_day = (datetime.date(year + month // 12, month % 12 + 1, 1) - datetime.timedelta(days=1)).day
    return datetime.date(year, month, min(day.day, last_day))

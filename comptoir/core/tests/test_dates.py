"""The rules of a business date, without a database (core.dates)."""

import datetime

import pytest

from comptoir.core import dates
from comptoir.core.errors import DomainError

TODAY = datetime.date(2027, 3, 15)
UTC = datetime.UTC


def _refused(code, date, **kwargs):
    with pytest.raises(DomainError) as exc:
        dates.check(date, today=TODAY, backdating_days=kwargs.pop("backdating_days", 31), **kwargs)
    assert exc.value.code == code, exc.value.message
    return exc.value.message


def test_today_is_the_day_in_paris_whatever_the_server_zone():
    # 23:30 UTC on 31 December is already New Year's Day in Paris (UTC+1 in winter).
    assert dates.today(datetime.datetime(2026, 12, 31, 23, 30, tzinfo=UTC)) == datetime.date(2027, 1, 1)
    assert dates.today(datetime.datetime(2026, 12, 31, 22, 59, tzinfo=UTC)) == datetime.date(2026, 12, 31)
    # 22:30 UTC on 30 June is 00:30 in Paris (UTC+2 in summer).
    assert dates.today(datetime.datetime(2027, 6, 30, 22, 30, tzinfo=UTC)) == datetime.date(2027, 7, 1)


def test_a_date_in_the_future_is_refused_and_today_is_not():
    dates.check(TODAY, today=TODAY, backdating_days=0)
    message = _refused("date_in_future", TODAY + datetime.timedelta(days=1))
    assert "16/03/2027" in message and "15/03/2027" in message


def test_a_date_before_a_document_it_follows_names_the_latest_of_them():
    follows = [
        *dates.follows("le bon de livraison BL-2027-00003", datetime.date(2027, 3, 10)),
        *dates.follows("le bon de livraison BL-2027-00007", datetime.date(2027, 3, 12)),
        *dates.follows("un brouillon sans date", None),
    ]
    message = _refused("date_before_document", datetime.date(2027, 3, 11), follows=follows)
    assert "BL-2027-00007" in message and "12/03/2027" in message and "11/03/2027" in message
    dates.check(datetime.date(2027, 3, 12), today=TODAY, backdating_days=31, follows=follows)


def test_a_moment_followed_counts_by_its_day_in_paris():
    # A case opened at 00:30 in Paris on 12 March (23:30 UTC on the 11th) was opened on the 12th.
    opened = datetime.datetime(2027, 3, 11, 23, 30, tzinfo=UTC)
    [earlier] = dates.follows("le dossier RET-2027-00001", opened)
    assert earlier.date == datetime.date(2027, 3, 12)


def test_backdating_stops_at_the_companys_window():
    dates.check(TODAY - datetime.timedelta(days=31), today=TODAY, backdating_days=31)
    message = _refused("date_beyond_backdating_window", TODAY - datetime.timedelta(days=32))
    assert "31 jours" in message and "12/02/2027" in message
    _refused("date_beyond_backdating_window", TODAY - datetime.timedelta(days=1), backdating_days=0)
    dates.check(TODAY - datetime.timedelta(days=400), today=TODAY, backdating_days=400)

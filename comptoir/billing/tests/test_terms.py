import datetime

from comptoir.billing.terms import due_date


def test_net_days():
    assert due_date(datetime.date(2026, 1, 15), 30, False) == datetime.date(2026, 2, 14)


def test_days_then_end_of_month():
    assert due_date(datetime.date(2026, 1, 15), 45, True) == datetime.date(2026, 3, 31)
    assert due_date(datetime.date(2026, 12, 20), 30, True) == datetime.date(2027, 1, 31)

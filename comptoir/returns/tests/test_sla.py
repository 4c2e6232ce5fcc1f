"""SLA timers: pure, no database."""

import datetime

from comptoir.returns.sla import deadlines, sla_state

OPENED = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)


def test_deadlines_count_hours_to_answer_and_days_to_close():
    answer, close = deadlines(OPENED, answer_within_hours=48, close_within_days=10)
    assert answer == datetime.datetime(2026, 3, 4, 9, 0, tzinfo=datetime.UTC)
    assert close == datetime.datetime(2026, 3, 12, 9, 0, tzinfo=datetime.UTC)


def test_an_undecided_case_is_late_to_answer_after_its_deadline():
    answer, close = deadlines(OPENED, answer_within_hours=48, close_within_days=10)
    on_time = sla_state(
        OPENED + datetime.timedelta(hours=47), answer_due=answer, close_due=close, decided=False, closed=False
    )
    late = sla_state(
        OPENED + datetime.timedelta(hours=49), answer_due=answer, close_due=close, decided=False, closed=False
    )
    assert not on_time.overdue
    assert late.answer_overdue and not late.close_overdue and late.overdue


def test_a_decided_case_is_only_late_if_not_closed_in_time():
    answer, close = deadlines(OPENED, answer_within_hours=48, close_within_days=10)
    later = OPENED + datetime.timedelta(days=11)
    assert sla_state(later, answer_due=answer, close_due=close, decided=True, closed=False).close_overdue
    assert not sla_state(later, answer_due=answer, close_due=close, decided=True, closed=True).overdue

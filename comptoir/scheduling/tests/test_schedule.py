"""The pure parts: next run of a cron or interval schedule, retry backoff, backup retention."""

import datetime

import pytest

from comptoir.scheduling import retention, schedule

UTC = datetime.UTC


def at(*args):
    return datetime.datetime(*args, tzinfo=UTC)


def test_a_nightly_cron_runs_next_at_its_local_time_in_utc():
    # 02:30 Paris in winter is 01:30 UTC
    nightly = schedule.validate("30 2 * * *")
    assert schedule.next_run(nightly, at(2026, 12, 7, 6, 0)) == at(2026, 12, 8, 1, 30)
    # …and 00:30 UTC in summer
    assert schedule.next_run(nightly, at(2026, 7, 7, 6, 0)) == at(2026, 7, 8, 0, 30)


def test_the_next_run_is_strictly_after_the_moment_given():
    hourly = schedule.validate("0 * * * *")
    assert schedule.next_run(hourly, at(2026, 12, 7, 6, 0)) == at(2026, 12, 7, 7, 0)


def test_an_interval_adds_its_seconds():
    every_five = schedule.validate(interval=300)
    assert schedule.next_run(every_five, at(2026, 12, 7, 6, 0)) == at(2026, 12, 7, 6, 5)
    assert every_five.describe() == "toutes les 5 minutes"


@pytest.mark.parametrize(
    "cron, interval",
    [("61 * * * *", None), ("* * *", None), ("", None), ("", 10), ("0 2 * * *", 600), ("", 10**9)],
)
def test_a_bad_schedule_is_refused_in_french(cron, interval):
    with pytest.raises(schedule.InvalidSchedule) as refused:
        schedule.validate(cron, interval)
    assert refused.value.args[0][0].isupper()


def test_retries_back_off_and_are_capped_at_a_day():
    assert [schedule.backoff(n).total_seconds() for n in (1, 2, 3)] == [60, 300, 1500]
    assert schedule.backoff(20) == datetime.timedelta(days=1)


def test_retention_keeps_the_recent_days_and_the_newest_count():
    now = at(2026, 12, 7, 3, 0)
    backups = {f"b{day}": now - datetime.timedelta(days=day) for day in range(10)}
    assert retention.to_delete(backups, now=now, keep_days=3) == ["b9", "b8", "b7", "b6", "b5", "b4", "b3"]
    assert retention.to_delete(backups, now=now, keep_count=8) == ["b9", "b8"]
    # either rule keeps a backup
    assert retention.to_delete(backups, now=now, keep_days=2, keep_count=4) == [
        f"b{d}" for d in (9, 8, 7, 6, 5, 4)
    ]


def test_retention_never_deletes_the_newest_backup_nor_anything_without_a_policy():
    now = at(2026, 12, 7)
    old = {"only": now - datetime.timedelta(days=400)}
    assert retention.to_delete(old, now=now, keep_days=1) == []
    assert retention.to_delete({"a": now, "b": now}, now=now) == []


def test_the_retention_setting_reads_days_and_counts():
    assert retention.parse_policy("") == (14, None)
    assert retention.parse_policy("30d") == (30, None)
    assert retention.parse_policy("7") == (None, 7)
    assert retention.parse_policy("14d, 10") == (14, 10)
    with pytest.raises(ValueError):
        retention.parse_policy("two weeks")

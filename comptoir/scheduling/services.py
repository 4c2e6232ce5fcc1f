"""Verbs of the scheduling app: keep the job rows in step with the registry, claim and enqueue what is due,
run one job inside its wrapper (history, retries, error kept), run a job now, change a schedule, beat.

A job's run is never audited as a business action (the job's own services audit what they do); changing a
schedule or asking for a run by hand is.
"""

import datetime
import logging
import os
import socket
import time
import traceback

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks.base import Task

from comptoir.core import audit, permissions
from comptoir.core.errors import NotFound
from comptoir.core.errors import fail as _fail
from comptoir.scheduling import errors, registry, schedule
from comptoir.scheduling.models import JobRun, ScheduledJob, WorkerHeartbeat

log = logging.getLogger("comptoir.scheduling")

ERROR_MAX = 4000


def _schedule_of(job: ScheduledJob) -> schedule.Schedule:
    return schedule.Schedule(cron=job.cron, interval=job.interval_seconds)


def _next(job: ScheduledJob, after: datetime.datetime) -> datetime.datetime:
    return schedule.next_run(_schedule_of(job), after, settings.TIME_ZONE)


def sync_jobs(now: datetime.datetime | None = None) -> list[ScheduledJob]:
    """Create the row of every job of the registry that has none, with its default schedule. Existing rows
    keep the schedule set in the app; rows of jobs no longer in the registry stay (history) but are never
    enqueued."""
    now = now or timezone.now()
    existing = set(ScheduledJob.objects.values_list("name", flat=True))
    for spec in registry.JOBS.values():
        if spec.name in existing:
            continue
        job = ScheduledJob(name=spec.name, cron=spec.default.cron, interval_seconds=spec.default.interval)
        job.next_run = _next(job, now)
        ScheduledJob.objects.bulk_create([job], ignore_conflicts=True)
    return list(ScheduledJob.objects.filter(name__in=registry.JOBS))


def _enqueue(name: str, *, attempt: int = 1, trigger: str = JobRun.Trigger.SCHEDULE, run_after=None):
    from comptoir.scheduling.tasks import run_job

    task = run_job.using(run_after=run_after) if run_after is not None else run_job
    return task.enqueue(name, attempt=attempt, trigger=trigger)


def tick(now: datetime.datetime | None = None) -> list[str]:
    """One pass of the scheduler: enqueue every enabled job whose next run has come, once.

    The claim is `UPDATE … SET next_run = <following> WHERE id = ? AND next_run = <the value read>`: of two
    schedulers that read the same due row, only the first UPDATE matches (PostgreSQL re-checks the WHERE
    on the row the other committed; SQLite has one writer at a time), and the loser enqueues nothing. On
    PostgreSQL the due rows are also read with SKIP LOCKED, so a second scheduler passes over the rows the
    first is claiming instead of waiting for it. Claim and enqueue share one transaction (the queue is in
    the same database): a claimed run is queued, or neither happened.
    """
    now = now or timezone.now()
    sync_jobs(now)
    enqueued = []
    due = ScheduledJob.objects.filter(enabled=True, next_run__lte=now, name__in=registry.JOBS).order_by(
        "next_run"
    )
    with transaction.atomic():
        if connection.features.has_select_for_update_skip_locked:
            due = due.select_for_update(skip_locked=True)
        for job in list(due):
            following = _next(job, now)
            claimed = ScheduledJob.objects.filter(pk=job.pk, next_run=job.next_run).update(
                next_run=following, status=ScheduledJob.Status.QUEUED
            )
            if claimed:
                _enqueue(job.name)
                enqueued.append(job.name)
                log.info("job %s enqueued; next run %s", job.name, following.isoformat())
        beat("scheduler", now=now)
        _ping_worker(now)
    return enqueued


# The worker beats when it runs a job; when it has nothing to run, the scheduler sends it a ping task at
# most this often, so a live but idle worker still shows a recent heartbeat (`/readyz`).
PING_EVERY = datetime.timedelta(seconds=60)


def _ping_worker(now: datetime.datetime) -> None:
    seen = WorkerHeartbeat.objects.filter(kind__in=("worker", "ping")).values_list("kind", "seen_at")
    last = dict(seen)
    if any(kind in last and now - last[kind] < PING_EVERY for kind in ("worker", "ping")):
        return
    from django_tasks_db.models import DBTaskResult

    from comptoir.scheduling.tasks import heartbeat

    pending = DBTaskResult.objects.filter(task_path=heartbeat.module_path, finished_at__isnull=True)
    if not pending.exists():  # a dead worker must not pile pings up
        heartbeat.enqueue()
    beat("ping", now=now)
    # Finished pings are of no further interest: keep the queue table small.
    DBTaskResult.objects.filter(
        task_path=heartbeat.module_path, finished_at__lt=now - datetime.timedelta(hours=1)
    ).delete()


def beat(kind: str, *, now: datetime.datetime | None = None) -> None:
    """Say that this process (the worker running a job, the scheduler on its tick) is alive."""
    now = now or timezone.now()
    detail = f"{socket.gethostname()}:{os.getpid()}"[:200]
    updated = WorkerHeartbeat.objects.filter(kind=kind).update(seen_at=now, detail=detail)
    if not updated:
        WorkerHeartbeat.objects.bulk_create(
            [WorkerHeartbeat(kind=kind, seen_at=now, detail=detail)], ignore_conflicts=True
        )


def _call(path: str):
    target = import_string(path)
    if isinstance(target, Task):
        return target.call()
    return target()


def execute(name: str, *, attempt: int = 1, trigger: str = JobRun.Trigger.SCHEDULE) -> JobRun:
    """Run one job now, in this process (the worker's side of `tasks.run_job`): record a JobRun, catch what
    it raises, keep the error on the job, and enqueue the next attempt with a backoff until the job's
    maximum attempts; after that the job stays failed, on the page and in the logs, until a run succeeds."""
    spec = registry.get(name)
    job = ScheduledJob.objects.filter(name=name).first()
    if spec is None or job is None:
        _fail(errors.UNKNOWN_JOB, name=str(name)[:60])
    beat("worker")
    started = timezone.now()
    run = JobRun.objects.create(job=job, trigger=trigger, attempt=attempt, started_at=started)
    ScheduledJob.objects.filter(pk=job.pk).update(status=ScheduledJob.Status.RUNNING, last_started_at=started)
    clock = time.monotonic()
    try:
        result = _call(spec.path)
    except Exception as exc:  # recorded, logged and retried below: a job never fails silently
        duration = time.monotonic() - clock
        finished = timezone.now()
        text = f"{type(exc).__name__}: {exc}"
        detail = (text + "\n\n" + traceback.format_exc())[:ERROR_MAX]
        retry = attempt < spec.max_attempts
        retry_at = finished + schedule.backoff(attempt) if retry else None
        with transaction.atomic():
            run.finished_at, run.duration, run.error = finished, duration, detail
            run.status = JobRun.Status.RETRYING if retry else JobRun.Status.FAILED
            run.retry_at = retry_at
            run.save(update_fields=["finished_at", "duration", "error", "status", "retry_at"])
            job.refresh_from_db()
            job.status = ScheduledJob.Status.RETRYING if retry else ScheduledJob.Status.FAILED
            job.last_finished_at, job.last_duration = finished, duration
            job.last_error, job.last_error_at = text[:ERROR_MAX], finished
            job.consecutive_failures += 1
            job.save()
            if retry:
                _enqueue(name, attempt=attempt + 1, trigger=JobRun.Trigger.RETRY, run_after=retry_at)
        if retry:
            log.warning(
                "job %s failed (attempt %s/%s), retry at %s: %s",
                name,
                attempt,
                spec.max_attempts,
                retry_at.isoformat(),
                text,
            )
        else:
            log.error("job %s failed for good (attempt %s/%s): %s", name, attempt, spec.max_attempts, text)
        return run
    duration = time.monotonic() - clock
    finished = timezone.now()
    with transaction.atomic():
        run.finished_at, run.duration, run.status = finished, duration, JobRun.Status.OK
        run.result = "" if result is None else str(result)[:1000]
        run.save(update_fields=["finished_at", "duration", "status", "result"])
        ScheduledJob.objects.filter(pk=job.pk).update(
            status=ScheduledJob.Status.OK,
            last_finished_at=finished,
            last_duration=duration,
            consecutive_failures=0,
        )
    beat("worker")
    log.info("job %s done in %.1f s", name, duration)
    return run


def _job(name: str) -> ScheduledJob:
    job = ScheduledJob.objects.select_for_update().filter(name=name, name__in=registry.JOBS).first()
    if job is None:
        raise NotFound(*errors.UNKNOWN_JOB, name=str(name)[:60])
    return job


@transaction.atomic
def run_now(name: str, *, by) -> ScheduledJob:
    """Queue a run of the job at once, whatever its schedule (the page's "Lancer maintenant")."""
    permissions.require(by, "jobs.manage")
    job = _job(name)
    _enqueue(name, trigger=JobRun.Trigger.MANUAL)
    job.status = ScheduledJob.Status.QUEUED
    job.save(update_fields=["status", "updated_at"])
    audit.record("job.run_requested", by=by, obj=job, object_repr=name, data={})
    return job


@transaction.atomic
def update_schedule(name: str, *, by, enabled: bool, cron: str = "", interval_seconds: int | None = None):
    """Set when a job runs (cron expression or interval) and whether it runs at all; audited with the
    values before and after. The next run is computed again from now."""
    permissions.require(by, "jobs.manage")
    job = _job(name)
    try:
        new = schedule.validate(cron, interval_seconds)
    except schedule.InvalidSchedule as exc:
        _fail(errors.INVALID_SCHEDULE, reason=str(exc))
    before = {"enabled": job.enabled, "cron": job.cron, "interval_seconds": job.interval_seconds}
    job.enabled, job.cron, job.interval_seconds = enabled, new.cron, new.interval
    job.next_run = _next(job, timezone.now())
    job.save()
    after = {"enabled": job.enabled, "cron": job.cron, "interval_seconds": job.interval_seconds}
    audit.record(
        "job.schedule_changed", by=by, obj=job, object_repr=name, data={"before": before, "after": after}
    )
    return job

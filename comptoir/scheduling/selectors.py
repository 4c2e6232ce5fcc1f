"""Reads of the scheduling app: the jobs page, the API, and the worker heartbeat /readyz asks for."""

import datetime
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext

from comptoir.scheduling import registry, schedule
from comptoir.scheduling.models import JobRun, ScheduledJob, WorkerHeartbeat


@dataclass
class JobRow:
    job: ScheduledJob
    label: str
    description: str
    schedule: str
    max_attempts: int
    last_run: JobRun | None


def jobs() -> list[JobRow]:
    """Every registered job with its schedule and its last run, in the registry's order."""
    rows = {job.name: job for job in ScheduledJob.objects.filter(name__in=registry.JOBS)}
    out = []
    for spec in registry.JOBS.values():
        job = rows.get(spec.name)
        if job is None:
            continue
        out.append(
            JobRow(
                job=job,
                label=gettext(spec.label),
                description=gettext(spec.description) if spec.description else "",
                schedule=schedule.Schedule(cron=job.cron, interval=job.interval_seconds).describe(),
                max_attempts=spec.max_attempts,
                last_run=job.runs.first(),
            )
        )
    return out


def recent_runs(limit: int = 30):
    return JobRun.objects.select_related("job").order_by("-started_at", "-pk")[:limit]


def worker_heartbeat_age(kind: str = "worker", now: datetime.datetime | None = None) -> float | None:
    """Seconds since the worker (or "scheduler") last said it was alive; None if it never did."""
    seen = WorkerHeartbeat.objects.filter(kind=kind).values_list("seen_at", flat=True).first()
    if seen is None:
        return None
    return max(((now or timezone.now()) - seen).total_seconds(), 0.0)

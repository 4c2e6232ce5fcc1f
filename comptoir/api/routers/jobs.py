"""Scheduled jobs, read-only: schedule, last and next run, duration, last error (direction, admin)."""

import datetime

from ninja import Field, Router, Schema

from comptoir.api.access import can_read
from comptoir.api.schemas import responses
from comptoir.scheduling import selectors, services

router = Router(tags=["Tâches planifiées"])


class JobOut(Schema):
    name: str
    label: str
    schedule: str = Field(description="La planification en clair (cron ou intervalle).")
    cron: str
    interval_seconds: int | None
    enabled: bool
    status: str = Field(description="never, queued, running, ok, retrying ou failed.")
    last_started_at: datetime.datetime | None
    last_finished_at: datetime.datetime | None
    last_duration_seconds: float | None
    next_run: datetime.datetime | None
    last_error: str
    last_error_at: datetime.datetime | None
    consecutive_failures: int
    max_attempts: int


class JobsOut(Schema):
    jobs: list[JobOut]
    worker_heartbeat_age_seconds: float | None = Field(
        description="Secondes depuis le dernier signe de vie du worker (null : jamais vu)."
    )


@router.get("", response=responses(JobsOut), summary="Les tâches planifiées et leurs derniers passages")
def list_jobs(request):
    can_read(request, "jobs.manage")
    services.sync_jobs()  # a job added to the registry shows before the scheduler's next tick
    return {
        "jobs": [
            {
                "name": row.job.name,
                "label": row.label,
                "schedule": row.schedule,
                "cron": row.job.cron,
                "interval_seconds": row.job.interval_seconds,
                "enabled": row.job.enabled,
                "status": row.job.status,
                "last_started_at": row.job.last_started_at,
                "last_finished_at": row.job.last_finished_at,
                "last_duration_seconds": row.job.last_duration,
                "next_run": row.job.next_run if row.job.enabled else None,
                "last_error": row.job.last_error,
                "last_error_at": row.job.last_error_at,
                "consecutive_failures": row.job.consecutive_failures,
                "max_attempts": row.max_attempts,
            }
            for row in selectors.jobs()
        ],
        "worker_heartbeat_age_seconds": selectors.worker_heartbeat_age("worker"),
    }

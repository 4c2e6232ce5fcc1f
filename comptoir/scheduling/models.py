"""Periodic jobs as the app schedules them, their run history, and the worker's heartbeat.

What a job does (its task, its label) lives in code (`registry.py`); when it runs lives here, set from the
jobs page. The scheduler (`comptoir scheduler`) claims due rows by moving `next_run` forward with a
conditional UPDATE, so two schedulers never enqueue the same run twice.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ScheduledJob(models.Model):
    class Status(models.TextChoices):
        NEVER = "never", _("Jamais lancée")
        QUEUED = "queued", _("En file")
        RUNNING = "running", _("En cours")
        OK = "ok", _("Réussie")
        RETRYING = "retrying", _("Nouvel essai prévu")
        FAILED = "failed", _("Échec")

    name = models.CharField(max_length=60, unique=True)
    enabled = models.BooleanField(default=True)
    cron = models.CharField(max_length=100, blank=True)
    interval_seconds = models.PositiveIntegerField(null=True, blank=True)
    next_run = models.DateTimeField(null=True, blank=True, db_index=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.NEVER)
    last_started_at = models.DateTimeField(null=True, blank=True)
    last_finished_at = models.DateTimeField(null=True, blank=True)
    last_duration = models.FloatField(null=True, blank=True)  # seconds
    last_error = models.TextField(blank=True)
    last_error_at = models.DateTimeField(null=True, blank=True)
    consecutive_failures = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(cron="") | models.Q(interval_seconds__isnull=False),
                name="scheduledjob_has_a_schedule",
            )
        ]

    def __str__(self):
        return self.name


class JobRun(models.Model):
    class Status(models.TextChoices):
        RUNNING = "running", _("En cours")
        OK = "ok", _("Réussi")
        RETRYING = "retrying", _("Échec, nouvel essai prévu")
        FAILED = "failed", _("Échec")

    class Trigger(models.TextChoices):
        SCHEDULE = "schedule", _("Planification")
        MANUAL = "manual", _("Lancement manuel")
        RETRY = "retry", _("Nouvel essai")

    job = models.ForeignKey(ScheduledJob, on_delete=models.CASCADE, related_name="runs")
    trigger = models.CharField(max_length=10, choices=Trigger.choices, default=Trigger.SCHEDULE)
    attempt = models.PositiveSmallIntegerField(default=1)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    duration = models.FloatField(null=True, blank=True)  # seconds
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RUNNING)
    result = models.TextField(blank=True)
    error = models.TextField(blank=True)
    retry_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at", "-pk"]
        indexes = [models.Index(fields=["job", "-started_at"], name="jobrun_job_started")]


class WorkerHeartbeat(models.Model):
    """One row per process kind ("worker", "scheduler"): the last moment it was seen alive."""

    kind = models.CharField(max_length=20, unique=True)
    seen_at = models.DateTimeField()
    detail = models.CharField(max_length=200, blank=True)

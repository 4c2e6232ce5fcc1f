"""Scheduled jobs (comptoir/scheduling): schedule, last and next run, duration, errors; run one now,
change its schedule. Direction and administrators only."""

from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from comptoir.scheduling import selectors, services
from comptoir.web.views.common import action, param, perform, requires


@requires("jobs.manage")
def jobs_page(request):
    services.sync_jobs()  # a job added to the registry shows before the scheduler's next tick
    return render(
        request,
        "web/settings/jobs.html",
        {
            "rows": selectors.jobs(),
            "runs": selectors.recent_runs(),
            "worker_age": selectors.worker_heartbeat_age("worker"),
            "scheduler_age": selectors.worker_heartbeat_age("scheduler"),
        },
    )


@action("jobs.manage")
def job_run_now(request, name):
    perform(
        request,
        lambda: services.run_now(name, by=request.user),
        _("Tâche mise en file : elle démarre dès que le worker la prend."),
    )
    return redirect("web:jobs")


@action("jobs.manage")
def job_schedule(request, name):
    interval = param(request.POST, "interval_minutes", 10)
    minutes = int(interval) if interval.isdigit() else None
    perform(
        request,
        lambda: services.update_schedule(
            name,
            by=request.user,
            enabled=request.POST.get("enabled") == "1",
            cron=param(request.POST, "cron", 100) if request.POST.get("kind") != "interval" else "",
            interval_seconds=minutes * 60
            if minutes is not None and request.POST.get("kind") == "interval"
            else None,
        ),
        _("Planification enregistrée."),
    )
    return redirect("web:jobs")

"""The scheduler enqueues each due run once, the wrapper keeps every run and error in sight and retries,
and the jobs page shows it all to direction."""

import datetime
import threading

import pytest
from django.core.management import call_command
from django.db import connection, connections
from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from comptoir.core.errors import DomainError
from comptoir.core.models import AuditEvent
from comptoir.core.permissions import Role
from comptoir.core.testing import make_user
from comptoir.scheduling import registry, selectors, services
from comptoir.scheduling.models import JobRun, ScheduledJob
from comptoir.scheduling.registry import JobSpec
from comptoir.scheduling.schedule import Schedule
from comptoir.scheduling.tasks import run_job

CALLS = []


def count_call():
    CALLS.append(1)
    return "compté"


def always_fails():
    raise RuntimeError("serveur de messagerie injoignable")


@pytest.fixture
def jobs(monkeypatch):
    """The registry reduced to two test jobs, so nothing real (agent, backup) runs here."""
    monkeypatch.setattr(
        registry,
        "JOBS",
        {
            "counter": JobSpec("counter", "Compteur", f"{__name__}.count_call", Schedule(interval=600)),
            "flaky": JobSpec(
                "flaky",
                "Tâche en panne",
                f"{__name__}.always_fails",
                Schedule(cron="0 3 * * *"),
                max_attempts=3,
            ),
        },
    )
    CALLS.clear()
    return registry.JOBS


def queued(name):
    return [
        r
        for r in DBTaskResult.objects.filter(task_path=run_job.module_path)
        if r.args_kwargs["args"] == [name]
    ]


def work():
    """django-tasks' database worker, as `comptoir db-worker` runs it. It closes its database connection
    between tasks, so the tests that use it run outside a rolled-back transaction."""
    call_command("db_worker", batch=True, no_startup_delay=True, verbosity=0)


@pytest.mark.django_db
def test_scheduler_once_enqueues_a_due_job_once_and_computes_its_next_run(jobs):
    now = timezone.now()
    services.sync_jobs(now)
    ScheduledJob.objects.filter(name="counter").update(next_run=now - datetime.timedelta(seconds=1))

    call_command("scheduler", once=True, verbosity=0)
    call_command("scheduler", once=True, verbosity=0)

    assert len(queued("counter")) == 1
    assert queued("flaky") == []  # not due before 03:00
    job = ScheduledJob.objects.get(name="counter")
    assert job.status == ScheduledJob.Status.QUEUED
    assert (
        now + datetime.timedelta(seconds=599)
        < job.next_run
        <= timezone.now() + datetime.timedelta(seconds=600)
    )
    assert selectors.worker_heartbeat_age("scheduler") < 60


@pytest.mark.django_db(transaction=True)
def test_the_worker_runs_a_queued_job_and_records_the_run(jobs):
    services.sync_jobs()
    ScheduledJob.objects.filter(name="counter").update(next_run=timezone.now())
    services.tick()

    work()

    assert CALLS == [1]
    run = JobRun.objects.get(job__name="counter")
    assert (run.status, run.attempt, run.result) == (JobRun.Status.OK, 1, "compté")
    assert run.duration is not None and run.finished_at >= run.started_at
    job = ScheduledJob.objects.get(name="counter")
    assert job.status == ScheduledJob.Status.OK and job.last_duration is not None
    assert selectors.worker_heartbeat_age("worker") < 60


@pytest.mark.django_db
def test_a_claim_made_on_a_stale_read_enqueues_nothing(jobs):
    """Two schedulers read the same due row; the second UPDATE … WHERE next_run = <what it read> finds
    the value the first one moved and claims nothing."""
    services.sync_jobs()
    due = timezone.now() - datetime.timedelta(seconds=5)
    ScheduledJob.objects.filter(name="counter").update(next_run=due)
    stale = ScheduledJob.objects.get(name="counter")

    assert services.tick() == ["counter"]
    # the second scheduler, with its stale copy of the row
    assert (
        ScheduledJob.objects.filter(pk=stale.pk, next_run=stale.next_run).update(next_run=timezone.now()) == 0
    )
    assert services.tick() == []
    assert len(queued("counter")) == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="real concurrent connections: PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_two_schedulers_ticking_at_once_enqueue_a_due_job_once(jobs):
    services.sync_jobs()
    ScheduledJob.objects.filter(name="counter").update(
        next_run=timezone.now() - datetime.timedelta(seconds=1)
    )
    start = threading.Barrier(4)
    results, failures = [], []

    def scheduler():
        try:
            start.wait()
            results.append(services.tick())
        except Exception as exc:  # asserted below
            failures.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=scheduler) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert failures == []
    assert sorted(results) == [[], [], [], ["counter"]]
    assert len(queued("counter")) == 1


@pytest.mark.django_db(transaction=True)
def test_a_failing_job_records_its_error_retries_and_ends_failed_and_visible(jobs, caplog):
    services.sync_jobs()
    ScheduledJob.objects.filter(name="flaky").update(next_run=timezone.now())
    services.tick()

    for attempt in (1, 2, 3):
        # the retry waits for its backoff; let it be due now
        DBTaskResult.objects.filter(finished_at__isnull=True).update(run_after=timezone.now())
        work()
        run = JobRun.objects.filter(job__name="flaky").order_by("-pk").first()
        assert run.attempt == attempt
        assert "serveur de messagerie injoignable" in run.error

    runs = list(JobRun.objects.filter(job__name="flaky").order_by("pk"))
    assert [r.status for r in runs] == [JobRun.Status.RETRYING, JobRun.Status.RETRYING, JobRun.Status.FAILED]
    assert runs[0].retry_at is not None and runs[-1].retry_at is None
    assert DBTaskResult.objects.filter(finished_at__isnull=True, task_path=run_job.module_path).count() == 0
    job = ScheduledJob.objects.get(name="flaky")
    assert job.status == ScheduledJob.Status.FAILED
    assert job.consecutive_failures == 3
    assert job.last_error == "RuntimeError: serveur de messagerie injoignable"
    assert "failed for good" in caplog.text

    page = _direction_client().get("/parametres/taches/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Tâche en panne" in html and "serveur de messagerie injoignable" in html
    assert "3 échecs de suite" in html


def _direction_client(role=Role.DIRECTION):
    client = Client()
    client.force_login(make_user(f"user-{role}", role))
    return client


@pytest.mark.django_db
def test_the_jobs_page_shows_the_last_run_and_lets_direction_run_and_reschedule(jobs):
    services.sync_jobs()
    services.execute("counter")
    client = _direction_client()

    html = client.get("/parametres/taches/").content.decode()
    assert "Compteur" in html and "toutes les 10 minutes" in html and "Lancer maintenant" in html
    assert "Réussie" in html

    client.post("/parametres/taches/counter/lancer/")
    assert len(queued("counter")) == 1
    client.post(
        "/parametres/taches/counter/planification/", {"enabled": "1", "kind": "cron", "cron": "15 6 * * 1"}
    )
    job = ScheduledJob.objects.get(name="counter")
    assert (job.cron, job.interval_seconds, job.enabled) == ("15 6 * * 1", None, True)
    assert timezone.localtime(job.next_run).strftime("%H:%M %w") == "06:15 1"
    assert AuditEvent.objects.filter(action="job.schedule_changed").count() == 1
    assert AuditEvent.objects.filter(action="job.run_requested").count() == 1


@pytest.mark.django_db
def test_a_bad_schedule_is_refused_and_nothing_changes(jobs):
    services.sync_jobs()
    boss = make_user("chef", Role.DIRECTION)
    with pytest.raises(DomainError) as refused:
        services.update_schedule("counter", by=boss, enabled=True, cron="every day")
    assert refused.value.code == "job_schedule_invalid"
    assert ScheduledJob.objects.get(name="counter").interval_seconds == 600


@pytest.mark.django_db
def test_only_direction_and_administrators_see_the_jobs(jobs):
    assert _direction_client(Role.COMPTABILITE).get("/parametres/taches/").status_code == 403
    assert _direction_client(Role.ADMIN).get("/parametres/taches/").status_code == 200
    with pytest.raises(DomainError):
        services.sync_jobs()
        services.run_now("counter", by=make_user("vendeur", Role.COMMERCIAL))


@pytest.mark.django_db
def test_the_registry_names_real_callables():
    from django.utils.module_loading import import_string

    assert {"billing_agent", "payment_reminders", "audit_checkpoint", "backup"} <= set(registry.JOBS)
    for spec in registry.JOBS.values():
        assert callable(import_string(spec.path)) or hasattr(import_string(spec.path), "call")


@pytest.mark.django_db(transaction=True)
def test_an_idle_worker_still_shows_a_recent_heartbeat_through_the_schedulers_ping(jobs):
    now = timezone.now()
    services.tick(now)
    assert selectors.worker_heartbeat_age("worker") is None
    services.tick(now)  # a ping is pending: no second one

    from comptoir.scheduling.tasks import heartbeat

    assert DBTaskResult.objects.filter(task_path=heartbeat.module_path).count() == 1
    work()
    assert selectors.worker_heartbeat_age("worker") < 60

"""GET /api/v1/jobs: the scheduled jobs with their last run and error, for direction and administrators."""

from comptoir.api.tests.conftest import error_of
from comptoir.scheduling import services
from comptoir.scheduling.models import ScheduledJob


def test_direction_reads_the_jobs_with_their_last_error(api_as):
    services.sync_jobs()
    ScheduledJob.objects.filter(name="backup").update(
        status=ScheduledJob.Status.FAILED, last_error="RuntimeError: disque plein", consecutive_failures=2
    )
    body = api_as("direction").get("/jobs").json()
    jobs = {job["name"]: job for job in body["jobs"]}
    assert {"billing_agent", "payment_reminders", "audit_checkpoint", "backup"} <= set(jobs)
    assert jobs["backup"]["status"] == "failed"
    assert jobs["backup"]["last_error"] == "RuntimeError: disque plein"
    assert jobs["billing_agent"]["cron"] == "0 2 * * *" and jobs["billing_agent"]["next_run"]
    assert body["worker_heartbeat_age_seconds"] is None


def test_accounting_may_not_read_the_jobs(api_as):
    assert error_of(api_as("comptabilite").get("/jobs")) == (403, "permission_denied")

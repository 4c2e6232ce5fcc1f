"""The one django-tasks task of the scheduler: run a registered job inside its wrapper
(`services.execute`: history, retries with backoff, error kept in sight)."""

from django_tasks import task


@task()
def run_job(name: str, attempt: int = 1, trigger: str = "schedule") -> int:
    from comptoir.scheduling import services

    return services.execute(name, attempt=attempt, trigger=trigger).pk


@task()
def heartbeat() -> None:
    """A ping from the scheduler: the worker that runs it shows it is alive and draining the queue."""
    from comptoir.scheduling import services

    services.beat("worker")

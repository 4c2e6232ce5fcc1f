"""The billing agent as a background task (django-tasks, database backend).

`comptoir agent enqueue` (e.g. from cron, every night) queues a run; `comptoir db-worker` executes the
queue. The web page and `comptoir agent run` run it at once instead, which over an SME's data takes a
few seconds.
"""

from django.contrib.auth import get_user_model
from django_tasks import task


@task()
def run_billing_agent(requested_by_id: int | None = None) -> int:
    from comptoir.assistant import services

    # A scheduled run is nobody's in particular; a person's request is checked against their role.
    requested_by = get_user_model().objects.filter(pk=requested_by_id).first() if requested_by_id else None
    return services.run_agent(by=requested_by, trigger="task").pk


@task()
def propose_payment_reminders() -> str:
    """The reminders step of the agent alone: proposes the reminders now due (sending stays a person's
    approval, or the written policy's). The scheduler runs it every morning (`scheduling.registry`)."""
    from comptoir.assistant import services

    run = services.run_agent(by=None, trigger="task", reminders_only=True)
    return f"{run.stats.get('proposals_created', 0)} relance(s) proposée(s)"


@task()
def propose_customer_follow_ups() -> str:
    """The customers step of the agent alone: proposes a follow-up (call, price list, payment terms) for
    each customer at risk or losing money (`assistant.customer_watch`); the scheduler runs it weekly."""
    from comptoir.assistant import services

    run = services.run_agent(by=None, trigger="task", customers_only=True)
    return f"{run.stats.get('proposals_created', 0)} suivi(s) proposé(s)"

"""Accounting work run in the background (django-tasks, database backend; `comptoir db-worker`)."""

import datetime

from django.contrib.auth import get_user_model
from django_tasks import task


@task()
def generate_recurring_entries(requested_by_id: int, as_of: str | None = None) -> list[int]:
    """Write the recurring entries due (see `accounting.manual.generate_due_recurring_entries`), as the
    person who scheduled it (their role is checked): ids of the manual entries written."""
    from comptoir.accounting import manual

    by = get_user_model().objects.get(pk=requested_by_id)
    day = datetime.date.fromisoformat(as_of) if as_of else None
    return [entry.pk for entry in manual.generate_due_recurring_entries(day, by=by)]

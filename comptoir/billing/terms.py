"""Due dates from payment terms (Code de commerce L441-10). Pure: no Django import."""

import calendar
import datetime


def due_date(issue: datetime.date, days: int, end_of_month: bool) -> datetime.date:
    """Net `days`, or `days` then end of month (« 45 jours fin de mois » reading of the DGCCRF)."""
    due = issue + datetime.timedelta(days=days)
    if end_of_month:
        due = due.replace(day=calendar.monthrange(due.year, due.month)[1])
    return due

"""Reads of time entries and tickets for the pages and the API."""

from decimal import Decimal

from django.db.models import Sum

from comptoir.aftersales.models import ProfitabilitySettings, Ticket, TimeEntry
from comptoir.core import permissions


def financing_rate() -> Decimal:
    """The yearly rate (%) that prices money owed late (5 % until direction sets it)."""
    row = ProfitabilitySettings.objects.filter(pk=1).values_list("financing_rate", flat=True).first()
    return row if row is not None else ProfitabilitySettings._meta.get_field("financing_rate").default


def time_entries(user, *, customer_id=None, ticket_id=None):
    """The entries `user` may read: everyone's with time.manage, else their own; newest first."""
    qs = TimeEntry.objects.select_related(
        "user", "customer", "ticket", "order", "quote", "return_case", "opportunity"
    )
    if not permissions.has_perm(user, "time.manage"):
        qs = qs.filter(user_id=user.pk)
    if customer_id:
        qs = qs.filter(customer_id=customer_id)
    if ticket_id:
        qs = qs.filter(ticket_id=ticket_id)
    return qs.order_by("-date", "-id")


def tickets(*, customer_id=None, status=None):
    qs = Ticket.objects.select_related("customer", "order").annotate(
        time_cost=Sum("time_entries__cost"), time_minutes=Sum("time_entries__minutes")
    )
    if customer_id:
        qs = qs.filter(customer_id=customer_id)
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-opened_on", "-id")

"""After-sales actions: cost profiles, time entries, tickets, carrier rates, exceptional adjustments and the
financing rate. One verb, one transaction, one audit event each."""

import datetime
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone

from comptoir.aftersales import errors
from comptoir.aftersales.models import (
    Adjustment,
    CostProfile,
    ProfitabilitySettings,
    ShippingRate,
    Ticket,
    TimeEntry,
    UserCostProfile,
)
from comptoir.aftersales.selectors import financing_rate
from comptoir.core import audit, dates, money, numbering, permissions, workflow
from comptoir.core.errors import fail

MINUTES_IN_A_DAY = 24 * 60


def _number(value, *, field: str = "", negative_ok: bool = False) -> Decimal:
    try:
        number = money.D(value)
    except (ValueError, TypeError, InvalidOperation):
        fail(errors.INVALID_NUMBER, value=value)
    if number < 0 and not negative_ok:
        fail(errors.AMOUNT_NEGATIVE, field=field)
    return number


def _belongs(document, customer, attribute: str = "customer_id") -> None:
    if document is not None and getattr(document, attribute) != customer.pk:
        fail(errors.NOT_THIS_CUSTOMER, document=str(document), customer=customer.name)


# --- cost profiles -----------------------------------------------------------------------------------------


@transaction.atomic
def create_profile(*, by, name: str, hourly_cost) -> CostProfile:
    permissions.require(by, "profitability.configure")
    name = (name or "").strip()[:80]
    if not name:
        fail(errors.NAME_MISSING)
    if CostProfile.objects.filter(name__iexact=name).exists():
        fail(errors.PROFILE_EXISTS, name=name)
    profile = CostProfile.objects.create(
        name=name, hourly_cost=money.amount(_number(hourly_cost, field="Le coût horaire"))
    )
    audit.record("cost_profile.created", by=by, obj=profile, data={"hourly_cost": profile.hourly_cost})
    return profile


@transaction.atomic
def set_hourly_cost(profile: CostProfile, *, by, hourly_cost) -> CostProfile:
    """A new standard cost applies to the entries recorded or corrected from now on; the time already entered
    keeps the cost it was valued at."""
    permissions.require(by, "profitability.configure")
    profile = CostProfile.objects.select_for_update().get(pk=profile.pk)
    before = profile.hourly_cost
    profile.hourly_cost = money.amount(_number(hourly_cost, field="Le coût horaire"))
    profile.save(update_fields=["hourly_cost"])
    audit.record(
        "cost_profile.changed", by=by, obj=profile, data={"before": before, "after": profile.hourly_cost}
    )
    return profile


@transaction.atomic
def assign_profile(user, profile: CostProfile, *, by) -> UserCostProfile:
    permissions.require(by, "profitability.configure")
    link, _created = UserCostProfile.objects.update_or_create(user=user, defaults={"profile": profile})
    audit.record(
        "cost_profile.assigned",
        by=by,
        object_type="auth.user",
        object_id=user.pk,
        object_repr=user.get_username(),
        data={"profile": profile.name},
    )
    return link


# --- time entries ------------------------------------------------------------------------------------------


def _hourly_cost_of(user) -> Decimal:
    link = UserCostProfile.objects.select_related("profile").filter(user=user).first()
    if link is None:
        fail(errors.NO_COST_PROFILE, user=user.get_full_name() or user.get_username())
    return link.profile.hourly_cost


def _minutes(value) -> int:
    try:
        minutes = int(value)
    except (TypeError, ValueError):
        fail(errors.INVALID_NUMBER, value=value)
    if not 0 < minutes <= MINUTES_IN_A_DAY:
        fail(errors.DURATION_OUT_OF_RANGE, value=minutes)
    return minutes


def _activity(value) -> str:
    if value not in TimeEntry.Activity.values:
        fail(errors.UNKNOWN_ACTIVITY, value=value)
    return value


def _day(value: datetime.date | None) -> datetime.date:
    day = value or dates.today()
    if day > dates.today():
        fail(errors.DATE_IN_FUTURE, date=dates.fr(day))
    return day


def _check_links(customer, *, quote, order, return_case, ticket, opportunity=None) -> None:
    _belongs(quote, customer)
    _belongs(order, customer)
    _belongs(ticket, customer)
    _belongs(opportunity, customer)
    if return_case is not None:
        _belongs(return_case, customer)


def _implied_activity(activity: str, *, ticket, opportunity) -> str:
    if ticket is not None:
        return TimeEntry.Activity.AFTERSALES
    if opportunity is not None:
        return TimeEntry.Activity.PRESALES
    return activity


def valued(minutes: int, hourly_cost: Decimal) -> Decimal:
    """The cost of `minutes` at `hourly_cost` an hour, to the cent."""
    return money.amount(Decimal(minutes) * hourly_cost / 60)


@transaction.atomic
def record_time(
    *,
    by,
    customer,
    minutes,
    activity: str,
    date: datetime.date | None = None,
    user=None,
    quote=None,
    order=None,
    return_case=None,
    ticket=None,
    opportunity=None,
    note: str = "",
) -> TimeEntry:
    """Time `user` (by default the person recording) spent for `customer`, valued at their profile's hourly
    cost. Recording someone else's time is direction's (time.manage). Time on a ticket is after-sales; time
    on an opportunity (crm) is pre-sales."""
    permissions.require(by, "time.record")
    user = user or by
    if user.pk != by.pk:
        permissions.require(by, "time.manage")
    minutes = _minutes(minutes)
    activity = _activity(_implied_activity(activity, ticket=ticket, opportunity=opportunity))
    _check_links(
        customer, quote=quote, order=order, return_case=return_case, ticket=ticket, opportunity=opportunity
    )
    hourly_cost = _hourly_cost_of(user)
    entry = TimeEntry.objects.create(
        user=user,
        date=_day(date),
        minutes=minutes,
        customer=customer,
        activity=activity,
        quote=quote,
        order=order,
        return_case=return_case,
        ticket=ticket,
        opportunity=opportunity,
        note=(note or "").strip()[:200],
        hourly_cost=hourly_cost,
        cost=valued(minutes, hourly_cost),
        created_by=by,
    )
    audit.record(
        "time.recorded",
        by=by,
        obj=entry,
        object_repr=f"{user.get_username()} {entry.date} {customer.code}",
        data={"minutes": minutes, "activity": activity, "customer": customer.code, "cost": entry.cost},
    )
    return entry


@transaction.atomic
def correct_time(entry: TimeEntry, *, by, **changes) -> TimeEntry:
    """Correct an entry (date, minutes, activity, customer, links, note); valued again at the person's hourly
    cost of today. One's own entry with time.record, anyone's with time.manage."""
    permissions.require(by, "time.record")
    entry = TimeEntry.objects.select_for_update().get(pk=entry.pk)
    if entry.user_id != by.pk and not permissions.has_perm(by, "time.manage"):
        fail(errors.NOT_YOUR_ENTRY, user=entry.user.get_username())
    before = {"date": entry.date, "minutes": entry.minutes, "activity": entry.activity, "cost": entry.cost}
    allowed = {
        "date",
        "minutes",
        "activity",
        "customer",
        "quote",
        "order",
        "return_case",
        "ticket",
        "opportunity",
        "note",
    }
    for name, value in changes.items():
        if name not in allowed:
            raise TypeError(name)
        setattr(entry, name, value)
    entry.minutes = _minutes(entry.minutes)
    entry.date = _day(entry.date)
    entry.activity = _activity(
        _implied_activity(entry.activity, ticket=entry.ticket, opportunity=entry.opportunity)
    )
    _check_links(
        entry.customer,
        quote=entry.quote,
        order=entry.order,
        return_case=entry.return_case,
        ticket=entry.ticket,
        opportunity=entry.opportunity,
    )
    entry.note = (entry.note or "").strip()[:200]
    entry.hourly_cost = _hourly_cost_of(entry.user)
    entry.cost = valued(entry.minutes, entry.hourly_cost)
    entry.corrected_at = timezone.now()
    entry.save()
    audit.record(
        "time.corrected",
        by=by,
        obj=entry,
        object_repr=f"{entry.user.get_username()} {entry.date} {entry.customer.code}",
        data={"before": before, "minutes": entry.minutes, "activity": entry.activity, "cost": entry.cost},
    )
    return entry


# --- tickets -----------------------------------------------------------------------------------------------


@transaction.atomic
def open_ticket(
    customer,
    *,
    by,
    title: str,
    kind: str = Ticket.Kind.SUPPORT,
    description: str = "",
    order=None,
    opened_on: datetime.date | None = None,
    parts_cost="0",
    travel_cost="0",
) -> Ticket:
    permissions.require(by, "ticket.manage")
    title = (title or "").strip()[:200]
    if not title:
        fail(errors.TITLE_MISSING)
    if kind not in Ticket.Kind.values:
        fail(errors.UNKNOWN_KIND, value=kind)
    _belongs(order, customer)
    day = _day(opened_on)
    ticket = Ticket.objects.create(
        number=numbering.next_number("SAV", day.year),
        customer=customer,
        order=order,
        kind=kind,
        title=title,
        description=(description or "").strip(),
        opened_on=day,
        parts_cost=money.amount(_number(parts_cost, field="Le coût des pièces")),
        travel_cost=money.amount(_number(travel_cost, field="Le coût du déplacement")),
        created_by=by,
    )
    audit.record(
        "ticket.opened",
        by=by,
        obj=ticket,
        data={
            "customer": customer.code,
            "kind": kind,
            "parts_cost": ticket.parts_cost,
            "travel_cost": ticket.travel_cost,
        },
    )
    return ticket


@transaction.atomic
def set_ticket_costs(ticket: Ticket, *, by, parts_cost, travel_cost) -> Ticket:
    """The parts and travel a ticket cost (cost price, HT), as they become known."""
    permissions.require(by, "ticket.manage")
    ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
    if ticket.status == Ticket.Status.CLOSED:
        fail(errors.TICKET_CLOSED, number=ticket.number)
    before = {"parts_cost": ticket.parts_cost, "travel_cost": ticket.travel_cost}
    ticket.parts_cost = money.amount(_number(parts_cost, field="Le coût des pièces"))
    ticket.travel_cost = money.amount(_number(travel_cost, field="Le coût du déplacement"))
    ticket.save(update_fields=["parts_cost", "travel_cost"])
    audit.record(
        "ticket.costs_set",
        by=by,
        obj=ticket,
        data={"before": before, "parts_cost": ticket.parts_cost, "travel_cost": ticket.travel_cost},
    )
    return ticket


@transaction.atomic
def move_ticket(ticket: Ticket, status: str, *, by, date: datetime.date | None = None) -> Ticket:
    """Take the ticket to `status` along Ticket.TRANSITIONS (resolved stamps the day; reopened clears it)."""
    permissions.require(by, "ticket.manage")
    ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
    workflow.require(Ticket.TRANSITIONS, ticket.status, status, document=ticket.number, labels=Ticket.Status)
    before = ticket.status
    ticket.status = status
    if status == Ticket.Status.RESOLVED:
        ticket.resolved_on = _day(date)
    elif status == Ticket.Status.IN_PROGRESS:
        ticket.resolved_on = None
    ticket.save(update_fields=["status", "resolved_on"])
    audit.record("ticket.moved", by=by, obj=ticket, data={"from": before, "to": status})
    return ticket


# --- what the real margin is priced with -------------------------------------------------------------------


@transaction.atomic
def add_shipping_rate(
    *, by, cost, country: str = "FR", postal_prefix: str = "", max_weight_kg=None
) -> ShippingRate:
    permissions.require(by, "profitability.configure")
    weight = None if max_weight_kg in (None, "") else money.quantity(_number(max_weight_kg, field="Le poids"))
    rate = ShippingRate.objects.create(
        country=(country or "FR").strip().upper()[:2],
        postal_prefix=(postal_prefix or "").strip()[:5],
        max_weight_kg=weight,
        cost=money.amount(_number(cost, field="Le coût")),
    )
    audit.record(
        "shipping_rate.added",
        by=by,
        obj=rate,
        object_repr=f"{rate.country}{rate.postal_prefix} ≤ {weight or '∞'} kg",
        data={"cost": rate.cost, "max_weight_kg": weight},
    )
    return rate


@transaction.atomic
def record_adjustment(customer, *, by, amount, reason: str, date: datetime.date | None = None) -> Adjustment:
    """An exceptional cost (positive) or gain (negative) of `customer` that no document carries."""
    permissions.require(by, "profitability.configure")
    value = money.amount(_number(amount, negative_ok=True))
    if not value:
        fail(errors.AMOUNT_ZERO)
    reason = (reason or "").strip()[:200]
    if not reason:
        fail(errors.REASON_MISSING)
    adjustment = Adjustment.objects.create(
        customer=customer, date=_day(date), amount=value, reason=reason, created_by=by
    )
    audit.record(
        "profit_adjustment.recorded",
        by=by,
        obj=adjustment,
        object_repr=f"{customer.code} {adjustment.date}",
        data={"amount": value, "reason": reason},
    )
    return adjustment


@transaction.atomic
def set_financing_rate(rate, *, by) -> ProfitabilitySettings:
    permissions.require(by, "profitability.configure")
    value = _number(rate, negative_ok=True)
    if not 0 <= value <= 100:
        fail(errors.RATE_OUT_OF_RANGE)
    before = financing_rate()
    row, _created = ProfitabilitySettings.objects.update_or_create(
        pk=1, defaults={"financing_rate": money.amount(value)}
    )
    audit.record(
        "profitability.financing_rate_set",
        by=by,
        obj=row,
        object_repr="financing_rate",
        data={"before": before, "after": row.financing_rate},
    )
    return row

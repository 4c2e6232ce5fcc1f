"""Time entries, tickets, adjustments and the financing rate: each service's happy path and refusals."""

import datetime
from decimal import Decimal

import pytest

from comptoir.aftersales import services
from comptoir.aftersales.models import Ticket
from comptoir.aftersales.selectors import financing_rate, time_entries
from comptoir.core.errors import DomainError, PermissionDenied
from comptoir.core.models import AuditEvent
from comptoir.core.permissions import Role
from comptoir.core.testing import make_customer, make_product, make_user
from comptoir.returns.tests.factories import make_sale

pytestmark = pytest.mark.django_db
D = Decimal


def _code(call) -> str:
    with pytest.raises(DomainError) as caught:
        call()
    return caught.value.code


@pytest.fixture
def manager(boss):
    user = make_user("pm", Role.COMMERCIAL)
    services.assign_profile(
        user, services.create_profile(by=boss, name="Chef de projet", hourly_cost="65"), by=boss
    )
    return user


def test_time_is_valued_at_the_profile_cost_of_the_day_and_kept_when_the_cost_changes(
    boss, company, customer, manager
):
    entry = services.record_time(by=manager, customer=customer, minutes=100, activity="project")
    assert (entry.user, entry.hourly_cost, entry.cost) == (manager, D("65.00"), D("108.33"))
    assert AuditEvent.objects.filter(action="time.recorded").count() == 1
    profile = manager.cost_profile.profile
    services.set_hourly_cost(profile, by=boss, hourly_cost="70")
    entry.refresh_from_db()
    assert entry.cost == D("108.33")  # already valued
    corrected = services.correct_time(entry, by=manager, minutes=60)
    assert (corrected.hourly_cost, corrected.cost, corrected.corrected_at is not None) == (
        D("70.00"),
        D("70.00"),
        True,
    )


def test_time_refusals(boss, company, customer, manager):
    other = make_customer(boss, name="Autre SARL", siren="732829320")
    sale = make_sale(
        boss,
        other,
        make_product(boss, sku="X1", name="X", sale_price="10", purchase_cost="5"),
    )
    assert (
        _code(lambda: services.record_time(by=manager, customer=customer, minutes=0, activity="project"))
        == "duration_out_of_range"
    )
    assert (
        _code(lambda: services.record_time(by=manager, customer=customer, minutes=1441, activity="project"))
        == "duration_out_of_range"
    )
    assert (
        _code(lambda: services.record_time(by=manager, customer=customer, minutes=10, activity="lunch"))
        == "unknown_activity"
    )
    tomorrow = datetime.date.today() + datetime.timedelta(days=2)
    assert (
        _code(
            lambda: services.record_time(
                by=manager, customer=customer, minutes=10, activity="admin", date=tomorrow
            )
        )
        == "date_in_future"
    )
    assert (
        _code(
            lambda: services.record_time(
                by=manager, customer=customer, minutes=10, activity="project", order=sale.order
            )
        )
        == "document_of_another_customer"
    )
    with pytest.raises(PermissionDenied):
        services.record_time(by=manager, user=boss, customer=customer, minutes=10, activity="admin")
    assert (
        _code(lambda: services.record_time(by=boss, customer=customer, minutes=10, activity="admin"))
        == "no_cost_profile"
    )
    # Someone else's entry: only direction corrects it
    entry = services.record_time(by=manager, customer=customer, minutes=30, activity="presales")
    colleague = make_user("colleague", Role.COMMERCIAL)
    assert _code(lambda: services.correct_time(entry, by=colleague, minutes=10)) == "not_your_entry"
    services.assign_profile(boss, manager.cost_profile.profile, by=boss)
    assert services.correct_time(entry, by=boss, minutes=15).minutes == 15
    assert list(time_entries(colleague)) == [] and list(time_entries(boss)) == [entry]


def test_a_ticket_moves_along_its_transitions_and_a_closed_one_keeps_its_costs(boss, company, customer):
    ticket = services.open_ticket(customer, by=boss, title="Bruit", parts_cost="10")
    assert ticket.number.startswith("SAV-") and ticket.status == Ticket.Status.OPEN
    ticket = services.move_ticket(ticket, Ticket.Status.RESOLVED, by=boss)
    assert ticket.resolved_on == datetime.date.today()
    ticket = services.move_ticket(ticket, Ticket.Status.CLOSED, by=boss)
    assert _code(lambda: services.move_ticket(ticket, Ticket.Status.OPEN, by=boss)) == "invalid_transition"
    assert (
        _code(lambda: services.set_ticket_costs(ticket, by=boss, parts_cost="1", travel_cost="1"))
        == "ticket_closed"
    )
    assert _code(lambda: services.open_ticket(customer, by=boss, title=" ")) == "title_missing"
    assert (
        _code(lambda: services.open_ticket(customer, by=boss, title="x", parts_cost="-1"))
        == "amount_negative"
    )
    with pytest.raises(PermissionDenied):
        services.open_ticket(customer, by=make_user("compta", Role.COMPTABILITE), title="x")


def test_adjustments_and_the_financing_rate_are_directions(boss, company, customer):
    assert financing_rate() == D("5.00")
    services.set_financing_rate("7.5", by=boss)
    assert financing_rate() == D("7.50")
    assert _code(lambda: services.set_financing_rate("120", by=boss)) == "rate_out_of_range"
    assert services.record_adjustment(
        customer, by=boss, amount="-25", reason="Remboursement transporteur"
    ).amount == D("-25.00")
    assert (
        _code(lambda: services.record_adjustment(customer, by=boss, amount="0", reason="x")) == "amount_zero"
    )
    assert (
        _code(lambda: services.record_adjustment(customer, by=boss, amount="5", reason=""))
        == "reason_missing"
    )
    with pytest.raises(PermissionDenied):
        services.set_financing_rate("3", by=make_user("adv", Role.ADV))

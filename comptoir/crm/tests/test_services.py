"""Leads, opportunities and activities: each verb's happy path and its refusals."""

import datetime
from decimal import Decimal

import pytest

from comptoir.core import dates
from comptoir.core.errors import DomainError
from comptoir.core.models import AuditEvent
from comptoir.core.permissions import Role
from comptoir.core.testing import make_user
from comptoir.crm import services
from comptoir.crm.models import Activity, Lead, Opportunity
from comptoir.parties.models import Customer
from comptoir.sales.services import accept_quote, create_quote, revise_quote, send_quote

pytestmark = pytest.mark.django_db

Stage = Opportunity.Stage


def _code(call) -> str:
    with pytest.raises(DomainError) as caught:
        call()
    return caught.value.code


@pytest.fixture
def seller(db):
    return make_user("paul", Role.COMMERCIAL)


@pytest.fixture
def deal(seller, customer):
    return services.create_opportunity(customer, by=seller, title="Équipement de l'atelier", amount="12000")


def test_a_qualified_lead_is_converted_into_a_customer_with_its_contact_and_an_opportunity(seller, company):
    lead = services.create_lead(
        by=seller,
        company_name="Charpentes Roux",
        contact_name="Léa Roux",
        email="lea@roux.fr",
        phone="04 72 00 00 00",
        source="trade_show",
    )
    assert (lead.status, lead.owner, lead.source) == (Lead.Status.NEW, seller, "trade_show")
    assert _code(lambda: services.convert_lead(lead, by=seller)) == "lead_not_qualified"

    services.qualify_lead(lead, by=seller)
    lead, opportunity = services.convert_lead(
        lead, by=seller, opportunity_title="Scies pour le nouvel atelier", amount="8 000".replace(" ", "")
    )

    customer = Customer.objects.get(name="Charpentes Roux")
    assert (lead.status, lead.customer) == (Lead.Status.CONVERTED, customer)
    assert customer.phone == "04 72 00 00 00"
    assert [(c.name, c.email) for c in customer.contacts.all()] == [("Léa Roux", "lea@roux.fr")]
    assert (opportunity.customer, opportunity.source, opportunity.owner, opportunity.lead) == (
        customer,
        "trade_show",
        seller,
        lead,
    )
    assert (opportunity.stage, opportunity.amount, opportunity.probability) == (
        Stage.QUALIFICATION,
        Decimal("8000.00"),
        10,
    )
    assert AuditEvent.objects.filter(action="lead.converted", object_id=str(lead.pk)).exists()
    # Converted is final
    assert _code(lambda: services.lose_lead(lead, by=seller, reason="doublon")) == "invalid_transition"


def test_a_lead_can_be_converted_onto_an_existing_customer_and_a_lost_lead_needs_a_reason(seller, customer):
    lead = services.create_lead(by=seller, company_name="Menuiserie Martin")
    assert _code(lambda: services.lose_lead(lead, by=seller, reason=" ")) == "lost_reason_missing"
    services.lose_lead(lead, by=seller, reason="Pas de budget cette année")
    lead.refresh_from_db()
    assert (lead.status, lead.lost_reason) == (Lead.Status.LOST, "Pas de budget cette année")
    services.reopen_lead(lead, by=seller)
    services.qualify_lead(lead, by=seller)
    count = Customer.objects.count()
    lead, opportunity = services.convert_lead(lead, by=seller, customer=customer)
    assert (lead.customer, opportunity, Customer.objects.count()) == (customer, None, count)


def test_lead_refusals(seller, company):
    assert _code(lambda: services.create_lead(by=seller, company_name=" ")) == "lead_company_missing"
    assert _code(lambda: services.create_lead(by=seller, company_name="X", source="pigeon")) == (
        "unknown_source"
    )
    stranger = make_user("lucien", Role.LOGISTIQUE)
    assert _code(lambda: services.create_lead(by=stranger, company_name="X")) == "permission_denied"


def test_an_opportunity_moves_along_its_stage_table_and_refuses_illegal_moves(seller, customer):
    came_up = datetime.date(2026, 2, 2)
    deal = services.create_opportunity(customer, by=seller, title="Atelier", amount="12000", date=came_up)
    assert (deal.number[:4], deal.stage, deal.probability, deal.created_on) == (
        "OPP-",
        Stage.QUALIFICATION,
        10,
        came_up,
    )
    # Qualification cannot jump to won nor to negotiation
    refused = pytest.raises(DomainError)
    with refused as caught:
        services.mark_won(deal, by=seller)
    assert caught.value.code == "invalid_transition"
    assert "Qualification" in caught.value.message and "Gagnée" in caught.value.message
    assert _code(lambda: services.move_stage(deal, Stage.NEGOTIATION, by=seller)) == "invalid_transition"
    assert _code(lambda: services.move_stage(deal, "signed", by=seller)) == "unknown_stage"

    deal = services.move_stage(deal, Stage.PROPOSAL, by=seller)
    assert (deal.stage, deal.probability, deal.closed_on) == (Stage.PROPOSAL, 40, None)
    deal = services.move_stage(deal, Stage.NEGOTIATION, by=seller, probability=80)
    assert deal.probability == 80
    assert _code(lambda: services.move_stage(deal, Stage.LOST, by=seller)) == "lost_needs_reason"
    assert _code(
        lambda: services.mark_lost(deal, by=seller, reason="Prix", date=datetime.date(2026, 1, 30))
    ) == ("closed_before_created")
    future = dates.today() + datetime.timedelta(days=1)
    assert _code(lambda: services.mark_lost(deal, by=seller, reason="Prix", date=future)) == "date_in_future"
    day = datetime.date(2026, 3, 2)
    deal = services.mark_lost(deal, by=seller, reason="Concurrent moins cher", date=day)
    assert (deal.stage, deal.probability, deal.closed_on, deal.lost_reason) == (
        Stage.LOST,
        0,
        day,
        "Concurrent moins cher",
    )
    assert _code(lambda: services.update_opportunity(deal, by=seller, amount="1")) == "opportunity_closed"
    # Taken up again, then won: won is final
    deal = services.move_stage(deal, Stage.QUALIFICATION, by=seller)
    assert (deal.closed_on, deal.lost_reason) == (None, "")
    deal = services.move_stage(deal, Stage.PROPOSAL, by=seller)
    deal = services.mark_won(deal, by=seller, date=day)
    assert (deal.stage, deal.probability, deal.closed_on) == (Stage.WON, 100, day)
    assert _code(lambda: services.move_stage(deal, Stage.PROPOSAL, by=seller)) == "invalid_transition"
    moves = AuditEvent.objects.filter(action="opportunity.stage_moved", object_id=str(deal.pk)).count()
    assert moves == 6


def test_opportunity_refusals(seller, customer):
    assert _code(lambda: services.create_opportunity(customer, by=seller, title="")) == (
        "opportunity_title_missing"
    )
    assert _code(lambda: services.create_opportunity(customer, by=seller, title="X", amount="-5")) == (
        "invalid_amount"
    )
    assert _code(lambda: services.create_opportunity(customer, by=seller, title="X", probability=120)) == (
        "probability_out_of_range"
    )
    assert _code(lambda: services.create_opportunity(customer, by=seller, title="X", stage="won")) == (
        "unknown_stage"
    )
    accountant = make_user("claire", Role.COMPTABILITE)
    assert _code(lambda: services.create_opportunity(customer, by=accountant, title="X")) == (
        "permission_denied"
    )


def test_accepting_a_quote_attached_to_an_opportunity_wins_it_in_the_same_transaction(
    seller, boss, customer, product, deal
):
    quote = send_quote(
        create_quote(customer, [{"product": product, "quantity": "5"}], by=seller, opportunity=deal),
        by=seller,
    )
    assert list(deal.quotes.all()) == [quote]
    # A new version of the quote answers the same deal
    revised = revise_quote(quote, lines=[{"product": product, "quantity": "6"}], by=seller)
    assert revised.opportunity == deal
    revised = send_quote(revised, by=seller)
    accept_quote(revised, by=seller)

    deal.refresh_from_db()
    assert (deal.stage, deal.probability, deal.amount, deal.closed_on) == (
        Stage.WON,
        100,
        revised.total_untaxed,
        revised.date,
    )
    assert AuditEvent.objects.filter(action="opportunity.won_by_quote", object_id=str(deal.pk)).exists()
    # A closed deal takes no further quote
    assert _code(
        lambda: create_quote(customer, [{"product": product, "quantity": "1"}], by=seller, opportunity=deal)
    ) == ("opportunity_closed")


def test_a_refused_acceptance_leaves_the_opportunity_open(seller, customer, product, deal):
    quote = create_quote(customer, [{"product": product, "quantity": "1"}], by=seller, opportunity=deal)
    # A draft cannot be accepted: nothing changes on the deal
    assert _code(lambda: accept_quote(quote, by=seller)) == "invalid_transition"
    deal.refresh_from_db()
    assert deal.stage == Stage.QUALIFICATION


def test_a_quote_cannot_be_attached_to_another_customers_opportunity(boss, seller, product, deal):
    from comptoir.core.testing import make_customer

    other = make_customer(boss, name="Garage Dupont", siren="552032534")
    assert _code(
        lambda: create_quote(other, [{"product": product, "quantity": "1"}], by=seller, opportunity=deal)
    ) == ("opportunity_of_another_customer")


def test_activities_are_planned_on_an_opportunity_and_its_customer_and_closed_by_their_assignee(
    seller, boss, customer, deal
):
    colleague = make_user("anne", Role.ADV)
    due = datetime.date(2026, 5, 4)
    call = services.plan_activity(
        opportunity=deal,
        kind="call",
        subject="Relancer M. Martin",
        due_date=due,
        assigned_to=colleague,
        by=seller,
    )
    assert (call.customer, call.opportunity, call.done_at) == (customer, deal, None)
    assert _code(lambda: services.complete_activity(call, by=seller)) == "not_your_activity"
    done = services.complete_activity(call, by=colleague, note="Rappeler en juin")
    assert done.done_at is not None and "Rappeler en juin" in done.note
    assert _code(lambda: services.complete_activity(call, by=colleague)) == "activity_done"
    # Direction closes anyone's
    meeting = services.plan_activity(
        customer=customer, kind="meeting", subject="Visite", due_date=due, assigned_to=seller, by=seller
    )
    assert services.complete_activity(meeting, by=boss).done_at is not None


def test_activity_refusals(seller, boss, customer, deal):
    from comptoir.core.testing import make_customer

    due = datetime.date(2026, 5, 4)
    base = {"kind": "task", "subject": "Envoyer la doc", "due_date": due, "assigned_to": seller, "by": seller}
    assert _code(lambda: services.plan_activity(**base)) == "activity_without_target"
    assert _code(lambda: services.plan_activity(customer=customer, **{**base, "kind": "fax"})) == (
        "unknown_activity_kind"
    )
    assert _code(lambda: services.plan_activity(customer=customer, **{**base, "subject": ""})) == (
        "activity_subject_missing"
    )
    other = make_customer(boss, name="Garage Dupont", siren="552032534")
    assert _code(lambda: services.plan_activity(customer=other, opportunity=deal, **base)) == (
        "opportunity_of_another_customer"
    )
    storekeeper = make_user("lucien", Role.LOGISTIQUE)
    assert _code(
        lambda: services.plan_activity(customer=customer, **{**base, "assigned_to": storekeeper})
    ) == ("assignee_without_crm")
    assert Activity.objects.count() == 0

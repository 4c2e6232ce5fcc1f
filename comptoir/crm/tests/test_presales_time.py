"""Pre-sales time spent on an opportunity is its customer's time: the real margin counts it."""

from decimal import Decimal

import pytest

from comptoir.aftersales import services as aftersales
from comptoir.core.errors import DomainError
from comptoir.core.permissions import Role
from comptoir.core.testing import make_customer, make_user
from comptoir.crm import services as crm
from comptoir.insights import real_margin

pytestmark = pytest.mark.django_db


def test_presales_time_on_an_opportunity_lowers_its_customers_real_margin(boss, company, customer):
    engineer = make_user("ing", Role.COMMERCIAL)
    aftersales.assign_profile(
        engineer, aftersales.create_profile(by=boss, name="Avant-vente", hourly_cost="70"), by=boss
    )
    deal = crm.create_opportunity(customer, by=engineer, title="Ligne de découpe")
    before = real_margin.customer_waterfall(customer).real_margin

    entry = aftersales.record_time(
        by=engineer, customer=customer, minutes=90, activity="admin", opportunity=deal, note="Chiffrage"
    )

    # Time on an opportunity is pre-sales, whatever was chosen, and costs 1 h 30 at 70 €/h
    assert (entry.activity, entry.opportunity, entry.cost) == ("presales", deal, Decimal("105.00"))
    assert list(deal.time_entries.all()) == [entry]
    result = real_margin.customer_waterfall(customer)
    steps = {step.key: step for step in result.steps}
    internal = {d.key: (d.amount, d.count) for d in steps["internal_time"].details}
    assert internal == {"presales": (Decimal("105.00"), 90)}
    assert result.real_margin == before - Decimal("105.00")


def test_time_cannot_point_at_another_customers_opportunity(boss, company, customer):
    aftersales.assign_profile(
        boss, aftersales.create_profile(by=boss, name="Direction", hourly_cost="90"), by=boss
    )
    other = make_customer(boss, name="Garage Dupont", siren="552032534")
    deal = crm.create_opportunity(other, by=boss, title="Compresseurs")
    with pytest.raises(DomainError) as caught:
        aftersales.record_time(by=boss, customer=customer, minutes=30, activity="presales", opportunity=deal)
    assert caught.value.code == "document_of_another_customer"


def test_presales_time_is_recorded_on_an_opportunity_by_its_number_from_the_time_page(
    boss, company, customer
):
    from comptoir.aftersales.models import TimeEntry
    from comptoir.web.tests.clients import client_for

    aftersales.assign_profile(
        boss, aftersales.create_profile(by=boss, name="Direction", hourly_cost="90"), by=boss
    )
    deal = crm.create_opportunity(customer, by=boss, title="Ligne de découpe")
    answer = client_for(boss).post(
        "/temps/saisir/",
        {"customer": customer.pk, "minutes": "60", "activity": "project", "document": deal.number},
    )
    assert answer.status_code == 302
    entry = TimeEntry.objects.get()
    assert (entry.opportunity, entry.activity, entry.cost) == (deal, "presales", Decimal("90.00"))

"""Every numbered series has its prefix, chosen before its first number and fixed after it."""

import pytest

from comptoir.core import dates
from comptoir.core.errors import Conflict, DomainError
from comptoir.onboarding.plan import from_document
from comptoir.parties.models import Company
from comptoir.parties.services import configure_company
from comptoir.payments.services import register_payment
from comptoir.sales.services import confirm_order, create_order, create_quote
from comptoir.stock.services import create_delivery, receive_stock

pytestmark = pytest.mark.django_db


def test_documents_take_the_prefix_chosen_for_their_series(admin_user, boss, company, customer, product):
    configure_company(
        by=admin_user, quote_series="D", order_series="BC", delivery_series="LIV", payment_series="ENC"
    )
    year = dates.today().year
    receive_stock([{"product": product, "quantity": "5", "unit_cost": "70"}], by=boss)
    quote = create_quote(customer, [{"product": product, "quantity": "1"}], by=boss)
    order = confirm_order(create_order(customer, [{"product": product, "quantity": "1"}], by=boss), by=boss)
    delivery = create_delivery(order, by=boss)
    payment = register_payment(customer, by=boss, amount="10", method="transfer")
    assert quote.number == f"D-{year}-00001"
    assert order.number == f"BC-{year}-00001"
    assert delivery.number == f"LIV-{year}-00001"
    assert payment.number == f"ENC-{year}-00001"


def test_a_prefix_is_refused_once_its_series_has_given_a_number(admin_user, boss, company, customer, product):
    quote = create_quote(customer, [{"product": product, "quantity": "1"}], by=boss)
    with pytest.raises(Conflict) as refused:
        configure_company(by=admin_user, quote_series="DV", city="Villeurbanne")
    assert refused.value.code == "series_prefix_locked"
    assert f"le numéro {quote.number} a déjà été attribué" in refused.value.message
    assert "« DEV » à « DV »" in refused.value.message
    assert (Company.objects.get().quote_series, Company.objects.get().city) == ("DEV", "Lyon")
    # The other series, still unused, can change; the same prefix again is no change.
    configure_company(by=admin_user, quote_series="DEV", order_series="BC")
    assert Company.objects.get().order_series == "BC"


def test_two_series_cannot_share_a_prefix_nor_take_a_journal_code(admin_user, company):
    with pytest.raises(DomainError) as taken:
        configure_company(by=admin_user, order_series="DEV")
    assert taken.value.code == "series_prefix_taken"
    assert "déjà celui des devis" in taken.value.message
    with pytest.raises(DomainError) as reserved:
        configure_company(by=admin_user, credit_note_series="VE")
    assert reserved.value.code == "series_prefix_reserved"
    with pytest.raises(DomainError) as invalid:
        configure_company(by=admin_user, refund_series="r-1")
    assert invalid.value.code == "invalid_series_prefix"
    assert Company.objects.get().order_series == "CMD"


def test_a_set_up_plan_names_every_prefix():
    plan = from_document(
        {"numerotation": {"prefixe_factures": "F", "prefixe_devis": "DV", "prefixe_avoirs": "A"}}
    )
    assert plan.company == {"invoice_series": "F", "quote_series": "DV", "credit_note_series": "A"}

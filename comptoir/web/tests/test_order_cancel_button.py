"""No Cancel button that can only fail (issue 20, point 3): a shipped or invoiced order shows the action
disabled with the reason and the way out; an order that can be cancelled shows it live."""

import pytest

from comptoir.billing.services import create_invoice_from_order
from comptoir.sales.services import confirm_order, create_order
from comptoir.stock.services import create_delivery, receive_stock, validate_delivery
from comptoir.web.tests.clients import client_for, text_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def confirmed(boss, customer, product):
    receive_stock([{"product": product, "quantity": "20", "unit_cost": "70"}], by=boss)
    return confirm_order(create_order(customer, [{"product": product, "quantity": "5"}], by=boss), by=boss)


def test_a_confirmed_order_with_nothing_shipped_can_be_cancelled(boss, confirmed):
    page = text_of(client_for(boss).get(f"/commandes/{confirmed.pk}/"))
    assert f'action="/commandes/{confirmed.pk}/annuler/"' in page
    assert "cancel-refusal" not in page


def test_a_shipped_order_shows_why_it_cannot_be_cancelled(boss, confirmed):
    validate_delivery(create_delivery(confirmed, by=boss), by=boss)

    page = text_of(client_for(boss).get(f"/commandes/{confirmed.pk}/"))

    assert f'action="/commandes/{confirmed.pk}/annuler/"' not in page
    assert "disabled" in page.split('id="cancel-refusal"')[0].rsplit("<button", 1)[1]
    assert "a déjà des livraisons expédiées" in page and "ouvrez un dossier de retour" in page


def test_an_invoiced_order_shows_why_it_cannot_be_cancelled(boss, customer, service_product):
    order = confirm_order(
        create_order(customer, [{"product": service_product, "quantity": "1"}], by=boss), by=boss
    )
    create_invoice_from_order(order, by=boss)

    page = text_of(client_for(boss).get(f"/commandes/{order.pk}/"))

    assert f'action="/commandes/{order.pk}/annuler/"' not in page
    assert "a déjà des factures" in page

"""Quote versions and order amendments in the web app (#22 point 7): « Réviser », the versions tab with
the differences, the superseded version saying why it cannot be accepted; the « Modifier par avenant »
form, its refusals on the page, and the trail on the order page."""

import pytest

from comptoir.core.permissions import Role
from comptoir.core.testing import make_user
from comptoir.sales.models import Quote
from comptoir.sales.services import (
    confirm_order,
    create_order,
    create_quote,
    revise_quote,
    send_quote,
)
from comptoir.stock.services import create_delivery, receive_stock, validate_delivery
from comptoir.web.tests.clients import client_for, messages_of, text_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent(boss, customer, product):
    return send_quote(create_quote(customer, [{"product": product, "quantity": "10"}], by=boss), by=boss)


def test_revise_drafts_the_next_version_and_the_old_one_says_why_it_cannot_be_accepted(boss, sent):
    client = client_for(boss)
    assert "Réviser" in text_of(client.get(f"/devis/{sent.pk}/"))

    response = client.post(f"/devis/{sent.pk}/reviser/")

    v2 = Quote.objects.get(previous_version=sent)
    assert response.status_code == 302 and response["Location"] == f"/devis/{v2.pk}/modifier/"
    page = text_of(client.get(f"/devis/{sent.pk}/"))
    assert "Remplacé par une version suivante" in page
    assert (
        f"a été remplacé par la version 2 ({v2.number}) : seule la dernière version peut être acceptée"
        in page
    )
    assert f'action="/devis/{sent.pk}/accepter/"' not in page
    assert "Versions (2)" in page


def test_the_versions_tab_shows_the_differences(boss, sent, product):
    v2 = revise_quote(
        sent,
        by=boss,
        lines=[{"product": product, "quantity": "12", "unit_price": "110", "discount_percent": "5"}],
    )
    page = text_of(client_for(boss).get(f"/devis/{v2.pk}/versions/"))
    assert f"Différences de {sent.number} à {v2.number}" in page
    assert "0 ligne(s) ajoutée(s), 0 retirée(s), 1 modifiée(s)." in page
    assert 'class="diff-before">10' in page and 'class="diff-after">12' in page
    assert "Total HT" in page and "1\u202f254,00\u00a0€" in page


def test_an_amendment_from_the_order_page_with_its_trail(boss, customer, product):
    order = confirm_order(create_order(customer, [{"product": product, "quantity": "10"}], by=boss), by=boss)
    line = order.lines.get()
    client = client_for(boss)
    page = text_of(client.get(f"/commandes/{order.pk}/"))
    assert "Modifier par avenant" in page
    form = text_of(client.get(f"/commandes/{order.pk}/avenant/"))
    assert f'name="qty_{line.pk}"' in form

    response = client.post(
        f"/commandes/{order.pk}/avenant/",
        {
            f"qty_{line.pk}": "14",
            f"price_{line.pk}": "120",
            f"discount_{line.pk}": "",
            "reason": "Atelier agrandi",
        },
    )

    assert response.status_code == 302
    page = text_of(client.get(f"/commandes/{order.pk}/"))
    assert "Avenant n° 1" in page and "Atelier agrandi" in page
    assert "Commande modifiée par avenant" in page  # the history
    line.refresh_from_db()
    assert str(line.quantity) == "14.000"


def test_a_refused_amendment_shows_the_floor_and_keeps_what_was_typed(boss, customer, product):
    receive_stock([{"product": product, "quantity": "20", "unit_cost": "70"}], by=boss)
    order = confirm_order(create_order(customer, [{"product": product, "quantity": "10"}], by=boss), by=boss)
    line = order.lines.get()
    validate_delivery(create_delivery(order, [{"order_line": line, "quantity": "6"}], by=boss), by=boss)

    response = client_for(boss).post(
        f"/commandes/{order.pk}/avenant/", {f"qty_{line.pk}": "4", "reason": "Le client réduit"}
    )

    assert response.status_code == 200
    assert messages_of(response) == [
        "Ligne 1 (Perceuse à percussion) : 6 déjà livré(s), la quantité ne peut pas descendre en dessous "
        "(demandé : 4)."
    ]
    page = text_of(response)
    assert 'value="4"' in page and "Le client réduit" in page and "au moins 6" in page


def test_no_amend_button_for_a_salesperson(boss, customer, product):
    order = confirm_order(create_order(customer, [{"product": product, "quantity": "1"}], by=boss), by=boss)
    page = text_of(client_for(make_user("vendeur", Role.COMMERCIAL)).get(f"/commandes/{order.pk}/"))
    assert "Modifier par avenant" not in page

# ruff: noqa: F811 — the browser fixtures are imported from test_browser.py and used as arguments.
"""The assistant in a real browser: the billing agent is run from its page, its proposal shows in the inbox
and on the home page, approving it issues the invoice; an open dispute shows the assistant's advice and
the recurring causes page explains what grew.

Same harness as test_browser.py (Debian's Chromium driven by Playwright, screenshots in test-artifacts/).
"""

import re
from decimal import Decimal
from pathlib import Path

import pytest

from tests.flows.test_browser import (  # noqa: F401 (fixtures)
    CHROMIUM,
    PASSWORD,
    _chart_of_accounts_back_after_the_flush,
    browser_page,
    director,
    expect_message,
    shot,
)

pytestmark = [
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="chromium absent (/usr/bin/chromium)"),
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def delivered(director):
    """10 × REF-88 delivered, not invoiced; and a second delivery with a short-shipment case opened."""
    from comptoir.core.testing import make_customer, make_product
    from comptoir.returns.services import open_case
    from comptoir.sales.services import confirm_order, create_order
    from comptoir.stock.services import create_delivery, receive_stock, validate_delivery

    customer = make_customer(director, name="Quincaillerie Martin")
    product = make_product(director, sku="REF-88", name="Étagère acier", sale_price=Decimal("120.00"))
    receive_stock([{"product": product, "quantity": "50", "unit_cost": "70"}], by=director)
    deliveries = []
    for quantity in ("10", "4"):
        order = confirm_order(
            create_order(customer, [{"product": product, "quantity": quantity}], by=director), by=director
        )
        deliveries.append(validate_delivery(create_delivery(order, by=director), by=director))
    case = open_case(
        deliveries[1],
        [{"delivery_line": deliveries[1].lines.get(), "quantity": "1"}],
        by=director,
        reason="short_shipment",
        customer_statement="Il manque une étagère.",
    )
    return deliveries[0], case


def test_the_agent_proposes_and_a_person_approves_in_the_browser(
    director, delivered, live_server, browser_page
):
    delivery, case = delivered
    page, base = browser_page, live_server.url
    page.goto(f"{base}/connexion/")
    page.fill("#id_username", director.username)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(f"{base}/")

    page.get_by_role("link", name="Agent de facturation").click()
    page.get_by_role("button", name="Lancer un passage maintenant").click()
    expect_message(page, "Passage terminé")
    shot(page, "50-assistant-agent")

    page.get_by_role("link", name="Propositions", exact=True).first.click()
    page.wait_for_url(re.compile(r"/assistant/propositions/$"))
    assert "Émettre la facture" in page.content()
    shot(page, "51-assistant-propositions")
    page.locator("article.proposal", has_text="Émettre la facture").get_by_role(
        "button", name="Approuver"
    ).click()
    expect_message(page, "Proposition approuvée : FA-")

    page.goto(f"{base}/")
    shot(page, "52-accueil-assistant")
    page.goto(f"{base}/litiges/{case.pk}/")
    assert "L'avis de l'assistant" in page.content()
    shot(page, "53-litige-avis-assistant")
    page.goto(f"{base}/litiges/causes/")
    assert "Causes récurrentes des retours" in page.content()
    shot(page, "54-causes-recurrentes")

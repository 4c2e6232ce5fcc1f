# ruff: noqa: F811 — the browser fixtures are imported from test_browser.py and used as arguments.
"""The real margin in the browser: a ticket opened from the customer page with its costs and an hour of
time, then the customer's page shows the waterfall (inline SVG) with the after-sales step and a real margin
below the sales view's; no CSP refusal on the console (browser_page fails on any)."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.flows.test_browser import (  # noqa: F401 (fixtures)
    CHROMIUM,
    PASSWORD,
    _chart_of_accounts_back_after_the_flush,
    browser_page,
    director,
)

pytestmark = [
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="chromium absent (/usr/bin/chromium)"),
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def customer(director):
    from comptoir.aftersales import services
    from comptoir.core.testing import make_customer, make_product
    from comptoir.returns.tests.factories import make_sale

    customer = make_customer(director, name="Menuiserie Martin SARL", siren="542107651")
    product = make_product(
        director, sku="REF-88", name="Perceuse", sale_price="120.00", purchase_cost="70.00"
    )
    make_sale(director, customer, product)
    profile = services.create_profile(by=director, name="Direction", hourly_cost="90")
    services.assign_profile(director, profile, by=director)
    return customer


def test_a_ticket_and_its_hour_lower_the_customers_real_margin_on_its_page(
    director, customer, live_server, browser_page
):
    page, base = browser_page, live_server.url
    page.goto(f"{base}/connexion/")
    page.fill("#id_username", director.username)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(f"{base}/")

    page.goto(f"{base}/clients/{customer.pk}/")
    expect(page.locator("#real-margin")).to_have_text("500,00\u00a0€")
    page.get_by_role("link", name="Nouveau ticket SAV").click()
    page.fill("#id_title", "Perceuse qui chauffe")
    page.select_option("#id_kind", "intervention")
    page.fill("#id_parts_cost", "120")
    page.fill("#id_travel_cost", "60")
    page.get_by_role("button", name="Ouvrir le ticket").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Perceuse qui chauffe")
    page.fill("#id_minutes", "60")
    page.get_by_role("button", name="Enregistrer le temps").click()
    expect(page.locator("main")).to_contain_text("Temps enregistré.")

    page.get_by_role("link", name="Menuiserie Martin SARL").first.click()
    # 500 € of sales margin − 180 € of parts and travel − 90 € of time
    expect(page.locator("#real-margin")).to_have_text("230,00\u00a0€")
    expect(page.locator("#sales-margin")).to_have_text("500,00\u00a0€")
    expect(page.locator("#waterfall-table tr[data-step='aftersales'] td").first).to_have_text(
        "−270,00\u00a0€"
    )
    expect(page.locator("#rentabilite svg rect")).to_have_count(11)

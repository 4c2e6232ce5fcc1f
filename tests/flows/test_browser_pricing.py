# ruff: noqa: F811 — the browser fixtures are imported from test_browser.py and used as arguments.
"""Pricing in a real browser (#22 point 2): a seller types a quote line without a price, the group's
price list prices it at its break and the explanation shows while typing and on the quote; her 12 %
negotiated discount is above her 10 % threshold, so sending is refused with who may approve, the quote
shows it waits; direction approves it on the quote's page and the seller sends it.

Same harness as test_browser.py (Debian's Chromium driven by Playwright, screenshots in test-artifacts/).
"""

import re
from pathlib import Path

import pytest

from tests.flows.test_browser import (  # noqa: F401 (fixtures)
    CHROMIUM,
    PASSWORD,
    _chart_of_accounts_back_after_the_flush,
    browser_page,
    director,
    expect_message,
    pick,
    shot,
)

pytestmark = [
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="chromium absent (/usr/bin/chromium)"),
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def wholesale(director):
    """A wholesaler in the group of the « Grossistes 2026 » list, and a seller: written before the browser."""
    import datetime

    from comptoir.core import dates
    from comptoir.core.permissions import Role
    from comptoir.core.testing import make_customer, make_product, make_user
    from comptoir.pricing import services

    customer = make_customer(director, name="Négoce Dupuis SA")
    product = make_product(director, sku="VIS-500", name="Boîte de 500 vis inox", sale_price="42.00")
    group = services.create_customer_group("GROS", "Grossistes", by=director)
    services.set_customer_group(customer, group, by=director)
    year = dates.today().year
    services.create_price_list(
        f"Grossistes {year}",
        group=group,
        valid_from=datetime.date(year, 1, 1),
        valid_until=datetime.date(year, 12, 31),
        lines=[
            {"product": product, "min_quantity": "1", "price": "39"},
            {"product": product, "min_quantity": "50", "price": "35.50"},
        ],
        by=director,
    )
    make_user("lea", Role.COMMERCIAL, password=PASSWORD)
    return year


def _sign_in(page, base, username):
    # The first page of a fresh browser can take about ten seconds on a loaded machine.
    page.goto(f"{base}/connexion/", timeout=60_000)
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(f"{base}/")


def test_a_line_priced_by_a_list_shows_why_and_a_large_discount_waits_for_approval(
    director, wholesale, live_server, browser_page
):
    page, base, year = browser_page, live_server.url, wholesale
    _sign_in(page, base, "lea")

    page.goto(f"{base}/devis/nouveau/")
    pick(page.get_by_role("combobox", name="Client"), "dupuis", "Négoce Dupuis SA")
    pick(page.get_by_role("combobox", name="Produit").first, "VIS", "VIS-500 — Boîte de 500 vis inox")
    page.locator("input[name=quantity]").first.fill("60")
    page.locator("input[name=quantity]").first.blur()
    explanation = f"liste Grossistes {year}, palier ≥ 50"
    page.locator("#totals-rows, #line-rows").get_by_text(explanation).first.wait_for()
    page.locator("input[name=discount_percent]").first.fill("12")
    page.locator("input[name=discount_percent]").first.blur()
    # A discount without its category is refused before anything is saved.
    page.locator("#totals").get_by_text("choisissez la catégorie de la remise").wait_for()
    page.locator("select[name=discount_category]").first.select_option(label="Remise négociée")
    # 60 × 35,50 × 0,88 = 1 874,40 HT
    page.locator("#totals").get_by_text("1\u202f874,40\u00a0€").first.wait_for()
    shot(page, "prix-liste-saisie")
    page.get_by_role("button", name="Créer le devis").click()
    page.wait_for_url(re.compile(r"/devis/\d+/$"))
    quote_url = page.url
    lines = page.locator("table.data").first
    assert explanation in lines.inner_text() and "Remise négociée" in lines.inner_text()
    page.locator("#discount-approval").get_by_text("Direction").wait_for()

    page.get_by_role("button", name="Envoyer").click()
    expect_message(page, "doit être approuvée par une autre personne dont le seuil la couvre")
    shot(page, "prix-remise-a-approuver")

    # Direction sees it in the list of discounts to approve, and approves it on the quote.
    page.context.clear_cookies()
    _sign_in(page, base, director.username)
    page.goto(f"{base}/remises-a-approuver/")
    page.locator("#discount-approvals").get_by_text("lea").wait_for()
    page.goto(quote_url)
    page.fill("#discount-reason", "Volume annuel")
    page.get_by_role("button", name="Approuver les remises").click()
    expect_message(page, "approuvées")
    page.locator("#discount-approval").get_by_text("approuvées par claire").wait_for()

    page.context.clear_cookies()
    _sign_in(page, base, "lea")
    page.goto(quote_url)
    page.get_by_role("button", name="Envoyer").click()
    expect_message(page, "envoyé")
    shot(page, "prix-devis-envoye")

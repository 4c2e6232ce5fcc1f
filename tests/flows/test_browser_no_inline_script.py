# ruff: noqa: F811 — the browser fixtures are imported from test_browser.py and used as arguments.
"""The pages keep working under a Content-Security-Policy that forbids inline script (issue 18, point 2):
the confirmation before cancelling and the editor's « Retirer » used inline handlers, which the browser
now refuses; they are listeners in comptoir.js. Any CSP refusal on the console fails the test
(browser_page in test_browser.py)."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.flows.test_browser import (  # noqa: F401 (fixtures)
    CHROMIUM,
    PASSWORD,
    _chart_of_accounts_back_after_the_flush,
    browser_page,
    director,
    expect_message,
    pick,
)

pytestmark = [
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="chromium absent (/usr/bin/chromium)"),
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def quote(director):
    from comptoir.core.testing import make_customer, make_product
    from comptoir.sales.services import create_quote

    customer = make_customer(director, name="Garage Lefèvre")
    product = make_product(director, sku="REF-12", name="Compresseur 50 L")
    return create_quote(customer, [{"product": product, "quantity": "2"}], by=director)


def test_confirmations_and_line_removal_work_without_inline_script(
    director, quote, live_server, browser_page
):
    page, base = browser_page, live_server.url
    response = page.goto(f"{base}/connexion/")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    page.fill("#id_username", director.username)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(f"{base}/")

    # The editor: a second line, then « Retirer » removes it and the totals follow.
    page.goto(f"{base}/devis/{quote.pk}/modifier/")
    rows = page.locator("#line-rows tr")
    total_incl_vat = page.locator("#totals tr").last
    first_total = total_incl_vat.text_content()
    page.get_by_role("button", name="Ajouter une ligne").click()
    expect(rows).to_have_count(2)
    pick(
        page.locator("#line-rows tr").nth(1).get_by_role("combobox", name="Produit"),
        "compresseur",
        "REF-12 — Compresseur 50 L",
    )
    page.locator("#line-rows tr").nth(1).locator("input[name=quantity]").fill("3")
    page.locator("#line-rows tr").nth(1).locator("input[name=quantity]").blur()
    expect(total_incl_vat).not_to_have_text(first_total)
    page.locator("#line-rows tr").nth(1).get_by_role("button", name="Retirer").click()
    expect(rows).to_have_count(1)
    expect(total_incl_vat).to_have_text(first_total)

    # Cancelling asks first: saying no keeps the quote, saying yes cancels it.
    page.goto(f"{base}/devis/{quote.pk}/")
    page.once("dialog", lambda dialog: dialog.dismiss())
    page.get_by_role("button", name="Annuler le devis").click()
    assert re.search(r"/devis/\d+/$", page.url)
    assert page.get_by_role("button", name="Annuler le devis").is_visible()
    questions = []

    def accept(dialog):
        questions.append(dialog.message)
        dialog.accept()

    page.once("dialog", accept)
    page.get_by_role("button", name="Annuler le devis").click()
    expect_message(page, "annulé")
    assert questions == ["Annuler ce devis ?"]


def test_the_global_search_by_keyboard(director, quote, live_server, browser_page):
    """ "/" from any page puts the cursor in the search box; typing shows results as you type (accents
    ignored); Enter on a full document number opens it."""
    page, base = browser_page, live_server.url
    page.goto(f"{base}/connexion/")
    page.fill("#id_username", director.username)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(f"{base}/")

    page.keyboard.press("/")
    expect(page.locator("#global-search")).to_be_focused()
    page.keyboard.type("garage lefevre")
    results = page.locator("#global-search-results")
    expect(results.get_by_role("link", name="Garage Lefèvre")).to_be_visible()
    page.keyboard.press("Escape")
    expect(results).to_be_empty()

    page.locator("#global-search").fill(quote.number)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{base}/devis/{quote.pk}/")

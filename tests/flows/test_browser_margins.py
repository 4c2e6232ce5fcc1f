# ruff: noqa: F811 — the browser fixtures are imported from test_browser.py and used as arguments.
"""The « Marges » page in the browser: reached from the menu, grouped by tab, sorted by a column, a loss
in red; no CSP refusal on the console (browser_page in test_browser.py fails on any)."""

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
def sales(director):
    from comptoir.core.testing import make_customer, make_product
    from comptoir.insights.tests.factories import two_sales

    customer = make_customer(director, name="Menuiserie Martin SARL", siren="542107651")
    product = make_product(
        director, sku="REF-88", name="Perceuse", sale_price="120.00", purchase_cost="70.00"
    )
    two_sales(director, customer, product)


def test_a_director_reads_margins_per_customer_and_product_and_sorts_them(
    director, sales, live_server, browser_page
):
    page, base = browser_page, live_server.url
    page.goto(f"{base}/connexion/")
    page.fill("#id_username", director.username)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(f"{base}/")

    page.get_by_role("link", name="Marges", exact=True).first.click()
    rows = page.locator("#margins-table tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.first.locator("td").first).to_have_text("Menuiserie Martin SARL")
    expect(rows.nth(1).locator("td.negative")).to_have_text("−40,00\u00a0€")

    page.get_by_role("link", name="Taux de marge").click()
    expect(rows.first.locator("td").first).to_have_text("Bois & Fils")

    page.get_by_role("link", name="Par produit").click()
    expect(rows).to_have_count(1)
    expect(rows.first.locator("td").first).to_have_text("REF-88 — Perceuse")
    expect(page.locator("#margins-table tfoot")).to_contain_text("460,00\u00a0€")

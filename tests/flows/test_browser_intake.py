# ruff: noqa: F811 — the browser fixtures are imported from test_browser.py and used as arguments.
"""An ADV assistant drops two customer orders at once (an Order-X file and a CSV order form) on the intake
page, reviews the CSV one, picks the product of the line the catalogue could not match, accepts, and finds
the draft order, linked to its document."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from comptoir.intake.tests.conftest import FIXTURES
from tests.flows.test_browser import (  # noqa: F401 (fixtures)
    CHROMIUM,
    PASSWORD,
    _chart_of_accounts_back_after_the_flush,
    browser_page,
    director,
    shot,
)

pytestmark = [
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="chromium absent (/usr/bin/chromium)"),
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def known(director):
    """The customer and products the sample orders name, written before the browser starts."""
    from comptoir.core.testing import make_customer, make_product

    make_customer(director, name="Brasserie du Port SAS", siren="552032534", vat_number="FR27552032534")
    make_product(
        director, sku="VIS-M6-50", name="Vis inox M6x50 boîte de 100", ean="3012345678902", sale_price="12.50"
    )
    make_product(director, sku="PERC-18V", name="Perceuse sans fil 18 V", sale_price="149.00")
    return make_product(director, sku="GANT-T9", name="Gants de protection cuir T9", sale_price="3.20")


def test_orders_dropped_on_the_intake_page_are_reviewed_and_accepted_into_a_draft_order(
    director, known, live_server, browser_page
):
    page, base = browser_page, live_server.url
    page.goto(f"{base}/commandes-recues/")
    page.wait_for_url(re.compile(r"/connexion/"))
    page.fill("#id_username", director.username)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(f"{base}/commandes-recues/")

    page.set_input_files("#intake-files", [str(FIXTURES / "order-x.xml"), str(FIXTURES / "order-form.csv")])
    expect(page.locator("[data-dropzone-names]")).to_have_text("order-x.xml, order-form.csv")
    page.get_by_role("button", name="Déposer", exact=True).click()
    expect(page.locator("#tab-to_review .count")).to_have_text("2")
    shot(page, "intake-01-file")

    page.get_by_role("link", name=re.compile(r"REC-\d+")).nth(1).click()
    expect(page.locator("#intake-customer")).to_contain_text("Brasserie du Port SAS")
    expect(page.locator("#intake-checks")).to_contain_text("produit non reconnu")
    expect(page.locator("#intake-fields")).to_contain_text("BC-9001")
    line = page.locator("#intake-line-2")
    line.locator("select").select_option(label="GANT-T9 — Gants de protection cuir T9")
    shot(page, "intake-02-verification")
    page.get_by_role("button", name="Accepter : créer la commande brouillon").click()

    page.wait_for_url(re.compile(r"/commandes/\d+/$"))
    expect(page.locator(".messages")).to_contain_text("Commande brouillon CMD-")
    expect(page.get_by_text("BC-9001").first).to_be_visible()
    expect(page.get_by_text("GANT-T9").first).to_be_visible()
    shot(page, "intake-03-commande")


def test_a_pdf_order_is_read_on_upload_reviewed_with_its_sources_and_accepted(
    director, known, live_server, browser_page
):
    """A customer's own PDF purchase order (a text layer, no embedded XML): read at once, each field with
    the page and box it came from; the line the catalogue could not match is picked by hand."""
    page, base = browser_page, live_server.url
    page.goto(f"{base}/commandes-recues/")
    page.wait_for_url(re.compile(r"/connexion/"))
    page.fill("#id_username", director.username)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(f"{base}/commandes-recues/")

    page.set_input_files("#intake-files", [str(FIXTURES / "order-digital.pdf")])
    page.get_by_role("button", name="Déposer", exact=True).click()
    # One file: straight to its review screen.
    page.wait_for_url(re.compile(r"/commandes-recues/\d+/$"))
    expect(page.locator("#intake-customer")).to_contain_text("Brasserie du Port SAS")
    fields = page.locator("#intake-fields")
    expect(fields).to_contain_text("BC-2026-0917")
    expect(fields).to_contain_text("page 1 [")
    expect(fields).to_contain_text("2 quai de la Fosse")
    expect(page.locator("#intake-checks")).to_contain_text("produit non reconnu")
    page.locator("#intake-line-2").locator("select").select_option(
        label="GANT-T9 — Gants de protection cuir T9"
    )
    shot(page, "intake-04-pdf")
    page.get_by_role("button", name="Accepter : créer la commande brouillon").click()

    page.wait_for_url(re.compile(r"/commandes/\d+/$"))
    expect(page.locator(".messages")).to_contain_text("Commande brouillon CMD-")
    expect(page.get_by_text("BC-2026-0917").first).to_be_visible()
    expect(page.get_by_text("GANT-T9").first).to_be_visible()
    expect(page.get_by_text("PERC-18V").first).to_be_visible()

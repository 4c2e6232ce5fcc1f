# ruff: noqa: F811 — the browser fixtures are imported from test_browser.py and used as arguments.
"""A new installation, empty database: the first visitor is led to « Premiers pas », sets up the
company step by step (going back once), becomes its administrator and lands on the home's first steps."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.flows.test_browser import (  # noqa: F401 (fixtures)
    CHROMIUM,
    _chart_of_accounts_back_after_the_flush,
    browser_page,
    seed_chart_of_accounts,
    shot,
)

pytestmark = [
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="chromium absent (/usr/bin/chromium)"),
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def empty_installation(first_run_gate):
    """A database just migrated: the chart of accounts, no company, no user (written before the browser
    starts, see test_browser.director)."""
    seed_chart_of_accounts()


def test_a_new_installation_is_set_up_in_the_browser(empty_installation, live_server, browser_page):
    page, base = browser_page, live_server.url

    page.goto(f"{base}/")
    expect(page).to_have_url(f"{base}/premiers-pas/societe/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Premiers pas — Société")
    page.fill("#id_legal_name", "Atelier Mercier SARL")
    page.fill("#id_legal_form", "SARL")
    page.fill("#id_siren", "542107652")
    page.fill("#id_city", "Nantes")
    page.get_by_role("button", name="Continuer").click()
    expect(page.locator(".field-error")).to_contain_text("Le SIREN « 542107652 » n'est pas valide")
    page.fill("#id_siren", "542107651")
    shot(page, "premiers-pas-01-societe")
    page.get_by_role("button", name="Continuer").click()

    expect(page).to_have_url(f"{base}/premiers-pas/banque/")
    page.fill("#id_iban", "FR76 3000 6000 0112 3456 7890 189")
    page.get_by_role("button", name="Précédent").click()
    expect(page).to_have_url(f"{base}/premiers-pas/societe/")
    expect(page.locator("#id_legal_name")).to_have_value("Atelier Mercier SARL")
    page.get_by_role("button", name="Continuer").click()
    expect(page.locator("#id_iban")).to_have_value("FR76 3000 6000 0112 3456 7890 189")
    page.fill("#id_bic", "BNPAFRPP")
    page.get_by_role("button", name="Continuer").click()

    expect(page).to_have_url(f"{base}/premiers-pas/tva-exercice/")
    page.get_by_label("TVA sur les débits").check()
    page.get_by_role("button", name="Continuer").click()

    expect(page).to_have_url(f"{base}/premiers-pas/facturation/")
    expect(page.locator("#id_invoice_series")).to_have_value("FA")
    page.fill("#id_default_payment_days", "45")
    page.get_by_role("button", name="Continuer").click()

    expect(page).to_have_url(f"{base}/premiers-pas/utilisateurs/")
    expect(page.locator("#first-run-summary")).to_contain_text("Atelier Mercier SARL")
    expect(page.locator("#first-run-summary")).to_contain_text("TVA sur les débits")
    page.fill("#id_admin-username", "paul")
    page.fill("#id_admin-first_name", "Paul")
    page.fill("#id_admin-password", "Mercier-Atelier-9")
    page.fill("#id_collegues-0-username", "lea")
    page.fill("#id_collegues-0-password", "Lea-Commerce-2026")
    page.locator("#colleague-1").get_by_label("Commercial").check()
    shot(page, "premiers-pas-05-utilisateurs")
    page.get_by_role("button", name="Créer la société").click()

    expect(page).to_have_url(f"{base}/")
    expect(page.locator(".messages")).to_contain_text("La société Atelier Mercier SARL est en place")
    card = page.locator("#first-steps")
    expect(card).to_contain_text("Importer vos clients")
    expect(card).to_contain_text("Faire un premier devis")
    shot(page, "premiers-pas-06-accueil")
    card.get_by_role("link", name="Importer vos clients").click()
    expect(page).to_have_url(re.compile(r"/parametres/import/\?kind=customers$"))
    expect(page.locator("#import-kind")).to_have_value("customers")

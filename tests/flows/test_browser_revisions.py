# ruff: noqa: F811 — the browser fixtures are imported from test_browser.py and used as arguments.
"""Quote versions and an order amendment in a real browser (#22 point 7): revise a sent quote, change
the new version's quantity, see the differences in the versions tab, the old version saying why it
cannot be accepted, accept v2 and confirm the order; then amend the order's quantity with a reason and
read the trail on the order page.

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
    shot,
)

pytestmark = [
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="chromium absent (/usr/bin/chromium)"),
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def sent_quote(director):
    from comptoir.core.testing import make_customer, make_product
    from comptoir.sales.services import create_quote, send_quote

    customer = make_customer(director, name="Garage Lefèvre")
    product = make_product(director, sku="REF-12", name="Compresseur 50 L", sale_price="300.00")
    quote = create_quote(customer, [{"product": product, "quantity": "2"}], by=director)
    return send_quote(quote, by=director)


def test_revise_compare_accept_v2_then_amend_the_order(director, sent_quote, live_server, browser_page):
    page, base = browser_page, live_server.url
    page.set_default_timeout(30_000)  # a machine shared with other test runs: the first page may be slow
    page.goto(f"{base}/connexion/")
    page.fill("#id_username", director.username)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(f"{base}/")

    # Revise the sent quote: v2 opens in the line editor; the customer wants 5 compressors.
    page.goto(f"{base}/devis/{sent_quote.pk}/")
    page.get_by_role("button", name="Réviser").click()
    expect_message(page, "Version 2 créée")
    page.locator("input[name=quantity]").first.fill("5")
    page.get_by_role("button", name="Enregistrer les lignes").click()
    expect_message(page, "enregistrées")
    v2_number = f"{sent_quote.number}-v2"
    assert v2_number in page.locator("h1").inner_text()

    # The versions tab shows what changed from v1 to v2.
    page.locator("#versions-tab").click()
    page.locator("#version-diff").wait_for()
    diff = page.locator("#version-diff").inner_text()
    assert f"Différences de {sent_quote.number} à {v2_number}" in diff
    changed = page.locator("#version-diff tr.diff-changed")
    assert changed.locator(".diff-before").first.inner_text() == "2"
    assert changed.locator(".diff-after").first.inner_text() == "5"
    assert "1 500,00" in page.locator("#diff-totals").inner_text().replace("\u202f", " ")
    shot(page, "devis-versions-differences")

    # v1 cannot be accepted any more, and says why.
    page.get_by_role("link", name=sent_quote.number, exact=True).first.click()
    page.locator("#quote-superseded").wait_for()
    assert "seule la dernière version peut être acceptée" in page.locator("#quote-superseded").inner_text()
    assert page.get_by_role("button", name="Accepter").count() == 0

    # v2 is sent, accepted, and its order confirmed.
    page.get_by_role("link", name=v2_number, exact=True).first.click()
    page.get_by_role("button", name="Envoyer").click()
    expect_message(page, "envoyé")
    page.get_by_role("button", name="Accepter").click()
    expect_message(page, "accepté")
    page.get_by_role("button", name="Confirmer").click()
    expect_message(page, "confirmée")
    assert v2_number in page.locator("#order-chain").locator("xpath=..").inner_text()
    order_url = page.url

    # Amend the order: 7 compressors instead of 5, with a reason.
    page.get_by_role("link", name="Modifier par avenant").click()
    page.wait_for_url(re.compile(r"/avenant/$"))
    page.locator("input[name^=qty_]").fill("7")
    page.fill("#reason", "Le client équipe un second atelier")
    page.get_by_role("button", name="Enregistrer l'avenant").click()
    expect_message(page, "Avenant n° 1 enregistré")
    assert page.url == order_url
    trail = page.locator("#amendments").inner_text()
    assert "Le client équipe un second atelier" in trail
    assert "Quantité" in trail and "5" in trail and "7" in trail
    assert "Commande modifiée par avenant" in page.locator("#history-title").locator("xpath=..").inner_text()
    shot(page, "commande-avenant")

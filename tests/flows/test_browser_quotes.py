# ruff: noqa: F811 — the browser fixtures are imported from test_browser.py and used as arguments.
"""An expired quote in a real browser (issue 20, point 4): the home no longer lists it as pending, the
list shows it expired, its page offers no Accept button that can only fail but a Renew one, and the
renewal is sent and accepted like any quote.

Same harness as test_browser.py (Debian's Chromium driven by Playwright, screenshots in test-artifacts/).
"""

import datetime
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
def expired_quote(director):
    """A quote sent three weeks ago, valid until yesterday: written before the browser starts."""
    from comptoir.core import dates
    from comptoir.core.testing import make_customer, make_product
    from comptoir.sales.services import create_quote, send_quote

    today = dates.today()
    customer = make_customer(director, name="Garage Lefèvre")
    product = make_product(director, sku="REF-12", name="Compresseur 50 L")
    quote = create_quote(
        customer,
        [{"product": product, "quantity": "2", "discount_percent": "10"}],
        by=director,
        date=today - datetime.timedelta(days=21),
        valid_until=today - datetime.timedelta(days=1),
    )
    return send_quote(quote, by=director)


def test_an_expired_quote_is_renewed_then_accepted(director, expired_quote, live_server, browser_page):
    page, base = browser_page, live_server.url
    page.goto(f"{base}/connexion/")
    page.fill("#id_username", director.username)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(f"{base}/")

    # The home does not count it as awaiting an answer, and says how many lapsed.
    assert expired_quote.number not in page.locator("#commercial-title + .grid").inner_text()
    page.locator("#quotes-expired a").click()
    page.wait_for_url(re.compile(r"/devis/\?etat=expired"))
    row = page.locator("table.data tbody tr", has_text=expired_quote.number)
    assert row.locator(".chip-expired").inner_text() == "Expiré"
    shot(page, "devis-expires")

    # Its page explains, offers no Accept, and renews.
    row.get_by_role("link", name=expired_quote.number).click()
    page.locator("#quote-expired").wait_for()
    assert page.get_by_role("button", name="Accepter").count() == 0
    shot(page, "devis-expire")
    page.get_by_role("button", name="Renouveler").click()
    expect_message(page, f"créé à partir du devis {expired_quote.number}")
    renewal_url = page.url
    assert page.get_by_role("link", name=expired_quote.number).count() == 1
    shot(page, "devis-renouvele")

    # The renewal is an ordinary quote: sent, then accepted into an order.
    page.get_by_role("button", name="Envoyer").click()
    expect_message(page, "envoyé")
    page.get_by_role("button", name="Accepter").click()
    expect_message(page, "accepté")
    assert page.url != renewal_url  # on the order created
    assert "Compresseur 50 L" in page.locator("main").inner_text()

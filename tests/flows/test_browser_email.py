# ruff: noqa: F811 — the browser and SMTP fixtures are imported and used as arguments.
"""A quote sent by e-mail in a real browser (issue 19, point 5): « Envoyer par e-mail » on the quote,
the form filled with the customer's billing address and the quote's template, sent; the test SMTP
server (aiosmtpd) received it with the quote's PDF, the same bytes as the archive keeps, and the
quote's history says so.

Same harness as test_browser.py (Debian's Chromium driven by Playwright, screenshots in test-artifacts/).
"""

import io
import re
from pathlib import Path

import pytest
from pypdf import PdfReader

from comptoir.mailing.tests.smtp import smtp_server  # noqa: F401 (fixture)
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
def quote(director):
    """Written before the browser starts (see test_browser.director)."""
    from comptoir.core.testing import make_customer, make_product
    from comptoir.sales.services import create_quote

    customer = make_customer(director, name="Garage Lefèvre", email="achats@garage-lefevre.fr")
    product = make_product(director, sku="REF-12", name="Compresseur 50 L", sale_price="310.00")
    return create_quote(customer, [{"product": product, "quantity": "2"}], by=director)


def test_a_quote_is_sent_by_email_with_its_pdf(director, quote, smtp_server, live_server, browser_page):
    page, base = browser_page, live_server.url
    page.goto(f"{base}/connexion/")
    page.fill("#id_username", director.username)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(f"{base}/")

    page.goto(f"{base}/devis/{quote.pk}/")
    page.get_by_role("link", name="Envoyer par e-mail").click()
    page.wait_for_url(re.compile(rf"/devis/{quote.pk}/e-mail/$"))
    assert page.input_value("#id_to") == "achats@garage-lefevre.fr"
    assert page.input_value("#id_subject").startswith(f"Devis {quote.number}")
    page.fill("#id_cc", "direction@outillage-durand.fr")
    shot(page, "devis-envoi-email")
    page.locator("form.card").get_by_role("button", name="Envoyer").click()

    page.wait_for_url(f"{base}/devis/{quote.pk}/")
    expect_message(page, f"{quote.number} envoyé par e-mail à achats@garage-lefevre.fr.")
    assert page.get_by_text("Document envoyé par e-mail à achats@garage-lefevre.fr").count() == 1
    shot(page, "devis-envoye-email")

    (received,) = smtp_server.messages
    assert sorted(received.recipients) == ["achats@garage-lefevre.fr", "direction@outillage-durand.fr"]
    assert received.message["Subject"].startswith(f"Devis {quote.number}")
    pdf = received.attachments()[f"{quote.number}.pdf"]
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    assert quote.number in text and "Compresseur 50 L" in text

    from django.db import connection

    from comptoir.archive import selectors as archive

    try:
        archived = {f.original_name: archive.content_of(f) for f in archive.files_of(quote)}
    finally:
        # Under Playwright's event loop this read opened a connection of its own: closed here so that
        # it does not outlive the test (PostgreSQL would refuse to drop the test database).
        connection.close()
    assert archived[f"{quote.number}.pdf"] == pdf
    assert archived[f"{quote.number}.eml"] == received.raw

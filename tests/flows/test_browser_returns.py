# ruff: noqa: F811 — the browser fixtures are imported from test_browser.py and used as arguments.
"""A dispute in a real browser: damaged goods on a delivery become a case, a decision, a return receipt
and a credit note, then show on the dispute board and the returns KPIs.

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
def invoiced_delivery(director):
    """A delivery of 10 × REF-88 at 120 €, invoiced and issued: written before the browser starts."""
    from comptoir.billing.services import create_invoice_from_order, issue_invoice
    from comptoir.core.testing import make_customer, make_product
    from comptoir.sales.services import confirm_order, create_order
    from comptoir.stock.services import create_delivery, receive_stock, validate_delivery

    customer = make_customer(director, name="Quincaillerie Martin")
    product = make_product(director, sku="REF-88", name="Étagère acier", sale_price=Decimal("120.00"))
    receive_stock([{"product": product, "quantity": "50", "unit_cost": "70"}], by=director)
    order = confirm_order(
        create_order(customer, [{"product": product, "quantity": "10"}], by=director), by=director
    )
    delivery = validate_delivery(create_delivery(order, by=director), by=director)
    invoice = issue_invoice(create_invoice_from_order(order, by=director), by=director)
    return delivery, invoice


@pytest.fixture
def colleague(director):
    """Whoever opens a case never approves it (four eyes): the director's colleague decides."""
    from comptoir.core.testing import colleague_of

    return colleague_of(director)


def _sign_in(page, base, username, password):
    page.goto(f"{base}/connexion/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(f"{base}/")


def test_damaged_goods_become_a_credit_note_in_the_browser(
    director, invoiced_delivery, colleague, live_server, browser_page
):
    delivery, invoice = invoiced_delivery
    page, base = browser_page, live_server.url
    _sign_in(page, base, director.username, PASSWORD)

    # The customer calls: 2 shelves arrived bent. Declared from the delivery note.
    page.goto(f"{base}/livraisons/{delivery.pk}/")
    page.get_by_role("link", name="Déclarer un écart").click()
    page.wait_for_url(re.compile(r"/ecart/$"))
    page.get_by_label("Motif").select_option("damaged")
    page.get_by_label("Ce que dit le client").fill("Deux étagères pliées à la livraison.")
    page.get_by_label("Quantité concernée de REF-88").fill("2")
    shot(page, "40-litige-declaration")
    page.get_by_role("button", name="Ouvrir le dossier").click()
    page.wait_for_url(re.compile(r"/litiges/\d+/$"))
    case_url = page.url
    assert re.search(r"RET-\d{4}-00001", page.content())

    # Internal validation, then the goods come back and are scrapped.
    page.get_by_role("button", name="Soumettre pour décision").click()
    page.wait_for_load_state()
    # The director opened the case: a colleague approves it.
    page.get_by_role("button", name="Se déconnecter").click()
    page.wait_for_load_state()
    _sign_in(page, base, colleague.username, "pass-1234")
    page.goto(case_url)
    page.get_by_role("button", name="Approuver").wait_for()
    shot(page, "41-litige-soumis")
    page.get_by_label("Motif de l'approbation (facultatif)").fill("Photos du transporteur reçues.")
    page.get_by_role("button", name="Approuver").click()
    page.get_by_role("button", name="Enregistrer la réception").wait_for()
    page.get_by_label("Quantité reçue de REF-88").fill("2")
    page.get_by_label("Destination").select_option("scrap")
    page.get_by_role("button", name="Enregistrer la réception").click()
    page.get_by_role("button", name="Enregistrer la résolution").wait_for()
    shot(page, "42-litige-recu")

    # The decision: a credit note for the two shelves.
    page.get_by_label("Avoir", exact=False).first.check()
    page.get_by_role("button", name="Enregistrer la résolution").click()
    page.wait_for_load_state()
    shot(page, "43-litige-resolu")
    assert re.search(r"AV-\d{4}-00001", page.content()), "the credit note is issued and linked to the case"
    # Nothing is left open: the case offers to be closed, not to be resolved again.
    assert page.get_by_role("button", name="Enregistrer la résolution").count() == 0
    assert page.get_by_role("button", name="Clore le dossier").count() == 1

    # The credit note: 2 × 120 € HT + 20 % VAT, against the invoice it corrects (read on its page: an
    # ORM call from this thread, once Playwright runs, would open a connection that outlives the test).
    page.get_by_role("link", name=re.compile(r"AV-\d{4}-00001")).first.click()
    page.wait_for_url(re.compile(r"/factures/\d+/$"))
    content = page.content()
    assert "240,00" in content and "288,00" in content
    assert invoice.number in content
    shot(page, "44-avoir")
    page.goto(f"{base}/litiges/")
    assert page.locator("h1").count() == 1
    # At 1,440 px every column of the board is in view, the suggestion included: nothing to scroll.
    assert page.evaluate(
        "() => { const w = document.querySelector('.table-wrap'); return w.scrollWidth <= w.clientWidth; }"
    )
    shot(page, "45-tableau-litiges")
    page.goto(f"{base}/litiges/indicateurs/")
    assert page.locator("svg").count() >= 1, "the KPI page draws its charts"
    shot(page, "46-indicateurs-retours")
    page.goto(case_url)
    shot(page, "47-dossier-retour")

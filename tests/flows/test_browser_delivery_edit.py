# ruff: noqa: F811 — the browser fixtures are imported from test_browser.py and used as arguments.
"""The warehouse in a real browser (#20 point 2): a prepared delivery note asks for more than the shelves
hold; it is lowered before shipping instead of being cancelled and redone, a line is taken off, and the
picking lists print from the note and, for several notes at once, from « À expédier »."""

import io
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

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
def notes(director):
    from comptoir.core.testing import make_customer, make_product
    from comptoir.sales.services import confirm_order, create_order
    from comptoir.stock.services import create_delivery, receive_stock

    customer = make_customer(director, name="Garage Lefèvre")
    drill = make_product(director, sku="PERC-18", name="Perceuse 18 V", sale_price="149.90")
    lamp = make_product(director, sku="LAMP-1", name="Baladeuse LED", sale_price="19.90")
    receive_stock(
        [
            {"product": drill, "quantity": "4", "unit_cost": "80"},
            {"product": lamp, "quantity": "10", "unit_cost": "8"},
        ],
        by=director,
    )
    first = create_order(
        customer, [{"product": drill, "quantity": "6"}, {"product": lamp, "quantity": "2"}], by=director
    )
    second = create_order(customer, [{"product": lamp, "quantity": "3"}], by=director)
    return [create_delivery(confirm_order(order, by=director), by=director) for order in (first, second)]


def _pdf_text(download) -> str:
    body = Path(download.path()).read_bytes()
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(body)).pages)


def test_a_short_note_is_lowered_and_its_picking_lists_print(director, notes, live_server, browser_page):
    page, base = browser_page, live_server.url
    short, other = notes
    page.goto(f"{base}/connexion/")
    page.fill("#id_username", director.username)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(f"{base}/")

    page.goto(f"{base}/livraisons/{short.pk}/")
    with page.expect_download() as picked:
        page.get_by_role("link", name="Liste de préparation").click()
    text = _pdf_text(picked.value)
    assert "LISTE DE PRÉPARATION" in text and short.number in text and "4 !" in text

    page.get_by_role("link", name="Modifier les quantités").click()
    page.wait_for_url(re.compile(r"/livraisons/\d+/modifier/$"))
    expect(page.locator("main")).to_contain_text("insuffisant : 4")
    shot(page, "livraison-modifier")
    page.get_by_role("button", name="Ramener au stock disponible").click()
    page.wait_for_url(re.compile(r"/livraisons/\d+/$"))
    expect_message(page, "modifié")
    expect(page.locator("main")).to_contain_text("PERC-18 : 6 → 4")

    # The lamp comes off this note, by typing 0 (keyboard only).
    page.get_by_role("link", name="Modifier les quantités").click()
    lamp = page.get_by_label("Quantité à livrer de LAMP-1")
    lamp.fill("0")
    lamp.press("Enter")
    page.wait_for_url(re.compile(r"/livraisons/\d+/$"))
    expect(page.locator("table.data").first).not_to_contain_text("LAMP-1")

    page.goto(f"{base}/livraisons/a-expedier/")
    drafts = page.locator("#drafts")
    expect(drafts).to_contain_text(short.number)
    expect(drafts).to_contain_text(other.number)
    shot(page, "a-expedier-preparation")
    with page.expect_download() as both:
        page.get_by_role("button", name="Imprimer les listes de préparation").click()
    text = _pdf_text(both.value)
    assert short.number in text and other.number in text
    # The note the lamp came off prints without it; the other note still has its lamps.
    assert text.count("LAMP-1") == 1

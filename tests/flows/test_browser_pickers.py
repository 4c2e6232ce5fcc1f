# ruff: noqa: F811 — the browser fixtures are imported from test_browser.py and used as arguments.
"""Search-as-you-type pickers in a real browser (#20 point 1): an order is typed with the keyboard only,
the customer found by a word of its name without its accent, the product by a word in the middle of
its name; arrows move in the list, Escape closes it, Enter chooses; the saved order has that product."""

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
    shot,
)

pytestmark = [
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="chromium absent (/usr/bin/chromium)"),
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def catalogue(director):
    from comptoir.core.testing import make_customer, make_product

    make_customer(director, name="Électricité Dupont")
    make_customer(director, name="Garage Lefèvre")
    for n in range(3):
        make_product(director, sku=f"CAB-{n}", name=f"Câble USB-C {n} m")
    return make_product(director, sku="ACC-CH65", name="Adaptateur chargeur USB-C 65 W", sale_price="29.00")


def test_an_order_is_typed_with_the_keyboard_through_the_pickers(
    director, catalogue, live_server, browser_page
):
    page, base = browser_page, live_server.url
    page.goto(f"{base}/connexion/")
    page.fill("#id_username", director.username)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(f"{base}/")

    page.goto(f"{base}/commandes/nouvelle/")
    customer = page.get_by_role("combobox", name="Client")
    customer.press_sequentially("electricite")
    listbox = page.locator(f"#{customer.get_attribute('aria-controls')}")
    expect(listbox.get_by_role("option")).to_have_count(1)
    expect(customer).to_have_attribute("aria-expanded", "true")
    customer.press("Escape")  # closes the list, keeps the text
    expect(listbox).to_be_hidden()
    expect(customer).to_have_attribute("aria-expanded", "false")
    customer.press("ArrowDown")  # opens it again on the first match
    expect(listbox.get_by_role("option").first).to_have_attribute("aria-selected", "true")
    customer.press("Enter")
    expect(customer).to_have_value(re.compile(r"^Électricité Dupont \(C\d+\)$"))

    product = page.get_by_role("combobox", name="Produit").first
    product.press_sequentially("usb")
    options = page.locator(f"#{product.get_attribute('aria-controls')}").get_by_role("option")
    expect(options).to_have_count(4)
    product.press("End")
    product.press_sequentially(" chargeur")  # a word in the middle of the name narrows it to one
    expect(options).to_have_count(1)
    expect(options.first).to_contain_text("Adaptateur chargeur USB-C 65 W")
    product.press("ArrowDown")
    product.press("Enter")  # chooses, does not submit the form
    expect(product).to_have_value("ACC-CH65 — Adaptateur chargeur USB-C 65 W")
    assert page.url.endswith("/commandes/nouvelle/")
    page.locator("input[name=quantity]").first.fill("3")
    page.locator("input[name=quantity]").first.blur()
    # 3 × 29,00 = 87,00 HT, 104,40 TTC: the totals know the product chosen.
    page.locator("#totals").get_by_text("104,40\u00a0€").wait_for()
    shot(page, "pickers-commande")

    page.get_by_role("button", name="Créer la commande").click()
    page.wait_for_url(re.compile(r"/commandes/\d+/$"))
    expect_message(page, "créée")
    expect(page.locator("main")).to_contain_text("Adaptateur chargeur USB-C 65 W")
    expect(page.locator("main")).to_contain_text("Électricité Dupont")

    # On a phone (390 px) the list opens under the box and stays on the screen.
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{base}/commandes/nouvelle/")
    product = page.get_by_role("combobox", name="Produit").first
    product.press_sequentially("chargeur")
    option = page.get_by_role("option", name="ACC-CH65 — Adaptateur chargeur USB-C 65 W")
    expect(option).to_be_visible()
    box = option.bounding_box()
    assert box is not None and box["x"] >= 0
    shot(page, "pickers-commande-390")

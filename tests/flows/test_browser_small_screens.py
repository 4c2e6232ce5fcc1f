# ruff: noqa: F811 — the browser fixtures are imported from test_browser.py and used as arguments.
"""Phones and tablets (issue 20, point 6): at 390 px and 768 px the pages done standing up — the homes,
the warehouse's list, an order, the quotes — have no sideways scroll and no navy sidebar colour left
behind the content (it made text unreadable: contrast 1.01:1), and the menu, a bar on top, stays short. Screenshots in
test-artifacts/."""

from pathlib import Path

import pytest

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

# What is painted behind the content area (where text outside cards sits), walking up until opaque.
BACKDROP = """() => {
  let node = document.querySelector('.content');
  while (node) {
    const colour = getComputedStyle(node).backgroundColor;
    const image = getComputedStyle(node).backgroundImage;
    if (image && image !== 'none') return image;
    if (colour && colour !== 'rgba(0, 0, 0, 0)' && colour !== 'transparent') return colour;
    node = node.parentElement;
  }
  return getComputedStyle(document.body).backgroundColor;
}"""


# What sticks out on the right, with its ancestors' widths (what to fix when a page scrolls sideways).
WIDE = """() => [...document.querySelectorAll('body *')]
  .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1 && !e.closest('.sidebar nav'))
  .filter(e => ![...e.children].some(c => c.getBoundingClientRect().right > window.innerWidth + 1))
  .slice(0, 1).map(e => { const out = []; for (let n = e; n; n = n.parentElement) out.push(n.tagName + '.' + n.className + ' ' + Math.round(n.getBoundingClientRect().width)); return out.join(' < '); })"""


@pytest.fixture
def order(director):
    from comptoir.core.testing import make_customer, make_product
    from comptoir.sales.services import confirm_order, create_order
    from comptoir.stock.services import receive_stock

    customer = make_customer(director, name="Menuiserie Martin SARL — atelier de Saint-Jean-de-Luz")
    product = make_product(
        director, sku="PERC-18V-BRUSHLESS-XL", name="Perceuse à percussion 18 V sans charbon"
    )
    receive_stock([{"product": product, "quantity": "5", "unit_cost": "80"}], by=director)
    return confirm_order(
        create_order(customer, [{"product": product, "quantity": "12"}], by=director), by=director
    )


@pytest.mark.parametrize("width", [390, 768])
def test_pages_fit_a_phone_and_a_tablet(director, order, live_server, browser_page, width):
    page, base = browser_page, live_server.url
    page.set_viewport_size({"width": width, "height": 844 if width == 390 else 1024})
    page.goto(f"{base}/connexion/")
    page.fill("#id_username", director.username)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(f"{base}/")

    for name, path in [
        ("accueil", "/"),
        ("a-expedier", "/livraisons/a-expedier/"),
        ("commande", f"/commandes/{order.pk}/"),
        ("devis", "/devis/"),
        ("stock", "/stock/"),
    ]:
        page.goto(f"{base}{path}")
        shot(page, f"mobile-{width}-{name}")
        overflow = page.evaluate("() => document.scrollingElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{path} scrolls sideways by {overflow} px at {width} px: {page.evaluate(WIDE)}"
        # The menu becomes a bar on top: it must not push the page below the first screen.
        bar = page.evaluate(
            "() => [document.querySelector('.sidebar').getBoundingClientRect().height,"
            " [...document.querySelectorAll('.sidebar .nav-section')].map(s => s.getBoundingClientRect().height)]"
        )
        assert bar[0] <= 200, f"{path}: the menu bar is {bar} px tall at {width} px"
        backdrop = page.evaluate(BACKDROP)
        assert "gradient" not in backdrop and backdrop not in ("rgb(15, 23, 42)", "rgb(17, 24, 39)"), (
            f"{path}: the content sits on {backdrop} at {width} px"
        )

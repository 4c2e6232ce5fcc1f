"""The whole cycle in a real browser: a director signs in and walks quote → … → payment → balance.

Chromium (Debian's /usr/bin/chromium) is driven by Playwright against pytest-django's live server.
A full-page screenshot of each main page is saved under test-artifacts/ for a human to look at.
"""

import os
import re
from importlib import import_module
from pathlib import Path

import pytest
from playwright.sync_api import expect

# Playwright's sync API runs an asyncio loop in this thread; the ORM calls made here (fixtures,
# assertions) are plain synchronous code all the same.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PASSWORD = "motdepasse-1234"

pytestmark = [
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="chromium absent (/usr/bin/chromium)"),
    pytest.mark.django_db(transaction=True),
]


def seed_chart_of_accounts():
    """Seed the chart of accounts with the data migration's own idempotent code.

    A transactional test's teardown empties every table, including this data that a migration
    seeded: a transactional test that ran before this one leaves no accounts, and this one leaves
    none for the tests that follow.
    """
    from django.apps import apps

    import_module("comptoir.accounting.migrations.0002_seed_chart_and_immutability").seed(apps, None)


@pytest.fixture(scope="module", autouse=True)
def _chart_of_accounts_back_after_the_flush(django_db_blocker):
    # Module teardown runs after the test's own teardown (the flush), before the next module's tests.
    yield
    with django_db_blocker.unblock():
        seed_chart_of_accounts()


@pytest.fixture
def browser_page():
    playwright_api = pytest.importorskip("playwright.sync_api")
    ARTIFACTS.mkdir(exist_ok=True)
    with playwright_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1440, "height": 900}, locale="fr-FR")
        page = context.new_page()
        page.set_default_timeout(10_000)
        # The Content-Security-Policy forbids inline script and style (settings): Chromium reports each
        # thing it refused on the console, and any such refusal fails the walk that met it.
        refused = []
        page.on(
            "console",
            lambda message: (
                refused.append(message.text) if "Content Security Policy" in message.text else None
            ),
        )
        yield page
        context.close()
        browser.close()
        assert refused == [], "\n".join(refused)


def shot(page, name: str) -> None:
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def expect_message(page, text: str) -> None:
    page.locator(".messages").get_by_text(text).first.wait_for()


def pick(box, text: str, label: str) -> None:
    """Choose in a picker (web/_picker.html) with the keyboard only: type, arrows down to the match
    whose label holds `label`, Enter."""
    box.fill(text)
    picker = box.locator("xpath=ancestor::*[@data-picker][1]")
    option = picker.get_by_role("option", name=label)
    expect(option).to_be_visible()
    for _ in range(10):
        box.press("ArrowDown")
        if option.get_attribute("aria-selected") == "true":
            break
    box.press("Enter")
    expect(box).to_have_value(re.compile(re.escape(label)))
    expect(picker.locator("[data-picker-value]")).not_to_have_value("")


@pytest.fixture
def director():
    """The data the walk starts from, written before the browser starts: once Playwright's event loop
    runs, ORM calls from this thread would open a second connection that outlives the test."""
    from comptoir.core.permissions import Role
    from comptoir.core.testing import make_company, make_user

    seed_chart_of_accounts()
    make_company(make_user("admin", Role.ADMIN))
    return make_user("claire", Role.DIRECTION, password=PASSWORD)


def test_a_director_walks_the_whole_cycle_in_the_browser(director, live_server, browser_page):
    page, base = browser_page, live_server.url

    # Sign in
    page.goto(f"{base}/")
    page.wait_for_url(re.compile(r"/connexion/"))
    shot(page, "01-connexion")
    page.fill("#id_username", director.username)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(f"{base}/")
    shot(page, "02-accueil-vide")

    # A customer, through the form
    page.goto(f"{base}/clients/nouveau/")
    page.fill("#id_name", "Menuiserie Martin SARL")
    page.fill("#id_siren", "542 107 651")
    page.fill("#id_street", "8 avenue des Tilleuls")
    page.fill("#id_postal_code", "31000")
    page.fill("#id_city", "Toulouse")
    page.fill("#id_email", "compta@martin.fr")
    page.fill("#id_payment_days", "45")
    page.check("#id_payment_end_of_month")
    shot(page, "03-client-formulaire")
    page.get_by_role("button", name="Créer le client").click()
    page.wait_for_url(re.compile(r"/clients/\d+/$"))
    customer_url = page.url

    # A product
    page.goto(f"{base}/produits/nouveau/")
    page.fill("#id_sku", "PERC-18V")
    page.fill("#id_name", "Perceuse à percussion 18 V")
    page.fill("#id_sale_price", "149,90")
    page.fill("#id_purchase_cost", "82,5")
    page.fill("#id_low_stock_threshold", "5")
    page.get_by_role("button", name="Créer le produit").click()
    page.wait_for_url(re.compile(r"/produits/\d+/$"))
    product_id = page.url.rstrip("/").rsplit("/", 1)[1]

    # Goods received
    page.goto(f"{base}/stock/receptions/nouvelle/")
    page.fill("#id_supplier_name", "Bosch France")
    pick(
        page.get_by_role("combobox", name="Produit").first,
        "perceuse",
        "PERC-18V — Perceuse à percussion 18 V",
    )
    page.locator("input[name=quantity]").first.fill("40")
    page.locator("input[name=unit_cost]").first.fill("80")
    shot(page, "04-reception")
    page.get_by_role("button", name="Valider la réception").click()
    page.wait_for_url(f"{base}/stock/")
    expect_message(page, "enregistrée")
    shot(page, "05-stock")

    # A quote with the line editor: live totals computed by the server
    page.goto(f"{base}/devis/nouveau/")
    pick(page.get_by_role("combobox", name="Client"), "martin", "Menuiserie Martin SARL")
    pick(page.get_by_role("combobox", name="Produit").first, "PERC", "PERC-18V — Perceuse à percussion 18 V")
    page.locator("input[name=quantity]").first.fill("12")
    page.locator("input[name=discount_percent]").first.fill("10")
    page.locator("select[name=discount_category]").first.select_option("volume")
    page.locator("input[name=discount_percent]").first.blur()
    # 12 × 149,90 × 0,9 = 1 618,92 HT; TVA 323,78; TTC 1 942,70
    page.locator("#totals").get_by_text("1\u202f942,70\u00a0€").wait_for()
    page.get_by_role("button", name="Ajouter une ligne").click()
    # A locator's wait, not wait_for_function: Playwright evaluates that one as a string, which the
    # Content-Security-Policy forbids (no eval), as it should.
    expect(page.locator("#line-rows tr")).to_have_count(2)
    shot(page, "06-devis-saisie")
    page.get_by_role("button", name="Créer le devis").click()
    page.wait_for_url(re.compile(r"/devis/\d+/$"))
    assert "1\u202f942,70" in page.content()

    page.get_by_role("button", name="Envoyer").click()
    expect_message(page, "envoyé")
    shot(page, "07-devis-envoye")
    page.get_by_role("button", name="Accepter").click()
    page.wait_for_url(re.compile(r"/commandes/\d+/$"))
    order_url = page.url

    # The order: confirm, prepare and ship the delivery
    page.get_by_role("button", name="Confirmer").click()
    expect_message(page, "confirmée")
    shot(page, "08-commande-confirmee")
    page.get_by_role("button", name="Préparer une livraison", exact=True).click()
    page.wait_for_url(re.compile(r"/livraisons/\d+/$"))
    page.get_by_role("button", name="Valider l'expédition").click()
    expect_message(page, "validée")
    shot(page, "09-livraison-expediee")

    # Invoice the order and issue it
    page.goto(order_url)
    page.get_by_role("button", name="Facturer").click()
    page.wait_for_url(re.compile(r"/factures/\d+/$"))
    shot(page, "10-facture-brouillon")
    page.get_by_role("button", name="Émettre", exact=True).click()
    expect_message(page, "émise")
    invoice_url = page.url
    assert re.search(r"FA-\d{4}-00001", page.content())
    shot(page, "11-facture-emise")

    # The payment, prefilled from the invoice
    page.get_by_role("link", name="Enregistrer un règlement").click()
    page.wait_for_url(re.compile(r"/reglements/nouveau/"))
    assert page.input_value("#id_amount") == "1942,70"
    page.fill("#id_reference", "VIR MARTIN 0042")
    shot(page, "12-reglement-saisie")
    page.get_by_role("button", name="Enregistrer le règlement").click()
    page.wait_for_url(re.compile(r"/reglements/\d+/$"))
    expect_message(page, "enregistré")
    shot(page, "13-reglement")

    page.goto(invoice_url)
    page.locator(".topbar").get_by_text("Réglée").wait_for()
    shot(page, "14-facture-reglee")

    # The books balance
    page.goto(f"{base}/comptabilite/balance/")
    assert page.locator("#balance-status").inner_text() == "Équilibrée"
    shot(page, "15-balance")
    page.goto(f"{base}/comptabilite/grand-livre/411/")
    shot(page, "16-grand-livre-411")
    page.goto(f"{base}/comptabilite/ecritures/")
    shot(page, "17-ecritures")

    # The other pages a user reads every day
    page.goto(customer_url)
    shot(page, "18-client-360")
    page.goto(customer_url + "releve/")
    shot(page, "19-releve-client")
    for name, path in [
        ("20-accueil", "/"),
        ("21-devis", "/devis/"),
        ("22-commandes", "/commandes/"),
        ("23-livraisons", "/livraisons/"),
        ("24-factures", "/factures/"),
        ("25-reglements", "/reglements/"),
        ("26-clients", "/clients/"),
        ("27-produits", "/produits/"),
        ("28-produit", f"/produits/{product_id}/"),
        ("29-audit", "/audit/"),
        ("30-commande", order_url.replace(base, "")),
    ]:
        page.goto(f"{base}{path}")
        assert page.locator("h1").count() == 1
        shot(page, name)

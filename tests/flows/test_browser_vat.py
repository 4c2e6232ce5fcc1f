# ruff: noqa: F811 — the browser fixtures are imported from test_browser.py and used as arguments.
"""An accountant declares last month's VAT in the browser: reads the operations lines, opens the
documents behind E2, settles the month (confirming the question) and downloads the DES."""

import re
from pathlib import Path

import pytest

from tests.flows.test_browser import (  # noqa: F401 (fixtures)
    CHROMIUM,
    PASSWORD,
    _chart_of_accounts_back_after_the_flush,
    browser_page,
    expect_message,
    seed_chart_of_accounts,
    shot,
)

pytestmark = [
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="chromium absent (/usr/bin/chromium)"),
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def month():
    """Last month's sales, written before the browser starts (see test_browser.director)."""
    from comptoir.core.permissions import Role
    from comptoir.core.testing import make_company, make_customer, make_product, make_user
    from comptoir.vatreturn.tests.factories import eu_month

    seed_chart_of_accounts()
    admin = make_user("admin", Role.ADMIN)
    make_company(admin)
    accountant = make_user("paul", Role.COMPTABILITE, password=PASSWORD)
    boss = make_user("claire", Role.DIRECTION)
    customer = make_customer(boss, name="Bricolage Martin SARL")
    product = make_product(boss, sku="REF-88", name="Perceuse à percussion", sale_price="120.00")
    service = make_product(boss, sku="SRV-INST", name="Installation", sale_price="450.00", kind="service")
    return accountant, eu_month(admin, boss, customer, product, service)


def test_an_accountant_declares_and_settles_last_month_in_the_browser(month, live_server, browser_page):
    accountant, sales = month
    page, base = browser_page, live_server.url
    page.goto(f"{base}/comptabilite/tva/")
    page.wait_for_url(re.compile(r"/connexion/"))
    page.fill("#id_username", accountant.username)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(f"{base}/comptabilite/tva/")

    e2 = page.locator("#ca3-operations tbody tr").nth(2)
    assert e2.locator("td").nth(0).inner_text() == "E2" and "450,00" in e2.inner_text()
    shot(page, "tva-01-ca3")
    e2.get_by_role("link").click()
    page.locator("#vat-line-documents").wait_for()
    assert sales.service.number in page.locator("#vat-line-documents").inner_text()
    page.get_by_role("link", name="← Synthèse TVA").click()

    questions = []

    def accept(dialog):
        questions.append(dialog.message)
        dialog.accept()

    page.once("dialog", accept)
    page.locator("#vat-settle").click()
    expect_message(page, "TVA liquidée : écriture OD-")
    assert questions and "liquidation" in questions[0]
    assert "Liquidée par l'écriture" in page.locator("#vat-settled").inner_text()
    shot(page, "tva-02-liquidee")

    with page.expect_download() as download:
        page.locator("#des-download").click()
    lines = Path(download.value.path()).read_text(encoding="utf-8").splitlines()
    assert lines[1].startswith("1;450;DE136695976;")

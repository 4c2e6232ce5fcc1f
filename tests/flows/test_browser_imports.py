# ruff: noqa: F811 — the browser fixtures are imported from test_browser.py and used as arguments.
"""A director brings the products of the previous tool in through the browser: upload a Windows-1252 CSV
with French decimals and a bad VAT rate, read the test run's report, import the valid rows only, and
find the refused row offered as a file to fix."""

import re
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

PRODUCTS_CSV = (
    "Référence;Désignation;Prix de vente HT;Coût d'achat;Taux de TVA\r\n"
    "VIS-6X40;Vis inox 6 x 40 (boîte de 100);12,50;7,20;20\r\n"
    "PERC-18V;Perceuse à percussion 18 V;1 234,56;800;20 %\r\n"
    "X-1;Taux inconnu;10;5;7\r\n"
)


def test_a_director_tests_then_imports_a_file_in_the_browser(director, live_server, browser_page, tmp_path):
    page, base = browser_page, live_server.url
    upload = tmp_path / "articles.csv"
    upload.write_bytes(PRODUCTS_CSV.encode("cp1252"))

    page.goto(f"{base}/parametres/import/")
    page.wait_for_url(re.compile(r"/connexion/"))
    page.fill("#id_username", director.username)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(f"{base}/parametres/import/")

    page.select_option("#import-kind", "products")
    page.select_option("#import-preset", "comptoir")
    page.set_input_files("#import-file", str(upload))
    page.get_by_role("button", name="Tester l'import").click()
    headline = page.locator("#report-headline")
    headline.wait_for()
    assert headline.inner_text() == (
        "Test de « articles.csv » : 2 créé(s), 0 mis à jour, 0 inchangé(s), 1 refusé(s). Rien n'a été enregistré."
    )
    refusal = page.locator("#refusals tbody tr").first
    assert refusal.locator("td").nth(0).inner_text() == "4"
    assert refusal.locator("td").nth(1).inner_text() == "Taux de TVA"
    assert "n'existe pas en France" in refusal.inner_text()
    shot(page, "import-01-rapport-du-test")

    page.get_by_role("button", name="Importer les lignes valides seulement").click()
    page.locator("#refused-download").wait_for()
    assert page.locator("#report-headline").inner_text().startswith("Import de « articles.csv » : 2 créé(s)")
    shot(page, "import-02-importe")
    with page.expect_download() as download:
        page.locator("#refused-download").click()
    refused = Path(download.value.path()).read_text(encoding="utf-8-sig").splitlines()
    assert refused[1].startswith("X-1;Taux inconnu;10;5;7;Taux de TVA : Le taux de TVA 7 %")

    page.goto(f"{base}/produits/")
    assert page.get_by_text("Perceuse à percussion 18 V").count() == 1

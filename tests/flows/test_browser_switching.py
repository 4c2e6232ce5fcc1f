# ruff: noqa: F811 — the browser and SMTP fixtures are imported and used as arguments.
"""A company switches to Comptoir in the browser (issue 19, point 5): the first run with its logo and its
own quote prefix, the import of its customers from a file (long enough to go to the task worker: the
page shows the progress bar, htmx brings the report), then a quote e-mailed to one of them; the test SMTP
server (aiosmtpd) receives the quote's PDF, numbered with the chosen prefix and carrying the logo."""

import io
import re
from pathlib import Path

import pytest
from django.core.management import call_command
from PIL import Image
from playwright.sync_api import expect
from pypdf import PdfReader

from comptoir.mailing.tests.smtp import smtp_server  # noqa: F401 (fixture)
from tests.flows.test_browser import (  # noqa: F401 (fixtures)
    CHROMIUM,
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

CUSTOMERS_CSV = (
    "Code client;Raison sociale;Ville;E-mail\r\n"
    "C-001;Garage Lefèvre;Nantes;achats@garage-lefevre.fr\r\n"
    "C-002;Boulangerie Martin SARL;Lyon;compta@martin.fr\r\n"
    "C-003;Menuiserie Petit;Rennes;contact@menuiserie-petit.fr\r\n"
    "C-004;Atelier Bleu SAS;Brest;compta@atelier-bleu.fr\r\n"
)


@pytest.fixture
def empty_installation(first_run_gate, settings, tmp_path):
    """A database just migrated (no company, no user); imports of more than 3 rows go to the worker."""
    settings.COMPTOIR_IMPORT_BACKGROUND_ROWS = 3
    settings.MEDIA_ROOT = tmp_path / "media"
    seed_chart_of_accounts()


def _logo(path: Path) -> Path:
    Image.new("RGB", (300, 100), (200, 40, 40)).save(path, format="PNG")
    return path


def _work():
    call_command("db_worker", batch=True, no_startup_delay=True, verbosity=0)


def test_a_company_sets_up_imports_its_customers_and_emails_a_quote(
    empty_installation, smtp_server, live_server, browser_page, tmp_path
):
    from django.db import connection

    page, base = browser_page, live_server.url
    try:
        page.goto(f"{base}/")
        expect(page).to_have_url(f"{base}/premiers-pas/societe/")
        page.fill("#id_legal_name", "Atelier Mercier SARL")
        page.fill("#id_legal_form", "SARL")
        page.fill("#id_siren", "542107651")
        page.fill("#id_city", "Nantes")
        page.set_input_files("#id_logo", str(_logo(tmp_path / "logo.png")))
        page.get_by_role("button", name="Continuer").click()
        expect(page).to_have_url(f"{base}/premiers-pas/banque/")
        page.fill("#id_iban", "FR76 3000 6000 0112 3456 7890 189")
        page.get_by_role("button", name="Continuer").click()
        expect(page).to_have_url(f"{base}/premiers-pas/tva-exercice/")
        page.get_by_role("button", name="Continuer").click()
        expect(page).to_have_url(f"{base}/premiers-pas/facturation/")
        expect(page.locator("#id_quote_series")).to_have_value("DEV")
        page.fill("#id_quote_series", "dv")
        page.get_by_role("button", name="Continuer").click()
        expect(page).to_have_url(f"{base}/premiers-pas/utilisateurs/")
        page.fill("#id_admin-username", "paul")
        page.fill("#id_admin-email", "paul@atelier-mercier.fr")
        page.fill("#id_admin-password", "Mercier-Atelier-9")
        page.get_by_role("button", name="Créer la société").click()
        expect(page).to_have_url(f"{base}/")

        page.locator("#first-steps").get_by_role("link", name="Importer vos clients").click()
        upload = tmp_path / "clients.csv"
        upload.write_bytes(CUSTOMERS_CSV.encode("cp1252"))
        page.set_input_files("#import-file", str(upload))
        page.get_by_role("button", name="Tester l'import").click()
        expect(page).to_have_url(re.compile(r"/parametres/import/\d+/suivi/$"))
        expect(page.locator("#import-progress progress")).to_be_visible()
        shot(page, "bascule-01-import-en-cours")
        _work()  # the task worker, as `comptoir db-worker` would
        headline = page.locator("#report-headline")
        expect(headline).to_have_text(
            "Test de « clients.csv » : 4 créé(s), 0 mis à jour, 0 inchangé(s), 0 refusé(s). Rien n'a été enregistré.",
            timeout=15000,
        )
        page.locator("#import-all").click()
        expect(page.locator("#import-progress progress")).to_be_visible()
        _work()
        expect(page.locator("#report-headline")).to_contain_text(
            "Import de « clients.csv » : 4 créé(s)", timeout=15000
        )
        shot(page, "bascule-02-import-fait")

        from django.contrib.auth import get_user_model

        from comptoir.core.testing import make_product
        from comptoir.parties.models import Customer
        from comptoir.sales.services import create_quote

        paul = get_user_model().objects.get(username="paul")
        product = make_product(paul, sku="REF-12", name="Compresseur 50 L", sale_price="310.00")
        customer = Customer.objects.get(code="C-001")
        quote = create_quote(customer, [{"product": product, "quantity": "2"}], by=paul)
        assert quote.number.startswith("DV-")

        page.goto(f"{base}/devis/{quote.pk}/")
        page.get_by_role("link", name="Envoyer par e-mail").click()
        page.wait_for_url(re.compile(rf"/devis/{quote.pk}/e-mail/$"))
        assert page.input_value("#id_to") == "achats@garage-lefevre.fr"
        page.locator("form.card").get_by_role("button", name="Envoyer").click()
        page.wait_for_url(f"{base}/devis/{quote.pk}/")
        expect_message(page, f"{quote.number} envoyé par e-mail à achats@garage-lefevre.fr.")
        shot(page, "bascule-03-devis-envoye")

        (received,) = smtp_server.messages
        assert received.recipients == ["achats@garage-lefevre.fr"]
        pdf = received.attachments()[f"{quote.number}.pdf"]
        first_page = PdfReader(io.BytesIO(pdf)).pages[0]
        assert (
            quote.number in first_page.extract_text() and "Atelier Mercier SARL" in first_page.extract_text()
        )
        (logo,) = first_page.images
        assert logo.image.size == (300, 100)
    finally:
        # ORM calls under Playwright's event loop opened a connection of their own (see test_browser).
        connection.close()

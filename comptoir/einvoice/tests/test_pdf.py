"""The readable PDF: French mentions, embedded fonts, OutputIntent, byte-for-byte determinism."""

import hashlib
import io

import pytest
from pypdf import PdfReader

from comptoir.einvoice.pdf import render_pdf
from comptoir.einvoice.tests import factories
from comptoir.einvoice.tests.factories import ALL_CASES, SELLER_LEGAL

NBSP = "\u00a0"


def _text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return "\n".join(page.extract_text() for page in reader.pages).replace(NBSP, " ")


@pytest.fixture(scope="module")
def rendered():
    return {name: render_pdf(build(), SELLER_LEGAL) for name, build in ALL_CASES.items()}


@pytest.mark.parametrize("case", ALL_CASES)
def test_same_invoice_renders_to_the_same_bytes(rendered, case):
    again = render_pdf(ALL_CASES[case](), SELLER_LEGAL)
    assert hashlib.sha256(again).hexdigest() == hashlib.sha256(rendered[case]).hexdigest()


def test_pdf_dates_are_the_invoice_date_not_the_clock(rendered):
    info = PdfReader(io.BytesIO(rendered["single_rate"])).metadata
    assert info["/CreationDate"] == "D:20260316000000+00'00'"


@pytest.mark.parametrize("case", ALL_CASES)
def test_pdf_shows_number_totals_and_payment_mentions(rendered, case):
    invoice = ALL_CASES[case]()
    text = _text(rendered[case])
    assert invoice.number in text
    assert "Indemnité forfaitaire pour frais de recouvrement" in text and "40 €" in text
    assert "pénalités de retard" in text
    assert "Pas d'escompte" in text
    assert "RCS Lyon 552 100 554" in text
    assert "SAS au capital de 50 000 €" in text
    assert "FR96552100554" in text
    assert "Opération :" in text


def test_titles_follow_the_document_type(rendered):
    assert "FACTURE" in _text(rendered["single_rate"])
    assert "AVOIR" in _text(rendered["credit_note"])
    assert "FACTURE D'ACOMPTE" in _text(rendered["deposit_invoice"])
    assert "FACTURE RECTIFICATIVE" in _text(rendered["corrected_invoice"])


def test_credit_note_names_the_corrected_invoice(rendered):
    assert "Facture rectifiée : N° FA-2026-00042 du 16/03/2026" in _text(rendered["credit_note"])
    assert "Facture rectifiée : N° FA-2026-00042 du 16/03/2026" in _text(rendered["corrected_invoice"])


def test_amounts_are_printed_french_style(rendered):
    text = _text(rendered["multi_rate"])
    assert "3 063,68 €" in text  # net à payer
    assert "2 143,75 €" in text  # discounted line
    assert "12,5 %" in text  # its discount
    assert "5,5 %" in text


def test_deposit_deducted_and_net_due_are_shown(rendered):
    text = _text(rendered["final_invoice_after_deposit"])
    assert "Acomptes déduits" in text and "−882,00 €" in text
    assert "Net à payer" in text and "2 058,00 €" in text
    assert "Facture d'acompte déduite : N° FA-2026-00044" in text


def test_tax_mentions_for_zero_vat_categories(rendered):
    assert "Autoliquidation" in _text(rendered["intra_eu_reverse_charge"])
    assert "TVA due par le preneur" in _text(rendered["intra_eu_reverse_charge"])
    assert "Exonération de TVA, article 262 ter I du CGI" in _text(rendered["intra_eu_goods"])
    assert "Exonération de TVA, article 262 I du CGI" in _text(rendered["export"])
    assert "article 261-4-4° a du CGI" in _text(rendered["exempt_line"])


def test_vat_on_debits_and_operation_nature_are_printed(rendered):
    text = _text(rendered["services_only"])
    assert "TVA acquittée sur les débits" in text
    assert "Opération : Prestation de services" in text
    assert "Opération : Livraison de biens" in _text(rendered["single_rate"])
    assert "Opération : Opération mixte" in _text(rendered["mixed"])


def test_delivery_address_is_printed_when_it_differs(rendered):
    text = _text(rendered["multi_rate"])
    assert "ADRESSE DE LIVRAISON" in text and "2 quai Perrière" in text
    assert "ADRESSE DE LIVRAISON" not in _text(rendered["single_rate"])


def test_every_font_is_embedded_and_an_srgb_output_intent_is_declared(rendered):
    reader = PdfReader(io.BytesIO(rendered["multi_rate"]))
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            descriptor = font.get_object()["/FontDescriptor"].get_object()
            assert "/FontFile2" in descriptor, font.get_object()["/BaseFont"]
    (intent,) = reader.trailer["/Root"]["/OutputIntents"]
    intent = intent.get_object()
    assert intent["/S"] == "/GTS_PDFA1"
    assert intent["/DestOutputProfile"].get_object()["/N"] == 3


def test_long_invoice_flows_over_numbered_pages():
    lines = [
        factories.line(str(i), f"Article n°{i} à la désignation longue, sur deux lignes du tableau")
        for i in range(1, 61)
    ]
    pdf = render_pdf(factories.make_invoice(lines), SELLER_LEGAL)
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) > 1
    last = reader.pages[-1].extract_text()
    assert f"Page {len(reader.pages)} / {len(reader.pages)}" in last
    assert "Facture FA-2026-00042 du 16/03/2026 (suite)" in last

"""The quote and the order confirmation as PDFs: what the customer reads, read back from the file."""

import io
from decimal import Decimal

import pytest
from django.test import Client
from pypdf import PdfReader

from comptoir.api.tests.conftest import ApiClient, issue_token
from comptoir.core.testing import make_product
from comptoir.parties.models import Company, DeliveryAddress
from comptoir.sales.printing import order_pdf, quote_pdf
from comptoir.sales.services import confirm_order, create_order, create_quote

pytestmark = pytest.mark.django_db


def text_of(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return "\n".join(page.extract_text() for page in reader.pages)


@pytest.fixture
def quote(boss, customer, product, service_product):
    return create_quote(
        customer,
        [
            {"product": product, "quantity": "3", "discount_percent": "5"},
            {"product": service_product, "quantity": "1"},
        ],
        by=boss,
        note="Livraison sous huit jours.",
    )


def test_a_quote_pdf_prints_its_number_lines_and_totals(quote):
    file = quote_pdf(quote)
    text = text_of(file.body)
    assert file.filename == f"{quote.number}.pdf"
    assert "DEVIS" in text and quote.number in text
    assert "Perceuse à percussion" in text and "REF-88" in text
    assert "Installation sur site" in text
    # 3 × 120 × 0,95 = 342,00 ; 450,00 ; HT 792,00 ; TVA 158,40 ; TTC 950,40
    for amount in ("342,00", "450,00", "792,00", "158,40", "950,40"):
        assert amount in text.replace("\u202f", " ").replace(" ", ""), amount
    assert (quote.total_untaxed, quote.total) == (Decimal("792.00"), Decimal("950.40"))
    assert "Livraison sous huit jours." in text
    assert "Bon pour accord" in text


def test_a_quote_pdf_carries_the_company_identity_and_the_legal_mentions(quote):
    company = Company.objects.get()
    text = text_of(quote_pdf(quote).body)
    assert company.legal_name in text
    assert "RCS" in text and "TVA intracom." in text
    assert "Indemnité forfaitaire pour frais de recouvrement" in text
    assert "Menuiserie Martin SARL" in text


def test_an_order_confirmation_names_the_customer_reference_and_the_delivery_address(boss, customer, product):
    place = DeliveryAddress.objects.create(
        customer=customer, label="Chantier Lyon", street="4 rue du Port", postal_code="69002", city="Lyon"
    )
    order = confirm_order(
        create_order(
            customer,
            [{"product": product, "quantity": "2"}],
            by=boss,
            customer_reference="PO-7781",
            delivery_address=place,
        ),
        by=boss,
    )
    text = text_of(order_pdf(order).body)
    assert "CONFIRMATION DE COMMANDE" in " ".join(text.split()) and order.number in text
    assert "PO-7781" in text
    assert "Chantier Lyon" in text and "69002 Lyon" in text
    compact = text.replace("\u202f", "").replace(" ", "")
    assert "240,00" in compact and "288,00" in compact  # 2 × 120 HT, TTC at 20 %
    assert "Bon pour accord" not in text


def test_names_in_any_script_print_as_typed(boss, customer):
    odd = make_product(boss, sku="ŁÓDŹ-1", name="Świder ø 12 — CO₂", sale_price="10.00")
    quote = create_quote(customer, [{"product": odd, "quantity": "1"}], by=boss)
    assert "Świder ø 12 — CO₂" in text_of(quote_pdf(quote).body)


def test_the_same_quote_gives_the_same_bytes(quote):
    assert quote_pdf(quote).body == quote_pdf(quote).body


def test_the_quote_page_downloads_its_pdf(boss, quote):
    client = Client()
    client.force_login(boss)
    page = client.get(f"/devis/{quote.pk}/")
    assert "Télécharger le PDF" in page.content.decode()
    response = client.get(f"/devis/{quote.pk}/pdf/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert f'filename="{quote.number}.pdf"' in response["Content-Disposition"]
    assert quote.number in text_of(response.content)


def test_the_api_hands_out_the_quote_and_order_pdfs(boss, quote, customer, product):
    api = ApiClient(issue_token(boss))
    response = api.get(f"/quotes/{quote.pk}/pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "950,40" in text_of(response.content).replace("\u202f", "").replace(" ", "")
    order = create_order(customer, [{"product": product, "quantity": "1"}], by=boss)
    response = api.get(f"/orders/{order.pk}/pdf")
    assert response.status_code == 200 and order.number in text_of(response.content)


def test_without_a_token_there_is_no_quote_pdf(quote):
    assert ApiClient().get(f"/quotes/{quote.pk}/pdf").status_code == 401

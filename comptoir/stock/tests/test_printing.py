"""The delivery note as a PDF: quantities ordered and delivered, and where the receiver signs."""

import io

import pytest
from django.test import Client
from pypdf import PdfReader

from comptoir.api.tests.conftest import ApiClient, issue_token
from comptoir.sales.services import confirm_order, create_order
from comptoir.stock.printing import delivery_pdf
from comptoir.stock.services import create_delivery, receive_stock

pytestmark = pytest.mark.django_db


def text_of(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


@pytest.fixture
def delivery(boss, customer, product):
    receive_stock([{"product": product, "quantity": "10", "unit_cost": "70"}], by=boss)
    order = confirm_order(
        create_order(customer, [{"product": product, "quantity": "6"}], by=boss, customer_reference="PO-12"),
        by=boss,
    )
    return create_delivery(order, [{"order_line": order.lines.get(), "quantity": "4"}], by=boss)


def test_a_delivery_note_prints_what_was_ordered_and_delivered_without_prices(delivery):
    text = text_of(delivery_pdf(delivery).body)
    assert "BON DE LIVRAISON" in text and delivery.number in text
    assert delivery.order.number in text and "PO-12" in text
    assert "Perceuse à percussion" in text and "REF-88" in text
    line = next(row for row in text.splitlines() if "Perceuse" in row or "REF-88" in row)
    assert line  # the product's line is there
    assert "6" in text and "4" in text
    assert "Total TTC" not in text and "120,00" not in text


def test_a_delivery_note_has_the_receivers_signature_area(delivery):
    text = text_of(delivery_pdf(delivery).body)
    assert "Reçu en bon état" in text
    assert "signature du destinataire" in text


def test_the_delivery_page_and_the_api_hand_out_the_pdf(boss, delivery):
    client = Client()
    client.force_login(boss)
    assert "Télécharger le PDF" in client.get(f"/livraisons/{delivery.pk}/").content.decode()
    response = client.get(f"/livraisons/{delivery.pk}/pdf/")
    assert response.status_code == 200 and delivery.number in text_of(response.content)
    response = ApiClient(issue_token(boss)).get(f"/deliveries/{delivery.pk}/pdf")
    assert response.status_code == 200 and "Reçu en bon état" in text_of(response.content)

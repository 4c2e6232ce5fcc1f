"""The company's logo is printed at the top of every document it sends out, and only when it has one."""

import io

import pytest
from PIL import Image as PilImage
from pypdf import PdfReader

from comptoir.billing import einvoicing
from comptoir.billing.services import create_invoice_from_order, issue_invoice
from comptoir.einvoice.validate import read_back
from comptoir.parties.services import configure_company
from comptoir.sales.printing import order_pdf, quote_pdf
from comptoir.sales.services import confirm_order, create_order, create_quote
from comptoir.stock.printing import delivery_pdf, picking_pdf
from comptoir.stock.services import create_delivery, receive_stock, validate_delivery

pytestmark = pytest.mark.django_db


def _logo() -> bytes:
    out = io.BytesIO()
    PilImage.new("RGBA", (400, 100), (20, 60, 160, 255)).save(out, format="PNG")
    return out.getvalue()


def first_page_images(pdf: bytes) -> list:
    return list(PdfReader(io.BytesIO(pdf)).pages[0].images)


@pytest.fixture
def documents(boss, company, customer, product):
    receive_stock([{"product": product, "quantity": "10", "unit_cost": "70"}], by=boss)
    quote = create_quote(customer, [{"product": product, "quantity": "2"}], by=boss)
    order = confirm_order(create_order(customer, [{"product": product, "quantity": "2"}], by=boss), by=boss)
    delivery = create_delivery(order, by=boss)
    return quote, order, delivery


def _every_pdf(boss, quote, order, delivery):
    pdfs = {
        "devis": quote_pdf(quote).body,
        "commande": order_pdf(order).body,
        "bon de livraison": delivery_pdf(delivery).body,
        "liste de préparation": picking_pdf([delivery]).body,
    }
    validate_delivery(delivery, by=boss)
    invoice = issue_invoice(create_invoice_from_order(order, by=boss), by=boss)
    pdfs["facture"] = einvoicing.facturx_pdf(invoice)
    return pdfs


def test_every_document_prints_the_company_logo_at_the_top_of_its_first_page(boss, admin_user, documents):
    configure_company(by=admin_user, logo=_logo())
    pdfs = _every_pdf(boss, *documents)
    for name, pdf in pdfs.items():
        (image,) = first_page_images(pdf)
        assert image.image.size == (400, 100), name
        assert image.image.getpixel((10, 10)) == (20, 60, 160), name
    # The Factur-X stays a PDF/A-3 whose XML reads back.
    assert read_back(pdfs["facture"]).xml


def test_without_a_logo_no_document_carries_an_image(boss, documents):
    for name, pdf in _every_pdf(boss, *documents).items():
        assert first_page_images(pdf) == [], name

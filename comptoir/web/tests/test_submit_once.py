"""A form that creates a document, sent twice (a double click, the browser sending it again), creates one
document: its one-time token lands the second submit on what the first created."""

import datetime
import re

import pytest
from django.contrib.auth import get_user_model

from comptoir.billing.models import Invoice
from comptoir.billing.services import create_invoice_from_order, issue_invoice
from comptoir.catalog.models import Product
from comptoir.core.models import IdempotencyKey
from comptoir.parties.models import Contact, Customer, DeliveryAddress
from comptoir.payments.models import Payment, PaymentAllocation
from comptoir.payments.services import register_payment
from comptoir.returns.models import ReturnCase
from comptoir.sales.models import Order, Quote
from comptoir.sales.services import confirm_order, create_order, create_quote, send_quote
from comptoir.stock.models import Delivery, Receipt
from comptoir.stock.services import create_delivery, receive_stock, validate_delivery
from comptoir.web.tests.clients import client_for, messages_of

pytestmark = pytest.mark.django_db

FIELD = "submission_token"
TOKEN = re.compile(rf'<input type="hidden" name="{FIELD}" value="([^"]+)">')
FORM = re.compile(r"<form\b[^>]*>.*?</form>", re.S)


def token_in(response, action: str | None = None) -> str:
    """The one-time token of the page's form posting to `action` (the page itself when None)."""
    html = response.content.decode()
    for form in FORM.findall(html):
        posts_to = re.search(r'action="([^"]*)"', form.split(">", 1)[0])
        if (posts_to.group(1) if posts_to else None) == action:
            found = TOKEN.search(form)
            assert found, f"the form posting to {action} carries no one-time token"
            return found.group(1)
    raise AssertionError(f"no form posting to {action}")


@pytest.fixture
def shop(boss, company, customer, product, service_product):
    receive_stock([{"product": product, "quantity": "50", "unit_cost": "70"}], by=boss)
    order = confirm_order(create_order(customer, [{"product": product, "quantity": "4"}], by=boss), by=boss)
    service = confirm_order(
        create_order(customer, [{"product": service_product, "quantity": "1"}], by=boss), by=boss
    )
    shipped = confirm_order(create_order(customer, [{"product": product, "quantity": "2"}], by=boss), by=boss)
    delivery = validate_delivery(create_delivery(shipped, by=boss), by=boss)
    invoice = issue_invoice(create_invoice_from_order(shipped, by=boss), by=boss)  # 288,00 € TTC
    quote = send_quote(create_quote(customer, [{"product": product, "quantity": "1"}], by=boss), by=boss)
    advance = register_payment(customer, amount="500.00", method="transfer", by=boss)
    return {
        "order": order,
        "service": service,
        "delivery": delivery,
        "invoice": invoice,
        "quote": quote,
        "advance": advance,
    }


def test_the_payment_form_sent_twice_registers_one_payment_and_lands_both_on_it(boss, customer, shop):
    client = client_for(boss)
    invoice = shop["invoice"]
    page = client.get(f"/reglements/nouveau/?client={customer.pk}&facture={invoice.pk}")
    data = {
        "client": customer.pk,
        "date": datetime.date.today().isoformat(),
        "method": "transfer",
        "reference": "VIR 123",
        "amount": "288,00",
        f"alloc_{invoice.pk}": "288,00",
        FIELD: token_in(page, "/reglements/nouveau/"),
    }

    first = client.post("/reglements/nouveau/", data)
    second = client.post("/reglements/nouveau/", data, follow=True)

    payment = Payment.objects.exclude(pk=shop["advance"].pk).get()
    assert first.status_code == 302 and first["Location"] == f"/reglements/{payment.pk}/"
    assert second.redirect_chain == [(f"/reglements/{payment.pk}/", 302)]
    assert any("déjà été envoyé" in m for m in messages_of(second))
    assert PaymentAllocation.objects.filter(invoice=invoice).count() == 1


def test_a_form_sent_back_with_an_error_keeps_nothing_and_its_token_serves_again(boss, customer, shop):
    client = client_for(boss)
    page = client.get(f"/reglements/nouveau/?client={customer.pk}")
    data = {
        "client": customer.pk,
        "date": datetime.date.today().isoformat(),
        "method": "transfer",
        "amount": "abc",
        FIELD: token_in(page, "/reglements/nouveau/"),
    }

    refused = client.post("/reglements/nouveau/", data)
    assert refused.status_code == 200 and not IdempotencyKey.objects.exists()
    assert token_in(refused, "/reglements/nouveau/") != data[FIELD]  # the page shown again has its own

    corrected = client.post("/reglements/nouveau/", data | {"amount": "12,00"})
    assert corrected.status_code == 302
    assert Payment.objects.filter(amount="12.00").count() == 1


def test_a_form_without_its_token_still_works(boss, customer, shop):
    client = client_for(boss)
    data = {"client": customer.pk, "date": datetime.date.today().isoformat(), "method": "cash", "amount": "5"}
    client.post("/reglements/nouveau/", data)
    client.post("/reglements/nouveau/", data)
    assert Payment.objects.filter(amount="5.00").count() == 2


def test_each_render_of_a_form_draws_a_new_token(boss, shop):
    client = client_for(boss)
    assert token_in(client.get("/clients/nouveau/")) != token_in(client.get("/clients/nouveau/"))


def _lines(product, quantity="3"):
    return {
        "customer": "",
        "row_id": ["a1"],
        "product": [product.pk],
        "quantity": [quantity],
        "unit_price": [""],
        "discount_percent": [""],
    }


# (page showing the form, URL it posts to (None: the page itself), data, the documents counted)
def _creating_forms(customer, product, shop):
    order, quote, delivery, advance = shop["order"], shop["quote"], shop["delivery"], shop["advance"]
    service = shop["service"]
    delivery_line = delivery.lines.get()
    return {
        "customer": (
            "/clients/nouveau/",
            None,
            {"name": "Garage Dupont", "country": "FR", "payment_days": "30"},
            Customer.objects.filter(name="Garage Dupont"),
        ),
        "product": (
            "/produits/nouveau/",
            None,
            {
                "sku": "CLE-12",
                "name": "Clé",
                "kind": "goods",
                "unit": "pièce",
                "sale_price": "89,90",
                "purchase_cost": "41,5",
                "vat_rate": "20.00",
                "low_stock_threshold": "2",
            },
            Product.objects.filter(sku="CLE-12"),
        ),
        "receipt": (
            "/stock/receptions/nouvelle/",
            None,
            {
                "supplier_name": "Facom",
                "date": "",
                "product": [product.pk],
                "quantity": ["20"],
                "unit_cost": ["40"],
            },
            Receipt.objects.filter(supplier_name="Facom"),
        ),
        "quote": ("/devis/nouveau/", None, _lines(product) | {"customer": customer.pk}, Quote.objects.all()),
        "order": (
            "/commandes/nouvelle/",
            None,
            _lines(product) | {"customer": customer.pk},
            Order.objects.all(),
        ),
        "contact": (
            f"/clients/{customer.pk}/",
            f"/clients/{customer.pk}/contacts/",
            {"contact-name": "Julie Martin", "contact-email": "j@m.fr"},
            Contact.objects.filter(name="Julie Martin"),
        ),
        "delivery address": (
            f"/clients/{customer.pk}/",
            f"/clients/{customer.pk}/adresses/",
            {
                "address-label": "Atelier",
                "address-street": "2 rue du Port",
                "address-postal_code": "44000",
                "address-city": "Nantes",
            },
            DeliveryAddress.objects.filter(label="Atelier"),
        ),
        "order from a quote": (
            f"/devis/{quote.pk}/",
            f"/devis/{quote.pk}/accepter/",
            {},
            Order.objects.filter(quote=quote),
        ),
        "delivery note": (
            f"/commandes/{order.pk}/",
            f"/commandes/{order.pk}/livrer/",
            {"mode": "tout"},
            Delivery.objects.filter(order=order),
        ),
        "invoice": (
            f"/commandes/{service.pk}/",
            f"/commandes/{service.pk}/facturer/",
            {},
            Invoice.objects.filter(order=service),
        ),
        "return case": (
            f"/livraisons/{delivery.pk}/ecart/",
            None,
            {"reason": "damaged", f"qty_{delivery_line.pk}": "1"},
            ReturnCase.objects.all(),
        ),
        "allocation": (
            f"/reglements/{advance.pk}/",
            f"/reglements/{advance.pk}/affecter/",
            {f"alloc_{shop['invoice'].pk}": "100,00"},
            PaymentAllocation.objects.filter(payment=advance),
        ),
        "user": (
            "/parametres/utilisateurs/nouveau/",
            None,
            {
                "username": "claire",
                "first_name": "Claire",
                "email": "claire@durand.fr",
                "password": "Bienvenue-2026",
                "roles": ["comptabilite"],
            },
            get_user_model().objects.filter(username="claire"),
        ),
    }


@pytest.mark.parametrize(
    "kind",
    [
        "customer",
        "product",
        "receipt",
        "quote",
        "order",
        "contact",
        "delivery address",
        "order from a quote",
        "delivery note",
        "invoice",
        "return case",
        "allocation",
        "user",
    ],
)
def test_every_creating_form_sent_twice_creates_one_document(
    settings, boss, admin_user, customer, product, shop, kind
):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    page_url, action, data, documents = _creating_forms(customer, product, shop)[kind]
    client = client_for(admin_user if kind == "user" else boss)
    page = client.get(page_url)
    assert page.status_code == 200
    data = data | {FIELD: token_in(page, action)}
    before = documents.count()

    first = client.post(action or page_url, data)
    second = client.post(action or page_url, data)

    assert documents.count() == before + 1, messages_of(first)
    assert first.status_code == second.status_code == 302
    assert second["Location"] == first["Location"]

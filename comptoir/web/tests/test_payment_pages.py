"""An accountant allocates, from the payment's page, what a payment left on the customer's account."""

import pytest

from comptoir.billing.models import Invoice
from comptoir.billing.services import create_invoice_from_order, issue_invoice
from comptoir.core.permissions import Role
from comptoir.core.testing import make_user, start_ids_at
from comptoir.payments import selectors as payment_view
from comptoir.payments.services import register_payment, unallocated
from comptoir.sales.services import confirm_order, create_order
from comptoir.web.tests.clients import client_for, text_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def advance(boss, company, customer, service_product):
    """600 € received by cheque, and an open invoice of 540 € incl. VAT, numbered past 999 in the database
    as in any company with a few years of invoices."""
    start_ids_at(Invoice, 12345)
    order = confirm_order(
        create_order(customer, [{"product": service_product, "quantity": "1"}], by=boss), by=boss
    )
    invoice = issue_invoice(create_invoice_from_order(order, by=boss), by=boss)
    return register_payment(customer, amount="600.00", method="cheque", by=boss), invoice


def test_the_accountant_allocates_the_rest_of_a_payment_from_its_page(advance):
    payment, invoice = advance
    client = client_for(make_user("compta", Role.COMPTABILITE))
    page = text_of(client.get(f"/reglements/{payment.pk}/"))
    assert "Affecter le montant non affecté" in page and f'name="alloc_{invoice.pk}"' in page

    response = client.post(
        f"/reglements/{payment.pk}/affecter/", {f"alloc_{invoice.pk}": "540,00"}, follow=True
    )

    assert f"Règlement {payment.number} affecté." in text_of(response)
    assert payment_view.invoice_payment_state(invoice).status == payment_view.PAID
    assert unallocated(payment) == 60


def test_a_wrong_amount_is_explained_in_french_and_nothing_is_allocated(advance):
    payment, invoice = advance
    client = client_for(make_user("compta", Role.COMPTABILITE))

    response = client.post(
        f"/reglements/{payment.pk}/affecter/", {f"alloc_{invoice.pk}": "590,00"}, follow=True
    )

    assert "ne reste due que de 540,00 €" in text_of(response)
    assert unallocated(payment) == 600


def test_sales_see_the_payment_but_neither_the_form_nor_the_action(advance):
    payment, invoice = advance
    client = client_for(make_user("vendeur", Role.COMMERCIAL))

    assert "Affecter le montant non affecté" not in text_of(client.get(f"/reglements/{payment.pk}/"))
    response = client.post(
        f"/reglements/{payment.pk}/affecter/", {f"alloc_{invoice.pk}": "540,00"}, follow=True
    )

    assert "Votre rôle ne permet pas cette action : enregistrer un règlement" in text_of(response)
    assert unallocated(payment) == 600

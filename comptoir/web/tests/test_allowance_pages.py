"""The draft invoice page: remises globales, frais and escompte, added and removed through its forms."""

import html
from decimal import Decimal as D

import pytest
from django.urls import reverse

from comptoir.billing.models import Invoice
from comptoir.billing.services import create_invoice_from_order
from comptoir.sales.services import confirm_order, create_order
from comptoir.web.tests.clients import client_for, messages_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(boss, company, customer, service_product):
    """A draft invoice of one service at 450.00 excl. VAT (20 %)."""
    order = confirm_order(
        create_order(customer, [{"product": service_product, "quantity": "1"}], by=boss), by=boss
    )
    return create_invoice_from_order(order, by=boss)


def test_a_remise_globale_and_frais_de_port_are_added_shown_and_removed(boss, draft):
    client = client_for(boss)
    page = reverse("web:invoice_detail", args=[draft.pk])
    add = reverse("web:invoice_adjustment_add", args=[draft.pk])
    response = client.post(
        add, {"kind": "allowance", "mode": "percent", "value": "10", "reason_code": "95"}, follow=True
    )
    assert "Remise globale ajoutée" in " ".join(messages_of(response))
    client.post(add, {"kind": "charge", "mode": "amount", "value": "12,50", "reason_code": "FC"})
    draft.refresh_from_db()
    assert (draft.total_allowances, draft.total_charges, draft.total_untaxed) == (
        D("45.00"),
        D("12.50"),
        D("417.50"),
    )
    text = client.get(page).content.decode()
    assert "Remises globales et frais" in text and "Frais de port" in text and "Total des lignes HT" in text
    # A refusal says why, in French.
    response = client.post(
        add, {"kind": "allowance", "mode": "amount", "value": "900", "reason": "Trop"}, follow=True
    )
    assert "dépassent le montant HT des lignes" in " ".join(messages_of(response))
    charge = draft.allowances_charges.get(is_charge=True)
    client.post(reverse("web:invoice_adjustment_remove", args=[draft.pk, charge.pk]))
    draft.refresh_from_db()
    assert draft.total_untaxed == D("405.00")


def test_an_escompte_is_set_on_the_draft_and_printed_at_issue(boss, draft):
    client = client_for(boss)
    client.post(reverse("web:invoice_early_discount", args=[draft.pk]), {"percent": "2", "days": "10"})
    client.post(reverse("web:invoice_issue", args=[draft.pk]), {"date": ""})
    invoice = Invoice.objects.get(pk=draft.pk)
    assert invoice.status == Invoice.Status.ISSUED and "Escompte de 2" in invoice.payment_terms
    text = client.get(reverse("web:invoice_detail", args=[draft.pk])).content.decode()
    assert "pour un paiement reçu au plus tard le" in text
    # Issued: no more forms.
    assert reverse("web:invoice_adjustment_add", args=[draft.pk]) not in text


def test_the_payment_form_says_what_to_pay_to_earn_the_escompte(boss, draft):
    from comptoir.billing.adjusting import set_early_discount
    from comptoir.billing.services import issue_invoice

    set_early_discount(draft, by=boss, percent="2", days="10")
    invoice = issue_invoice(draft, by=boss)
    response = client_for(boss).get(
        reverse("web:payment_create"), {"client": invoice.customer_id, "facture": invoice.pk}
    )
    text = html.unescape(response.content.decode()).replace("\u202f", " ").replace("\u00a0", " ")
    # 540.00 less 2 % of 450.00 and its VAT (9.00 + 1.80).
    until = invoice.early_discount_until.strftime("%d/%m/%Y")
    assert f"Escompte : 529,20 € si réglé au plus tard le {until}" in text

"""Checks that what is billed is the product, price and discount that were agreed."""

from decimal import Decimal

import pytest

from comptoir.assistant.findings import Severity
from comptoir.assistant.tests.factories import (
    codes,
    draft,
    edit_draft_line,
    invoice_findings,
    order_findings,
    ship,
    sold,
    stock,
    the,
)
from comptoir.core.testing import make_product
from comptoir.sales.services import accept_quote, confirm_order, create_quote, replace_order_lines, send_quote
from comptoir.stock.models import DeliveryLine
from comptoir.stock.services import create_delivery, validate_delivery

pytestmark = pytest.mark.django_db


@pytest.fixture
def other_product(boss):
    return make_product(boss, sku="REF-89", name="Perceuse sans fil", sale_price="150.00")


# --- product reference changed --------------------------------------------------------------------


def test_a_delivery_shipping_another_reference_than_ordered_is_reported(
    boss, company, customer, product, other_product
):
    stock(boss, product, other_product)
    order = sold(boss, customer, (product, "10"))
    delivery = create_delivery(order, by=boss)
    # The picker shipped the cordless model instead, and the note was corrected before it left.
    DeliveryLine.objects.filter(delivery=delivery).update(product=other_product)
    validate_delivery(delivery, by=boss)

    finding = the(order_findings(order), "product_changed_along_chain")

    assert finding.severity == Severity.WARNING
    assert finding.message == (
        f"Le {delivery.number} a livré REF-89 pour une ligne commandée en REF-88 sur {order.number}."
    )
    assert [item.kind for item in finding.evidence] == ["order", "delivery"]


def test_the_same_reference_all_along_the_chain_is_not_reported(boss, company, customer, product):
    stock(boss, product)
    order = sold(boss, customer, (product, "10"))
    ship(boss, order)
    invoice = draft(boss, order)

    assert "product_changed_along_chain" not in codes(invoice_findings(invoice))
    assert "product_changed_along_chain" not in codes(order_findings(order))


def test_an_invoice_line_billing_another_reference_than_delivered_is_reported(
    boss, company, customer, product, other_product
):
    stock(boss, product)
    order = sold(boss, customer, (product, "10"))
    delivery = ship(boss, order)
    invoice = draft(boss, order)
    edit_draft_line(invoice.lines.get(), product=other_product)

    finding = the(invoice_findings(invoice), "product_changed_along_chain")

    assert finding.message == (
        f"La facture brouillon n° {invoice.pk} facture REF-89 là où le {delivery.number} porte REF-88."
    )


# --- prices and discounts -------------------------------------------------------------------------


def test_an_invoice_price_other_than_ordered_is_reported_with_the_agreed_price(
    boss, company, customer, product
):
    stock(boss, product)
    order = sold(boss, customer, (product, "10"))
    ship(boss, order)
    invoice = draft(boss, order)
    edit_draft_line(invoice.lines.get(), unit_price=Decimal("130.0000"))

    finding = the(invoice_findings(invoice), "invoice_price_differs")

    assert finding.severity == Severity.WARNING
    assert finding.message == (
        f"La facture brouillon n° {invoice.pk} facture REF-88 à 130,00\u00a0€ HT l'unité alors que la commande "
        f"{order.number} l'a convenu à 120,00\u00a0€."
    )
    assert finding.proposal.kind == "set_invoice_line_price"
    assert finding.proposal.payload["unit_price"] == Decimal("120.0000")


def test_an_invoice_discount_other_than_ordered_is_reported(boss, company, customer, product):
    stock(boss, product)
    order = sold(boss, customer, {"product": product, "quantity": "10", "discount_percent": "10"})
    ship(boss, order)
    invoice = draft(boss, order)
    edit_draft_line(invoice.lines.get(), discount_percent=Decimal("0"))

    finding = the(invoice_findings(invoice), "invoice_discount_differs")

    assert "remise de 0\u00a0%" in finding.message and "a convenu 10\u00a0%" in finding.message


def test_an_invoice_at_the_agreed_price_and_discount_is_not_reported(boss, company, customer, product):
    stock(boss, product)
    order = sold(boss, customer, {"product": product, "quantity": "10", "discount_percent": "10"})
    ship(boss, order)
    invoice = draft(boss, order)

    found = codes(invoice_findings(invoice))

    assert "invoice_price_differs" not in found and "invoice_discount_differs" not in found


def test_an_order_re_entered_at_another_price_than_the_accepted_quote_is_reported(
    boss, company, customer, product
):
    quote = create_quote(customer, [{"product": product, "quantity": "10"}], by=boss)
    send_quote(quote, by=boss)
    order = accept_quote(quote, by=boss)
    # The order's lines were re-keyed before confirmation, at another price.
    replace_order_lines(order, [{"product": product, "quantity": "10", "unit_price": "110"}], by=boss)
    confirm_order(order, by=boss)

    finding = the(order_findings(order), "order_price_differs_from_quote")

    assert finding.message == (
        f"La commande {order.number} reprend REF-88 avec 110,00\u00a0€ HT l'unité alors que le devis accepté "
        f"{quote.number} indiquait 120,00\u00a0€ HT l'unité."
    )
    assert finding.proposal.kind == "amend_order_to_quote"
    assert finding.proposal.payload["unit_price"] == Decimal("120.0000")
    assert [item.kind for item in finding.evidence] == ["quote", "order"]


def test_an_order_taken_from_its_quote_matches_it(boss, company, customer, product):
    order = sold(boss, customer, {"product": product, "quantity": "10", "discount_percent": "5"})

    found = codes(order_findings(order))

    assert "order_price_differs_from_quote" not in found and "order_discount_differs_from_quote" not in found

"""Checks between what was ordered, delivered and invoiced."""

from decimal import Decimal

import pytest

from comptoir.assistant.chain import Chain, Customer, Delivery, DeliveryLine, Order, OrderLine, Product
from comptoir.assistant.checks import check_delivered_vs_ordered
from comptoir.assistant.findings import Severity
from comptoir.assistant.tests.factories import (
    codes,
    copy_as_draft,
    draft,
    edit_draft_line,
    invoice_findings,
    issued,
    order_findings,
    ship,
    sold,
    stock,
    the,
)
from comptoir.stock.services import create_delivery

pytestmark = pytest.mark.django_db


@pytest.fixture
def other_product(boss):
    from comptoir.core.testing import make_product

    return make_product(boss, sku="REF-77", name="Scie sauteuse", sale_price="80.00")


# --- delivered ≠ ordered --------------------------------------------------------------------------


def test_a_short_shipment_with_nothing_planned_proposes_a_delivery_for_the_rest(
    boss, company, customer, product
):
    stock(boss, product)
    order = sold(boss, customer, (product, "12"))
    delivery = ship(boss, order, (product, "10"))

    finding = the(order_findings(order), "delivery_short")

    assert finding.severity == Severity.INFO
    assert finding.message == (
        f"La commande {order.number} prévoyait 12 unités de REF-88 ; 10 livrée(s) ({delivery.number}), "
        "2 reste(nt) à livrer sans bon de livraison prévu."
    )
    assert finding.proposal.kind == "create_delivery"
    assert finding.proposal.payload["lines"][0]["quantity"] == Decimal("2")


def test_a_short_shipment_is_not_reported_once_the_rest_is_planned_or_shipped(
    boss, company, customer, product
):
    stock(boss, product)
    order = sold(boss, customer, (product, "12"))
    ship(boss, order, (product, "10"))
    create_delivery(order, by=boss)  # the remaining 2, planned
    assert "delivery_short" not in codes(order_findings(order))

    fully = sold(boss, customer, (product, "5"))
    ship(boss, fully)
    assert "delivery_short" not in codes(order_findings(fully))


def test_an_over_shipment_is_reported_against_the_order():
    """Services never ship beyond the order; a snapshot from elsewhere (an import) may."""
    drill = Product(1, "REF-88", "Perceuse", False, Decimal("20"))
    line = OrderLine(1, drill, Decimal("10"), Decimal("120"), Decimal("0"), Decimal("20"), "S")
    chain = Chain(
        customer=Customer(1, "C00001", "Menuiserie Martin SARL", "france"),
        today=None,
        order=Order(1, "CMD-2026-00001", "confirmed", None, (line,)),
        deliveries=(
            Delivery(1, "BL-2026-00001", "validated", None, (DeliveryLine(1, 1, drill, Decimal("12")),)),
        ),
    )

    (finding,) = check_delivered_vs_ordered(chain)

    assert finding.code == "delivery_exceeds_order" and finding.severity == Severity.WARNING
    assert "12 unités de REF-88" in finding.message and "n'en prévoyait que 10" in finding.message


# --- invoiced > delivered -------------------------------------------------------------------------


def test_a_draft_billing_more_than_delivered_is_blocking(boss, company, customer, product):
    stock(boss, product)
    order = sold(boss, customer, (product, "12"))
    delivery = ship(boss, order, (product, "10"))
    invoice = draft(boss, order)
    edit_draft_line(invoice.lines.get(), quantity=Decimal("12"))

    finding = the(invoice_findings(invoice), "invoice_qty_exceeds_delivered")

    assert finding.severity == Severity.BLOCKING
    assert finding.message == (
        f"La facture brouillon n° {invoice.pk} facture 12 unités de REF-88 alors que le {delivery.number} "
        "n'en a livré que 10."
    )
    assert {item.document for item in finding.evidence} == {f"brouillon n° {invoice.pk}", delivery.number}
    assert finding.proposal.kind == "set_invoice_line_quantity"


def test_a_draft_billing_what_was_delivered_has_no_quantity_finding(boss, company, customer, product):
    stock(boss, product)
    order = sold(boss, customer, (product, "12"))
    ship(boss, order, (product, "10"))
    invoice = draft(boss, order)

    found = codes(invoice_findings(invoice))

    assert "invoice_qty_exceeds_delivered" not in found
    assert "delivery_invoiced_twice" not in found


# --- a delivery invoiced twice --------------------------------------------------------------------


def test_a_second_invoice_of_the_same_delivery_is_blocking_and_the_first_is_not(
    boss, company, customer, product
):
    stock(boss, product)
    order = sold(boss, customer, (product, "10"))
    delivery = ship(boss, order)
    first = issued(boss, order)
    second = copy_as_draft(first)

    finding = the(invoice_findings(second), "delivery_invoiced_twice")

    assert finding.severity == Severity.BLOCKING
    assert first.number in finding.message and delivery.number in finding.message
    assert finding.proposal.kind == "cancel_draft_invoice"
    assert "delivery_invoiced_twice" not in codes(invoice_findings(first))


def test_a_single_invoice_of_a_delivery_is_not_a_double_billing(boss, company, customer, product):
    stock(boss, product)
    order = sold(boss, customer, (product, "10"))
    ship(boss, order)
    first = issued(boss, order)

    assert "delivery_invoiced_twice" not in codes(order_findings(order))
    assert "delivery_invoiced_twice" not in codes(invoice_findings(first))


# --- delivered lines left off an invoice ----------------------------------------------------------


def test_an_invoice_leaving_a_delivered_line_unbilled_is_reported(
    boss, company, customer, product, other_product
):
    stock(boss, product, other_product)
    order = sold(boss, customer, (product, "10"), (other_product, "5"))
    delivery = ship(boss, order)
    invoice = draft(boss, order)
    invoice.lines.get(product=other_product).delete()  # removed from the draft by hand

    finding = the(invoice_findings(invoice), "invoice_misses_delivered_quantity")

    assert finding.severity == Severity.WARNING
    assert finding.message == (
        f"Le {delivery.number} a livré 5 unités de REF-77 mais la facture brouillon n° {invoice.pk} ne reprend "
        "pas cette ligne (5 non facturées)."
    )
    assert finding.proposal.kind == "create_invoice_from_order"


def test_an_invoice_billing_the_whole_delivery_leaves_nothing_out(
    boss, company, customer, product, other_product
):
    stock(boss, product, other_product)
    order = sold(boss, customer, (product, "10"), (other_product, "5"))
    ship(boss, order)
    invoice = draft(boss, order)

    assert "invoice_misses_delivered_quantity" not in codes(invoice_findings(invoice))


def test_a_delivery_no_invoice_takes_up_is_waiting_to_be_invoiced(boss, company, customer, product):
    stock(boss, product)
    order = sold(boss, customer, (product, "10"))
    delivery = ship(boss, order)

    finding = the(order_findings(order), "delivered_not_invoiced")

    assert finding.severity == Severity.INFO and delivery.number in finding.message
    assert finding.proposal.payload == {"order_id": order.pk}

    draft(boss, order)
    assert "delivered_not_invoiced" not in codes(order_findings(order))


# --- goods invoiced without a delivery ------------------------------------------------------------


def test_goods_on_an_invoice_without_a_delivery_note_are_reported(boss, company, customer, product):
    stock(boss, product)
    order = sold(boss, customer, (product, "10"))
    ship(boss, order)
    invoice = draft(boss, order)
    edit_draft_line(invoice.lines.get(), delivery_line=None)

    finding = the(invoice_findings(invoice), "invoice_line_not_delivered")

    assert finding.severity == Severity.WARNING
    assert "10 unités de REF-88 qui ne figurent sur aucun bon de livraison" in finding.message


def test_services_and_delivered_goods_are_not_reported_as_undelivered(
    boss, company, customer, product, service_product
):
    stock(boss, product)
    order = sold(boss, customer, (product, "10"), (service_product, "1"))
    ship(boss, order)
    invoice = draft(boss, order)

    assert "invoice_line_not_delivered" not in codes(invoice_findings(invoice))


def test_two_equal_partial_shipments_of_one_order_are_not_duplicates(boss, company, customer, product):
    stock(boss, product)
    order = sold(boss, customer, (product, "10"))
    ship(boss, order, (product, "5"))
    issued(boss, order)
    ship(boss, order, (product, "5"))
    second = draft(boss, order)

    assert "duplicate_invoice" not in codes(invoice_findings(second))

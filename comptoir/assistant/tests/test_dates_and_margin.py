"""#17 « What it must also catch »: a delivery dated after the invoice that bills it or in the future, and a
sale below the cost the goods left the stock at."""

import datetime
from decimal import Decimal

import pytest

from comptoir.assistant.chain import Chain, Customer, Delivery, DeliveryLine, Invoice, InvoiceLine, Product
from comptoir.assistant.findings import Severity
from comptoir.assistant.tests.factories import codes, draft, invoice_findings, issued, ship, sold, stock, the

D = Decimal
TODAY = datetime.date(2026, 11, 20)
DRILL = Product(1, "REF-88", "Perceuse", False, D("20"))
CUSTOMER = Customer(1, "C00001", "Menuiserie Martin SARL", "france")


def _chain(delivered_on, invoiced_on, *, today=TODAY, unit_cost=None, unit_price=None):
    unit_price = unit_price or D("120")
    delivery = Delivery(
        1, "BL-2026-00001", "validated", delivered_on, (DeliveryLine(1, 1, DRILL, D("10"), unit_cost),)
    )
    line = InvoiceLine(1, DRILL, D("10"), unit_price, D("0"), D("20"), "S", unit_price * 10, 1, 1)
    invoice = Invoice(
        1, "FA-2026-00001", "invoice", "issued", 1, invoiced_on, unit_price * 10, unit_price * 12, (line,)
    )
    return Chain(customer=CUSTOMER, today=today, deliveries=(delivery,), invoices=(invoice,))


# Business dates (core.dates) refuse both through the services: the checks read the books as they are
# (an import, a history from before those rules).


def test_a_delivery_dated_after_the_invoice_that_bills_it_is_reported():
    from comptoir.assistant.checks import check_delivery_dates

    (finding,) = check_delivery_dates(_chain(datetime.date(2026, 11, 12), datetime.date(2026, 11, 10)))

    assert (finding.code, finding.severity) == ("delivery_after_invoice", Severity.WARNING)
    assert finding.message == (
        "Le bon de livraison BL-2026-00001 est daté du 12/11/2026, après la facture FA-2026-00001 du "
        "10/11/2026 qui le facture : une date de livraison ou de facture à vérifier (la TVA des biens est "
        "due à la livraison)."
    )
    assert {item.kind for item in finding.evidence} == {"delivery", "invoice"}


def test_a_delivery_dated_in_the_future_is_reported():
    from comptoir.assistant.checks import check_delivery_dates

    findings = check_delivery_dates(
        _chain(datetime.date(2026, 11, 25), datetime.date(2026, 11, 26), today=TODAY)
    )

    assert codes(findings) == ["delivery_in_future"]
    assert findings[0].message == (
        "Le bon de livraison BL-2026-00001 est daté du 25/11/2026, dans le futur (nous sommes le 20/11/2026)."
    )


def test_a_delivery_before_its_invoice_is_in_order():
    from comptoir.assistant.checks import check_delivery_dates

    assert check_delivery_dates(_chain(datetime.date(2026, 11, 10), datetime.date(2026, 11, 10))) == []


pytestmark_db = pytest.mark.django_db


@pytestmark_db
def test_a_sale_below_the_cost_the_goods_left_at_is_reported(boss, company, customer, product):
    stock(boss, product)  # received at 50 € a drill
    order = sold(boss, customer, {"product": product, "quantity": "10", "unit_price": "40.00"})
    ship(boss, order)
    invoice = draft(boss, order)

    finding = the(invoice_findings(invoice), "sale_below_cost")

    assert finding.severity == Severity.WARNING and not finding.is_blocking
    delivery = order.deliveries.get()
    assert finding.message == (
        f"La facture brouillon n° {invoice.pk} vend REF-88 à 40,00\u00a0€ HT l'unité, sous son coût de sortie "
        f"de stock (50,00\u00a0€ l'unité, {delivery.number}) : une perte de 100,00\u00a0€ sur 10 unités. "
        "Vérifiez le prix ou la remise."
    )


@pytestmark_db
def test_a_sale_above_cost_is_not_reported(boss, company, customer, product):
    stock(boss, product)
    order = sold(boss, customer, (product, "10"))
    ship(boss, order)
    assert "sale_below_cost" not in codes(invoice_findings(issued(boss, order)))

"""A deposit, told as a story: 30 % at confirmation → deposit invoice (386) → paid → delivered → final
invoice that bills everything and deducts the deposit → balance paid, books square."""

from decimal import Decimal

import pytest
from lxml import etree

from comptoir.accounting import selectors as ledger_view
from comptoir.billing import einvoicing
from comptoir.billing.models import Invoice
from comptoir.billing.selectors import INVOICED, order_billing_status
from comptoir.billing.services import create_invoice_from_order, create_milestone_invoice, issue_invoice
from comptoir.einvoice.cii import amounts_from_cii
from comptoir.einvoice.validate import validate_many
from comptoir.payments import selectors as payment_view
from comptoir.payments.services import register_payment
from comptoir.sales.services import confirm_order, create_order, set_billing_schedule
from comptoir.stock.services import create_delivery, receive_stock, validate_delivery

pytestmark = pytest.mark.django_db
RAM = {"ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"}


def _balance(code: str) -> Decimal:
    row = ledger_view.trial_balance().by_code().get(code)
    return row.balance if row else Decimal("0")


def test_a_deposit_is_invoiced_paid_and_deducted_from_the_final_invoice(
    boss, company, customer, product, service_product
):
    # Given an order of 10 drills (1 200 € HT) and their installation (450 € HT), 30 % down at confirmation
    receive_stock([{"product": product, "quantity": "10", "unit_cost": "70"}], by=boss)
    order = create_order(
        customer,
        [{"product": product, "quantity": "10"}, {"product": service_product, "quantity": "1"}],
        by=boss,
    )
    assert (order.total_untaxed, order.total_vat, order.total) == (
        Decimal("1650.00"),
        Decimal("330.00"),
        Decimal("1980.00"),
    )
    (step,) = set_billing_schedule(
        order,
        [{"label": "Acompte à la commande", "trigger": "confirmation", "percent": "30", "is_deposit": True}],
        by=boss,
    )
    confirm_order(order, by=boss)

    # When the deposit is invoiced
    deposit = issue_invoice(create_milestone_invoice(step, by=boss), by=boss)

    # Then it is a deposit invoice (386) of 30 %: 495 € HT spread over goods and services, on 4191
    assert deposit.kind == Invoice.Kind.DEPOSIT and Invoice.TYPE_CODES[deposit.kind] == "386"
    assert (deposit.total_untaxed, deposit.total_vat, deposit.total) == (
        Decimal("495.00"),
        Decimal("99.00"),
        Decimal("594.00"),
    )
    assert [(line.net_amount, line.account_code) for line in deposit.lines.all()] == [
        (Decimal("360.00"), "4191"),
        (Decimal("135.00"), "4191"),
    ]
    assert deposit.lines.first().description.startswith(
        "Acompte de 30\u00a0% sur la commande " + order.number
    )
    # And its VAT, goods included, waits in 44574 until the deposit is cashed
    assert (_balance("4191"), _balance("44574"), _balance("44571")) == (
        Decimal("-495.00"),
        Decimal("-99.00"),
        Decimal("0"),
    )

    # When the customer pays the deposit
    register_payment(
        customer,
        amount="594.00",
        method="transfer",
        allocations=[{"invoice": deposit, "amount": "594.00"}],
        by=boss,
    )

    # Then its VAT is due
    assert (_balance("44574"), _balance("44571")) == (Decimal("0.00"), Decimal("-99.00"))

    # When everything is delivered and invoiced
    validate_delivery(create_delivery(order, by=boss), by=boss)
    final = issue_invoice(create_invoice_from_order(order, by=boss), by=boss)

    # Then the final invoice bills the whole operation and deducts the deposit incl. VAT
    assert (final.total_untaxed, final.total_vat, final.total) == (
        Decimal("1650.00"),
        Decimal("330.00"),
        Decimal("1980.00"),
    )
    assert final.deposits_deducted == Decimal("594.00")
    assert [(d.deposit, d.base, d.vat) for d in final.deposit_deductions.all()] == [
        (deposit, Decimal("495.00"), Decimal("99.00"))
    ]
    state = payment_view.invoice_payment_state(final)
    assert (state.balance_due, state.deposits) == (Decimal("1386.00"), Decimal("594.00"))
    assert [inv.pk for inv in payment_view.open_invoices(customer)] == [final.pk]
    # And the ledger: 4191 back to zero, the whole VAT counted once, the service VAT of the balance pending
    assert _balance("4191") == Decimal("0.00")
    assert _balance("411") == Decimal("1386.00")
    assert (_balance("707"), _balance("706")) == (Decimal("-1200.00"), Decimal("-450.00"))
    # 90 € of service VAT, less its share already cashed with the deposit (90 × 99 / 330 = 27)
    assert (_balance("44571"), _balance("44574")) == (Decimal("-267.00"), Decimal("-63.00"))
    status = order_billing_status(order)
    assert (status.ordered_untaxed, status.invoiced_untaxed, status.remaining_untaxed) == (
        Decimal("1650.00"),
        Decimal("1650.00"),
        Decimal("0.00"),
    )
    assert (status.deposits_invoiced_untaxed, status.deposits_deducted_untaxed) == (
        Decimal("495.00"),
        Decimal("495.00"),
    )
    assert [m.state for m in status.milestones] == [INVOICED] and status.is_fully_invoiced

    # When the customer pays the balance
    register_payment(
        customer,
        amount="1386.00",
        method="transfer",
        allocations=[{"invoice": final, "amount": "1386.00"}],
        by=boss,
    )

    # Then the final invoice is paid, the VAT of the whole operation is due, nothing is pending
    assert payment_view.invoice_payment_state(final).status == payment_view.PAID
    assert (_balance("44571"), _balance("44574"), _balance("4191"), _balance("411")) == (
        Decimal("-330.00"),
        Decimal("0.00"),
        Decimal("0.00"),
        Decimal("0.00"),
    )
    balance = ledger_view.trial_balance()
    assert balance.is_balanced and balance.by_code()["512"].balance == Decimal("1980.00")
    statement = ledger_view.customer_statement(customer)
    assert statement.balance == Decimal("0.00") and all(line.letter for line in statement.lines)

    # And both e-invoices pass the official validators; the final one states the deposit and the balance
    deposit_xml, final_xml = einvoicing.cii_xml(deposit), einvoicing.cii_xml(final)
    reports = validate_many([deposit_xml, final_xml])
    assert [[str(f) for f in report.errors] for report in reports] == [[], []]
    amounts = amounts_from_cii(final_xml)
    assert (amounts["BT-112"], amounts["BT-113"], amounts["BT-115"]) == (
        Decimal("1980.00"),
        Decimal("594.00"),
        Decimal("1386.00"),
    )
    tree = etree.fromstring(final_xml)
    assert tree.xpath("//ram:InvoiceReferencedDocument/ram:IssuerAssignedID/text()", namespaces=RAM) == [
        deposit.number
    ]
    assert tree.xpath(
        "//ram:BusinessProcessSpecifiedDocumentContextParameter/ram:ID/text()", namespaces=RAM
    ) == ["M4"]
    assert etree.fromstring(deposit_xml).xpath(
        "//*[local-name()='ExchangedDocument']/ram:TypeCode/text()", namespaces=RAM
    ) == ["386"]

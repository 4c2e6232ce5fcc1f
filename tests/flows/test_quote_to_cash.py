"""The whole cycle, told as a story: quote → order → delivery → invoice → entry → payment."""

from decimal import Decimal

from comptoir.accounting import selectors as ledger_view
from comptoir.billing.services import create_invoice_from_order, issue_invoice
from comptoir.payments import selectors as payment_view
from comptoir.payments.services import register_payment
from comptoir.sales.services import accept_quote, confirm_order, create_quote, send_quote
from comptoir.stock import selectors as stock_view
from comptoir.stock.services import create_delivery, receive_stock, validate_delivery


def test_a_quote_becomes_a_paid_invoice_with_balanced_books(boss, customer, product, service_product):
    # Given 50 drills received at 70 € each
    receive_stock([{"product": product, "quantity": "50", "unit_cost": "70"}], by=boss)

    # When the customer accepts a quote for 12 drills (10 % off) and an installation
    quote = create_quote(
        customer,
        [
            {"product": product, "quantity": "12", "discount_percent": "10"},
            {"product": service_product, "quantity": "1"},
        ],
        by=boss,
    )
    send_quote(quote, by=boss)
    order = accept_quote(quote, by=boss)
    confirm_order(order, by=boss)
    assert stock_view.level_of(product).reserved == Decimal("12")

    # And 10 drills are shipped first
    delivery = create_delivery(
        order, [{"order_line": order.lines.get(product=product), "quantity": "10"}], by=boss
    )
    validate_delivery(delivery, by=boss)
    level = stock_view.level_of(product)
    assert (level.on_hand, level.reserved, level.available) == (Decimal("40"), Decimal("2"), Decimal("38"))

    # Then the invoice bills the 10 delivered drills and the service, at the agreed price
    invoice = issue_invoice(create_invoice_from_order(order, by=boss), by=boss)
    assert invoice.number.startswith("FA-") and invoice.number.endswith("-00001")
    # 10 × 120 × 0.9 = 1080.00 at 20 %, plus 450.00 service at 20 %
    assert invoice.total_untaxed == Decimal("1530.00")
    assert invoice.total_vat == Decimal("306.00")
    assert invoice.total == Decimal("1836.00")

    balance = ledger_view.trial_balance()
    assert balance.total_debit == balance.total_credit == Decimal("1836.00")
    assert balance.by_code()["411"].balance == Decimal("1836.00")
    assert balance.by_code()["707"].balance == Decimal("-1080.00")
    assert balance.by_code()["706"].balance == Decimal("-450.00")
    # VAT on goods is due now; VAT on the service waits in 44574 until the customer pays (encaissements)
    assert balance.by_code()["44571"].balance == Decimal("-216.00")
    assert balance.by_code()["44574"].balance == Decimal("-90.00")

    # When the customer pays in two transfers
    register_payment(
        customer,
        amount="1000.00",
        method="transfer",
        allocations=[{"invoice": invoice, "amount": "1000.00"}],
        by=boss,
    )
    assert payment_view.invoice_payment_state(invoice).status == "partial"
    register_payment(
        customer,
        amount="836.00",
        method="transfer",
        allocations=[{"invoice": invoice, "amount": "836.00"}],
        by=boss,
    )

    # Then the invoice is paid, the customer account is settled and lettered
    state = payment_view.invoice_payment_state(invoice)
    assert (state.status, state.balance_due) == ("paid", Decimal("0.00"))
    statement = ledger_view.customer_statement(customer)
    assert statement.balance == Decimal("0.00")
    assert all(line.letter for line in statement.lines)
    balance = ledger_view.trial_balance()
    assert balance.by_code()["512"].balance == Decimal("1836.00")
    # Paid in full: the service VAT has moved from pending to due
    assert balance.by_code()["44574"].balance == Decimal("0")
    assert balance.by_code()["44571"].balance == Decimal("-306.00")

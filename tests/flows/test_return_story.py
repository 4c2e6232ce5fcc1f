"""A short delivery, told as a story: declared → approved → partly credited → statement and margin updated.

Menuiserie Martin ordered ten drills; the parcel held eight. The salesperson opens a case with the
customer's words, ADV approves it, accounting credits the two missing drills against the unpaid invoice,
and everyone reads the same outcome: the customer owes 1,152 € instead of 1,440 €, and the returns KPIs
show the 240 € of margin the incident cost.
"""

import datetime
from decimal import Decimal

from django.utils import timezone

from comptoir.accounting import selectors as ledger_view
from comptoir.billing.services import create_invoice_from_order, issue_invoice
from comptoir.core import audit
from comptoir.core.permissions import Role
from comptoir.core.testing import make_user
from comptoir.payments import selectors as payment_view
from comptoir.payments.services import register_payment
from comptoir.returns import selectors as returns_view
from comptoir.returns.services import (
    approve_case,
    close_case,
    open_case,
    resolve_with_credit_note,
    submit_case,
)
from comptoir.sales.services import confirm_order, create_order
from comptoir.stock.services import create_delivery, receive_stock, validate_delivery


def test_a_short_delivery_is_declared_approved_credited_and_shows_in_statement_and_margin(
    boss, company, customer, product
):
    seller = make_user("sophie", Role.COMMERCIAL)
    adv = make_user("nadia", Role.ADV)
    accountant = make_user("claire", Role.COMPTABILITE)

    # Given ten drills sold at 120 € (cost 70 €), shipped on one delivery note and invoiced 1,440 € TTC
    receive_stock([{"product": product, "quantity": "50", "unit_cost": "70"}], by=boss)
    order = confirm_order(create_order(customer, [{"product": product, "quantity": "10"}], by=boss), by=boss)
    delivery = validate_delivery(create_delivery(order, by=boss), by=boss)
    invoice = issue_invoice(create_invoice_from_order(order, by=boss), by=boss)
    assert invoice.total == Decimal("1440.00")

    # When the customer calls: the parcel held eight drills, not ten
    case = open_case(
        delivery,
        [{"delivery_line": delivery.lines.get(), "quantity": "2"}],
        by=seller,
        reason="short_shipment",
        customer_statement="Colis reçu avec 8 perceuses au lieu de 10, réserve notée sur le bon du transporteur.",
        customer=customer,
    )
    # Then a case file exists, with what is at stake and when an answer is due
    assert case.number.startswith("RET-")
    assert case.amount_at_stake == Decimal("240.00")
    assert case.answer_due_at - case.opened_at == datetime.timedelta(hours=48)
    assert [row.number for row in returns_view.board()] == [case.number]

    # When the salesperson submits it and ADV approves it (240 € is under the 1,000 € direction threshold)
    submit_case(case, by=seller)
    case = approve_case(case, by=adv, reason="Réserve du transporteur : manquant confirmé")
    assert case.status == "approved"

    # And accounting credits the two missing drills
    [resolution] = resolve_with_credit_note(case, by=accountant)
    note = resolution.credit_note
    # Then the credit note (AV series) corrects the invoice, carries the case number and mirrors it
    assert note.number.startswith("AV-") and note.corrects == invoice and note.source_reference == case.number
    assert (note.total_untaxed, note.total_vat, note.total) == (
        Decimal("240.00"),
        Decimal("48.00"),
        Decimal("288.00"),
    )
    posted = {(ln.account.code, ln.debit, ln.credit) for ln in note.entry.lines.select_related("account")}
    assert posted == {
        ("411", Decimal("0"), Decimal("288.00")),
        ("707", Decimal("240.00"), Decimal("0")),
        ("44571", Decimal("48.00"), Decimal("0")),
    }

    # And the customer now owes 1,152 €: the invoice shows it, so does the customer statement
    assert payment_view.invoice_payment_state(invoice).balance_due == Decimal("1152.00")
    statement = ledger_view.customer_statement(customer)
    assert [(line.document_number, line.debit, line.credit) for line in statement.lines] == [
        (invoice.number, Decimal("1440.00"), Decimal("0")),
        (note.number, Decimal("0"), Decimal("288.00")),
    ]
    assert statement.balance == Decimal("1152.00")
    books = ledger_view.trial_balance()
    assert books.is_balanced
    assert books.by_code()["707"].balance == Decimal("-960.00")

    # And the returns KPIs show the margin the incident cost, for the customer and the product
    today = timezone.localdate()
    kpis = returns_view.returns_kpis(today.replace(day=1), today)
    assert (kpis.credit_notes, kpis.credit_notes_amount) == (1, Decimal("240.00"))
    assert kpis.margin_per_customer[customer.pk].margin_lost == Decimal("240.00")
    assert kpis.margin_per_product[product.pk].margin_lost == Decimal("240.00")
    assert kpis.top_reasons == [("short_shipment", "Manquant", 1)]

    # When the case is closed and the customer pays what is left
    close_case(case, by=adv, reason="Client informé")
    register_payment(
        customer,
        amount="1152",
        method="transfer",
        allocations=[{"invoice": invoice, "amount": "1152"}],
        by=boss,
    )

    # Then the invoice is paid, the account settled and lettered, the case off the board but in the history
    assert payment_view.invoice_payment_state(invoice).status == "paid"
    statement = ledger_view.customer_statement(customer)
    assert statement.balance == Decimal("0") and all(line.letter for line in statement.lines)
    assert not returns_view.board().exists()
    history = returns_view.customer_history(customer)
    assert [c.number for c in history.cases] == [case.number]
    assert history.decisions[0]["reason"] == "Réserve du transporteur : manquant confirmé"
    assert [n.number for n in history.credit_notes] == [note.number]
    timeline = [event.action for event in returns_view.timeline(case)]
    assert timeline == [
        "return.opened",
        "return.submitted",
        "return.approved",
        "return.resolved",
        "return.closed",
    ]
    assert audit.verify_chain().ok

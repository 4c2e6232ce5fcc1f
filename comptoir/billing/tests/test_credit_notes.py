from decimal import Decimal

import pytest

from comptoir.accounting import selectors as ledger_view
from comptoir.billing.models import Invoice
from comptoir.billing.services import create_credit_note, create_invoice_from_order, issue_invoice
from comptoir.core.errors import DomainError, PermissionDenied
from comptoir.core.permissions import Role
from comptoir.core.testing import approved_case, make_customer, make_user
from comptoir.payments import selectors as payment_view
from comptoir.payments.services import apply_credit_note, refund_credit_note, register_payment
from comptoir.sales.services import confirm_order, create_order
from comptoir.stock.services import create_delivery, receive_stock, validate_delivery

pytestmark = pytest.mark.django_db


@pytest.fixture
def invoice(boss, customer, product):
    receive_stock([{"product": product, "quantity": "50", "unit_cost": "70"}], by=boss)
    order = confirm_order(create_order(customer, [{"product": product, "quantity": "10"}], by=boss), by=boss)
    validate_delivery(create_delivery(order, by=boss), by=boss)
    return issue_invoice(create_invoice_from_order(order, by=boss), by=boss)  # 10 × 120 = 1200 + 240


@pytest.fixture
def case(boss, invoice):
    """The number of an approved return case claiming the 10 drills: what justifies crediting them."""
    return approved_case(invoice, by=boss)


def test_a_credit_note_mirrors_the_invoice_in_its_own_series(boss, invoice, case):
    line = invoice.lines.get()
    note = create_credit_note(
        invoice,
        [{"invoice_line": line, "quantity": "2"}],
        by=boss,
        reason="2 perceuses abîmées",
        source_reference=case,
    )
    note = issue_invoice(note, by=boss)
    assert note.number.startswith("AV-") and note.number.endswith("-00001")
    assert (note.kind, note.corrects, note.total) == (Invoice.Kind.CREDIT_NOTE, invoice, Decimal("288.00"))
    posted = {(ln.account.code, ln.debit, ln.credit) for ln in note.entry.lines.select_related("account")}
    assert posted == {
        ("411", Decimal("0"), Decimal("288.00")),
        ("707", Decimal("240.00"), Decimal("0")),
        ("44571", Decimal("48.00"), Decimal("0")),
    }


def test_a_credit_note_applied_to_its_invoice_settles_it_with_the_payment(boss, customer, invoice, case):
    note = issue_invoice(
        create_credit_note(
            invoice,
            [{"invoice_line": invoice.lines.get(), "quantity": "2"}],
            by=boss,
            reason="retour",
            source_reference=case,
        ),
        by=boss,
    )
    apply_credit_note(note, invoice, by=boss)
    assert payment_view.invoice_payment_state(invoice).balance_due == Decimal("1152.00")
    register_payment(
        customer,
        amount="1152",
        method="transfer",
        allocations=[{"invoice": invoice, "amount": "1152"}],
        by=boss,
    )
    assert payment_view.invoice_payment_state(invoice).status == "paid"
    statement = ledger_view.customer_statement(customer)
    assert statement.balance == Decimal("0") and all(line.letter for line in statement.lines)


def test_a_credit_note_on_a_paid_invoice_can_be_refunded(boss, customer, invoice, case):
    register_payment(
        customer,
        amount="1440",
        method="transfer",
        allocations=[{"invoice": invoice, "amount": "1440"}],
        by=boss,
    )
    note = issue_invoice(
        create_credit_note(
            invoice,
            [{"invoice_line": invoice.lines.get(), "quantity": "1"}],
            by=boss,
            reason="retour",
            source_reference=case,
        ),
        by=boss,
    )
    refund_credit_note(note, by=boss, method="transfer")
    assert ledger_view.customer_balances()[customer.pk] == Decimal("0")
    with pytest.raises(DomainError) as exc:
        refund_credit_note(note, by=boss, method="transfer")
    assert exc.value.code == "credit_note_exceeded"


def test_a_price_correction_is_booked_as_a_discount(boss, invoice, case):
    line = invoice.lines.get()
    note = issue_invoice(
        create_credit_note(
            invoice,
            [{"invoice_line": line, "quantity": "10", "unit_price": "12"}],
            by=boss,
            reason="prix erroné",
            source_reference=case,
        ),
        by=boss,
    )
    assert note.total_untaxed == Decimal("120.00")
    assert note.entry.lines.filter(account__code="709", debit=Decimal("120.00")).exists()


def test_no_credit_note_without_a_case_number_unless_a_permitted_gesture(invoice):
    adv = make_user("adv", Role.ADV)
    line = invoice.lines.get()
    with pytest.raises(DomainError) as exc:
        create_credit_note(invoice, [{"invoice_line": line, "quantity": "1"}], by=adv, reason="geste")
    assert exc.value.code == "credit_note_needs_case"
    with pytest.raises(PermissionDenied):
        create_credit_note(
            invoice,
            [{"invoice_line": line, "quantity": "1"}],
            by=adv,
            reason="geste",
            gesture_category="fidélité",
        )
    boss = make_user("dir", Role.DIRECTION)
    note = create_credit_note(
        invoice,
        [{"invoice_line": line, "quantity": "1", "unit_price": "10"}],
        by=boss,
        reason="client fidèle",
        gesture_category="fidélité",
    )
    assert note.gesture_category == "fidélité"


def test_crediting_more_than_was_invoiced_is_refused(boss, invoice, case):
    line = invoice.lines.get()
    create_credit_note(
        invoice, [{"invoice_line": line, "quantity": "8"}], by=boss, reason="r", source_reference=case
    )
    with pytest.raises(DomainError) as exc:
        create_credit_note(
            invoice, [{"invoice_line": line, "quantity": "3"}], by=boss, reason="r", source_reference=case
        )
    assert exc.value.code == "credit_exceeds_invoiced_quantity"
    assert "il ne reste que 2" in exc.value.message


def test_a_draft_invoice_cannot_be_credited(boss, customer, service_product):
    order = confirm_order(
        create_order(customer, [{"product": service_product, "quantity": "1"}], by=boss), by=boss
    )
    draft = create_invoice_from_order(order, by=boss)
    with pytest.raises(DomainError) as exc:
        create_credit_note(
            draft,
            [{"invoice_line": draft.lines.get(), "quantity": "1"}],
            by=boss,
            reason="r",
            source_reference="RET-2026-00001",
        )
    assert exc.value.code == "credit_note_on_unissued_invoice"


def test_a_credit_note_cannot_be_applied_to_another_customers_invoice(boss, invoice, product, case):
    note = issue_invoice(
        create_credit_note(
            invoice,
            [{"invoice_line": invoice.lines.get(), "quantity": "1"}],
            by=boss,
            reason="r",
            source_reference=case,
        ),
        by=boss,
    )
    other = make_customer(boss)
    order = confirm_order(create_order(other, [{"product": product, "quantity": "1"}], by=boss), by=boss)
    validate_delivery(create_delivery(order, by=boss), by=boss)
    foreign = issue_invoice(create_invoice_from_order(order, by=boss), by=boss)
    with pytest.raises(DomainError) as exc:
        apply_credit_note(note, foreign, by=boss)
    assert exc.value.code == "invoice_other_customer"


def test_a_service_credit_note_applied_then_the_rest_paid_leaves_due_the_vat_of_what_was_sold(
    boss, customer, service_product
):
    order = confirm_order(
        create_order(customer, [{"product": service_product, "quantity": "2"}], by=boss), by=boss
    )
    invoice = issue_invoice(create_invoice_from_order(order, by=boss), by=boss)  # 900 + 180 pending VAT
    note = issue_invoice(
        create_credit_note(
            invoice,
            [{"invoice_line": invoice.lines.get(), "quantity": "1"}],
            by=boss,
            reason="intervention annulée",
            gesture_category="prestation annulée",
        ),
        by=boss,
    )
    apply_credit_note(note, invoice, by=boss)
    register_payment(
        customer,
        amount="540",
        method="transfer",
        allocations=[{"invoice": invoice, "amount": "540"}],
        by=boss,
    )
    balance = ledger_view.trial_balance().by_code()
    assert balance["44574"].balance == Decimal("0")
    assert balance["44571"].balance == Decimal("-90.00")  # VAT on the one service actually sold


def _services_invoice(boss, customer, service_product):
    order = confirm_order(
        create_order(customer, [{"product": service_product, "quantity": "2"}], by=boss), by=boss
    )
    return issue_invoice(create_invoice_from_order(order, by=boss), by=boss)  # 900 + 180 pending VAT


def _vat_balances():
    balance = ledger_view.trial_balance().by_code()
    return tuple(balance[code].balance if code in balance else Decimal("0.00") for code in ("44571", "44574"))


def test_a_credit_note_on_an_unpaid_services_invoice_reverses_its_vat_where_it_waits(
    boss, customer, service_product
):
    invoice = _services_invoice(boss, customer, service_product)
    note = issue_invoice(
        create_credit_note(
            invoice,
            [{"invoice_line": invoice.lines.get(), "quantity": "1"}],
            by=boss,
            reason="intervention annulée",
            gesture_category="prestation annulée",
        ),
        by=boss,
    )
    # Nothing was cashed, nothing was due: the 90 of VAT credited comes off 44574, never off 44571
    assert _vat_balances() == (Decimal("0.00"), Decimal("-90.00"))
    posted = {(ln.account.code, ln.debit, ln.credit) for ln in note.entry.lines.select_related("account")}
    assert ("44574", Decimal("90.00"), Decimal("0")) in posted and "44571" not in {p[0] for p in posted}
    assert note.taxes.get().amount_on_receipts == Decimal("90.00")
    # Applying it to the invoice cashes nothing; the customer's payment of the rest makes the 90 left due
    apply_credit_note(note, invoice, by=boss)
    assert _vat_balances() == (Decimal("0.00"), Decimal("-90.00"))
    _pay_invoice(boss, customer, invoice, "270")
    assert _vat_balances() == (Decimal("-45.00"), Decimal("-45.00"))
    _pay_invoice(boss, customer, invoice, "270")
    assert _vat_balances() == (Decimal("-90.00"), Decimal("0.00"))


def test_a_credit_note_on_a_half_paid_services_invoice_reverses_its_vat_pro_rata(
    boss, customer, service_product
):
    invoice = _services_invoice(boss, customer, service_product)
    _pay_invoice(boss, customer, invoice, "540")  # half cashed: 90 due, 90 waiting
    assert _vat_balances() == (Decimal("-90.00"), Decimal("-90.00"))
    note = issue_invoice(
        create_credit_note(
            invoice,
            [{"invoice_line": invoice.lines.get(), "quantity": "1"}],
            by=boss,
            reason="intervention annulée",
            gesture_category="prestation annulée",
        ),
        by=boss,
    )
    # Half of the invoice's VAT still waits, half is due: the credit note's 90 comes off each by half
    assert _vat_balances() == (Decimal("-45.00"), Decimal("-45.00"))
    apply_credit_note(note, invoice, by=boss)  # settles the invoice: 540 cashed for 450 + 90 sold
    assert _vat_balances() == (Decimal("-90.00"), Decimal("0.00"))


def _pay_invoice(boss, customer, invoice, amount):
    register_payment(
        customer,
        amount=amount,
        method="transfer",
        allocations=[{"invoice": invoice, "amount": amount}],
        by=boss,
    )


# --- Price reductions use amount, not quantity ---


def _credit(boss, invoice, lines, ref):
    return issue_invoice(
        create_credit_note(invoice, lines, by=boss, reason="r", source_reference=ref), by=boss
    )


def test_a_price_reduction_leaves_the_units_to_be_taken_back_at_the_price_left(boss, invoice, case):
    line = invoice.lines.get()  # 10 × 120 €
    reduction = _credit(boss, invoice, [{"invoice_line": line, "quantity": "10", "unit_price": "12"}], case)
    assert reduction.lines.get().price_reduction
    # Four drills come back later: each was finally sold 108 €, so that is what they are credited.
    taken_back = _credit(boss, invoice, [{"invoice_line": line, "quantity": "4"}], case)
    credited = taken_back.lines.get()
    assert (credited.unit_price, credited.net_amount, credited.price_reduction) == (
        Decimal("108.0000"),
        Decimal("432.00"),
        False,
    )
    # Goods taken back reverse the sale (707), even at the reduced price.
    assert taken_back.entry.lines.filter(account__code="707", debit=Decimal("432.00")).exists()
    # The six others can still come back, for exactly what is left on the line.
    rest = _credit(boss, invoice, [{"invoice_line": line, "quantity": "6"}], case)
    assert rest.total_untaxed == Decimal("648.00")
    assert reduction.total_untaxed + taken_back.total_untaxed + rest.total_untaxed == line.net_amount


def test_units_taken_back_after_a_price_reduction_cannot_be_credited_at_the_full_price(boss, invoice, case):
    line = invoice.lines.get()
    _credit(boss, invoice, [{"invoice_line": line, "quantity": "10", "unit_price": "12"}], case)
    with pytest.raises(DomainError) as exc:
        create_credit_note(
            invoice,
            [{"invoice_line": line, "quantity": "4", "unit_price": "120", "price_reduction": False}],
            by=boss,
            reason="retour",
            source_reference=case,
        )
    assert exc.value.code == "credit_exceeds_units_value"
    assert "432,00" in exc.value.message


def test_a_price_reduction_cannot_exceed_what_its_units_are_still_worth(boss, invoice, case):
    line = invoice.lines.get()
    _credit(boss, invoice, [{"invoice_line": line, "quantity": "4"}], case)  # 4 back: 6 left, 720 €
    _credit(boss, invoice, [{"invoice_line": line, "quantity": "6", "unit_price": "100"}], case)  # 120 € left
    with pytest.raises(DomainError) as exc:
        create_credit_note(
            invoice,
            [{"invoice_line": line, "quantity": "6", "unit_price": "20.01"}],
            by=boss,
            reason="r",
            source_reference=case,
        )
    assert exc.value.code == "credit_exceeds_invoiced_amount"
    # Nor apply to units already taken back.
    with pytest.raises(DomainError) as exc:
        create_credit_note(
            invoice,
            [{"invoice_line": line, "quantity": "7", "unit_price": "1"}],
            by=boss,
            reason="r",
            source_reference=case,
        )
    assert exc.value.code == "credit_exceeds_invoiced_quantity"

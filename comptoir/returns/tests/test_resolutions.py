from decimal import Decimal

import pytest

from comptoir.billing.models import Invoice
from comptoir.billing.services import create_credit_note, create_invoice_from_order, issue_invoice
from comptoir.core.approvals import set_thresholds
from comptoir.core.errors import DomainError, PermissionDenied
from comptoir.core.models import AuditEvent
from comptoir.core.testing import colleague_of
from comptoir.payments import selectors as payment_view
from comptoir.payments.services import register_payment
from comptoir.returns import selectors
from comptoir.returns.models import Resolution, ResolutionLine, ReturnReceiptLine
from comptoir.returns.selectors import claimed_quantities
from comptoir.returns.services import (
    approve_case,
    close_case,
    open_case,
    receive_goods,
    refuse,
    resolve_with_credit_note,
    resolve_with_reinvoice,
    resolve_with_replacement,
    submit_case,
    update_policy,
)
from comptoir.returns.tests.factories import make_sale
from comptoir.sales.services import confirm_order, create_order
from comptoir.stock import selectors as stock_view
from comptoir.stock.models import Delivery, StockMove
from comptoir.stock.services import create_delivery, receive_stock, validate_delivery

pytestmark = pytest.mark.django_db


def _approved(by, sale, quantity="3", reason="damaged"):
    case = open_case(
        sale.delivery, [{"delivery_line": sale.delivery_line, "quantity": quantity}], by=by, reason=reason
    )
    return approve_case(submit_case(case, by=by), by=colleague_of(by))


def _receive(by, case, quantity, disposition="back_to_stock"):
    return receive_goods(
        case, [{"line": case.lines.get(), "quantity": quantity, "disposition": disposition}], by=by
    )


def _refused(code, call, *args, **kwargs):
    with pytest.raises(DomainError) as exc:
        call(*args, **kwargs)
    assert exc.value.code == code, exc.value.message
    return exc.value


# --- Credit notes ---


def test_a_short_shipment_is_credited_on_the_invoice_that_billed_it(boss, people, sale):
    case = _approved(boss, sale, quantity="2", reason="short_shipment")
    [resolution] = resolve_with_credit_note(case, by=people["comptabilite"])
    note = resolution.credit_note
    assert (note.kind, note.status, note.corrects, note.source_reference) == (
        Invoice.Kind.CREDIT_NOTE,
        Invoice.Status.ISSUED,
        sale.invoice,
        case.number,
    )
    assert note.number.startswith("AV-")
    assert (note.total_untaxed, note.total) == (Decimal("240.00"), Decimal("288.00"))
    assert resolution.amount == Decimal("240.00")
    # The invoice was still unpaid: the credit note is deducted from it.
    assert payment_view.invoice_payment_state(sale.invoice).balance_due == Decimal("1152.00")
    case.refresh_from_db()
    assert case.status == "resolved" and case.resolved_at is not None
    assert resolution.lines.get().invoice_line.credited_line == sale.invoice_line


def test_no_credit_note_before_the_goods_that_must_come_back_are_received(boss, sale):
    case = _approved(boss, sale, quantity="3", reason="damaged")
    error = _refused("return_receipt_required_before_credit", resolve_with_credit_note, case, by=boss)
    assert "Réceptionnez" in error.message
    _receive(boss, case, "2")
    _refused(
        "return_receipt_required_before_credit",
        resolve_with_credit_note,
        case,
        [{"line": case.lines.get(), "quantity": "3"}],
        by=boss,
    )
    [resolution] = resolve_with_credit_note(case, by=boss)
    assert resolution.credit_note.total_untaxed == Decimal("240.00")  # the 2 received, not the 3 claimed


def test_damaged_goods_the_customer_keeps_get_a_price_reduction_without_a_receipt(boss, sale):
    case = _approved(boss, sale, quantity="3", reason="damaged")
    [reduction] = resolve_with_credit_note(case, amount="90", by=boss, reason="Rayures, conservées")
    assert reduction.credit_note.total_untaxed == Decimal("90.00")
    # Taking the units back afterwards still waits for them: the reduction received nothing.
    _refused("return_receipt_required_before_credit", resolve_with_credit_note, case, by=boss)
    _receive(boss, case, "3")
    [refund] = resolve_with_credit_note(case, by=boss)
    assert refund.credit_note.total_untaxed == Decimal("270.00")  # 360 € for the 3, less the 90 € reduction


def test_the_receipt_rule_can_be_switched_off(boss, sale):
    update_policy(by=boss, require_receipt_before_credit=False)
    case = _approved(boss, sale, quantity="3", reason="damaged")
    [resolution] = resolve_with_credit_note(case, by=boss)
    assert resolution.credit_note.total_untaxed == Decimal("360.00")


def test_no_credit_note_on_a_case_not_yet_approved(boss, sale):
    case = submit_case(
        open_case(
            sale.delivery,
            [{"delivery_line": sale.delivery_line, "quantity": "1"}],
            by=boss,
            reason="short_shipment",
        ),
        by=boss,
    )
    _refused("return_not_approved", resolve_with_credit_note, case, by=boss)
    assert not Invoice.objects.filter(kind=Invoice.Kind.CREDIT_NOTE).exists()


def test_without_the_validation_rule_a_submitted_case_may_be_credited(boss, sale):
    update_policy(by=boss, require_validation=False)
    case = submit_case(
        open_case(
            sale.delivery,
            [{"delivery_line": sale.delivery_line, "quantity": "1"}],
            by=boss,
            reason="short_shipment",
        ),
        by=boss,
    )
    resolve_with_credit_note(case, by=boss)
    case.refresh_from_db()
    assert case.status == "resolved"


def test_a_partial_credit_leaves_the_rest_of_the_case_open(boss, sale):
    case = _approved(boss, sale, quantity="3", reason="short_shipment")
    line = case.lines.get()
    resolve_with_credit_note(case, [{"line": line, "quantity": "1"}], by=boss)
    [second] = resolve_with_credit_note(case, by=boss)
    assert second.credit_note.total_untaxed == Decimal("240.00")
    _refused("return_nothing_left_to_settle", resolve_with_credit_note, case, by=boss)
    _refused(
        "return_settlement_exceeds_case",
        resolve_with_credit_note,
        case,
        [{"line": line, "quantity": "1"}],
        by=boss,
    )


def test_a_wrong_price_is_credited_as_a_price_reduction(boss, sale):
    case = _approved(boss, sale, quantity="10", reason="wrong_price")  # at stake: 1,200 € → direction
    [resolution] = resolve_with_credit_note(
        case,
        [{"line": case.lines.get(), "quantity": "10", "unit_price": "12"}],
        by=boss,
        reason="Prix catalogue 108 € au lieu de 120 €",
    )
    note = resolution.credit_note
    assert note.total_untaxed == Decimal("120.00")
    assert note.reason == "Prix catalogue 108 € au lieu de 120 €"
    assert note.entry.lines.filter(account__code="709", debit=Decimal("120.00")).exists()


def test_a_price_reduction_leaves_the_units_free_to_be_taken_back_later_at_the_price_left(
    boss, company, customer, product
):
    sale = make_sale(boss, customer, product, price="5")  # 10 units sold at 5 €
    case = _approved(boss, sale, quantity="10", reason="wrong_price")
    line = case.lines.get()
    [reduction] = resolve_with_credit_note(
        case, [{"line": line, "quantity": "10", "unit_price": "0.50"}], by=boss
    )
    assert reduction.credit_note.total_untaxed == Decimal("5.00")
    # The customer keeps the goods at 4.50 €: nothing was taken back, 45 € are left on the case line.
    [progress] = selectors.line_progress(case)
    assert (progress.credited, progress.open_quantity) == (Decimal("0"), Decimal("10"))
    assert (progress.price_reduced, progress.open_amount) == (Decimal("5.00"), Decimal("45.00"))
    # Later 4 of them come back: credited at the 4.50 € they were finally sold at, not at 5 €.
    [back] = resolve_with_credit_note(case, [{"line": line, "quantity": "4"}], by=boss)
    credited = back.credit_note.lines.get()
    assert (credited.unit_price, back.credit_note.total_untaxed) == (Decimal("4.5000"), Decimal("18.00"))
    assert back.credit_note.entry.lines.filter(account__code="707", debit=Decimal("18.00")).exists()
    [progress] = selectors.line_progress(case)
    assert (progress.credited, progress.open_quantity, progress.open_amount) == (
        Decimal("4"),
        Decimal("6"),
        Decimal("27.00"),
    )
    # Everything else credited: exactly what was invoiced, never more.
    [rest] = resolve_with_credit_note(case, by=boss)
    assert rest.credit_note.total_untaxed == Decimal("27.00")
    _refused("return_nothing_left_to_settle", resolve_with_credit_note, case, by=boss)


def test_a_price_reduction_cannot_exceed_what_the_case_units_are_still_worth(
    boss, company, customer, product
):
    sale = make_sale(boss, customer, product, price="5")
    case = _approved(boss, sale, quantity="10", reason="wrong_price")
    line = case.lines.get()
    resolve_with_credit_note(case, [{"line": line, "quantity": "10", "unit_price": "0.50"}], by=boss)
    error = _refused(
        "return_credit_exceeds_line_value",
        resolve_with_credit_note,
        case,
        [{"line": line, "quantity": "10", "unit_price": "4.51"}],
        by=boss,
    )
    assert "45,00 €" in error.message
    assert Resolution.objects.filter(case=case).count() == 1


def test_a_global_amount_credited_as_a_gesture_leaves_the_units_to_be_credited(boss, sale):
    case = _approved(boss, sale, quantity="4", reason="late_delivery")
    resolve_with_credit_note(case, amount="50", by=boss, reason="Pénalité de retard")
    # The customer then refuses the late goods: the 4 drills are credited for the 430 € left on them.
    [refund] = resolve_with_credit_note(case, by=boss)
    assert refund.credit_note.total_untaxed == Decimal("430.00")
    assert refund.lines.get().quantity == Decimal("4")


def test_a_global_amount_is_spread_over_the_case_lines(boss, sale):
    case = _approved(boss, sale, quantity="4", reason="late_delivery")
    [resolution] = resolve_with_credit_note(case, amount="50", by=boss, reason="Pénalité de retard")
    assert resolution.credit_note.total_untaxed == Decimal("50.00")
    _refused(
        "return_lines_or_amount",
        resolve_with_credit_note,
        case,
        [{"line": case.lines.get(), "quantity": "1"}],
        amount="10",
        by=boss,
    )


def test_a_global_amount_cannot_exceed_what_the_case_is_worth(boss, sale):
    case = _approved(boss, sale, quantity="1", reason="late_delivery")
    _refused("return_amount_exceeds_case", resolve_with_credit_note, case, amount="120.01", by=boss)


def test_a_paid_invoice_keeps_the_credit_available_for_a_refund(boss, customer, sale):
    register_payment(
        customer,
        amount="1440",
        method="transfer",
        allocations=[{"invoice": sale.invoice, "amount": "1440"}],
        by=boss,
    )
    case = _approved(boss, sale, quantity="1", reason="short_shipment")
    [resolution] = resolve_with_credit_note(case, by=boss)
    assert not resolution.credit_note.applications.exists()
    assert payment_view.invoice_payment_state(sale.invoice).status == "paid"


def test_a_delivery_billed_on_two_invoices_is_credited_on_each(boss, customer, product, company):
    receive_stock([{"product": product, "quantity": "10", "unit_cost": "70"}], by=boss)
    order = confirm_order(create_order(customer, [{"product": product, "quantity": "6"}], by=boss), by=boss)
    delivery = validate_delivery(create_delivery(order, by=boss), by=boss)
    first = create_invoice_from_order(order, by=boss)
    first.lines.update(
        quantity=Decimal("4"), net_amount=Decimal("480.00")
    )  # a draft split by hand: 4 now, 2 later
    first = issue_invoice(first, by=boss)
    second = issue_invoice(create_invoice_from_order(order, by=boss), by=boss)
    case = open_case(
        delivery, [{"delivery_line": delivery.lines.get(), "quantity": "5"}], by=boss, reason="short_shipment"
    )
    approve_case(submit_case(case, by=boss), by=colleague_of(boss))
    resolutions = resolve_with_credit_note(case, by=boss)
    assert {(r.credit_note.corrects, r.credit_note.total_untaxed) for r in resolutions} == {
        (first, Decimal("480.00")),
        (second, Decimal("120.00")),
    }


def test_crediting_a_delivery_not_yet_invoiced_is_refused_with_what_to_do(boss, customer, product, company):
    sale = make_sale(boss, customer, product, invoiced=False)
    case = _approved(boss, sale, quantity="1", reason="short_shipment")
    error = _refused("return_delivery_not_invoiced", resolve_with_credit_note, case, by=boss)
    assert "levant le blocage" in error.message


def test_credits_outside_the_case_count_against_the_invoice_line(boss, sale):
    # 9 units already credited as a commercial gesture: only 1 is left to credit on the invoice line.
    set_thresholds(gesture_threshold=Decimal("5000"))  # a gesture one person may grant alone
    issue_invoice(
        create_credit_note(
            sale.invoice,
            [{"invoice_line": sale.invoice_line, "quantity": "9"}],
            by=boss,
            reason="geste",
            gesture_category="geste",
        ),
        by=boss,
    )
    case = _approved(boss, sale, quantity="2", reason="short_shipment")
    error = _refused("return_delivery_not_invoiced", resolve_with_credit_note, case, by=boss)
    assert "seules 1" in error.message
    assert Resolution.objects.count() == 0


def test_resolving_needs_the_resolve_permission(people, boss, sale):
    case = _approved(boss, sale, quantity="1", reason="short_shipment")
    with pytest.raises(PermissionDenied):
        resolve_with_credit_note(case, by=people["logistique"])


def test_adv_may_decide_but_issuing_the_credit_note_is_accounting_work(people, boss, sale):
    case = _approved(boss, sale, quantity="1", reason="short_shipment")
    with pytest.raises(PermissionDenied) as exc:
        resolve_with_credit_note(case, by=people["adv"])
    assert exc.value.params["perm"] == "invoice.issue"
    assert not Invoice.objects.filter(kind=Invoice.Kind.CREDIT_NOTE).exists()


# --- Replacements ---


def test_a_replacement_ships_the_missing_goods_without_a_new_invoice(boss, product, sale):
    case = _approved(boss, sale, quantity="2", reason="short_shipment")
    resolution = resolve_with_replacement(case, by=boss)
    replacement = resolution.replacement
    assert (replacement.kind, replacement.invoicing_blocked, replacement.order) == (
        Delivery.Kind.REPLACEMENT,
        True,
        sale.order,
    )
    assert replacement.lines.get().quantity == Decimal("2")
    assert resolution.amount == Decimal("240.00")
    assert stock_view.level_of(product).on_hand == Decimal("38")
    order_line = sale.order.lines.get()
    assert order_line.quantity_delivered == Decimal("10")
    case.refresh_from_db()
    assert case.status == "resolved"


def test_a_replacement_never_exceeds_what_was_returned_or_missing(boss, sale):
    case = _approved(boss, sale, quantity="3", reason="short_shipment")
    line = case.lines.get()
    resolve_with_credit_note(case, [{"line": line, "quantity": "1"}], by=boss)
    error = _refused(
        "return_settlement_exceeds_case",
        resolve_with_replacement,
        case,
        [{"line": line, "quantity": "3"}],
        by=boss,
    )
    assert "il ne reste que 2" in error.message
    resolve_with_replacement(case, [{"line": line, "quantity": "2"}], by=boss)
    _refused("return_nothing_left_to_settle", resolve_with_replacement, case, by=boss)


def test_a_replacement_may_ship_before_the_faulty_goods_are_back(boss, sale):
    case = _approved(boss, sale, quantity="1", reason="damaged")
    resolve_with_replacement(case, by=boss)
    _receive(boss, case, "1", disposition="scrap")
    case.refresh_from_db()
    assert case.status == "resolved"


def test_there_is_nothing_to_replace_for_a_price_error(boss, sale):
    case = _approved(boss, sale, quantity="1", reason="wrong_price")
    _refused("return_replacement_not_applicable", resolve_with_replacement, case, by=boss)


# --- Re-invoicing ---


def test_a_surplus_kept_by_the_customer_is_re_invoiced_as_a_draft(boss, sale):
    case = _approved(boss, sale, quantity="2", reason="surplus")
    resolution = resolve_with_reinvoice(case, by=boss)
    draft = resolution.invoice
    assert (draft.kind, draft.status, draft.source_reference, draft.customer) == (
        Invoice.Kind.INVOICE,
        Invoice.Status.DRAFT,
        case.number,
        sale.order.customer,
    )
    assert (draft.total_untaxed, draft.total) == (Decimal("240.00"), Decimal("288.00"))
    line = draft.lines.get()
    assert line.order_line is None and line.delivery_line is None
    issued = issue_invoice(draft, by=boss)
    assert issued.number.startswith("FA-")
    order_line = sale.order.lines.get()
    assert order_line.quantity_invoiced == Decimal("10")  # the order's own progress does not move


def test_a_price_in_our_favour_is_re_invoiced_as_a_complement(boss, sale):
    case = _approved(boss, sale, quantity="10", reason="wrong_price")
    resolution = resolve_with_reinvoice(
        case, [{"line": case.lines.get(), "quantity": "10", "unit_price": "4.5"}], by=boss
    )
    assert resolution.invoice.total_untaxed == Decimal("45.00")
    assert "Complément de prix" in resolution.invoice.lines.get().description


def test_re_invoicing_cannot_exceed_the_case(boss, sale):
    case = _approved(boss, sale, quantity="2", reason="surplus")
    resolve_with_reinvoice(case, [{"line": case.lines.get(), "quantity": "1"}], by=boss)
    _refused(
        "return_reinvoice_exceeds_case",
        resolve_with_reinvoice,
        case,
        [{"line": case.lines.get(), "quantity": "2"}],
        by=boss,
    )


# --- Refusal, combinations, closing ---


def test_a_refusal_needs_a_reason_and_resolves_the_case(boss, sale):
    case = _approved(boss, sale, quantity="2", reason="quality")
    _refused("return_reason_required", refuse, case, by=boss, reason="")
    resolution = refuse(case, by=boss, reason="Contrôle : aucun défaut constaté")
    assert resolution.kind == "refusal"
    case.refresh_from_db()
    assert case.status == "resolved"
    assert (
        AuditEvent.objects.get(action="return.refused").data["reason"] == "Contrôle : aucun défaut constaté"
    )


def test_a_refused_case_frees_what_it_did_not_settle(boss, sale):
    case = _approved(boss, sale, quantity="10", reason="short_shipment")
    resolve_with_credit_note(case, [{"line": case.lines.get(), "quantity": "4"}], by=boss)
    refuse(case, by=boss, reason="le reste a bien été livré")
    again = open_case(
        sale.delivery, [{"delivery_line": sale.delivery_line, "quantity": "6"}], by=boss, reason="quality"
    )
    assert again.lines.get().quantity == Decimal("6")


def test_a_refused_case_settles_nothing_more_once_its_rest_is_freed(boss, sale):
    # Regression: the refusal frees what the case did not settle for other cases; crediting, replacing
    # or receiving goods on it afterwards would claim those units a second time.
    case = _approved(boss, sale, quantity="10", reason="damaged")
    _receive(boss, case, "4")
    resolve_with_credit_note(case, [{"line": case.lines.get(), "quantity": "4"}], by=boss)
    refuse(case, by=boss, reason="le reste est conforme")
    other = approve_case(
        submit_case(
            open_case(
                sale.delivery,
                [{"delivery_line": sale.delivery_line, "quantity": "6"}],
                by=boss,
                reason="short_shipment",
            ),
            by=boss,
        ),
        by=colleague_of(boss),
    )
    line = case.lines.get()
    writes = (ResolutionLine.objects.count(), ReturnReceiptLine.objects.count(), StockMove.objects.count())
    _refused(
        "return_case_refused", resolve_with_replacement, case, [{"line": line, "quantity": "1"}], by=boss
    )
    _refused("return_case_refused", resolve_with_credit_note, case, by=boss)
    _refused("return_case_refused", _receive, boss, case, "1")
    assert (
        ResolutionLine.objects.count(),
        ReturnReceiptLine.objects.count(),
        StockMove.objects.count(),
    ) == writes
    assert claimed_quantities([sale.delivery_line.pk]) == {sale.delivery_line.pk: Decimal("10")}
    # The freed units belong to the other case now.
    resolve_with_replacement(other, by=boss)


def test_several_resolutions_combine_on_one_case(boss, sale):
    case = _approved(boss, sale, quantity="3", reason="damaged")
    _receive(boss, case, "3")
    resolve_with_credit_note(case, [{"line": case.lines.get(), "quantity": "1"}], by=boss)
    resolve_with_replacement(case, by=boss)
    kinds = sorted(case.resolutions.values_list("kind", flat=True))
    assert kinds == ["credit_note", "replacement"]
    assert sum(case.resolutions.get(kind="replacement").lines.values_list("quantity", flat=True)) == Decimal(
        "2"
    )


def test_a_closed_case_accepts_nothing_more(boss, sale):
    case = _approved(boss, sale, quantity="2", reason="short_shipment")
    resolve_with_credit_note(case, [{"line": case.lines.get(), "quantity": "1"}], by=boss)
    case = close_case(case, by=boss, reason="client satisfait")
    assert case.status == "closed" and case.closed_at is not None
    _refused("return_case_closed", resolve_with_credit_note, case, by=boss)
    _refused("return_case_closed", refuse, case, by=boss, reason="x")
    _refused("invalid_transition", close_case, case, by=boss)


def test_an_approved_case_cannot_be_closed_before_it_is_resolved(boss, sale):
    case = _approved(boss, sale, quantity="1", reason="short_shipment")
    _refused("invalid_transition", close_case, case, by=boss)

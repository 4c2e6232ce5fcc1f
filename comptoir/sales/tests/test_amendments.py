"""Order amendments (#22 point 7): a confirmed order changed without cancelling it — floors kept,
prices of what is invoiced frozen, a reason required, every change traced; stock reservation and
invoicing follow the amended lines."""

import datetime
from decimal import Decimal

import pytest
from django.db import DatabaseError, connection, transaction

from comptoir.billing.services import create_invoice_from_order, issue_invoice
from comptoir.core import dates
from comptoir.core.errors import DomainError, PermissionDenied
from comptoir.core.models import AuditEvent, ImmutableError
from comptoir.core.permissions import Role
from comptoir.core.testing import make_user
from comptoir.sales.amending import effect_message
from comptoir.sales.models import OrderAmendment, OrderAmendmentChange, OrderLine
from comptoir.sales.services import amend_order, confirm_order, create_order, set_billing_schedule
from comptoir.stock import selectors as stock_view
from comptoir.stock.services import create_delivery, receive_stock, validate_delivery

pytestmark = pytest.mark.django_db


@pytest.fixture
def order(boss, customer, product, service_product):
    receive_stock([{"product": product, "quantity": "50", "unit_cost": "70"}], by=boss)
    draft = create_order(
        customer,
        [
            {"product": product, "quantity": "10", "unit_price": "120"},
            {"product": service_product, "quantity": "1"},
        ],
        by=boss,
    )
    return confirm_order(draft, by=boss)


def lines(order):
    return list(OrderLine.objects.filter(order=order).order_by("position", "id"))


def code_of(call) -> str:
    with pytest.raises(DomainError) as refused:
        call()
    return refused.value


def test_a_quantity_change_with_its_reason_is_traced_before_and_after(boss, order, product):
    drills, _install = lines(order)

    amendment = amend_order(
        order, by=boss, reason="Le client agrandit son atelier", lines=[{"line": drills.pk, "quantity": "14"}]
    )

    drills.refresh_from_db()
    order.refresh_from_db()
    assert drills.quantity == Decimal("14.000") and drills.net_amount == Decimal("1680.00")
    assert order.total_untaxed == Decimal("2130.00")  # 14 × 120 + 450
    assert order.status == "confirmed"
    assert (amendment.sequence, amendment.reason, amendment.created_by) == (
        1,
        "Le client agrandit son atelier",
        boss,
    )
    assert (amendment.total_untaxed_before, amendment.total_untaxed_after) == (
        Decimal("1650.00"),
        Decimal("2130.00"),
    )
    (change,) = amendment.changes.all()
    assert (change.field, change.before, change.after, change.position) == ("quantity", "10", "14", 1)
    assert change.order_line_id == drills.pk and "REF-88" in change.line_label
    event = AuditEvent.objects.filter(action="order.amended").get()
    assert event.data["reason"] == "Le client agrandit son atelier"
    assert event.data["changes"] == [{"line": 1, "field": "quantity", "before": "10", "after": "14"}]


def test_a_reason_is_mandatory(boss, order):
    drills, _ = lines(order)
    refused = code_of(
        lambda: amend_order(order, by=boss, reason="  ", lines=[{"line": drills.pk, "quantity": "3"}])
    )
    assert refused.code == "amendment_reason_required"
    drills.refresh_from_db()
    assert drills.quantity == Decimal("10.000")


def test_an_amendment_that_changes_nothing_is_refused(boss, order):
    drills, _ = lines(order)
    refused = code_of(
        lambda: amend_order(order, by=boss, reason="r", lines=[{"line": drills.pk, "quantity": "10"}])
    )
    assert refused.code == "amendment_nothing_changed"


def test_only_a_confirmed_order_is_amended(boss, customer, product):
    draft = create_order(customer, [{"product": product, "quantity": "1"}], by=boss)
    refused = code_of(lambda: amend_order(draft, by=boss, reason="r", requested_date=dates.today()))
    assert refused.code == "amendment_order_not_confirmed"


def test_the_quantity_never_goes_below_what_is_delivered_naming_the_line_and_the_floor(boss, order):
    drills, _ = lines(order)
    validate_delivery(create_delivery(order, [{"order_line": drills, "quantity": "6"}], by=boss), by=boss)

    refused = code_of(
        lambda: amend_order(order, by=boss, reason="r", lines=[{"line": drills.pk, "quantity": "5"}])
    )

    assert refused.code == "amendment_below_delivered"
    assert refused.message == (
        "Ligne 1 (Perceuse à percussion) : 6 déjà livré(s), la quantité ne peut pas descendre en dessous "
        "(demandé : 5)."
    )
    amend_order(order, by=boss, reason="Le reste est annulé", lines=[{"line": drills.pk, "quantity": "6"}])
    drills.refresh_from_db()
    assert drills.quantity == drills.quantity_delivered == Decimal("6.000")


def test_the_quantity_never_goes_below_what_is_invoiced_drafts_included(boss, order):
    _drills, install = lines(order)
    amend_order(order, by=boss, reason="Deux jours de pose", lines=[{"line": install.pk, "quantity": "2"}])
    create_invoice_from_order(order, by=boss)  # a draft billing the 2 days of installation

    refused = code_of(
        lambda: amend_order(order, by=boss, reason="r", lines=[{"line": install.pk, "quantity": "1"}])
    )

    assert refused.code == "amendment_below_invoiced"
    assert "Ligne 2 (Installation sur site) : 2 déjà facturé(s)" in refused.message


def test_the_price_of_a_line_already_invoiced_no_longer_changes(boss, order):
    drills, install = lines(order)
    issue_invoice(create_invoice_from_order(order, by=boss), by=boss)  # the installation is billed

    refused = code_of(
        lambda: amend_order(order, by=boss, reason="r", lines=[{"line": install.pk, "unit_price": "400"}])
    )
    assert refused.code == "amendment_price_invoiced"
    assert "Ligne 2 (Installation sur site) : déjà facturée" in refused.message

    amend_order(
        order, by=boss, reason="Remise négociée", lines=[{"line": drills.pk, "discount_percent": "10"}]
    )
    drills.refresh_from_db()
    assert (drills.discount_percent, drills.net_amount) == (Decimal("10.00"), Decimal("1080.00"))


def test_invoicing_follows_the_amended_price_and_quantity(boss, order):
    drills, install = lines(order)
    amend_order(
        order,
        by=boss,
        reason="Prix revu à la commande ferme",
        lines=[
            {"line": drills.pk, "quantity": "8", "unit_price": "110"},
            {"line": install.pk, "remove": True},
        ],
    )
    validate_delivery(create_delivery(order, by=boss), by=boss)

    invoice = create_invoice_from_order(order, by=boss)

    (line,) = invoice.lines.all()
    assert (line.quantity, line.unit_price, line.net_amount) == (
        Decimal("8.000"),
        Decimal("110.0000"),
        Decimal("880.00"),
    )
    assert invoice.total_untaxed == Decimal("880.00")


def test_the_stock_reservation_follows_the_amended_quantities(boss, order, product, customer):
    assert stock_view.level_of(product).reserved == Decimal("10")
    drills, _ = lines(order)
    amend_order(order, by=boss, reason="Quantité revue", lines=[{"line": drills.pk, "quantity": "4"}])
    assert stock_view.level_of(product).reserved == Decimal("4")
    amend_order(order, by=boss, reason="Ajout", add=[{"product": product, "quantity": "3"}])
    assert stock_view.level_of(product).reserved == Decimal("7")


def test_lines_are_added_after_the_others_and_removed_when_nothing_started(boss, order, product):
    drills, install = lines(order)
    amendment = amend_order(
        order,
        by=boss,
        reason="Le client remplace la pose par un second lot",
        lines=[{"line": install.pk, "remove": True}],
        add=[{"product": product, "quantity": "2", "unit_price": "100"}],
    )
    kept, added = lines(order)
    assert kept == drills and (added.position, added.quantity, added.unit_price) == (
        3,
        Decimal("2.000"),
        Decimal("100.0000"),
    )
    assert not OrderLine.objects.filter(pk=install.pk).exists()
    fields = [(c.field, c.position, c.before, c.after) for c in amendment.changes.all()]
    assert fields == [("line_removed", 2, "1 × 450,00 €", ""), ("line_added", 3, "", "2 × 100,00 €")]
    assert amendment.changes.get(field="line_added").order_line_id == added.pk


def test_a_line_delivered_or_on_a_prepared_note_is_not_removed(boss, order):
    drills, _ = lines(order)
    note = create_delivery(order, [{"order_line": drills, "quantity": "2"}], by=boss)
    refused = code_of(
        lambda: amend_order(order, by=boss, reason="r", lines=[{"line": drills.pk, "remove": True}])
    )
    assert refused.code == "amendment_remove_on_delivery" and note.number in refused.message
    validate_delivery(note, by=boss)
    refused = code_of(
        lambda: amend_order(order, by=boss, reason="r", lines=[{"line": drills.pk, "remove": True}])
    )
    assert refused.code == "amendment_remove_started"


def test_the_last_line_cannot_be_removed(boss, order):
    drills, install = lines(order)
    refused = code_of(
        lambda: amend_order(
            order,
            by=boss,
            reason="r",
            lines=[{"line": drills.pk, "remove": True}, {"line": install.pk, "remove": True}],
        )
    )
    assert refused.code == "amendment_no_line_left"


def test_a_prepared_note_that_no_longer_fits_is_named_and_cannot_ship(boss, order):
    drills, _ = lines(order)
    note = create_delivery(order, [{"order_line": drills, "quantity": "8"}], by=boss)

    amendment = amend_order(
        order, by=boss, reason="Le client réduit", lines=[{"line": drills.pk, "quantity": "5"}]
    )

    (effect,) = amendment.effects
    assert effect["code"] == "delivery_note_no_longer_fits" and effect["document"] == note.number
    message = effect_message(effect)
    assert f"Le bon de livraison {note.number} (à préparer) prévoit 8 de la ligne 1" in message
    assert "il n'en reste que 5 à livrer" in message
    refused = code_of(lambda: validate_delivery(note, by=boss))
    assert refused.code == "delivery_exceeds_remaining" or "reste" in refused.message


def test_the_requested_date_moves_and_never_before_the_order(boss, order):
    later = order.date + datetime.timedelta(days=20)
    amendment = amend_order(order, by=boss, reason="Chantier décalé", requested_date=later)
    order.refresh_from_db()
    assert order.requested_date == later
    (change,) = amendment.changes.all()
    assert (change.field, change.before, change.after) == ("requested_date", "", later.strftime("%d/%m/%Y"))
    refused = code_of(
        lambda: amend_order(
            order, by=boss, reason="r", requested_date=order.date - datetime.timedelta(days=1)
        )
    )
    assert refused.code == "amendment_requested_date_before_order"


def test_a_billing_schedule_must_still_fit_the_amended_total(boss, order):
    set_billing_schedule(
        order,
        [{"label": "Acompte", "trigger": "confirmation", "amount": "1500", "is_deposit": True}],
        by=boss,
    )
    drills, _ = lines(order)
    refused = code_of(
        lambda: amend_order(order, by=boss, reason="r", lines=[{"line": drills.pk, "quantity": "5"}])
    )
    assert refused.code == "schedule_exceeds_order"


def test_amending_needs_the_right_to_confirm_orders(order, customer):
    sales = make_user("vendeur", Role.COMMERCIAL)
    drills, _ = lines(order)
    with pytest.raises(PermissionDenied):
        amend_order(order, by=sales, reason="r", lines=[{"line": drills.pk, "quantity": "3"}])


def test_the_trail_is_append_only(boss, order):
    drills, _ = lines(order)
    amendment = amend_order(
        order, by=boss, reason="Quantité revue", lines=[{"line": drills.pk, "quantity": "9"}]
    )
    with pytest.raises(ImmutableError):
        amendment.delete()
    with pytest.raises(ImmutableError):
        amendment.changes.get().save()
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE sales_orderamendment SET reason = 'effacé'")
    assert OrderAmendment.objects.get().reason == "Quantité revue"
    assert OrderAmendmentChange.objects.count() == 1


def test_an_amendment_is_no_way_round_the_four_eyes_on_discounts(boss, order):
    """ADV grants 5 % alone (the default thresholds): raising a line's discount to 15 % by amendment is
    refused with who may do it; direction, whose threshold covers it, amends it."""
    adv = make_user("adv-avenant", Role.ADV)
    drills, _install = lines(order)
    refused = code_of(
        lambda: amend_order(
            order, by=adv, reason="Geste", lines=[{"line": drills.pk, "discount_percent": "15"}]
        )
    )
    assert refused.code == "amendment_discount_beyond_threshold"
    assert "15,00 %" in refused.message and "Direction" in refused.message
    drills.refresh_from_db()
    assert drills.discount_percent == Decimal("0.00") and not OrderAmendment.objects.exists()

    amend_order(order, by=adv, reason="Remise accordée", lines=[{"line": drills.pk, "discount_percent": "4"}])
    amend_order(order, by=boss, reason="Geste validé", lines=[{"line": drills.pk, "discount_percent": "15"}])
    drills.refresh_from_db()
    assert drills.discount_percent == Decimal("15.00")


def test_a_line_added_for_a_quote_line_keeps_the_link_and_one_answered_already_is_refused(
    boss, customer, product, service_product
):
    from comptoir.sales.services import accept_quote, create_quote, send_quote

    quote = create_quote(
        customer,
        [{"product": product, "quantity": "4"}, {"product": service_product, "quantity": "1"}],
        by=boss,
    )
    send_quote(quote, by=boss)
    order = confirm_order(accept_quote(quote, by=boss), by=boss)
    drills, install = lines(order)

    # The drills line removed and put again (as the quote had it), linked to its quote line.
    amend_order(
        order,
        by=boss,
        reason="Article du devis remis",
        lines=[{"line": drills.pk, "remove": True}],
        add=[{"product": product, "quantity": "4", "quote_line": drills.quote_line_id}],
    )
    assert lines(order)[-1].quote_line_id == drills.quote_line_id

    refused = code_of(
        lambda: amend_order(
            order,
            by=boss,
            reason="r",
            add=[{"product": service_product, "quantity": "1", "quote_line": install.quote_line_id}],
        )
    )
    assert refused.code == "quote_line_not_of_order"

"""An invoice is dated neither before what it bills nor beyond the company's backdating window; a credit
note never before the invoice it corrects."""

import datetime

import pytest

from comptoir.billing.models import Invoice
from comptoir.billing.services import create_credit_note, create_invoice_from_order, issue_invoice
from comptoir.core import dates
from comptoir.core.errors import DomainError
from comptoir.parties.services import configure_company
from comptoir.sales.services import confirm_order, create_order
from comptoir.stock.services import create_delivery, receive_stock, validate_delivery

pytestmark = pytest.mark.django_db
DAY = datetime.timedelta(days=1)


def _refused(code, call, *args, **kwargs):
    with pytest.raises(DomainError) as exc:
        call(*args, **kwargs)
    assert exc.value.code == code, exc.value.message
    return exc.value.message


def _delivered(boss, customer, product, *, ordered, shipped):
    receive_stock([{"product": product, "quantity": "10"}], by=boss, date=ordered)
    order = confirm_order(
        create_order(customer, [{"product": product, "quantity": "3"}], by=boss, date=ordered), by=boss
    )
    delivery = validate_delivery(create_delivery(order, by=boss, date=shipped), by=boss)
    return order, delivery


def test_goods_are_not_invoiced_before_they_left(boss, customer, product):
    today = dates.today()
    order, delivery = _delivered(boss, customer, product, ordered=today - 10 * DAY, shipped=today - 3 * DAY)
    draft = create_invoice_from_order(order, by=boss)
    message = _refused("date_before_document", issue_invoice, draft, by=boss, date=today - 4 * DAY)
    assert delivery.number in message and (today - 3 * DAY).strftime("%d/%m/%Y") in message
    invoice = issue_invoice(draft, by=boss, date=today - 3 * DAY)
    assert (invoice.date, invoice.delivery_date) == (today - 3 * DAY, today - 3 * DAY)


def test_an_invoice_is_not_dated_before_the_order_it_bills(boss, customer, service_product):
    today = dates.today()
    order = confirm_order(
        create_order(customer, [{"product": service_product, "quantity": "1"}], by=boss, date=today - DAY),
        by=boss,
    )
    message = _refused(
        "date_before_document",
        issue_invoice,
        create_invoice_from_order(order, by=boss),
        by=boss,
        date=today - 2 * DAY,
    )
    assert order.number in message


def test_a_credit_note_is_not_dated_before_the_invoice_it_corrects(boss, customer, product):
    today = dates.today()
    order, _ = _delivered(boss, customer, product, ordered=today - 5 * DAY, shipped=today - 5 * DAY)
    invoice = issue_invoice(create_invoice_from_order(order, by=boss), by=boss, date=today - 2 * DAY)
    note = create_credit_note(
        invoice,
        [{"invoice_line": invoice.lines.get(), "quantity": "1"}],
        by=boss,
        reason="Retour",
        source_reference="RET-2026-00001",
    )
    message = _refused("date_before_document", issue_invoice, note, by=boss, date=today - 3 * DAY)
    assert invoice.number in message
    note.refresh_from_db()
    assert (note.status, note.number) == (Invoice.Status.DRAFT, None)
    assert issue_invoice(note, by=boss, date=today - 2 * DAY).date == today - 2 * DAY


def test_backdating_an_invoice_stops_at_the_companys_window(admin_user, boss, customer, service_product):
    today = dates.today()
    configure_company(by=admin_user, backdating_days=45)
    order = confirm_order(
        create_order(
            customer, [{"product": service_product, "quantity": "1"}], by=boss, date=today - 45 * DAY
        ),
        by=boss,
    )
    draft = create_invoice_from_order(order, by=boss)
    configure_company(by=admin_user, backdating_days=10)
    message = _refused("date_beyond_backdating_window", issue_invoice, draft, by=boss, date=today - 11 * DAY)
    assert "10 jours" in message
    assert issue_invoice(draft, by=boss, date=today - 10 * DAY).status == Invoice.Status.ISSUED

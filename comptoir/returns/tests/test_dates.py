"""The returns services take the business date of what they record (`date=`), like billing and stock do:
a claim reported last week is opened, timed and resolved on the days it happened, never in the future."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from comptoir.billing.services import create_invoice_from_order, issue_invoice
from comptoir.core.errors import DomainError
from comptoir.returns import selectors
from comptoir.returns.services import (
    approve_case,
    open_case,
    receive_goods,
    resolve_with_credit_note,
    resolve_with_reinvoice,
    resolve_with_replacement,
    submit_case,
)
from comptoir.sales.services import confirm_order, create_order
from comptoir.stock.models import StockMove
from comptoir.stock.services import create_delivery, receive_stock, validate_delivery

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
SHIPPED = TODAY - datetime.timedelta(days=30)


def _day(offset: int) -> datetime.date:
    return SHIPPED + datetime.timedelta(days=offset)


@pytest.fixture
def delivery(boss, company, customer, product):
    """10 drills delivered and invoiced 30 days ago."""
    receive_stock([{"product": product, "quantity": "50", "unit_cost": "70"}], by=boss, date=SHIPPED)
    order = confirm_order(
        create_order(customer, [{"product": product, "quantity": "10"}], by=boss, date=SHIPPED), by=boss
    )
    delivery = validate_delivery(create_delivery(order, by=boss, date=SHIPPED), by=boss)
    issue_invoice(create_invoice_from_order(order, by=boss), by=boss, date=SHIPPED)
    return delivery


def _open(boss, delivery, reason, quantity, date):
    return open_case(
        delivery,
        [{"delivery_line": delivery.lines.get(), "quantity": quantity}],
        by=boss,
        reason=reason,
        date=date,
    )


def _refused(code, call, *args, **kwargs):
    with pytest.raises(DomainError) as exc:
        call(*args, **kwargs)
    assert exc.value.code == code, exc.value.message
    return exc.value


def test_a_claim_reported_days_ago_is_opened_and_timed_from_that_day(boss, delivery):
    case = _open(boss, delivery, "short_shipment", "2", _day(3))
    assert timezone.localdate(case.opened_at) == _day(3)
    assert case.number == f"RET-{_day(3).year}-00001"
    # Its 48-hour answer deadline ran out long ago: the board shows it late.
    assert case.answer_due_at == case.opened_at + datetime.timedelta(hours=48)
    assert selectors.board(overdue=True).get() == case


def test_a_claim_cannot_be_dated_in_the_future_nor_before_its_delivery(boss, delivery):
    tomorrow = TODAY + datetime.timedelta(days=1)
    _refused("date_in_future", _open, boss, delivery, "short_shipment", "1", tomorrow)
    error = _refused("date_before_document", _open, boss, delivery, "short_shipment", "1", _day(-1))
    assert delivery.number in error.message
    case = approve_case(submit_case(_open(boss, delivery, "damaged", "1", _day(1)), by=boss), by=boss)
    line = case.lines.get()
    _refused(
        "date_in_future",
        receive_goods,
        case,
        [{"line": line, "quantity": "1", "disposition": "scrap"}],
        by=boss,
        date=tomorrow,
    )
    _refused("date_in_future", resolve_with_replacement, case, by=boss, date=tomorrow)


def test_resolutions_are_dated_on_the_day_they_were_decided(boss, product, delivery):
    case = approve_case(submit_case(_open(boss, delivery, "short_shipment", "3", _day(2)), by=boss), by=boss)
    line = case.lines.get()
    [credit] = resolve_with_credit_note(case, [{"line": line, "quantity": "1"}], by=boss, date=_day(5))
    note = credit.credit_note
    assert note.date == _day(5)
    assert note.entry.date == _day(5)
    assert note.applications.get().date == _day(5)  # deducted from the unpaid invoice that day
    assert timezone.localdate(credit.at) == _day(5)
    case.refresh_from_db()
    assert timezone.localdate(case.resolved_at) == _day(5)
    replaced = resolve_with_replacement(case, [{"line": line, "quantity": "2"}], by=boss, date=_day(6))
    assert replaced.replacement.date == _day(6)
    assert StockMove.objects.get(document=replaced.replacement.number).date == _day(6)
    assert timezone.localdate(replaced.at) == _day(6)
    # The KPIs of that week see the credit note.
    kpis = selectors.returns_kpis(_day(4), _day(6))
    assert (kpis.credit_notes, kpis.credit_notes_amount) == (1, Decimal("120.00"))


def test_a_kept_surplus_leaves_the_stock_on_the_day_it_was_re_invoiced(boss, delivery):
    case = approve_case(submit_case(_open(boss, delivery, "surplus", "1", _day(4)), by=boss), by=boss)
    resolution = resolve_with_reinvoice(case, by=boss, date=_day(7))
    assert StockMove.objects.get(document=case.number).date == _day(7)
    assert timezone.localdate(resolution.at) == _day(7)
    assert resolution.invoice.delivery_date == SHIPPED


def test_nothing_is_done_on_a_case_before_it_was_opened(boss, delivery):
    case = approve_case(submit_case(_open(boss, delivery, "damaged", "2", _day(3)), by=boss), by=boss)
    line = case.lines.get()
    error = _refused(
        "date_before_document",
        receive_goods,
        case,
        [{"line": line, "quantity": "1", "disposition": "scrap"}],
        by=boss,
        date=_day(2),
    )
    assert case.number in error.message
    _refused("date_before_document", resolve_with_replacement, case, by=boss, date=_day(2))
    receive_goods(
        case, [{"line": line, "quantity": "2", "disposition": "back_to_stock"}], by=boss, date=_day(3)
    )
    _refused("date_before_document", resolve_with_credit_note, case, by=boss, date=_day(2))
    [credit] = resolve_with_credit_note(case, by=boss, date=_day(3))
    assert credit.credit_note.date == _day(3)

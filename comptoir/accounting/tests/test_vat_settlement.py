"""The VAT settlement entry of a period: 44571 and 44566 cleared against 44551 or 44567, once."""

import datetime
from decimal import Decimal

import pytest

from comptoir.accounting import manual
from comptoir.accounting.models import EntryLine, VatSettlement
from comptoir.accounting.settlement import settle_vat
from comptoir.core import dates
from comptoir.core.audit import AuditEvent
from comptoir.core.errors import DomainError, PermissionDenied
from comptoir.core.testing import make_user
from comptoir.parties.services import configure_company
from comptoir.stock.services import receive_stock
from comptoir.vatreturn import selectors as vat_view
from comptoir.vatreturn.tests.factories import last_month, sale

pytestmark = pytest.mark.django_db
DAY = datetime.timedelta(days=1)


def _purchase(by, day, vat: str):
    """A supplier invoice keyed as a manual entry: its VAT on 44566."""
    base = Decimal(vat) * 5
    manual.post_manual_entry(
        manual.create_manual_entry(
            by=by,
            journal="AC",
            label="Achat de fournitures",
            date=day,
            document_number="FOUR-1",
            lines=[
                {"account": "607", "debit": str(base)},
                {"account": "44566", "debit": vat},
                {"account": "401", "credit": str(base + Decimal(vat))},
            ],
        ),
        by=by,
    )


def _lines(entry) -> dict:
    return {
        line.account.code: (line.debit, line.credit)
        for line in EntryLine.objects.filter(entry=entry).select_related("account")
    }


@pytest.fixture
def month(admin_user, boss, company, customer, product):
    configure_company(by=admin_user, backdating_days=62)
    return last_month()


def test_a_month_with_more_deductible_vat_carries_a_credit_forward(boss, customer, product, month):
    start, end = month
    receive_stock([{"product": product, "quantity": "5", "unit_cost": "70"}], by=boss, date=start)
    sale(boss, customer, [{"product": product, "quantity": "1"}], start + DAY)  # 24.00 of VAT
    _purchase(boss, start + 2 * DAY, "100.00")

    done = settle_vat(start, end, by=boss)

    assert (done.collected, done.deductible, done.net_due) == (
        Decimal("24.00"),
        Decimal("100.00"),
        Decimal("-76.00"),
    )
    assert _lines(done.entry) == {
        "44571": (Decimal("24.00"), Decimal("0")),
        "44566": (Decimal("0"), Decimal("100.00")),
        "44567": (Decimal("76.00"), Decimal("0")),
    }
    event = AuditEvent.objects.get(action="vat.settled")
    assert event.data["entry"] == done.entry.number and event.data["net_due"] == "-76.00"


def test_a_period_is_settled_once_even_when_asked_for_an_overlapping_one(boss, month):
    start, end = month
    _purchase(boss, start + DAY, "10.00")
    settle_vat(start, end, by=boss)
    with pytest.raises(DomainError) as refused:
        settle_vat(start + 5 * DAY, end + DAY, by=boss)
    assert refused.value.code == "vat_already_settled"
    assert VatSettlement.objects.count() == 1


@pytest.mark.parametrize(
    ("shift", "code"),
    [
        ("running", "vat_period_not_over"),
        ("reversed", "vat_period_invalid"),
        ("empty", "vat_nothing_to_settle"),
    ],
)
def test_a_settlement_that_cannot_be_posted_is_refused_in_french(boss, month, shift, code):
    start, end = month
    if shift == "running":
        start, end = dates.today().replace(day=1), dates.today()
    elif shift == "reversed":
        start, end = end, start
    with pytest.raises(DomainError) as refused:
        settle_vat(start, end, by=boss)
    assert refused.value.code == code and refused.value.message
    assert not VatSettlement.objects.exists()


def test_only_accounting_and_direction_settle_the_vat(month):
    start, end = month
    with pytest.raises(PermissionDenied):
        settle_vat(start, end, by=make_user("adv", "adv"))


def test_the_credit_of_one_month_is_used_up_by_the_next(admin_user, boss, customer, product):
    configure_company(by=admin_user, backdating_days=100)
    start, end = last_month()
    before_end = start - DAY
    before_start = before_end.replace(day=1)
    _purchase(boss, before_start + DAY, "100.00")
    first = settle_vat(before_start, before_end, by=boss)
    assert first.net_due == Decimal("-100.00")

    receive_stock([{"product": product, "quantity": "5", "unit_cost": "70"}], by=boss, date=start)
    sale(boss, customer, [{"product": product, "quantity": "5"}], start + DAY)  # 120.00 of VAT
    ca3 = vat_view.ca3_return(start, end)
    assert (ca3.credit_brought_forward, ca3.total_deductible, ca3.net_due) == (
        Decimal("100.00"),
        Decimal("100.00"),
        Decimal("20.00"),
    )
    second = settle_vat(start, end, by=boss)
    assert (second.credit_brought_forward, second.net_due) == (Decimal("100.00"), Decimal("20.00"))
    assert _lines(second.entry) == {
        "44571": (Decimal("120.00"), Decimal("0")),
        "44567": (Decimal("0"), Decimal("100.00")),
        "44551": (Decimal("0"), Decimal("20.00")),
    }

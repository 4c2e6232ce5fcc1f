import datetime
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile

from comptoir.core.errors import DomainError, PermissionDenied
from comptoir.core.models import AuditEvent, NumberSequence
from comptoir.core.testing import make_customer, make_product
from comptoir.returns.models import ReturnCase
from comptoir.returns.services import open_case
from comptoir.returns.tests.factories import make_sale
from comptoir.sales.services import confirm_order, create_order
from comptoir.stock.services import create_delivery

pytestmark = pytest.mark.django_db


def _refused(code, call, *args, **kwargs):
    with pytest.raises(DomainError) as exc:
        call(*args, **kwargs)
    assert exc.value.code == code, exc.value.message
    return exc.value


def test_a_case_is_opened_on_a_delivery_with_its_lines_amount_and_deadlines(boss, people, sale):
    seller = people["commercial"]
    case = open_case(
        sale.delivery,
        [{"delivery_line": sale.delivery_line, "quantity": "2", "note": "carton écrasé"}],
        by=seller,
        reason="damaged",
        customer_statement="Deux perceuses arrivées cassées.",
    )
    assert case.number.startswith("RET-") and case.number.endswith("-00001")
    assert (case.status, case.customer, case.delivery, case.owner) == (
        "draft",
        sale.order.customer,
        sale.delivery,
        seller,
    )
    line = case.lines.get()
    assert (line.quantity, line.unit_price, line.net_amount, line.note) == (
        Decimal("2.000"),
        Decimal("120.0000"),
        Decimal("240.00"),
        "carton écrasé",
    )
    assert case.amount_at_stake == Decimal("240.00")
    assert case.answer_due_at - case.opened_at == datetime.timedelta(hours=48)
    assert case.close_due_at - case.opened_at == datetime.timedelta(days=10)
    event = AuditEvent.objects.get(action="return.opened")
    assert event.data["statement"] == "Deux perceuses arrivées cassées."
    assert event.data["reason"] == "damaged"


def test_the_amount_at_stake_uses_the_invoiced_price_net_of_discount(boss, customer, product, company):
    sale = make_sale(boss, customer, product, discount="10")
    case = open_case(sale.delivery, [{"product": product, "quantity": "3"}], by=boss, reason="quality")
    assert case.amount_at_stake == Decimal("324.00")  # 3 × 120 × 0.9


def test_before_invoicing_the_amount_at_stake_uses_the_ordered_price(boss, customer, product, company):
    sale = make_sale(boss, customer, product, invoiced=False, price="99.50")
    case = open_case(sale.delivery, [{"product": product, "quantity": "2"}], by=boss, reason="short_shipment")
    assert case.amount_at_stake == Decimal("199.00")


def test_photos_are_attached_to_the_case(boss, sale):
    case = open_case(
        sale.delivery,
        [{"product": sale.delivery_line.product, "quantity": "1"}],
        by=boss,
        reason="damaged",
        attachments=[ContentFile(b"\x89PNG fake", name="photo-colis.png")],
    )
    attachment = case.attachments.get()
    assert attachment.name == "photo-colis.png"
    assert attachment.file.read() == b"\x89PNG fake"


def test_returning_a_product_never_delivered_is_refused(boss, sale):
    other = make_product(boss, sku="VIS-10")
    error = _refused(
        "return_product_not_delivered",
        open_case,
        sale.delivery,
        [{"product": other, "quantity": "1"}],
        by=boss,
        reason="damaged",
    )
    assert "VIS-10" in error.message and sale.delivery.number in error.message


def test_a_case_on_another_customers_delivery_is_refused(boss, sale):
    stranger = make_customer(boss, name="Autre Client SA")
    error = _refused(
        "return_other_customer",
        open_case,
        sale.delivery,
        [{"delivery_line": sale.delivery_line, "quantity": "1"}],
        by=boss,
        reason="damaged",
        customer=stranger,
    )
    assert "Autre Client SA" in error.message


@pytest.mark.parametrize("quantity", ["0", "-2"])
def test_a_quantity_that_is_not_positive_is_refused(boss, sale, quantity):
    _refused(
        "quantity_not_positive",
        open_case,
        sale.delivery,
        [{"delivery_line": sale.delivery_line, "quantity": quantity}],
        by=boss,
        reason="damaged",
    )


def test_returning_more_than_delivered_minus_already_returned_is_refused(boss, sale):
    line = sale.delivery_line
    open_case(sale.delivery, [{"delivery_line": line, "quantity": "7"}], by=boss, reason="damaged")
    error = _refused(
        "return_exceeds_delivered",
        open_case,
        sale.delivery,
        [{"delivery_line": line, "quantity": "4"}],
        by=boss,
        reason="quality",
    )
    assert "il ne reste que 3" in error.message
    open_case(sale.delivery, [{"delivery_line": line, "quantity": "3"}], by=boss, reason="quality")


def test_a_surplus_is_not_limited_by_the_delivered_quantity(boss, sale):
    case = open_case(
        sale.delivery, [{"delivery_line": sale.delivery_line, "quantity": "12"}], by=boss, reason="surplus"
    )
    assert case.amount_at_stake == Decimal("1440.00")


def test_a_case_on_a_delivery_not_yet_shipped_is_refused(boss, customer, product, sale):
    order = confirm_order(create_order(customer, [{"product": product, "quantity": "2"}], by=boss), by=boss)
    draft = create_delivery(order, by=boss)
    _refused(
        "return_delivery_not_validated",
        open_case,
        draft,
        [{"delivery_line": draft.lines.get(), "quantity": "1"}],
        by=boss,
        reason="damaged",
    )


def test_an_unknown_reason_is_refused(boss, sale):
    _refused(
        "return_invalid_reason",
        open_case,
        sale.delivery,
        [{"delivery_line": sale.delivery_line, "quantity": "1"}],
        by=boss,
        reason="changed_mind",
    )


def test_a_case_needs_lines_each_once(boss, sale):
    _refused("return_without_lines", open_case, sale.delivery, [], by=boss, reason="damaged")
    line = sale.delivery_line
    _refused(
        "return_duplicate_line",
        open_case,
        sale.delivery,
        [{"delivery_line": line, "quantity": "1"}, {"product": line.product, "quantity": "1"}],
        by=boss,
        reason="damaged",
    )


def test_a_line_of_another_delivery_is_refused(boss, customer, product, sale):
    other = make_sale(boss, customer, product, stock=None, invoiced=False)
    _refused(
        "return_line_not_on_delivery",
        open_case,
        sale.delivery,
        [{"delivery_line": other.delivery_line, "quantity": "1"}],
        by=boss,
        reason="damaged",
    )


def test_a_refused_declaration_writes_nothing(boss, sale):
    events = AuditEvent.objects.count()
    _refused(
        "return_exceeds_delivered",
        open_case,
        sale.delivery,
        [{"delivery_line": sale.delivery_line, "quantity": "11"}],
        by=boss,
        reason="damaged",
    )
    assert ReturnCase.objects.count() == 0
    assert AuditEvent.objects.count() == events
    assert not NumberSequence.objects.filter(series="RET").exists()


def test_only_sales_roles_may_open_a_case(people, sale):
    with pytest.raises(PermissionDenied):
        open_case(
            sale.delivery,
            [{"delivery_line": sale.delivery_line, "quantity": "1"}],
            by=people["logistique"],
            reason="damaged",
        )

"""The category chosen on the quote reaches the invoice, its credit notes, and the sums by category."""

import datetime
from decimal import Decimal

import pytest

from comptoir.billing.adjusting import add_allowance_charge
from comptoir.billing.services import (
    create_credit_note,
    create_invoice_from_order,
    issue_invoice,
)
from comptoir.core import dates
from comptoir.insights.discounts import discounts_by_category
from comptoir.pricing.models import DiscountCategory
from comptoir.sales.services import accept_quote, confirm_order, create_quote, send_quote
from comptoir.stock.services import create_delivery, receive_stock, validate_delivery

pytestmark = pytest.mark.django_db


def test_categories_follow_quote_order_invoice_and_are_summed_per_customer(
    boss, customer, product, service_product
):
    receive_stock([{"product": product, "quantity": "50", "unit_cost": "70"}], by=boss)
    quote = create_quote(
        customer,
        [
            {"product": product, "quantity": "10", "discount_percent": "10", "discount_category": "volume"},
            {
                "product": service_product,
                "quantity": "1",
                "discount_percent": "20",
                "discount_category": "gesture",
            },
        ],
        by=boss,
    )
    order = confirm_order(accept_quote(send_quote(quote, by=boss), by=boss), by=boss)
    validate_delivery(
        create_delivery(order, [{"order_line": order.lines.get(product=product), "quantity": "10"}], by=boss),
        by=boss,
    )
    draft = create_invoice_from_order(order, by=boss)
    assert {line.product_id: line.discount_category for line in draft.lines.all()} == {
        product.pk: DiscountCategory.VOLUME,
        service_product.pk: DiscountCategory.GESTURE,
    }
    add_allowance_charge(
        draft,
        by=boss,
        is_charge=False,
        amount="50",
        reason="Remise fin d'année",
        discount_category="year_end_rebate",
    )
    assert draft.allowances_charges.get().discount_category == DiscountCategory.YEAR_END_REBATE
    invoice = issue_invoice(draft, by=boss)

    # Two drills come back: the credit note takes back their share of the volume discount.
    goods_line = invoice.lines.get(product=product)
    note = create_credit_note(
        invoice,
        [{"invoice_line": goods_line, "quantity": "2"}],
        by=boss,
        reason="Erreur de commande",
        gesture_category="erreur",
    )
    assert note.lines.get().discount_category == DiscountCategory.VOLUME
    issue_invoice(note, by=boss)

    today = dates.today()
    sums = {
        row.category: row
        for row in discounts_by_category(customer, today - datetime.timedelta(days=1), today)
    }
    # 10 × 120 × 10 % = 120 granted, 2 × 120 × 10 % = 24 given back; 450 × 20 % = 90; 50 € allowance, of
    # which the credit note carried its share back (2 drills of 1 170 € net lines: 50 × 216 / 1 440 = 7,50).
    assert sums[DiscountCategory.VOLUME].line_discounts == Decimal("96.00")
    assert sums[DiscountCategory.GESTURE].line_discounts == Decimal("90.00")
    rebate = sums[DiscountCategory.YEAR_END_REBATE]
    assert rebate.line_discounts == Decimal("0") and rebate.allowances == note_allowance_back(note)
    assert (
        discounts_by_category(
            customer, today + datetime.timedelta(days=1), today + datetime.timedelta(days=9)
        )
        == []
    )


def note_allowance_back(note) -> Decimal:
    carried = sum((item.amount for item in note.allowances_charges.all()), Decimal("0"))
    return Decimal("50.00") - carried

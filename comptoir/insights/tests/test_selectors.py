"""Margin reads on the database: the SQL applies the rules of insights.margins."""

from decimal import Decimal

import pytest

from comptoir.core.testing import colleague_of
from comptoir.insights import selectors as margin_view
from comptoir.insights.margins import Margin
from comptoir.returns.services import (
    approve_case,
    open_case,
    receive_goods,
    resolve_with_credit_note,
    submit_case,
)
from comptoir.returns.tests.factories import make_sale

pytestmark = pytest.mark.django_db
D = Decimal


def test_a_case_credited_in_two_credit_notes_reverses_the_cost_of_its_restocked_units_once(
    boss, company, customer, product
):
    sale = make_sale(boss, customer, product)  # 10 drills at 120 €, cost 70 €
    case = open_case(
        sale.delivery, [{"delivery_line": sale.delivery_line, "quantity": "4"}], by=boss, reason="damaged"
    )
    case = approve_case(submit_case(case, by=boss), by=colleague_of(boss))
    line = case.lines.get()
    receive_goods(
        case,
        [
            {"line": line, "quantity": "3", "disposition": "back_to_stock"},
            {"line": line, "quantity": "1", "disposition": "scrap"},
        ],
        by=boss,
    )
    [first] = resolve_with_credit_note(case, [{"line": line, "quantity": "2"}], by=boss)
    [second] = resolve_with_credit_note(case, [{"line": line, "quantity": "2"}], by=boss)

    costs = [margin_view.invoice_margins(r.credit_note).lines[0].margin.cost for r in (first, second)]
    assert costs == [D("-140.00"), D("-70.00")]
    assert margin_view.totals() == Margin(D("720"), D("490"))

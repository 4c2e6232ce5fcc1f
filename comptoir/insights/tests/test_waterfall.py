"""The real-margin waterfall, pure: steps, carrier rates and the cost of paying late."""

import datetime
from decimal import Decimal

from comptoir.insights import waterfall
from comptoir.insights.margins import Margin

D = Decimal
DAY = datetime.date


def test_waterfall_takes_each_cost_off_the_running_total_down_to_the_real_margin():
    facts = waterfall.Facts(
        gross_revenue=D("10000"),
        discounts=(waterfall.Detail("line_discounts", D("800")), waterfall.Detail("allowances", D("200"))),
        credit_notes=(waterfall.Detail("returns", D("1000"), count=1),),
        cost_of_goods=D("5000"),
        logistics=(waterfall.Detail("deliveries", D("300"), count=4),),
        aftersales=(waterfall.Detail("parts", D("400")), waterfall.Detail("time", D("600"))),
        internal_time=(waterfall.Detail("project", D("1950")),),
        payment_delay=D("50"),
        adjustments=(waterfall.Detail("adjustment_1", D("-100"), label="remboursement transporteur"),),
        sales_view=Margin(D("8200"), D("5000")),
    )
    result = waterfall.build(facts)
    assert [(s.key, s.amount, s.end) for s in result.steps] == [
        ("gross_revenue", D("10000"), D("10000")),
        ("discounts", D("-1000"), D("9000")),
        ("credit_notes", D("-1000"), D("8000")),
        ("net_revenue", D("8000"), D("8000")),
        ("cost_of_goods", D("-5000"), D("3000")),
        ("logistics", D("-300"), D("2700")),
        ("aftersales", D("-1000"), D("1700")),
        ("internal_time", D("-1950"), D("-250")),
        ("payment_delay", D("-50"), D("-300")),
        ("adjustments", D("100"), D("-200")),
        ("real_margin", D("-200"), D("-200")),
    ]
    assert result.net_revenue == D("8000")
    assert (result.real_margin, result.real_rate) == (D("-200"), D("-2.5"))
    # The sales view showed 3 200 € (39 %): the customer in fact lost 200 €.
    assert result.sales_view.margin == D("3200") and result.gap == D("3400")
    assert result.step("discounts").start == D("10000")


RATES = [
    waterfall.ShippingRate("FR", "", D("30"), D("12")),
    waterfall.ShippingRate("FR", "", D("300"), D("45")),
    waterfall.ShippingRate("FR", "", None, D("180")),
    waterfall.ShippingRate("FR", "20", None, D("95")),
]


def test_shipping_rate_is_the_lightest_bracket_of_the_most_specific_zone():
    def cost(postal_code, weight, country="FR"):
        return waterfall.shipping_cost(RATES, country=country, postal_code=postal_code, weight=weight)

    assert cost("69003", D("12")) == D("12")
    assert cost("69003", D("30")) == D("12")
    assert cost("69003", D("31")) == D("45")
    assert cost("69003", D("2000")) == D("180")
    assert cost("69003", None) == D("12")  # weight unknown: the lightest bracket
    assert cost("20000", D("5")) == D("95")  # Corsica has its own rate
    assert cost("1000", D("5"), country="BE") is None


def test_overdue_days_count_each_balance_from_the_day_after_the_due_date_to_its_payment():
    # 1 200 € due on 31 January, 200 € paid on 10 February, the rest on 2 March
    receivable = waterfall.Receivable(
        DAY(2026, 1, 31), D("1200"), ((DAY(2026, 3, 2), D("1000")), (DAY(2026, 2, 10), D("200")))
    )
    # 1 200 € late from 1 to 9 February (9 days), 1 000 € from 10 February to 1 March (20 days)
    assert waterfall.overdue_euro_days(receivable, date_from=None, date_to=DAY(2026, 12, 31)) == D(
        1200 * 9 + 1000 * 20
    )
    # Only the days inside the period count
    assert waterfall.overdue_euro_days(receivable, date_from=DAY(2026, 2, 20), date_to=DAY(2026, 2, 28)) == D(
        1000 * 9
    )
    # Paid before the due date: never late
    early = waterfall.Receivable(DAY(2026, 1, 31), D("500"), ((DAY(2026, 1, 15), D("500")),))
    assert waterfall.overdue_euro_days(early, date_from=None, date_to=DAY(2026, 12, 31)) == 0


def test_delay_cost_is_euro_days_at_the_yearly_rate_rounded_once():
    unpaid = waterfall.Receivable(DAY(2026, 1, 31), D("10000"))
    # 10 000 € late for 365 days at 5 % a year: 500 €
    assert waterfall.delay_cost(
        [unpaid], date_from=DAY(2026, 1, 1), date_to=DAY(2027, 1, 31), annual_rate=D("5")
    ) == D("500.00")
    # Two receivables of 1 € late 1 day at 10 %: rounded once (0,0005 €), not per invoice
    small = waterfall.Receivable(DAY(2026, 1, 1), D("1"))
    assert waterfall.delay_cost(
        [small, small], date_from=None, date_to=DAY(2026, 1, 2), annual_rate=D("10")
    ) == D("0.00")

"""The margin rules, without a database."""

from decimal import Decimal

from comptoir.insights import margins
from comptoir.insights.margins import Margin

D = Decimal


def test_a_sold_line_earns_its_net_amount_less_its_units_at_the_cost_they_left_at():
    line = margins.of_line(
        credit_note=False, net_amount=D("1200.00"), quantity=D("10"), unit_cost=D("70.1234")
    )
    assert (line.revenue, line.cost, line.margin, line.rate) == (
        D("1200.00"),
        D("701.23"),
        D("498.77"),
        D("41.6"),
    )


def test_a_line_sold_below_cost_shows_a_negative_margin():
    line = margins.of_line(credit_note=False, net_amount=D("50"), quantity=D("1"), unit_cost=D("70"))
    assert (line.margin, line.rate, line.is_loss) == (D("-20"), D("-40.0"), True)


def test_a_service_without_cost_is_all_margin():
    line = margins.of_line(
        credit_note=False, net_amount=D("450"), quantity=D("1"), unit_cost=None, goods=False
    )
    assert (line.cost, line.margin, line.rate) == (D("0"), D("450"), D("100.0"))


def test_goods_credited_reverse_the_cost_only_of_the_units_back_on_the_shelf():
    back = margins.of_line(
        credit_note=True, net_amount=D("480"), quantity=D("4"), unit_cost=D("70"), restocked=D("3")
    )
    assert (back.revenue, back.cost, back.margin) == (D("-480"), D("-210.00"), D("-270.00"))


def test_goods_credited_but_scrapped_or_never_back_reverse_no_cost():
    lost = margins.of_line(credit_note=True, net_amount=D("240"), quantity=D("2"), unit_cost=D("70"))
    assert (lost.revenue, lost.cost, lost.margin) == (D("-240"), D("0.00"), D("-240"))


def test_more_units_restocked_than_credited_reverse_only_the_credited_ones():
    assert margins.cost_quantity(
        credit_note=True, quantity=D("2"), price_reduction=False, goods=True, restocked=D("5")
    ) == D("2")


def test_two_credit_notes_on_one_case_reverse_the_restocked_units_once():
    first = margins.of_line(
        credit_note=True, net_amount=D("240"), quantity=D("2"), unit_cost=D("70"), restocked=D("3")
    )
    second = margins.of_line(
        credit_note=True,
        net_amount=D("240"),
        quantity=D("2"),
        unit_cost=D("70"),
        restocked=D("3"),
        credited_before=D("2"),
    )
    assert (first.cost, second.cost) == (D("-140.00"), D("-70.00"))


def test_a_price_reduction_reverses_no_cost_even_if_goods_came_back():
    rebate = margins.of_line(
        credit_note=True,
        net_amount=D("60"),
        quantity=D("6"),
        unit_cost=D("70"),
        price_reduction=True,
        restocked=D("6"),
    )
    assert (rebate.revenue, rebate.cost, rebate.margin) == (D("-60"), D("0.00"), D("-60"))


def test_a_service_credited_reverses_its_cost_as_it_was_not_performed():
    line = margins.of_line(
        credit_note=True, net_amount=D("450"), quantity=D("1"), unit_cost=D("200"), goods=False
    )
    assert (line.revenue, line.cost, line.margin) == (D("-450"), D("-200.00"), D("-250.00"))


def test_no_revenue_has_no_rate():
    assert Margin(D("0"), D("15")).rate is None
    assert margins.rate(D("5"), D("0")) is None


def test_totals_take_the_rate_of_the_sums_not_the_average_of_rates():
    total = margins.total([Margin(D("100"), D("50")), Margin(D("900"), D("810"))])
    assert (total.revenue, total.cost, total.margin, total.rate) == (D("1000"), D("860"), D("140"), D("14.0"))
    assert margins.total([]) == Margin()

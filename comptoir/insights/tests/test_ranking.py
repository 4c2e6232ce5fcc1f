"""The rankings of a period, pure."""

from dataclasses import dataclass
from decimal import Decimal

from comptoir.insights import ranking

D = Decimal


@dataclass(frozen=True)
class Row:
    customer_id: int
    name: str
    net_revenue: Decimal
    real_margin: Decimal
    resources: Decimal = D("0")


def test_the_most_profitable_are_the_largest_real_margins_ten_at_most():
    rows = [Row(i, f"C{i:02}", D("1000"), D(i * 10)) for i in range(15)]
    found = ranking.rank(rows)
    assert [r.customer_id for r in found.most_profitable] == list(range(14, 4, -1))


def test_the_most_consuming_are_ranked_per_euro_of_revenue_not_in_euros():
    big = Row(1, "Gros", D("100000"), D("5000"), resources=D("5000"))  # 0.05 € per €
    small = Row(2, "Petit", D("2000"), D("100"), resources=D("800"))  # 0.40 € per €
    no_revenue = Row(3, "Sans CA", D("0"), D("-300"), resources=D("300"))
    found = ranking.rank([big, small, no_revenue])
    assert [r.name for r in found.most_consuming] == ["Petit", "Gros"]
    assert ranking.resource_ratio(small) == D("0.4")


def test_a_top_quartile_revenue_with_a_negative_real_margin_looks_good_but_loses_money():
    rows = [
        Row(1, "Historique", D("90000"), D("-1200")),
        Row(2, "Solide", D("80000"), D("9000")),
        Row(3, "Moyen", D("20000"), D("-50")),  # loses money, but not a top revenue
        *(Row(10 + i, f"Petit {i}", D("1000"), D("100")) for i in range(5)),
    ]
    found = ranking.rank(rows)
    assert found.top_quartile_revenue == D("80000")  # 8 customers: the top two
    assert [r.name for r in found.looks_good_loses_money] == ["Historique"]


def test_no_revenue_at_all_leaves_the_quartile_empty():
    found = ranking.rank([Row(1, "A", D("0"), D("-10"))])
    assert found.top_quartile_revenue is None and found.looks_good_loses_money == ()

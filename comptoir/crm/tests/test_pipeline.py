"""The pipeline's figures, without a database."""

import datetime
from decimal import Decimal

from comptoir.crm import pipeline

D = Decimal
day = datetime.date


def test_totals_per_stage_count_amount_and_weight_each_deal_by_its_probability():
    deals = [
        pipeline.Deal("qualification", D("1000.00"), 10),
        pipeline.Deal("proposal", D("2500.00"), 40),
        pipeline.Deal("proposal", D("333.33"), 33),
    ]
    totals = pipeline.by_stage(deals, ["qualification", "proposal", "negotiation"])
    assert [(t.stage, t.count, t.amount, t.weighted) for t in totals] == [
        ("qualification", 1, D("1000.00"), D("100.00")),
        # 1 000 + 110,00 (333,33 × 33 % = 109,9989, to the cent)
        ("proposal", 2, D("2833.33"), D("1110.00")),
        ("negotiation", 0, D("0"), D("0")),
    ]


def test_conversion_is_won_over_closed_and_the_cycle_the_median_of_won_deals():
    closed = [
        pipeline.Closed("paul", True, day(2026, 1, 1), day(2026, 1, 11)),  # 10 days
        pipeline.Closed("paul", True, day(2026, 1, 1), day(2026, 1, 14)),  # 13 days
        pipeline.Closed("paul", False, day(2026, 1, 1), day(2026, 1, 2)),
        pipeline.Closed("anne", False, day(2026, 1, 1), day(2026, 2, 1)),
    ]
    paul, anne = pipeline.performance(closed)
    assert (paul.key, paul.won, paul.lost, paul.closed) == ("paul", 2, 1, 3)
    assert paul.conversion_rate == D("66.7")
    assert paul.median_cycle_days == D("11.5")
    assert (anne.conversion_rate, anne.median_cycle_days) == (D("0.0"), None)
    assert pipeline.conversion_rate(0, 0) is None
    assert pipeline.median_days([3, 9, 4]) == D("4")

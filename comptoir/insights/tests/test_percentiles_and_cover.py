"""The pure rules: percentiles by interpolation, days of cover, dormant stock, an intake order's channel."""

import datetime
from decimal import Decimal

from comptoir.insights import cover, percentiles
from comptoir.intake.channels import order_channel

D = Decimal


def test_median_of_an_even_count_lies_between_the_two_middle_values():
    assert percentiles.of_values([1, 2, 3, 10], percentiles.MEDIAN) == D("2.5")
    assert percentiles.of_values([4], percentiles.P90) == D("4.0")
    assert percentiles.of_values([], percentiles.MEDIAN) is None


def test_p90_interpolates_like_postgresql_percentile_cont():
    # percentile_cont(0.9) of 1..10 is 9.1.
    assert percentiles.of_values(range(1, 11), percentiles.P90) == D("9.1")
    assert percentiles.ranks(percentiles.P90, 10) == (9, 10)


def test_days_of_cover_is_the_stock_at_the_pace_of_the_period():
    assert cover.days_of_cover(D("40"), D("10"), 30) == D("120.0")
    assert cover.days_of_cover(D("0"), D("10"), 30) == D("0")
    assert cover.days_of_cover(D("5"), D("0"), 30) is None
    assert cover.tied_up(D("2800.00"), D("120.0")) == D("336000")
    assert cover.tied_up(D("100.00"), None) is None


def test_dormant_needs_stock_and_no_recent_sale():
    today = datetime.date(2026, 6, 30)
    long_ago = today - datetime.timedelta(days=90)
    assert cover.is_dormant(on_hand=D("3"), last_sale=long_ago, today=today, dormant_days=90)
    assert not cover.is_dormant(on_hand=D("3"), last_sale=today, today=today, dormant_days=90)
    assert cover.is_dormant(on_hand=D("3"), last_sale=None, today=today, dormant_days=90)
    assert not cover.is_dormant(on_hand=D("0"), last_sale=None, today=today, dormant_days=90)


def test_an_intake_order_comes_by_edi_e_mail_or_document():
    assert order_channel(channel="mail", file_format="order_x") == "edi"
    assert order_channel(channel="mail", file_format="pdf") == "email"
    assert order_channel(channel="upload", file_format="email") == "email"
    assert order_channel(channel="api", file_format="image") == "document"

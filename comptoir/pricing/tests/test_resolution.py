"""The price a customer pays and why: pure, no database."""

import datetime
from decimal import Decimal as D

from comptoir.pricing.approval import covers, threshold_of
from comptoir.pricing.resolution import (
    Break,
    CustomerPriceFact,
    ListFact,
    PriceFacts,
    Source,
    Validity,
    resolve_price,
)

DAY = datetime.date(2026, 6, 15)
WHOLESALE = ListFact(
    "Grossistes 2026",
    (Break(D("1"), price=D("100")), Break(D("50"), price=D("90")), Break(D("200"), percent_off=D("30"))),
    Validity(datetime.date(2026, 1, 1), datetime.date(2026, 12, 31)),
)


def test_without_any_list_or_agreement_the_catalogue_price_applies():
    found = resolve_price(PriceFacts(catalogue_price=D("120")), D("3"), DAY)
    assert (found.price, found.source, found.explanation) == (
        D("120.0000"),
        Source.CATALOGUE,
        "prix catalogue",
    )


def test_the_highest_quantity_break_not_above_the_quantity_applies():
    facts = PriceFacts(catalogue_price=D("120"), group_lists=(WHOLESALE,))
    assert resolve_price(facts, D("10"), DAY).price == D("100")
    assert resolve_price(facts, D("10"), DAY).explanation == "liste Grossistes 2026"
    at_fifty = resolve_price(facts, D("50"), DAY)
    assert (at_fifty.price, at_fifty.explanation) == (D("90"), "liste Grossistes 2026, palier ≥ 50")
    assert resolve_price(facts, D("199.5"), DAY).price == D("90")


def test_a_percentage_off_is_taken_from_the_catalogue_price_and_said():
    found = resolve_price(PriceFacts(catalogue_price=D("120"), group_lists=(WHOLESALE,)), D("250"), DAY)
    assert found.price == D("84.0000")  # 120 × 0.70
    assert found.explanation == "liste Grossistes 2026, palier ≥ 200 (−30 % sur le prix catalogue)"


def test_a_list_out_of_its_dates_does_not_apply():
    facts = PriceFacts(catalogue_price=D("120"), group_lists=(WHOLESALE,))
    assert resolve_price(facts, D("60"), datetime.date(2025, 12, 31)).source == Source.CATALOGUE
    assert resolve_price(facts, D("60"), datetime.date(2027, 1, 1)).source == Source.CATALOGUE
    assert resolve_price(facts, D("60"), datetime.date(2026, 12, 31)).price == D("90")


def test_a_quantity_below_the_first_break_falls_back_to_the_catalogue():
    only_big = ListFact("Chantiers", (Break(D("10"), price=D("95")),))
    found = resolve_price(PriceFacts(catalogue_price=D("120"), group_lists=(only_big,)), D("4"), DAY)
    assert found.source == Source.CATALOGUE


def test_priority_customer_price_then_customer_list_then_group_list_then_catalogue():
    own_list = ListFact("Martin négocié", (Break(D("1"), price=D("97")),))
    agreed = CustomerPriceFact(D("93.5"), Validity(datetime.date(2026, 3, 1)))
    everything = PriceFacts(D("120"), (agreed,), (own_list,), (WHOLESALE,))
    assert resolve_price(everything, D("60"), DAY).explanation == "prix spécifique client"
    assert resolve_price(everything, D("60"), DAY).price == D("93.5")
    # Before the agreement started, the customer's own list wins over the group's cheaper break.
    before = resolve_price(everything, D("60"), datetime.date(2026, 2, 1))
    assert (before.price, before.source) == (D("97"), Source.CUSTOMER_LIST)
    without_own = PriceFacts(D("120"), (), (), (WHOLESALE,))
    assert resolve_price(without_own, D("60"), DAY).source == Source.GROUP_LIST


def test_among_lists_of_the_same_level_the_lowest_price_wins():
    cheaper = ListFact("Promo été", (Break(D("1"), price=D("88")),), Validity(datetime.date(2026, 6, 1)))
    found = resolve_price(PriceFacts(D("120"), group_lists=(WHOLESALE, cheaper)), D("60"), DAY)
    assert (found.price, found.explanation) == (D("88"), "liste Promo été")


def test_the_latest_customer_agreement_in_force_wins():
    old = CustomerPriceFact(D("99"), Validity(datetime.date(2025, 1, 1)))
    new = CustomerPriceFact(D("95"), Validity(datetime.date(2026, 5, 1)))
    ended = CustomerPriceFact(D("80"), Validity(datetime.date(2026, 1, 1), datetime.date(2026, 4, 30)))
    assert resolve_price(PriceFacts(D("120"), (old, ended, new)), D("1"), DAY).price == D("95")


def test_a_person_grants_up_to_the_highest_threshold_of_their_roles():
    thresholds = {"commercial": D("10"), "adv": D("5"), "direction": None}
    assert threshold_of({"adv"}, thresholds) == D("5")
    assert threshold_of({"adv", "commercial"}, thresholds) == D("10")
    assert threshold_of({"commercial", "direction"}, thresholds) is None
    assert threshold_of({"logistique"}, thresholds) == D("0")
    assert covers(D("10"), D("10")) and not covers(D("10"), D("10.5")) and covers(None, D("100"))

"""Document totals with allowances and charges (EN 16931 BG-20/BG-21): pure, no database."""

from decimal import Decimal as D

from comptoir.core.taxes import Adjustment, document_totals


def test_each_vat_base_takes_the_allowances_and_charges_of_its_own_rate():
    totals = document_totals(
        [(D("1200.00"), D("20")), (D("200.00"), D("5.5"))],
        [Adjustment(D("60.00"), D("20")), Adjustment(D("25.00"), D("20"), is_charge=True)],
    )
    assert [(t.rate, t.base, t.amount, t.lines_base) for t in totals.taxes] == [
        (D("20.00"), D("1165.00"), D("233.00"), D("1200.00")),
        (D("5.50"), D("200.00"), D("11.00"), D("200.00")),
    ]
    # BR-CO-10…15: lines, allowances, charges, tax basis, VAT, total all agree to the cent.
    assert (totals.lines, totals.allowances, totals.charges) == (D("1400.00"), D("60.00"), D("25.00"))
    assert totals.untaxed == totals.lines - totals.allowances + totals.charges == D("1365.00")
    assert totals.total == totals.untaxed + totals.vat == D("1609.00")


def test_vat_is_rounded_once_on_the_adjusted_base_not_per_item():
    # 0.13 + 0.13 at 20 % less 0.01: base 0.25 → VAT 0.05 (per item it would be 0.03 + 0.03 − 0.00).
    totals = document_totals([(D("0.13"), D("20")), (D("0.13"), D("20"))], [Adjustment(D("0.01"), D("20"))])
    assert [(t.base, t.amount) for t in totals.taxes] == [(D("0.25"), D("0.05"))]


def test_a_charge_at_a_rate_no_line_has_makes_its_own_breakdown():
    totals = document_totals(
        [(D("100.00"), D("5.5"))], [Adjustment(D("10.00"), D("20"), "S", is_charge=True)]
    )
    assert [(t.rate, t.base, t.amount, t.lines_base) for t in totals.taxes] == [
        (D("20.00"), D("10.00"), D("2.00"), D("0")),
        (D("5.50"), D("100.00"), D("5.50"), D("100.00")),
    ]


def test_without_adjustments_the_totals_are_those_of_the_lines():
    totals = document_totals([(D("840.00"), D("20"))])
    assert (totals.lines, totals.untaxed, totals.allowances, totals.charges) == (
        D("840.00"),
        D("840.00"),
        D("0"),
        D("0"),
    )

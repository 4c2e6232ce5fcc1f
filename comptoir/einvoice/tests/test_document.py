"""Totals, VAT breakdown and the data checks that run before any XML is written. Pure, no database."""

from dataclasses import replace
from datetime import date
from decimal import Decimal as D

import pytest

from comptoir.einvoice.document import (
    DocumentType,
    Note,
    Totals,
    VatCategory,
    consistency_errors,
    french_payment_notes,
    summarize,
)
from comptoir.einvoice.formats import fr_money, fr_number, xml_amount, xml_price, xml_quantity, xml_rate
from comptoir.einvoice.tests import factories
from comptoir.einvoice.tests.factories import ALL_CASES, line, make_invoice


@pytest.mark.parametrize("case", ALL_CASES)
def test_every_sample_invoice_is_consistent(case):
    assert consistency_errors(ALL_CASES[case]()) == []


def test_vat_is_computed_on_the_category_base_not_summed_per_line():
    # Three lines of 0.33 at 20 %: per-line VAT would be 3 × 0.07 = 0.21, the base gives 0.99 × 20 % = 0.20.
    lines = [line(str(i), "Rondelle", "1", "0.33") for i in (1, 2, 3)]
    taxes, totals = summarize(lines)
    assert [(t.base, t.amount) for t in taxes] == [(D("0.99"), D("0.20"))]
    assert totals.grand_total == D("1.19")


def test_one_breakdown_per_category_and_rate_sorted_by_rate():
    invoice = factories.multi_rate()
    assert [(t.category, t.rate) for t in invoice.taxes] == [
        (VatCategory.STANDARD, D("20")),
        (VatCategory.STANDARD, D("10")),
        (VatCategory.STANDARD, D("5.5")),
    ]
    by_rate = {t.rate: t for t in invoice.taxes}
    # BR-S-08: the 20 % base includes the 35.00 shipping charge, the 5.5 % base the 10.00 allowance.
    assert by_rate[D("20")].base == D("2143.75") + D("35.00")
    assert by_rate[D("5.5")].base == D("209.76") + D("22.69") - D("10.00")


def test_totals_chain_matches_en16931():
    totals = factories.multi_rate().totals
    assert totals.tax_basis_total == totals.line_total - totals.allowance_total + totals.charge_total
    assert totals.grand_total == totals.tax_basis_total + totals.tax_total
    assert totals.due_amount == totals.grand_total - totals.prepaid_amount


def test_percent_discount_becomes_a_line_allowance_that_reproduces_the_net_to_the_cent():
    discounted = line(qty="12", price="18.4000", rate="5.5", discount="5")
    assert discounted.net_amount == D("209.76")  # q2(12 × 18.40 × 0.95)
    (allowance,) = discounted.allowances
    assert allowance.amount == D("11.04")
    assert discounted.gross_amount - allowance.amount == discounted.net_amount
    assert allowance.sends_percent


def test_discount_percent_is_not_sent_when_rounding_makes_it_disagree_with_the_amount():
    # q2(10.005) = 10.01 gross; q2(10.005 × 0.9) = 9.00 net; allowance 1.01 but 10.01 × 10 % = 1.00.
    odd = line(qty="1", price="10.0050", discount="10")
    (allowance,) = odd.allowances
    assert allowance.amount == D("1.01")
    assert not allowance.sends_percent


def test_deposit_deducted_from_the_final_invoice_lowers_the_amount_due():
    totals = factories.final_invoice_after_deposit().totals
    assert totals.grand_total == D("2940.00")
    assert totals.prepaid_amount == D("882.00")
    assert totals.due_amount == D("2058.00")


def test_exemption_reason_comes_with_zero_vat_categories():
    (tax,) = factories.intra_eu_goods().taxes
    assert (tax.category, tax.amount) == (VatCategory.INTRA_EU_SUPPLY, D("0"))
    assert tax.exemption_reason == "Exonération de TVA, article 262 ter I du CGI"
    assert tax.exemption_code == "VATEX-EU-IC"


def test_french_payment_notes_carry_the_three_subject_codes_once():
    notes = french_payment_notes(late_penalty_rate=D("12"))
    assert [n.subject_code for n in notes] == ["PMT", "PMD", "AAB"]
    assert "40 €" in notes[0].text
    assert "12\u00a0%" in notes[1].text
    assert notes[2].text == "Pas d'escompte pour paiement anticipé."


def test_tampered_total_is_refused():
    invoice = factories.single_rate()
    tampered = replace(
        invoice, totals=replace(invoice.totals, tax_total=invoice.totals.tax_total + D("0.01"))
    )
    problems = consistency_errors(tampered)
    assert any(p.startswith("BR-CO-14") for p in problems)
    assert any(p.startswith("BR-CO-15") for p in problems)


def test_vat_rounded_per_line_is_refused():
    invoice = make_invoice([line(str(i), "Rondelle", "1", "0.33") for i in (1, 2, 3)])
    (tax,) = invoice.taxes
    per_line = replace(tax, amount=D("0.21"))
    tampered = replace(
        invoice,
        taxes=(per_line,),
        totals=Totals(
            line_total=D("0.99"),
            tax_basis_total=D("0.99"),
            tax_total=D("0.21"),
            grand_total=D("1.20"),
            due_amount=D("1.20"),
        ),
    )
    assert any(p.startswith("BR-CO-17") for p in consistency_errors(tampered))


def test_credit_note_without_the_corrected_invoice_is_refused():
    invoice = replace(factories.credit_note(), preceding_invoices=())
    assert any(p.startswith("BR-FR-CO-05") for p in consistency_errors(invoice))


def test_invoice_number_with_spaces_is_refused():
    invoice = replace(factories.single_rate(), number="FA 2026 42")
    assert any(p.startswith("BR-FR-01") for p in consistency_errors(invoice))


def test_missing_mandatory_payment_note_is_refused():
    invoice = factories.single_rate()
    without_pmt = replace(invoice, notes=tuple(n for n in invoice.notes if n.subject_code != "PMT"))
    assert any("PMT" in p for p in consistency_errors(without_pmt))
    doubled = replace(invoice, notes=(*invoice.notes, Note("Encore", "AAB")))
    assert any("AAB" in p for p in consistency_errors(doubled))


def test_french_business_buyer_needs_a_siren():
    invoice = replace(factories.single_rate(), buyer=replace(factories.BUYER_FR, siren="", siret=""))
    assert any(p.startswith("BR-FR-11") for p in consistency_errors(invoice))


def test_reverse_charge_needs_the_buyer_vat_number():
    invoice = factories.intra_eu_reverse_charge()
    invoice = replace(invoice, buyer=replace(invoice.buyer, vat_number=""))
    assert any(p.startswith("BR-AE-02") for p in consistency_errors(invoice))


def test_due_date_before_issue_date_is_refused_except_on_deposits():
    early = date(2026, 3, 1)
    assert any(
        p.startswith("BR-FR-CO-07")
        for p in consistency_errors(replace(factories.single_rate(), due_date=early))
    )
    deposit = replace(factories.deposit_invoice(), due_date=early)
    assert deposit.type_code == DocumentType.PREPAYMENT_INVOICE
    assert consistency_errors(deposit) == []


def test_business_process_combines_nature_and_framework():
    assert factories.single_rate().business_process == "B1"
    assert factories.services_only().business_process == "S1"
    assert factories.mixed().business_process == "M1"
    assert factories.final_invoice_after_deposit().business_process == "B4"


def test_xml_numbers_are_dotted_and_never_exponents():
    assert xml_amount(D("1234.50")) == "1234.50"
    assert xml_quantity(D("2.000")) == "2"
    assert xml_quantity(D("7.5")) == "7.5"
    assert xml_price(D("12.5000")) == "12.5"
    assert xml_price(D("1E+2")) == "100"
    assert xml_rate(D("20.00")) == "20"
    assert xml_rate(D("5.50")) == "5.5"
    with pytest.raises(ValueError):
        xml_amount(D("1.005"))
    with pytest.raises(ValueError):
        xml_quantity(D("1.00001"))


def test_french_amounts_use_no_break_spaces_and_a_decimal_comma():
    assert fr_money(D("1234.56")) == "1\u00a0234,56\u00a0€"
    assert fr_money(D("-0.5")) == "-0,50\u00a0€"
    assert fr_number(D("1234567.891"), 3) == "1\u00a0234\u00a0567,891"
    assert fr_number(D("50000"), 0) == "50\u00a0000"

"""VAT on a draft must follow the product and the customer's VAT regime."""

import datetime
from decimal import Decimal

import pytest

from comptoir.assistant.findings import Severity
from comptoir.assistant.tests.factories import codes, draft, invoice_findings, ship, sold, stock, the
from comptoir.billing.services import correct_draft_line
from comptoir.catalog.services import update_product
from comptoir.core import dates
from comptoir.core.errors import DomainError
from comptoir.core.testing import make_customer
from comptoir.parties.services import update_customer

pytestmark = pytest.mark.django_db

VAT_CODES = {"invoice_vat_inconsistent", "reverse_charge_without_eu_vat_number"}


def test_french_vat_billed_to_a_customer_now_in_another_member_state_is_blocking(
    boss, company, customer, product
):
    stock(boss, product)
    order = sold(boss, customer, (product, "10"))
    ship(boss, order)
    # The customer moved its business to Germany after ordering; the draft still carries French VAT.
    update_customer(customer, by=boss, country="DE", vat_number="DE136695976", vat_regime="eu")
    invoice = draft(boss, order)

    finding = the(invoice_findings(invoice), "invoice_vat_inconsistent")

    assert finding.severity == Severity.BLOCKING
    assert finding.message == (
        f"La facture brouillon n° {invoice.pk} soumet REF-88 à la TVA 20\u00a0% (S) alors que le produit (TVA "
        "20\u00a0%) vendu au client Menuiserie Martin SARL (régime entreprise de l'Union européenne) appelle "
        "0\u00a0% (K)."
    )
    assert {item.kind for item in finding.evidence} == {"invoice", "product", "customer"}
    assert finding.proposal.payload["vat_category"] == "K"


def test_a_rate_other_than_the_products_is_blocking(boss, company, customer, product):
    stock(boss, product)
    order = sold(boss, customer, (product, "10"))
    ship(boss, order)
    # The card was wrong: the new rate applies to everything not invoiced yet.
    update_product(product, by=boss, vat_rate="5.50", vat_rate_correction=True)
    invoice = draft(boss, order)

    finding = the(invoice_findings(invoice), "invoice_vat_inconsistent")

    assert "appelle 5,5\u00a0% (S)" in finding.message


def test_goods_delivered_before_a_rate_change_are_invoiced_at_the_rate_of_their_delivery(
    boss, company, customer, product
):
    """Issue #17, defect 2: delivered at 10 %, the product goes to 20 % before invoicing; the 10 %
    invoice is right (VAT falls due at delivery, CGI art. 269-2-a) and must be neither blocked nor
    'corrected' to 20 %."""
    three_days_ago = dates.today() - datetime.timedelta(days=3)
    product = update_product(product, by=boss, vat_rate="10.00", vat_rate_correction=True)
    stock(boss, product, date=three_days_ago)
    order = sold(boss, customer, (product, "10"), date=three_days_ago)
    ship(boss, order, date=three_days_ago)
    update_product(product, by=boss, vat_rate="20.00")  # from today
    invoice = draft(boss, order)
    assert {line.vat_rate for line in invoice.lines.all()} == {Decimal("10.00")}

    assert not VAT_CODES & set(codes(invoice_findings(invoice)))


def test_goods_delivered_after_a_rate_change_must_carry_the_new_rate(boss, company, customer, product):
    three_days_ago = dates.today() - datetime.timedelta(days=3)
    product = update_product(product, by=boss, vat_rate="10.00", vat_rate_correction=True)
    stock(boss, product, date=three_days_ago)
    order = sold(boss, customer, (product, "10"), date=three_days_ago)  # taken at 10 %
    update_product(
        product, by=boss, vat_rate="20.00", vat_rate_from=three_days_ago + datetime.timedelta(days=1)
    )
    ship(boss, order)  # delivered today, under the 20 % rate
    invoice = draft(boss, order)

    finding = the(invoice_findings(invoice), "invoice_vat_inconsistent")

    assert (
        "soumet REF-88 à la TVA 10\u00a0% (S)" in finding.message
        and "appelle 20\u00a0% (S)" in finding.message
    )
    assert finding.proposal.payload["vat_rate"] == Decimal("20.00")


def test_a_rate_cannot_apply_from_a_future_day_nor_before_the_last_change(boss, company, product):
    tomorrow = dates.today() + datetime.timedelta(days=1)
    with pytest.raises(DomainError) as refused:
        update_product(product, by=boss, vat_rate="10.00", vat_rate_from=tomorrow)
    assert refused.value.code == "vat_rate_from_in_future"
    update_product(product, by=boss, vat_rate="10.00")
    with pytest.raises(DomainError) as refused:
        update_product(
            product, by=boss, vat_rate="5.50", vat_rate_from=dates.today() - datetime.timedelta(days=1)
        )
    assert refused.value.code == "vat_rate_from_before_last_change"
    product.refresh_from_db()
    assert product.vat_rate == Decimal("10.00") and product.vat_rate_changes.count() == 1


def test_reverse_charge_without_a_foreign_eu_vat_number_is_blocking(boss, company, service_product):
    german = make_customer(boss, name="Werkzeug GmbH", siren="", country="DE", vat_number="DE136695976")
    order = sold(boss, german, (service_product, "1"))
    # The customer turns out to be the German branch of a French company, now invoiced in France.
    update_customer(
        german, by=boss, country="FR", siren="542107651", vat_number="FR13542107651", vat_regime="france"
    )
    invoice = draft(boss, order)

    findings = invoice_findings(invoice)
    finding = the(findings, "reverse_charge_without_eu_vat_number")

    assert finding.severity == Severity.BLOCKING
    assert "le numéro FR13542107651" in finding.message and "(AE)" in finding.message
    # One line, one VAT finding: the reverse charge says it all.
    assert "invoice_vat_inconsistent" not in codes(findings)


def test_vat_as_the_product_and_regime_give_is_not_reported(
    boss, company, customer, product, service_product
):
    stock(boss, product)
    order = sold(boss, customer, (product, "10"), (service_product, "1"))
    ship(boss, order)
    german = make_customer(boss, name="Werkzeug GmbH", siren="", country="DE", vat_number="DE136695976")
    eu_order = sold(boss, german, (product, "2"), (service_product, "1"))
    ship(boss, eu_order)

    assert not VAT_CODES & set(codes(invoice_findings(draft(boss, order))))
    assert not VAT_CODES & set(codes(invoice_findings(draft(boss, eu_order))))


def test_correcting_the_vat_takes_the_rate_of_the_delivery_day_not_todays(boss, company, customer, product):
    """Ordered at 5,5 %, the rate went to 10 % before the delivery and to 20 % after it: the draft must
    carry 10 %, and approving the proposal sets 10 %, not today's 20 %."""
    day = dates.today() - datetime.timedelta(days=3)
    product = update_product(product, by=boss, vat_rate="5.50", vat_rate_correction=True)
    stock(boss, product, date=day)
    order = sold(boss, customer, (product, "10"), date=day)
    update_product(product, by=boss, vat_rate="10.00", vat_rate_from=day + datetime.timedelta(days=1))
    ship(boss, order, date=day + datetime.timedelta(days=2))
    update_product(product, by=boss, vat_rate="20.00")
    invoice = draft(boss, order)

    finding = the(invoice_findings(invoice), "invoice_vat_inconsistent")
    assert finding.proposal.payload["vat_rate"] == Decimal("10.00")
    line = correct_draft_line(finding.proposal.payload["invoice_line_id"], by=boss, vat_from_product=True)

    assert line.vat_rate == Decimal("10.00")
    assert not VAT_CODES & set(codes(invoice_findings(invoice)))

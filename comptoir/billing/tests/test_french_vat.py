"""French VAT on invoices: categories, reverse charge, exports, exemptions, VAT on receipts, lock dates."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from comptoir.accounting import selectors as ledger_view
from comptoir.accounting.services import lock_period
from comptoir.billing.models import Invoice
from comptoir.billing.services import create_invoice_from_order, issue_invoice
from comptoir.core.errors import DomainError
from comptoir.core.testing import make_customer, make_product
from comptoir.parties.services import configure_company, update_customer
from comptoir.payments.services import register_payment
from comptoir.sales.services import confirm_order, create_order
from comptoir.stock.services import create_delivery, receive_stock, validate_delivery

pytestmark = pytest.mark.django_db


def _invoice(boss, customer, lines, *, issue=True):
    order = confirm_order(create_order(customer, lines, by=boss), by=boss)
    if any(line["product"].is_stocked for line in lines):
        receive_stock(
            [
                {"product": line["product"], "quantity": "100", "unit_cost": "1"}
                for line in lines
                if line["product"].is_stocked
            ],
            by=boss,
        )
        validate_delivery(create_delivery(order, by=boss), by=boss)
    draft = create_invoice_from_order(order, by=boss)
    return issue_invoice(draft, by=boss) if issue else draft


def test_an_eu_business_is_not_charged_french_vat_and_the_mentions_follow(
    boss, company, product, service_product
):
    german = make_customer(boss, name="Werkzeug GmbH", siren="", country="DE", vat_number="DE136695976")
    assert german.vat_regime == "eu"
    invoice = _invoice(
        boss, german, [{"product": product, "quantity": "2"}, {"product": service_product, "quantity": "1"}]
    )
    taxes = {(t.category, t.vat_rate, t.amount, t.exemption_reason) for t in invoice.taxes.all()}
    assert taxes == {
        ("K", Decimal("0.00"), Decimal("0.00"), "Exonération de TVA, article 262 ter I du CGI"),
        ("AE", Decimal("0.00"), Decimal("0.00"), "Autoliquidation"),
    }
    assert invoice.total == invoice.total_untaxed == Decimal("690.00")
    assert invoice.operation_nature == Invoice.Nature.MIXED


def test_an_export_customer_is_invoiced_without_vat(boss, company, product):
    swiss = make_customer(
        boss,
        name="Outils Genève SA",
        siren="",
        country="CH",
        einvoice_address="CHE-123.456.789",
        einvoice_scheme="0183",
    )
    invoice = _invoice(boss, swiss, [{"product": product, "quantity": "1"}])
    tax = invoice.taxes.get()
    assert (tax.category, tax.amount) == ("G", Decimal("0.00"))
    assert "262 I" in tax.exemption_reason


def test_an_exempt_training_line_carries_its_legal_basis(boss, company, customer):
    training = make_product(
        boss,
        sku="FORM-1",
        name="Formation sécurité",
        sale_price="800",
        kind="service",
        vat_rate="0",
        vat_exemption_reason="Exonération de TVA, article 261-4-4° a du CGI",
        vat_exemption_code="VATEX-EU-132",
    )
    tax = _invoice(boss, customer, [{"product": training, "quantity": "1"}]).taxes.get()
    assert (tax.category, tax.amount, tax.exemption_reason) == (
        "E",
        Decimal("0.00"),
        "Exonération de TVA, article 261-4-4° a du CGI",
    )


def test_an_exempt_product_cannot_have_a_vat_rate(boss):
    with pytest.raises(DomainError) as exc:
        make_product(
            boss, sale_price="10", vat_rate="20", vat_exemption_reason="Exonération, art. 261 du CGI"
        )
    assert exc.value.code == "exempt_product_with_vat_rate"


def test_a_french_b2b_invoice_needs_the_buyers_siren(boss, company, service_product):
    anonymous = make_customer(boss, name="Société sans SIREN", siren="")
    draft = _invoice(boss, anonymous, [{"product": service_product, "quantity": "1"}], issue=False)
    with pytest.raises(DomainError) as exc:
        issue_invoice(draft, by=boss)
    assert exc.value.code == "buyer_siren_missing"
    draft.refresh_from_db()
    assert draft.status == Invoice.Status.DRAFT and draft.number is None


def test_an_eu_customer_must_have_a_foreign_vat_number(boss):
    with pytest.raises(DomainError) as exc:
        make_customer(boss, name="Werkzeug GmbH", siren="", country="DE", vat_regime="eu")
    assert exc.value.code == "eu_customer_needs_vat_number"


def test_service_vat_moves_from_pending_to_due_as_the_customer_pays(boss, company, customer, service_product):
    invoice = _invoice(boss, customer, [{"product": service_product, "quantity": "1"}])  # 450 + 90 VAT
    balance = ledger_view.trial_balance().by_code()
    assert (balance["44574"].balance, "44571" in balance) == (Decimal("-90.00"), False)
    register_payment(
        customer,
        amount="180",
        method="transfer",
        allocations=[{"invoice": invoice, "amount": "180"}],
        by=boss,
    )
    balance = ledger_view.trial_balance().by_code()
    assert balance["44571"].balance == Decimal(
        "-30.00"
    )  # a third of the price cashed, a third of the VAT due
    assert balance["44574"].balance == Decimal("-60.00")
    today = timezone.localdate()
    summary = ledger_view.vat_summary(today.replace(day=1), today)
    row = summary.rows[0]
    assert (row.rate, row.base, row.collected, row.pending_invoiced, row.cashed_on_receipts) == (
        Decimal("20.00"),
        Decimal("450.00"),
        Decimal("30.00"),
        Decimal("90.00"),
        Decimal("30.00"),
    )
    # The CA3 declares the service when cashed: 150 € of the 450 € invoiced, with its 30 € of VAT.
    assert row.taxable_base == Decimal("150.00")
    assert summary.pending_balance == Decimal("60.00")


def test_a_company_opting_for_debits_owes_service_vat_at_once(
    boss, admin_user, company, customer, service_product
):
    configure_company(by=admin_user, vat_on_debits=True)
    _invoice(boss, customer, [{"product": service_product, "quantity": "1"}])
    balance = ledger_view.trial_balance().by_code()
    assert balance["44571"].balance == Decimal("-90.00") and "44574" not in balance


def test_nothing_can_be_posted_into_a_locked_period(boss, admin_user, company, customer, service_product):
    today = timezone.localdate()
    draft = _invoice(boss, customer, [{"product": service_product, "quantity": "1"}], issue=False)
    lock_period(today, by=admin_user)
    with pytest.raises(DomainError) as exc:
        issue_invoice(draft, by=boss)
    assert exc.value.code == "period_locked"
    draft.refresh_from_db()
    assert draft.number is None
    with pytest.raises(DomainError) as exc:
        lock_period(today - datetime.timedelta(days=1), by=admin_user)
    assert exc.value.code == "lock_date_backwards"


def test_the_seller_and_legal_terms_are_frozen_at_issue(boss, admin_user, company, customer, product):
    update_customer(customer, by=boss, payment_days=45, payment_end_of_month=True)
    invoice = _invoice(boss, customer, [{"product": product, "quantity": "1"}])
    configure_company(by=admin_user, legal_name="Nouveau nom SAS")
    invoice.refresh_from_db()
    assert invoice.seller["name"] == "Outillage Durand SAS" and invoice.seller["siren"] == "732829320"
    assert invoice.payment_terms == "Paiement à 45 jours fin de mois"
    assert invoice.delivery_date == timezone.localdate()

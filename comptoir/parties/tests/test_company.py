"""The company's settings through `configure_company`: lawful payment conditions, an audit naming what
changed, and the default terms offered to new customers."""

from decimal import Decimal

import pytest

from comptoir.core.errors import Conflict, DomainError, PermissionDenied
from comptoir.core.models import AuditEvent
from comptoir.parties.models import Company
from comptoir.parties.services import configure_company, create_customer

pytestmark = pytest.mark.django_db


def test_default_payment_terms_beyond_the_legal_ceiling_are_refused(admin_user, company):
    with pytest.raises(DomainError) as exc:
        configure_company(by=admin_user, default_payment_days=75)
    assert exc.value.code == "payment_terms_too_long"
    assert Company.objects.get().default_payment_days == 30
    configure_company(by=admin_user, default_payment_days=60)
    assert Company.objects.get().default_payment_days == 60


def test_a_negative_penalty_rate_is_refused(admin_user, company):
    with pytest.raises(DomainError) as exc:
        configure_company(by=admin_user, late_penalty_rate=Decimal("-1"))
    assert exc.value.code == "negative_penalty_rate"
    assert "trois fois le taux d'intérêt légal" in exc.value.message


def test_the_audit_names_only_the_fields_that_changed(admin_user, company):
    configure_company(by=admin_user, legal_name=company.legal_name, city="Villeurbanne", siren=company.siren)
    event = AuditEvent.objects.filter(action="company.configured").last()
    assert event.data == {"fields": ["city"]}


def test_saving_unchanged_settings_writes_no_event(admin_user, company):
    before = AuditEvent.objects.count()
    configure_company(by=admin_user, legal_name=company.legal_name, city=company.city)
    assert AuditEvent.objects.count() == before


def test_only_an_admin_configures_the_company(boss, company):
    with pytest.raises(PermissionDenied):
        configure_company(by=boss, legal_name="Autre nom SAS")
    assert Company.objects.get().legal_name == company.legal_name


def test_a_new_customer_gets_the_company_default_terms_unless_stated(admin_user, boss, company):
    configure_company(by=admin_user, default_payment_days=45)
    assert create_customer(by=boss, name="Sans délai SARL").payment_days == 45
    assert create_customer(by=boss, name="Comptant SARL", payment_days=0).payment_days == 0


# --- Numbering and fiscal year, fixed once the books have started -----------------------------------


def _ship(boss, customer, product):
    from comptoir.sales.services import confirm_order, create_order
    from comptoir.stock.services import create_delivery, receive_stock, validate_delivery

    receive_stock([{"product": product, "quantity": "5", "unit_cost": "70"}], by=boss, supplier_name="Bosch")
    order = confirm_order(create_order(customer, [{"product": product, "quantity": "2"}], by=boss), by=boss)
    validate_delivery(create_delivery(order, by=boss), by=boss)
    return order


def test_the_invoice_series_and_fiscal_year_change_freely_until_the_first_invoice(
    admin_user, boss, company, customer, product
):
    # An order shipped but not invoiced has no legal number and no entry: nothing is fixed yet.
    _ship(boss, customer, product)
    configure_company(by=admin_user, invoice_series="FC", fiscal_year_start_month=7)
    company = Company.objects.get()
    assert (company.invoice_series, company.fiscal_year_start_month) == ("FC", 7)


def test_once_an_invoice_is_issued_the_invoice_series_is_refused(
    admin_user, boss, company, customer, product
):
    from comptoir.billing.services import create_invoice_from_order, issue_invoice

    issue_invoice(create_invoice_from_order(_ship(boss, customer, product), by=boss), by=boss)
    events = AuditEvent.objects.count()
    with pytest.raises(Conflict) as exc:
        configure_company(by=admin_user, invoice_series="FC", city="Villeurbanne")
    assert exc.value.code == "invoice_series_locked" and exc.value.status == 409
    assert "« FA » à « FC »" in exc.value.message
    company = Company.objects.get()
    assert (company.invoice_series, company.city) == ("FA", "Lyon")
    assert AuditEvent.objects.count() == events


def test_once_an_invoice_is_issued_the_fiscal_year_start_is_refused(
    admin_user, boss, company, customer, product
):
    from comptoir.billing.services import create_invoice_from_order, issue_invoice

    issue_invoice(create_invoice_from_order(_ship(boss, customer, product), by=boss), by=boss)
    with pytest.raises(Conflict) as exc:
        configure_company(by=admin_user, fiscal_year_start_month=7)
    assert exc.value.code == "fiscal_year_start_locked"
    assert "de janvier à juillet" in exc.value.message
    assert Company.objects.get().fiscal_year_start_month == 1


def test_a_posted_entry_without_any_invoice_fixes_the_fiscal_year_too(admin_user, boss, company, customer):
    from comptoir.payments.services import register_payment

    register_payment(customer, by=boss, amount="100", method="transfer")  # on account: 512 / 411
    with pytest.raises(Conflict) as exc:
        configure_company(by=admin_user, fiscal_year_start_month=4)
    assert exc.value.code == "fiscal_year_start_locked"


def test_sending_the_same_series_and_month_again_is_not_a_change(
    admin_user, boss, company, customer, product
):
    from comptoir.billing.services import create_invoice_from_order, issue_invoice

    issue_invoice(create_invoice_from_order(_ship(boss, customer, product), by=boss), by=boss)
    configure_company(by=admin_user, invoice_series="FA", fiscal_year_start_month=1, city="Villeurbanne")
    company = Company.objects.get()
    assert (company.invoice_series, company.fiscal_year_start_month, company.city) == (
        "FA",
        1,
        "Villeurbanne",
    )


def test_the_backdating_window_is_a_month_by_default_and_set_by_the_company(admin_user, company):
    assert company.backdating_days == 31
    for wrong in (-1, 3661, "15"):
        with pytest.raises(DomainError) as exc:
            configure_company(by=admin_user, backdating_days=wrong)
        assert exc.value.code == "backdating_days_out_of_range"
    configure_company(by=admin_user, backdating_days=0)
    assert Company.objects.get().backdating_days == 0
    event = AuditEvent.objects.filter(action="company.configured").latest("seq")
    assert event.data == {"fields": ["backdating_days"]}

"""The company's settings through `configure_company`: lawful payment conditions, an audit naming what
changed, and the default terms offered to new customers."""

from decimal import Decimal

import pytest

from comptoir.core.errors import DomainError, PermissionDenied
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

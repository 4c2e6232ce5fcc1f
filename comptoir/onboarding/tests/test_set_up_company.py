"""onboarding.set_up_company: who may set a company up, and what it refuses."""

import pytest
from django.contrib.auth import get_user_model

from comptoir.core.errors import DomainError, PermissionDenied
from comptoir.core.permissions import Role
from comptoir.core.testing import make_user
from comptoir.onboarding import services
from comptoir.onboarding.plan import PlanError, SetupPlan, UserPlan, from_document
from comptoir.parties.models import Company

pytestmark = pytest.mark.django_db

COMPANY = {"legal_name": "Atelier Mercier SARL", "siren": "542107651"}
PAUL = UserPlan(username="paul", password="Mercier-Atelier-9", roles=[])


def test_a_user_without_the_administrator_role_cannot_set_the_company_up():
    director = make_user("claire", Role.DIRECTION)
    with pytest.raises(PermissionDenied):
        services.set_up_company(SetupPlan(company=COMPANY), by=director)
    assert not Company.objects.exists()


def test_a_logo_that_is_not_an_image_is_refused_and_nothing_is_written():
    plan = SetupPlan(company=COMPANY | {"logo": b"%PDF-1.7 not an image"}, users=[PAUL])
    with pytest.raises(DomainError) as refused:
        services.set_up_company(plan)
    assert refused.value.code == "invalid_logo"
    assert not get_user_model().objects.exists()


def test_the_first_user_name_is_checked_like_any_account():
    plan = SetupPlan(
        company=COMPANY, users=[UserPlan(username="paul mercier", password="Mercier-Atelier-9", roles=[])]
    )
    with pytest.raises(DomainError) as refused:
        services.set_up_company(plan)
    assert refused.value.code == "invalid_username"


def test_a_float_amount_in_a_plan_is_refused_rather_than_rounded():
    with pytest.raises(PlanError, match="entre guillemets"):
        from_document({"societe": {"capital_social": 7500.10}})


def test_an_unknown_vat_regime_names_the_two_choices():
    with pytest.raises(PlanError, match="encaissements » ou « debits"):
        from_document({"tva": {"regime": "mensuel"}})

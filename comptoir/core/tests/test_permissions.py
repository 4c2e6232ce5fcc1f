import pytest

from comptoir.core.errors import PermissionDenied
from comptoir.core.permissions import PERMISSIONS, Role, has_perm, require
from comptoir.core.testing import make_user


@pytest.mark.django_db
def test_each_role_gets_its_own_permissions():
    seller = make_user("sophie", Role.COMMERCIAL)
    warehouse = make_user("karim", Role.LOGISTIQUE)
    accountant = make_user("claire", Role.COMPTABILITE)
    assert has_perm(seller, "quote.send") and not has_perm(seller, "invoice.issue")
    assert has_perm(warehouse, "delivery.validate") and not has_perm(warehouse, "quote.manage")
    assert has_perm(accountant, "invoice.issue") and not has_perm(accountant, "delivery.validate")


@pytest.mark.django_db
def test_a_user_without_role_may_do_nothing():
    nobody = make_user("intern")
    with pytest.raises(PermissionDenied) as exc:
        require(nobody, "customer.view")
    assert exc.value.code == "permission_denied"
    assert "rôle" in exc.value.message


def test_admin_holds_every_permission_of_every_role():
    for role, perms in PERMISSIONS.items():
        assert perms <= PERMISSIONS[Role.ADMIN], role


def test_unknown_permission_codes_are_programming_errors():
    with pytest.raises(ValueError):
        has_perm(None, "invoice.print_money")


def test_every_permission_has_a_french_label_for_refusals_and_the_roles_page():
    """A refusal names the action (« Vous ne pouvez pas … ») from this table; a permission missing from it
    showed its raw code (« jobs.manage ») to the user."""
    from comptoir.core.permissions import ALL_PERMISSIONS, PERMISSION_LABELS

    assert sorted(ALL_PERMISSIONS - PERMISSION_LABELS.keys()) == []

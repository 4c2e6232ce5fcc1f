from decimal import Decimal

import pytest

from comptoir.core.errors import DomainError, PermissionDenied
from comptoir.core.models import AuditEvent
from comptoir.core.permissions import Role
from comptoir.core.testing import make_user
from comptoir.returns.selectors import claimed_quantities
from comptoir.returns.services import (
    approve_case,
    close_case,
    open_case,
    reject_case,
    submit_case,
    update_policy,
)
from comptoir.returns.tests.factories import make_sale

pytestmark = pytest.mark.django_db


def _submitted(by, sale, quantity="2", reason="damaged"):
    case = open_case(
        sale.delivery, [{"delivery_line": sale.delivery_line, "quantity": quantity}], by=by, reason=reason
    )
    return submit_case(case, by=by)


def test_a_submitted_case_is_approved_by_adv_below_the_threshold(people, sale):
    case = _submitted(people["commercial"], sale)
    assert case.submitted_at is not None
    case = approve_case(case, by=people["adv"], reason="Photos probantes")
    assert (case.status, case.decided_by, case.decision_reason) == (
        "approved",
        people["adv"],
        "Photos probantes",
    )
    event = AuditEvent.objects.get(action="return.approved")
    assert event.data["reason"] == "Photos probantes" and event.actor == people["adv"]


def test_above_the_threshold_only_direction_may_approve(boss, people, sale):
    case = _submitted(people["commercial"], sale, quantity="9")  # 1,080 € HT > 1,000 €
    with pytest.raises(PermissionDenied) as exc:
        approve_case(case, by=people["adv"])
    assert exc.value.code == "return_approval_above_threshold"
    assert "1080,00 €" in exc.value.message and "direction" in exc.value.message
    case.refresh_from_db()
    assert case.status == "submitted"
    assert approve_case(case, by=boss).status == "approved"


def test_above_the_threshold_only_direction_may_reject(boss, people, sale):
    case = _submitted(people["commercial"], sale, quantity="9")
    with pytest.raises(PermissionDenied):
        reject_case(case, by=people["adv"], reason="non")
    assert reject_case(case, by=boss, reason="Hors garantie").status == "rejected"


def test_the_approval_threshold_is_configurable(boss, people, sale):
    update_policy(by=boss, approval_threshold="100")
    case = _submitted(people["commercial"], sale, quantity="1")  # 120 € > 100 €
    with pytest.raises(PermissionDenied):
        approve_case(case, by=people["adv"])


def test_a_case_cannot_be_approved_twice(people, sale):
    case = _submitted(people["commercial"], sale)
    approve_case(case, by=people["adv"])
    with pytest.raises(DomainError) as exc:
        approve_case(case, by=people["adv"])
    assert exc.value.code == "invalid_transition"
    assert AuditEvent.objects.filter(action="return.approved").count() == 1


def test_a_draft_case_cannot_be_decided_before_it_is_submitted(people, sale):
    case = open_case(
        sale.delivery,
        [{"delivery_line": sale.delivery_line, "quantity": "1"}],
        by=people["adv"],
        reason="damaged",
    )
    with pytest.raises(DomainError) as exc:
        approve_case(case, by=people["adv"])
    assert exc.value.code == "invalid_transition"
    assert "Brouillon" in exc.value.message


def test_rejecting_needs_a_reason_kept_in_the_history(people, sale):
    case = _submitted(people["commercial"], sale)
    with pytest.raises(DomainError) as exc:
        reject_case(case, by=people["adv"], reason="  ")
    assert exc.value.code == "return_reason_required"
    case = reject_case(case, by=people["adv"], reason="Dommage causé par le client")
    assert (case.status, case.decision_reason) == ("rejected", "Dommage causé par le client")
    assert AuditEvent.objects.get(action="return.rejected").data["reason"] == "Dommage causé par le client"


def test_a_rejected_case_frees_its_quantities_for_a_new_case(boss, people, sale):
    case = _submitted(people["commercial"], sale, quantity="10")
    reject_case(case, by=boss, reason="non fondé")
    again = open_case(
        sale.delivery,
        [{"delivery_line": sale.delivery_line, "quantity": "10"}],
        by=people["adv"],
        reason="quality",
    )
    assert again.amount_at_stake == Decimal("1200.00")


def test_roles_without_approval_rights_cannot_decide(people, sale):
    case = _submitted(people["commercial"], sale)
    for user in (people["commercial"], people["logistique"], people["comptabilite"]):
        with pytest.raises(PermissionDenied):
            approve_case(case, by=user)


def test_only_sales_roles_submit(people, sale):
    case = open_case(
        sale.delivery,
        [{"delivery_line": sale.delivery_line, "quantity": "1"}],
        by=people["adv"],
        reason="damaged",
    )
    with pytest.raises(PermissionDenied):
        submit_case(case, by=make_user("compta2", Role.COMPTABILITE))


def test_a_second_case_on_the_same_line_counts_what_the_first_claims(boss, customer, product, company):
    sale = make_sale(boss, customer, product, quantity="4")
    _submitted(boss, sale, quantity="3")
    with pytest.raises(DomainError) as exc:
        open_case(
            sale.delivery, [{"delivery_line": sale.delivery_line, "quantity": "2"}], by=boss, reason="quality"
        )
    assert exc.value.code == "return_exceeds_delivered"


def test_a_rejected_case_claims_nothing_even_once_closed(boss, people, customer, product, company):
    # Regression (found by the property test): closing a rejected case made its units count as claimed
    # again, though another case had taken them meanwhile: more claimed than delivered.
    sale = make_sale(boss, customer, product, quantity="5")
    first = _submitted(people["commercial"], sale, quantity="1")
    reject_case(first, by=people["adv"], reason="non fondé")
    _submitted(people["commercial"], sale, quantity="5")
    close_case(first, by=boss)
    assert claimed_quantities([sale.delivery_line.pk]) == {sale.delivery_line.pk: Decimal("5")}

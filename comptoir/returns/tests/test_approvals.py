"""Who may approve a return case: never the person who opened it, and above the threshold only direction,
counting every live case on the same delivery lines (splitting a claim does not get under the limit)."""

from decimal import Decimal

import pytest

from comptoir.core.errors import PermissionDenied
from comptoir.core.models import AuditEvent
from comptoir.core.permissions import Role
from comptoir.core.testing import make_user
from comptoir.returns import selectors
from comptoir.returns.services import (
    approve_case,
    open_case,
    refuse,
    reject_case,
    resolve_with_credit_note,
    submit_case,
)
from comptoir.returns.tests.factories import make_sale

pytestmark = pytest.mark.django_db


@pytest.fixture
def sale(boss, company, customer, product):
    """20 drills sold 90 € each (1,800 € HT) on one delivery line: two claims of 10 are 900 € each."""
    return make_sale(boss, customer, product, quantity="20", price="90")


def _submitted(by, sale, quantity="10", reason="damaged"):
    case = open_case(
        sale.delivery, [{"delivery_line": sale.delivery_line, "quantity": quantity}], by=by, reason=reason
    )
    return submit_case(case, by=by)


def _refused(code, call, *args, **kwargs):
    with pytest.raises(PermissionDenied) as exc:
        call(*args, **kwargs)
    assert exc.value.code == code, exc.value.message
    return exc.value


# --- Cumulated thresholds ---


def test_two_cases_on_the_same_delivery_line_are_judged_together(boss, people, sale):
    first = _submitted(people["commercial"], sale)
    assert approve_case(first, by=people["adv"]).status == "approved"  # 900 € alone: ADV decides

    second = _submitted(people["commercial"], sale)
    error = _refused("approval_threshold_cumulated", approve_case, second, by=people["adv"])
    assert error.message == (
        f"Le dossier {second.number} engage 900,00 € HT, mais avec les autres dossiers sur les mêmes lignes "
        f"de livraison ({first.number}), 1800,00 € HT sont en jeu, au-delà du seuil de 1000,00 € : seule la "
        "direction peut le décider."
    )
    second.refresh_from_db()
    assert second.status == "submitted"
    assert approve_case(second, by=boss).status == "approved"
    event = AuditEvent.objects.filter(action="return.approved").last()
    assert (event.data["amount_at_stake"], event.data["cumulated_at_stake"]) == ("900.00", "1800.00")


def test_a_pending_case_on_the_same_line_counts_too(boss, people, sale):
    first = _submitted(people["commercial"], sale)
    _submitted(people["commercial"], sale)
    _refused("approval_threshold_cumulated", approve_case, first, by=people["adv"])
    _refused("approval_threshold_cumulated", reject_case, first, by=people["adv"], reason="non")


def test_a_rejected_case_no_longer_counts(boss, people, sale):
    first = _submitted(people["commercial"], sale)
    reject_case(first, by=people["adv"], reason="Hors garantie")
    second = _submitted(people["commercial"], sale)
    assert approve_case(second, by=people["adv"]).status == "approved"


def test_cases_on_other_delivery_lines_do_not_add_up(boss, people, customer, company, product):
    first = _submitted(people["commercial"], make_sale(boss, customer, product, quantity="10", price="90"))
    approve_case(first, by=people["adv"])
    second = _submitted(people["commercial"], make_sale(boss, customer, product, quantity="10", price="90"))
    assert approve_case(second, by=people["adv"]).status == "approved"


def test_the_approve_button_follows_the_cumulated_amount(boss, people, sale):
    approve_case(_submitted(people["commercial"], sale), by=people["adv"])
    second = _submitted(people["commercial"], sale)
    assert "approve" not in selectors.available_actions(second, people["adv"])
    assert "approve" in selectors.available_actions(second, boss)
    assert selectors.cumulated_at_stake(second).total == Decimal("1800.00")


# --- Four eyes ---


def test_the_person_who_opened_a_case_cannot_approve_it(people, sale):
    case = _submitted(people["adv"], sale, quantity="1")
    error = _refused("approval_same_person", approve_case, case, by=people["adv"])
    assert error.message == (
        f"Vous avez ouvert le dossier {case.number} : une autre personne habilitée doit l'approuver."
    )
    assert "approve" not in selectors.available_actions(case, people["adv"])
    assert not AuditEvent.objects.filter(action="return.approved").exists()
    colleague = make_user("lea", Role.ADV)
    assert approve_case(case, by=colleague).decided_by == colleague


def test_direction_cannot_approve_its_own_large_case_either(boss, people, sale):
    case = _submitted(boss, sale, quantity="20")  # 1,800 € HT
    _refused("approval_same_person", approve_case, case, by=boss)
    _refused("return_approval_above_threshold", approve_case, case, by=people["adv"])
    assert approve_case(case, by=make_user("dg2", Role.DIRECTION)).status == "approved"


def test_the_person_who_opened_a_case_may_still_reject_it(people, sale):
    case = _submitted(people["adv"], sale, quantity="1")
    assert reject_case(case, by=people["adv"], reason="Déclaré par erreur").status == "rejected"


def test_a_refused_case_counts_only_for_what_it_settled(boss, people, sale):
    first = _submitted(people["commercial"], sale, reason="short_shipment")  # 10 drills, 900 € HT
    approve_case(first, by=people["adv"])
    resolve_with_credit_note(first, [{"line": first.lines.get(), "quantity": "2"}], by=boss)  # 180 € settled
    refuse(first, by=boss, reason="Le reste a été retrouvé chez le client")

    # 9 drills (810 €) + the 180 € the refused case settled stay within 1,000 €: ADV decides.
    second = _submitted(people["commercial"], sale, quantity="9", reason="short_shipment")
    assert selectors.cumulated_at_stake(second).total == Decimal("990.00")
    assert approve_case(second, by=people["adv"]).status == "approved"
    # The next drill goes over: 90 + 810 + 180 €.
    third = _submitted(people["commercial"], sale, quantity="1", reason="short_shipment")
    _refused("approval_threshold_cumulated", approve_case, third, by=people["adv"])

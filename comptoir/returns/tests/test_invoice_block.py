import pytest

from comptoir.billing import services as billing
from comptoir.core.errors import DomainError, PermissionDenied
from comptoir.core.models import AuditEvent
from comptoir.core.testing import colleague_of
from comptoir.returns.services import (
    approve_case,
    assert_delivery_invoiceable,
    close_case,
    lift_block,
    open_case,
    refuse,
    reject_case,
    resolve_with_replacement,
    submit_case,
    update_policy,
)
from comptoir.returns.tests.factories import make_sale

pytestmark = pytest.mark.django_db


@pytest.fixture
def uninvoiced(boss, customer, product, company):
    return make_sale(boss, customer, product, invoiced=False)


def _open(by, sale, reason="damaged", quantity="2"):
    return open_case(
        sale.delivery, [{"delivery_line": sale.delivery_line, "quantity": quantity}], by=by, reason=reason
    )


def _blocked(sale) -> bool:
    sale.delivery.refresh_from_db()
    return sale.delivery.invoicing_blocked


def test_an_open_discrepancy_blocks_the_invoicing_of_its_delivery(boss, uninvoiced):
    case = _open(boss, uninvoiced)
    assert _blocked(uninvoiced)
    assert case.number in uninvoiced.delivery.blocked_reason
    with pytest.raises(DomainError) as exc:
        assert_delivery_invoiceable(uninvoiced.delivery)
    assert exc.value.code == "delivery_invoicing_blocked"
    assert "Résolvez le dossier" in exc.value.message


@pytest.mark.parametrize("reason", ["surplus", "late_delivery"])
def test_reasons_that_do_not_question_the_delivery_do_not_block_it(boss, uninvoiced, reason):
    _open(boss, uninvoiced, reason=reason)
    assert not _blocked(uninvoiced)
    assert_delivery_invoiceable(uninvoiced.delivery)


def test_which_reasons_block_is_configurable(boss, uninvoiced):
    _open(boss, uninvoiced, reason="late_delivery")
    update_policy(by=boss, blocking_reasons=["late_delivery"])
    assert _blocked(uninvoiced)
    update_policy(by=boss, block_invoicing=False)
    assert not _blocked(uninvoiced)


def test_rejecting_the_case_lifts_the_block(boss, uninvoiced):
    case = submit_case(_open(boss, uninvoiced), by=boss)
    reject_case(case, by=boss, reason="non fondé")
    assert not _blocked(uninvoiced)


def test_resolving_the_case_lifts_the_block(boss, uninvoiced):
    case = approve_case(
        submit_case(_open(boss, uninvoiced, reason="short_shipment"), by=boss), by=colleague_of(boss)
    )
    resolve_with_replacement(case, by=boss)
    assert not _blocked(uninvoiced)
    close_case(case, by=boss)
    assert not _blocked(uninvoiced)


def test_the_block_stays_while_another_case_on_the_delivery_is_open(boss, uninvoiced):
    first = approve_case(submit_case(_open(boss, uninvoiced, quantity="1"), by=boss), by=colleague_of(boss))
    second = _open(boss, uninvoiced, reason="quality", quantity="1")
    refuse(first, by=boss, reason="pas de défaut")
    assert _blocked(uninvoiced)
    assert (
        second.number in uninvoiced.delivery.blocked_reason
        and first.number not in uninvoiced.delivery.blocked_reason
    )


def test_accounting_may_lift_the_block_with_a_reason_which_is_audited(people, uninvoiced, boss):
    case = _open(boss, uninvoiced)
    with pytest.raises(PermissionDenied):
        lift_block(case, by=people["adv"], reason="pressé")
    with pytest.raises(DomainError) as exc:
        lift_block(case, by=people["comptabilite"], reason=" ")
    assert exc.value.code == "return_reason_required"
    case = lift_block(case, by=people["comptabilite"], reason="Facturer puis avoir sur les 2 unités")
    assert not _blocked(uninvoiced)
    assert (case.block_lifted_by, case.block_lift_reason) == (
        people["comptabilite"],
        "Facturer puis avoir sur les 2 unités",
    )
    event = AuditEvent.objects.get(action="return.block_lifted")
    assert (
        event.actor == people["comptabilite"]
        and event.data["reason"] == "Facturer puis avoir sur les 2 unités"
    )
    with pytest.raises(DomainError) as exc:
        lift_block(case, by=people["comptabilite"], reason="encore")
    assert exc.value.code == "return_not_blocking"


def test_a_replacement_delivery_stays_out_of_invoicing_for_good(boss, sale):
    case = approve_case(
        submit_case(_open(boss, sale, reason="short_shipment"), by=boss), by=colleague_of(boss)
    )
    replacement = resolve_with_replacement(case, by=boss).replacement
    close_case(case, by=boss)
    with pytest.raises(DomainError):
        assert_delivery_invoiceable(replacement)


def test_billing_does_not_offer_a_blocked_delivery_for_invoicing(boss, uninvoiced, people):
    case = _open(boss, uninvoiced)
    with pytest.raises(DomainError) as exc:
        billing.create_invoice_from_order(uninvoiced.order, by=boss)
    assert exc.value.code == "nothing_to_invoice"
    lift_block(case, by=people["comptabilite"], reason="facturer quand même")
    assert billing.create_invoice_from_order(uninvoiced.order, by=boss).lines.count() == 1


def test_billing_never_invoices_a_replacement_delivery(boss, sale):
    case = approve_case(
        submit_case(_open(boss, sale, reason="short_shipment"), by=boss), by=colleague_of(boss)
    )
    resolve_with_replacement(case, by=boss)
    with pytest.raises(DomainError) as exc:
        billing.create_invoice_from_order(sale.order, by=boss)
    assert exc.value.code == "nothing_to_invoice"

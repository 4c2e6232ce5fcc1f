import datetime
from decimal import Decimal

import pytest

from comptoir.core.errors import DomainError, PermissionDenied
from comptoir.core.models import AuditEvent
from comptoir.returns.models import ReturnPolicy
from comptoir.returns.services import open_case, update_policy

pytestmark = pytest.mark.django_db


def test_every_rule_is_on_by_default():
    policy = ReturnPolicy.current()
    assert policy.approval_threshold == Decimal("1000.00")
    assert (policy.answer_within_hours, policy.close_within_days) == (48, 10)
    assert policy.block_invoicing and policy.require_validation and policy.require_receipt_before_credit
    assert policy.blocks_invoicing("short_shipment") and not policy.blocks_invoicing("surplus")
    assert policy.expects_goods_back("damaged") and not policy.expects_goods_back("short_shipment")
    assert not ReturnPolicy.objects.exists()  # reading the defaults writes nothing


def test_direction_configures_the_rules_and_the_change_is_audited(boss):
    update_policy(by=boss, approval_threshold="2500", answer_within_hours=24)
    policy = ReturnPolicy.current()
    assert (policy.approval_threshold, policy.answer_within_hours) == (Decimal("2500.00"), 24)
    event = AuditEvent.objects.get(action="return.policy_updated")
    assert (
        event.data["before"]["answer_within_hours"] == 48 and event.data["after"]["answer_within_hours"] == 24
    )


def test_new_sla_delays_apply_to_cases_opened_afterwards(boss, sale):
    update_policy(by=boss, answer_within_hours=8, close_within_days=3)
    case = open_case(
        sale.delivery, [{"delivery_line": sale.delivery_line, "quantity": "1"}], by=boss, reason="damaged"
    )
    assert case.answer_due_at - case.opened_at == datetime.timedelta(hours=8)
    assert case.close_due_at - case.opened_at == datetime.timedelta(days=3)


@pytest.mark.parametrize(
    "changes",
    [
        {"approval_threshold": "-1"},
        {"answer_within_hours": 0},
        {"blocking_reasons": ["whim"]},
        {"require_validation": "yes"},
        {"colour": "blue"},
    ],
)
def test_invalid_rules_are_refused(boss, changes):
    with pytest.raises(DomainError) as exc:
        update_policy(by=boss, **changes)
    assert exc.value.code == "return_invalid_policy"


def test_only_direction_configures_the_rules(people):
    with pytest.raises(PermissionDenied):
        update_policy(by=people["adv"], approval_threshold="5000")

"""Four-eyes: what one person asked for, another approves.

Three actions need a second person:
- approving a return case, always: whoever opened the case never approves it (`returns.rules`);
- issuing a commercial gesture (a credit note without a return case) above the gesture threshold,
  cumulated over the gestures on the same invoice (`billing.approving`);
- paying out a refund above the refund threshold, cumulated over the refunds of the same credit note
  (`payments.refunding`);
- posting a manual entry (OD) whose debit total exceeds the manual-entry threshold (`accounting.manual`).
Below the thresholds one person acts alone: the small gestures and refunds must not wait for a
colleague, nor reach the boss. Cumulating means splitting one amount into several documents does not get
under a threshold.

Each area keeps its verbs, its French messages and its audit events (the code `approval_same_person` is
shared); this module holds what they have in common: the thresholds (one row, set in the settings beside
the return rules) and the rule that the approver is never the requester.
"""

from decimal import Decimal

from django.db import transaction

from comptoir.core.errors import PermissionDenied
from comptoir.core.models import ApprovalPolicy

SAME_PERSON = "approval_same_person"
THRESHOLD_FIELDS = ("gesture_threshold", "refund_threshold", "manual_entry_threshold", "write_off_threshold")


def thresholds() -> ApprovalPolicy:
    return ApprovalPolicy.current()


def is_same_person(requester_id, by) -> bool:
    """Whether `by` is the person who asked (an unknown requester is nobody)."""
    return requester_id is not None and getattr(by, "pk", None) == requester_id


def require_other_person(requester_id, by, error: tuple[str, str], **params) -> None:
    """Refuse `by` approving what they asked for themselves; `error` is the area's (code, message)."""
    if is_same_person(requester_id, by):
        code, message = error
        raise PermissionDenied(code, message, **params)


@transaction.atomic
def set_thresholds(**changes: Decimal) -> tuple[dict, dict]:
    """Store new thresholds (already parsed, not negative); returns (before, after) for the caller's audit
    event. The caller checks the permission: the settings service that owns the form."""
    unknown = set(changes) - set(THRESHOLD_FIELDS)
    if unknown:
        raise ValueError(f"unknown approval thresholds {sorted(unknown)}")
    ApprovalPolicy.objects.bulk_create([ApprovalPolicy(pk=1)], ignore_conflicts=True)
    policy = ApprovalPolicy.objects.select_for_update().get(pk=1)
    before = {name: getattr(policy, name) for name in changes}
    for name, value in changes.items():
        setattr(policy, name, value)
    policy.save()
    return before, {name: getattr(policy, name) for name in changes}

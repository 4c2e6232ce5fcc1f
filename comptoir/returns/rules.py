"""What may be done to a return case, in which state and by whom: the one table the services enforce and
the pages draw their buttons from (`selectors.available_actions`).

Each action lists the permissions it needs and the checks the case must pass, in the order the service
runs them (so a refusal keeps its code). A button is shown exactly when the service behind it would get
past these checks; what is then asked of it (lines, quantities, amounts) is still the service's to check.
"""

from collections.abc import Callable
from dataclasses import dataclass

from comptoir.core import approvals, money, permissions, workflow
from comptoir.core.errors import Conflict, DomainError, PermissionDenied
from comptoir.returns import errors
from comptoir.returns.exposure import cumulated_at_stake
from comptoir.returns.models import Reason, Resolution, ReturnCase, ReturnPolicy

Status = ReturnCase.Status
Kind = Resolution.Kind

# Reasons where nothing is missing nor faulty: there is nothing to send again.
NO_REPLACEMENT_REASONS = (Reason.SURPLUS, Reason.WRONG_PRICE, Reason.LATE_DELIVERY)


def _fail(error, kind=DomainError, **params):
    code, message = error
    raise kind(code, message, **params)


def _euros(value) -> str:
    return f"{money.amount(value):.2f} €".replace(".", ",")


def is_refused(case: ReturnCase) -> bool:
    """Whether a refusal closed the claim (read from prefetched resolutions when the page loaded them)."""
    cached = getattr(case, "_prefetched_objects_cache", {}).get("resolutions")
    if cached is not None:
        return any(resolution.kind == Kind.REFUSAL for resolution in cached)
    return case.resolutions.filter(kind=Kind.REFUSAL).exists()


def decided_statuses(policy: ReturnPolicy) -> set[str]:
    """No return without internal validation: goods are received and claims resolved only on an approved
    case (or a submitted one when the policy switches the rule off)."""
    decided = {Status.APPROVED, Status.GOODS_RECEIVED, Status.RESOLVED}
    if not policy.require_validation:
        decided.add(Status.SUBMITTED)
    return decided


# --- Checks on the case (each raises the refusal the service answers with) ----------------------------


def _moves_to(target: str) -> Callable[[ReturnCase, ReturnPolicy], None]:
    def check(case: ReturnCase, policy: ReturnPolicy) -> None:
        workflow.require(ReturnCase.TRANSITIONS, case.status, target, document=case.number, labels=Status)

    return check


def require_not_closed(case: ReturnCase, policy: ReturnPolicy | None = None) -> None:
    if case.status == Status.CLOSED:
        _fail(errors.CASE_CLOSED, Conflict, number=case.number)


def _decided(case: ReturnCase, policy: ReturnPolicy) -> None:
    require_not_closed(case)
    if case.status not in decided_statuses(policy):
        _fail(errors.NOT_APPROVED, Conflict, number=case.number)


def _not_refused(case: ReturnCase, policy: ReturnPolicy) -> None:
    """A refusal closes the claim: what the case had not settled is freed for other cases
    (`selectors.claimed_quantities`), so nothing more may be received, credited, replaced or refused on it —
    those units could already be claimed again, and delivered − claimed would go negative."""
    if is_refused(case):
        _fail(errors.CASE_REFUSED, Conflict, number=case.number)


def _goods_expected(case: ReturnCase, policy: ReturnPolicy) -> None:
    if not policy.expects_goods_back(case.reason):
        _fail(errors.GOODS_NOT_EXPECTED, Conflict, reason=case.get_reason_display(), number=case.number)


def _replaceable(case: ReturnCase, policy: ReturnPolicy) -> None:
    if case.reason in NO_REPLACEMENT_REASONS:
        _fail(errors.REPLACEMENT_NOT_APPLICABLE, Conflict, reason=case.get_reason_display())


def _blocking(case: ReturnCase, policy: ReturnPolicy) -> None:
    if not (case.is_open and policy.blocks_invoicing(case.reason) and case.block_lifted_at is None):
        _fail(errors.NOT_BLOCKING, Conflict, number=case.number, delivery=case.delivery.number)


def _within_authority(case: ReturnCase, user, policy: ReturnPolicy) -> None:
    """Above the policy's threshold only `return.approve_large` (direction) may decide. The threshold applies
    to the case together with the other live cases on the same delivery lines (`exposure`)."""
    if permissions.has_perm(user, "return.approve_large"):
        return
    if case.amount_at_stake > policy.approval_threshold:
        _fail(
            errors.APPROVAL_ABOVE_THRESHOLD,
            PermissionDenied,
            number=case.number,
            amount=_euros(case.amount_at_stake),
            threshold=_euros(policy.approval_threshold),
        )
    exposure = cumulated_at_stake(case)
    if exposure.total > policy.approval_threshold:
        _fail(
            errors.APPROVAL_THRESHOLD_CUMULATED,
            PermissionDenied,
            number=case.number,
            amount=_euros(case.amount_at_stake),
            others=", ".join(exposure.others),
            total=_euros(exposure.total),
            threshold=_euros(policy.approval_threshold),
        )


def _not_the_requester(case: ReturnCase, user) -> None:
    """Four eyes: whoever opened the case never approves it (a rejection grants nothing: they may)."""
    approvals.require_other_person(case.created_by_id, user, errors.APPROVAL_SAME_PERSON, number=case.number)


# --- The table ----------------------------------------------------------------------------------------


def _no_more_perms(case: ReturnCase) -> tuple[str, ...]:
    return ()


def _surplus_leaves_stock(case: ReturnCase) -> tuple[str, ...]:
    """Re-invoicing a surplus the customer keeps takes the goods out of stock (stock.record_kept_surplus)."""
    return ("delivery.manage",) if case.reason == Reason.SURPLUS else ()


@dataclass(frozen=True)
class Rule:
    perms: tuple[str, ...]
    checks: tuple[Callable[[ReturnCase, ReturnPolicy], None], ...]
    # Approving or rejecting: the amount at stake decides who may.
    decision: bool = False
    # Approving: never by the person who opened the case.
    four_eyes: bool = False
    # Permissions only some cases need, for what the action then does to them.
    case_perms: Callable[[ReturnCase], tuple[str, ...]] = _no_more_perms


RULES: dict[str, Rule] = {
    "submit": Rule(("return.manage",), (_moves_to(Status.SUBMITTED),)),
    "approve": Rule(
        ("return.approve",), (require_not_closed, _moves_to(Status.APPROVED)), decision=True, four_eyes=True
    ),
    "reject": Rule(("return.approve",), (require_not_closed, _moves_to(Status.REJECTED)), decision=True),
    # Receiving moves an approved case to « goods received »; on a later state it adds a receipt.
    "receive": Rule(("return.receive",), (_decided, _not_refused, _goods_expected)),
    # One rule per resolution kind (Resolution.Kind); resolving moves the case to « resolved ». The
    # permissions include those of the services each resolution calls: a credit note is drafted, issued
    # and deducted from the invoice when it is still unpaid (billing, payments); a replacement ships.
    Kind.CREDIT_NOTE: Rule(
        ("return.resolve", "credit_note.manage", "invoice.issue", "payment.register"),
        (_decided, _not_refused),
    ),
    Kind.REPLACEMENT: Rule(("return.resolve", "delivery.validate"), (_decided, _not_refused, _replaceable)),
    # A re-invoice bills the customer (a surplus kept, a price too low): a refusal does not prevent it.
    Kind.REINVOICE: Rule(("return.resolve", "invoice.manage"), (_decided,), case_perms=_surplus_leaves_stock),
    Kind.REFUSAL: Rule(("return.resolve",), (_decided, _not_refused)),
    "close": Rule(("return.resolve",), (_moves_to(Status.CLOSED),)),
    "lift_block": Rule(("invoice.unblock",), (_blocking,)),
}

RESOLUTION_KINDS = (Kind.CREDIT_NOTE, Kind.REPLACEMENT, Kind.REINVOICE, Kind.REFUSAL)

# The buttons of a case, in the order pages show them; "resolve" stands for any resolution kind.
BUTTONS = ("submit", "approve", "reject", "receive", "resolve", "close", "lift_block")


def require(case: ReturnCase, action: str, *, by, policy: ReturnPolicy) -> None:
    """Refuse `action` on `case` unless `by` may take it now (permission, state, policy, four eyes,
    threshold)."""
    rule = RULES[action]
    for perm in (*rule.perms, *rule.case_perms(case)):
        permissions.require(by, perm)
    for check in rule.checks:
        check(case, policy)
    if rule.four_eyes:
        _not_the_requester(case, by)
    if rule.decision:
        _within_authority(case, by, policy)


def allows(case: ReturnCase, action: str, user, *, policy: ReturnPolicy) -> bool:
    try:
        require(case, action, by=user, policy=policy)
    except DomainError:
        return False
    return True

"""Pricing and discounts on quote and order lines, in one place: the hooks `services` calls.

- `price_lines`: a line without a typed price takes the price `pricing` resolves (customer price, the
  customer's list, the group's list, the catalogue) and its explanation; a typed price equal to the one
  resolved keeps that explanation (the line editor posts the prices back when a draft is edited), any
  other is "prix saisi".
- `category_of`: every discount carries its category (`pricing.DiscountCategory`); a discount given
  without one records "non catégorisé", like the rows older than the categories.
- Four eyes on discounts: a line discount above the threshold of the person who granted it (their
  roles' threshold, set by direction: `pricing.DiscountThreshold`) keeps the quote from being sent and
  the order from being confirmed (`require_covered`, 409 `discount_approval_required`) until another
  person whose own threshold covers it approves (`approve_discounts`, audited). Replacing the lines
  withdraws the approval; an order made from a quote keeps the quote's grant and approval.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_noop as N_

from comptoir.core import approvals, audit, money, permissions
from comptoir.core.errors import Conflict, PermissionDenied
from comptoir.core.errors import fail as _fail
from comptoir.pricing import approval as approval_rule
from comptoir.pricing import selectors as pricing
from comptoir.pricing.models import DiscountCategory
from comptoir.sales import errors
from comptoir.sales.models import Order, Quote

ZERO = Decimal("0")
TYPED = "prix saisi"


def price_lines(customer, items, on) -> list[tuple[Decimal, str]]:
    """(unit price, explanation) of each (product, quantity, typed price or None) of `items`."""
    resolved = pricing.prices_for(customer, [(product, qty) for product, qty, _typed in items], on)
    priced = []
    for (_product, _qty, typed), found in zip(items, resolved, strict=True):
        if typed is None:
            priced.append((found.price, found.explanation))
        else:
            typed = money.unit_price(typed)
            priced.append((typed, found.explanation if typed == found.price else TYPED))
    return priced


def category_of(value, discount: Decimal, position: int) -> str:
    value = (value or "").strip()
    if value and value not in DiscountCategory.values:
        _fail(
            errors.DISCOUNT_CATEGORY_UNKNOWN,
            position=position,
            value=value[:30],
            choices=", ".join(DiscountCategory.values),
        )
    if discount <= 0:
        return ""
    return value or DiscountCategory.UNCATEGORISED


# --- Four eyes ------------------------------------------------------------------------------------


def _percent(value) -> str:
    return gettext("illimité") if value is None else f"{money.fr(value)} %"


def _who_covers(percent: Decimal, thresholds) -> str:
    labels = [
        str(permissions.ROLE_LABELS[role])
        for role in permissions.ALL_ROLES
        if role in thresholds and approval_rule.covers(thresholds[role], percent)
    ]
    return ", ".join(labels) or "—"


@dataclass(frozen=True)
class DiscountState:
    """Where a quote or order stands with the four-eyes rule on discounts."""

    max_percent: Decimal
    granted_by: object
    threshold: Decimal | None
    approved_by: object
    approved_percent: Decimal | None
    who_may_approve: str

    @property
    def required(self) -> bool:
        return self.granted_by is not None and not approval_rule.covers(self.threshold, self.max_percent)

    @property
    def pending(self) -> bool:
        return self.required and not (
            self.approved_by is not None
            and self.approved_percent is not None
            and self.max_percent <= self.approved_percent
        )


def discount_state(document, *, max_percent=None, thresholds=None) -> DiscountState:
    thresholds = pricing.discount_thresholds() if thresholds is None else thresholds
    if max_percent is None:
        max_percent = document.lines.aggregate(top=Max("discount_percent"))["top"] or ZERO
    granted_by = document.discount_granted_by if document.discount_granted_by_id else None
    return DiscountState(
        max_percent=max_percent,
        granted_by=granted_by,
        threshold=pricing.discount_threshold_of(granted_by, thresholds) if granted_by else None,
        approved_by=document.discount_approved_by if document.discount_approved_by_id else None,
        approved_percent=document.discount_approved_percent,
        who_may_approve=_who_covers(max_percent, thresholds),
    )


def granted(document, *, by) -> None:
    """The lines' discounts were (re)set by `by`: they are theirs now, any earlier approval withdrawn.
    The caller saves the document."""
    document.discount_granted_by = by if getattr(by, "pk", None) else None
    document.discount_approved_by = None
    document.discount_approved_at = None
    document.discount_approved_percent = None


GRANT_FIELDS = [
    "discount_granted_by",
    "discount_approved_by",
    "discount_approved_at",
    "discount_approved_percent",
]


def carry(quote: Quote) -> dict:
    """The grant and approval an order made from `quote` keeps."""
    return {field: getattr(quote, field) for field in GRANT_FIELDS}


ACTIONS = {"send": N_("l'envoi"), "confirm": N_("la confirmation")}


def require_covered(document, *, action: str) -> None:
    """Refuse to send (`action` "send") or confirm ("confirm") while a discount waits for approval.
    Most documents have no discount: one query says so, and nothing else is read."""
    top = document.lines.aggregate(top=Max("discount_percent"))["top"] or ZERO
    if top <= 0 or document.discount_granted_by_id is None:
        return
    state = discount_state(document, max_percent=top)
    if not state.pending:
        return
    code, message = errors.DISCOUNT_APPROVAL_REQUIRED
    raise Conflict(
        code,
        message,
        percent=_percent(state.max_percent),
        document=document.number,
        person=state.granted_by.get_username(),
        threshold=_percent(state.threshold),
        who=state.who_may_approve,
        action=gettext(ACTIONS[action]),
    )


def require_amendment_covered(order: Order, percent: Decimal, *, by) -> None:
    """An amendment that raises an order's discount to `percent` is no way round the four eyes: beyond
    what was approved on the order, `percent` must be within the amender's own threshold."""
    if order.discount_approved_percent is not None and percent <= order.discount_approved_percent:
        return
    thresholds = pricing.discount_thresholds()
    threshold = pricing.discount_threshold_of(by, thresholds)
    if approval_rule.covers(threshold, percent):
        return
    code, message = errors.AMENDMENT_DISCOUNT_BEYOND_THRESHOLD
    raise Conflict(
        code,
        message,
        percent=_percent(percent),
        document=order.number,
        threshold=_percent(threshold),
        who=_who_covers(percent, thresholds),
    )


@transaction.atomic
def approve_discounts(document, *, by, reason: str = ""):
    """Approve the discounts of a draft quote or order granted by someone else beyond their threshold."""
    permissions.require(by, "discount.approve")
    model = type(document)
    document = model.objects.select_for_update().get(pk=document.pk)
    if document.status != model.Status.DRAFT:
        _fail(errors.DISCOUNT_APPROVAL_NOT_DRAFT, document=document.number)
    thresholds = pricing.discount_thresholds()
    state = discount_state(document, thresholds=thresholds)
    if not state.pending:
        code, message = errors.DISCOUNT_APPROVAL_NOT_NEEDED
        raise Conflict(code, message, document=document.number)
    approvals.require_other_person(
        document.discount_granted_by_id, by, errors.DISCOUNT_APPROVAL_SAME_PERSON, document=document.number
    )
    own = pricing.discount_threshold_of(by, thresholds)
    if not approval_rule.covers(own, state.max_percent):
        code, message = errors.DISCOUNT_APPROVAL_BEYOND_THRESHOLD
        raise PermissionDenied(
            code,
            message,
            threshold=_percent(own),
            percent=_percent(state.max_percent),
            document=document.number,
            who=state.who_may_approve,
        )
    document.discount_approved_by = by
    document.discount_approved_at = timezone.now()
    document.discount_approved_percent = state.max_percent
    document.save(update_fields=["discount_approved_by", "discount_approved_at", "discount_approved_percent"])
    kind = "quote" if model is Quote else "order"
    audit.record(
        f"{kind}.discount_approved",
        by=by,
        obj=document,
        data={
            "max_percent": state.max_percent,
            "granted_by": state.granted_by.get_username(),
            "granter_threshold": state.threshold,
            "approver_threshold": own,
            "reason": (reason or "").strip()[:500],
        },
    )
    return document


def pending_approvals() -> list[tuple[object, DiscountState]]:
    """Draft quotes and orders whose discounts wait for someone's approval, oldest first."""
    thresholds = pricing.discount_thresholds()
    floor = min((value for value in thresholds.values() if value is not None), default=ZERO)
    found = []
    for model in (Quote, Order):
        drafts = (
            model.objects.filter(status=model.Status.DRAFT, discount_granted_by__isnull=False)
            .annotate(top=Max("lines__discount_percent"))
            .filter(top__gt=floor)
            .select_related("customer", "discount_granted_by", "discount_approved_by")
            .order_by("date", "id")
        )
        for document in drafts:
            state = discount_state(document, max_percent=document.top, thresholds=thresholds)
            if state.pending:
                found.append((document, state))
    return found

"""The intake policy: what intake may do without a person. One switch for now, off by default: accept on
its own a structured order (Order-X, UBL, EDIFACT ORDERS: every value stated by the sender's system, none
guessed) from a customer recognised by an identifier (SIRET, SIREN, VAT number, GLN — not by name nor by
sender address), when every intake check passes (no finding at all: customer active, every product
recognised, quantities present, prices and quantities as usual, stock available, PO number new).
Direction sets it (`intake.configure`); each change is audited with the values before and after, and each
use is an `intake.auto_accepted` event on the document."""

from django.db import transaction

from comptoir.core import audit, permissions
from comptoir.core.permissions import has_perm
from comptoir.intake import detection as d
from comptoir.intake.models import ExtractedLine, InboundDocument, IntakePolicy

STRUCTURED = (d.ORDER_X, d.UBL_ORDER, d.EDIFACT_ORDERS)
IDENTIFIED_BY = ("siret", "siren", "vat", "gln")


def may_auto_accept(document: InboundDocument, *, by) -> bool:
    if document.status != InboundDocument.Status.TO_REVIEW or document.checks:
        return False
    if document.format not in STRUCTURED or document.customer_match not in IDENTIFIED_BY:
        return False
    if document.customer is None or not document.customer.is_active:
        return False
    if not IntakePolicy.current().auto_accept:
        return False
    # The draft order is created under the receiver's name: the policy does not lend rights.
    if not has_perm(by, "order.manage"):
        return False
    lines = ExtractedLine.objects.filter(extracted__document=document)
    return (
        lines.exists()
        and not lines.filter(product__isnull=True).exists()
        and not lines.filter(quantity__isnull=True).exists()
    )


@transaction.atomic
def update_policy(*, by, auto_accept: bool) -> IntakePolicy:
    permissions.require(by, "intake.configure")
    IntakePolicy.objects.get_or_create(pk=1)
    policy = IntakePolicy.objects.select_for_update().get(pk=1)
    before = policy.auto_accept
    policy.auto_accept = bool(auto_accept)
    policy.updated_by = by if getattr(by, "pk", None) else None
    policy.save()
    audit.record(
        "intake.policy_updated",
        by=by,
        obj=policy,
        data={"auto_accept": {"before": before, "after": policy.auto_accept}},
    )
    return policy

"""Return cases from declaration to decision and closing: open (with attachments), submit, approve or
reject (four eyes), lift the invoicing block, close; the company's return policy; and the helpers every
verb of a case shares (the case locked before its state is read, reasons, business dates).

Goods received back are in `receiving`, the resolutions (credit note, replacement, re-invoice, refusal)
in `resolving`; `services` is the app's door to all of them.
"""

import datetime
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from comptoir.accounting import periods
from comptoir.billing.models import Invoice, InvoiceLine
from comptoir.catalog.models import Product
from comptoir.core import approvals, audit, dates, money, numbering, permissions, workflow
from comptoir.core.errors import Conflict, DomainError
from comptoir.parties.selectors import number_prefix
from comptoir.returns import errors, rules, sla
from comptoir.returns.exposure import cumulated_at_stake
from comptoir.returns.models import (
    Attachment,
    Reason,
    ReturnCase,
    ReturnLine,
    ReturnPolicy,
    ReturnReceiptLine,
)
from comptoir.returns.selectors import (
    claimed_quantities,
)
from comptoir.stock.models import Delivery, DeliveryLine

ZERO = Decimal("0")


Status = ReturnCase.Status
Disposition = ReturnReceiptLine.Disposition

# Scrapped goods: see `receive_goods` for why the loss is booked 658 / 603.
LOSS_ACCOUNT = "658"
STOCK_VARIATION_ACCOUNT = "603"

MAX_ATTACHMENT_MB = 15
MAX_ATTACHMENTS = 20
ATTACHMENT_EXTENSIONS = frozenset(
    {
        "jpg",
        "jpeg",
        "png",
        "webp",
        "heic",
        "heif",
        "gif",
        "pdf",
        "txt",
        "eml",
        "msg",
        "doc",
        "docx",
        "xls",
        "xlsx",
        "odt",
        "ods",
    }
)
NO_REPLACEMENT_REASONS = rules.NO_REPLACEMENT_REASONS


def _fail(error, *, kind=DomainError, **params):
    code, message = error
    raise kind(code, message, **params)


def _decimal(value) -> Decimal:
    try:
        return money.D(value)
    except (ValueError, TypeError, InvalidOperation):
        _fail(errors.INVALID_NUMBER, value=value)


def _quantity(value) -> Decimal:
    qty = money.quantity(_decimal(value))
    if qty <= 0:
        _fail(errors.QUANTITY_NOT_POSITIVE, value=value)
    return qty


def _fmt(qty: Decimal) -> str:
    return format(qty.normalize(), "f").replace(".", ",")


def _euros(value: Decimal) -> str:
    return f"{money.amount(value):.2f} €".replace(".", ",")


def _actor(by):
    return by if getattr(by, "pk", None) else None


def _pk(ref):
    return getattr(ref, "pk", ref)


def _require_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        _fail(errors.REASON_REQUIRED)
    return reason


def _case_date(date, case: ReturnCase) -> datetime.date:
    """The business date of an action on a case (today unless told): never before the case was opened,
    nor otherwise refused by the rules every dated document obeys (`accounting.periods`)."""
    return periods.check_business_date(
        date, follows=dates.follows(f"le dossier {case.number}", case.opened_at)
    )


def _moment(date: datetime.date) -> datetime.datetime:
    """When an action dated `date` is stamped: now, on that day at the present time of day when it is past
    (so that actions backdated one after another keep their order)."""
    now = timezone.now()
    if date == timezone.localdate(now):
        return now
    return timezone.make_aware(datetime.datetime.combine(date, timezone.localtime(now).time()))


def _lock_case(case: ReturnCase) -> ReturnCase:
    """Lock the case, then its delivery: every action may end by updating the delivery's invoicing block,
    and taking that lock first keeps one order (case → delivery → invoices → counters → audit head) with
    `open_case`, which locks the delivery before its number and audit event (no deadlock on PostgreSQL)."""
    # of=("self",): lock the case row only, not the delivery, order and customer joined with it.
    locked = (
        ReturnCase.objects.select_for_update(of=("self",))
        .select_related("delivery__order", "customer")
        .get(pk=case.pk)
    )
    list(Delivery.objects.select_for_update().filter(pk=locked.delivery_id).values_list("pk", flat=True))
    return locked


def _move(case: ReturnCase, target: str) -> None:
    workflow.require(ReturnCase.TRANSITIONS, case.status, target, document=case.number, labels=Status)
    case.status = target


def _require(case: ReturnCase, action: str, *, by, policy: ReturnPolicy) -> None:
    """The permission and state checks of `action`, from the table the case page draws its buttons from."""
    rules.require(case, action, by=by, policy=policy)


# --- What case lines have used so far -------------------------------------------------------------


def _sold_prices(delivery_lines) -> dict[int, tuple[Decimal, Decimal]]:
    """(unit price, discount) each delivery line was sold at: the last issued invoice line billing it, else
    the order line."""
    prices = {dl.pk: (dl.order_line.unit_price, dl.order_line.discount_percent) for dl in delivery_lines}
    invoiced = (
        InvoiceLine.objects.filter(
            delivery_line_id__in=prices,
            invoice__kind=Invoice.Kind.INVOICE,
            invoice__status=Invoice.Status.ISSUED,
        )
        .order_by("invoice__date", "invoice_id", "id")
        .values_list("delivery_line_id", "unit_price", "discount_percent")
    )
    for dl_id, price, discount in invoiced:
        prices[dl_id] = (price, discount)
    return prices


# --- Invoicing block ------------------------------------------------------------------------------


def _refresh_block(delivery_id: int, policy: ReturnPolicy) -> None:
    """Keep `Delivery.invoicing_blocked` in step with its open cases (and replacements stay blocked)."""
    delivery = Delivery.objects.only("kind", "invoicing_blocked", "blocked_reason").get(pk=delivery_id)
    if delivery.kind == Delivery.Kind.REPLACEMENT:
        return
    blocking = [
        number
        for number, reason in ReturnCase.objects.filter(
            delivery_id=delivery_id, status__in=ReturnCase.OPEN_STATUSES, block_lifted_at__isnull=True
        )
        .order_by("id")
        .values_list("number", "reason")
        if policy.blocks_invoicing(reason)
    ]
    blocked_reason = f"Litige en cours : {', '.join(blocking)}"[:200] if blocking else ""
    if (delivery.invoicing_blocked, delivery.blocked_reason) != (bool(blocking), blocked_reason):
        Delivery.objects.filter(pk=delivery_id).update(
            invoicing_blocked=bool(blocking), blocked_reason=blocked_reason
        )


def assert_delivery_invoiceable(delivery: Delivery) -> None:
    """Refuse to invoice a delivery kept out of invoicing by an open case (or a replacement delivery)."""
    blocked, reason, number = (
        Delivery.objects.filter(pk=delivery.pk)
        .values_list("invoicing_blocked", "blocked_reason", "number")
        .get()
    )
    if blocked:
        _fail(errors.INVOICING_BLOCKED, kind=Conflict, number=number, reason=reason)


@transaction.atomic
def lift_block(case: ReturnCase, *, by, reason: str) -> ReturnCase:
    """Let the delivery of an open case be invoiced anyway (e.g. invoice now, credit the difference later)."""
    permissions.require(by, "invoice.unblock")
    reason = _require_reason(reason)
    case = _lock_case(case)
    policy = ReturnPolicy.current()
    _require(case, "lift_block", by=by, policy=policy)
    case.block_lifted_at = timezone.now()
    case.block_lifted_by = _actor(by)
    case.block_lift_reason = reason
    case.save(update_fields=["block_lifted_at", "block_lifted_by", "block_lift_reason"])
    _refresh_block(case.delivery_id, policy)
    audit.record(
        "return.block_lifted", by=by, obj=case, data={"delivery": case.delivery.number, "reason": reason}
    )
    return case


# --- Declaring and deciding -----------------------------------------------------------------------


def _store_attachment(case: ReturnCase, upload, *, by) -> Attachment:
    name = getattr(upload, "name", None) or "piece-jointe"
    size = getattr(upload, "size", None)
    if size is not None and size > MAX_ATTACHMENT_MB * 1024 * 1024:
        _fail(errors.ATTACHMENT_TOO_LARGE, name=name, limit=MAX_ATTACHMENT_MB)
    # What customers send about a dispute: photos, PDFs, e-mails, office files. Anything else (HTML, SVG,
    # scripts, archives) is refused: it could run in a reader's browser or hide what it contains.
    if name.rsplit(".", 1)[-1].lower() not in ATTACHMENT_EXTENSIONS or "." not in name:
        _fail(errors.ATTACHMENT_TYPE, name=name[:100])
    if case.attachments.count() >= MAX_ATTACHMENTS:
        _fail(errors.TOO_MANY_ATTACHMENTS, limit=MAX_ATTACHMENTS)
    attachment = Attachment(case=case, name=name.rsplit("/", 1)[-1][:200], uploaded_by=_actor(by))
    attachment.file.save(attachment.name, upload, save=True)
    return attachment


def _delivery_line_for(data, delivery: Delivery, by_id: dict, by_product: dict) -> DeliveryLine:
    if data.get("delivery_line") is not None:
        dl = by_id.get(_pk(data["delivery_line"]))
        if dl is None:
            _fail(errors.LINE_NOT_ON_DELIVERY, number=delivery.number)
        return dl
    ref = data.get("product")
    if ref is None:
        _fail(errors.LINE_NOT_ON_DELIVERY, number=delivery.number)
    found = by_product.get(_pk(ref))
    if found is None:
        if isinstance(ref, Product):
            label = ref.sku
        else:
            label = (
                Product.objects.filter(pk=ref).values_list("sku", flat=True).first()
                if str(ref).isdigit()
                else None
            )
        _fail(errors.PRODUCT_NOT_DELIVERED, product=label or str(ref), number=delivery.number)
    return found


@transaction.atomic
def open_case(
    delivery: Delivery,
    lines,
    *,
    by,
    reason: str,
    customer_statement: str = "",
    customer=None,
    owner=None,
    attachments=(),
    date=None,
) -> ReturnCase:
    """Declare a discrepancy or a return on a shipped delivery note: one case, its lines, its SLA timers.

    `lines` are {"delivery_line": DeliveryLine or id} or {"product": Product or id}, with "quantity" and an
    optional "note". Per delivery line, what is declared cannot exceed what was delivered minus what other
    cases already claim (except a surplus, which is beyond the delivery note by nature). When `customer` is
    given (the customer portal, or a form opened from the customer), the delivery must be theirs. `date` is
    the day the customer reported it (default today): it numbers the case and starts its SLA timers.
    """
    permissions.require(by, "return.manage")
    if reason not in Reason.values:
        _fail(errors.INVALID_REASON, value=reason)
    # Locking the delivery serialises two declarations on it: they cannot both claim the same units.
    delivery = (
        Delivery.objects.select_for_update(of=("self",)).select_related("order__customer").get(pk=delivery.pk)
    )
    if delivery.status != Delivery.Status.VALIDATED:
        _fail(errors.DELIVERY_NOT_VALIDATED, number=delivery.number)
    date = periods.check_business_date(
        date, follows=dates.follows(f"le bon de livraison {delivery.number}", delivery.date)
    )
    if customer is not None and delivery.order.customer_id != _pk(customer):
        _fail(errors.OTHER_CUSTOMER, number=delivery.number, customer=getattr(customer, "name", customer))
    if not lines:
        _fail(errors.NO_LINES)
    delivery_lines = list(delivery.lines.select_related("product", "order_line").order_by("id"))
    by_id = {dl.pk: dl for dl in delivery_lines}
    by_product: dict[int, DeliveryLine] = {}
    for dl in delivery_lines:
        by_product.setdefault(dl.product_id, dl)
    wanted: list[tuple[DeliveryLine, Decimal, str]] = []
    for data in lines:
        dl = _delivery_line_for(data, delivery, by_id, by_product)
        if any(dl.pk == seen.pk for seen, _, _ in wanted):
            _fail(errors.DUPLICATE_LINE, sku=dl.product.sku)
        wanted.append((dl, _quantity(data.get("quantity")), str(data.get("note") or "")[:250]))
    if reason != Reason.SURPLUS:
        claimed = claimed_quantities([dl.pk for dl, _, _ in wanted])
        for dl, qty, _ in wanted:
            left = dl.quantity - claimed.get(dl.pk, ZERO)
            if qty > left:
                _fail(
                    errors.EXCEEDS_RETURNABLE,
                    sku=dl.product.sku,
                    qty=_fmt(qty),
                    left=_fmt(left),
                    number=delivery.number,
                )
    prices = _sold_prices([dl for dl, _, _ in wanted])
    policy = ReturnPolicy.current()
    now = _moment(date)
    answer_due, close_due = sla.deadlines(
        now, answer_within_hours=policy.answer_within_hours, close_within_days=policy.close_within_days
    )
    built = []
    for dl, qty, note in wanted:
        price, discount = prices[dl.pk]
        built.append(
            ReturnLine(
                delivery_line=dl,
                product_id=dl.product_id,
                quantity=qty,
                unit_price=price,
                discount_percent=discount,
                net_amount=money.line_net(qty, price, discount),
                note=note,
            )
        )
    case = ReturnCase.objects.create(
        number=numbering.next_number(number_prefix("return_series"), date.year),
        customer_id=delivery.order.customer_id,
        delivery=delivery,
        reason=reason,
        customer_statement=customer_statement.strip(),
        owner=owner or _actor(by),
        amount_at_stake=sum((line.net_amount for line in built), ZERO),
        opened_at=now,
        answer_due_at=answer_due,
        close_due_at=close_due,
        created_by=_actor(by),
    )
    for line in built:
        line.case = case
    ReturnLine.objects.bulk_create(built)
    stored = [_store_attachment(case, upload, by=by) for upload in attachments]
    _refresh_block(delivery.pk, policy)
    audit.record(
        "return.opened",
        by=by,
        obj=case,
        data={
            "delivery": delivery.number,
            "reason": reason,
            "statement": case.customer_statement,
            "lines": [[dl.product.sku, qty] for dl, qty, _ in wanted],
            "amount_at_stake": case.amount_at_stake,
            "attachments": [a.name for a in stored],
        },
    )
    return case


@transaction.atomic
def add_attachment(case: ReturnCase, upload, *, by) -> Attachment:
    permissions.require(by, "return.manage")
    case = _lock_case(case)
    rules.require_not_closed(case)
    attachment = _store_attachment(case, upload, by=by)
    audit.record("return.attachment_added", by=by, obj=case, data={"name": attachment.name})
    return attachment


@transaction.atomic
def submit_case(case: ReturnCase, *, by) -> ReturnCase:
    """Hand the case over for the internal decision."""
    permissions.require(by, "return.manage")
    case = _lock_case(case)
    _require(case, "submit", by=by, policy=ReturnPolicy.current())
    _move(case, Status.SUBMITTED)
    case.submitted_at = timezone.now()
    case.save(update_fields=["status", "submitted_at"])
    audit.record("return.submitted", by=by, obj=case, data={"amount_at_stake": case.amount_at_stake})
    return case


@transaction.atomic
def approve_case(case: ReturnCase, *, by, reason: str = "") -> ReturnCase:
    """Accept the claim, never by the person who opened it (four eyes). Above the policy's threshold only
    `return.approve_large` (direction) may decide, the case judged together with the other live cases on
    the same delivery lines (`exposure`)."""
    permissions.require(by, "return.approve")
    # The row lock makes a second, concurrent approval wait, then find the case already approved.
    case = _lock_case(case)
    policy = ReturnPolicy.current()
    _require(case, "approve", by=by, policy=policy)
    _move(case, Status.APPROVED)
    case.decided_at = timezone.now()
    case.decided_by = _actor(by)
    case.decision_reason = (reason or "").strip()
    case.save(update_fields=["status", "decided_at", "decided_by", "decision_reason"])
    audit.record(
        "return.approved",
        by=by,
        obj=case,
        data={
            "reason": case.decision_reason,
            "amount_at_stake": case.amount_at_stake,
            "cumulated_at_stake": cumulated_at_stake(case).total,
            "threshold": policy.approval_threshold,
            "opened_by": case.created_by.get_username() if case.created_by_id else "",
        },
    )
    return case


@transaction.atomic
def reject_case(case: ReturnCase, *, by, reason: str) -> ReturnCase:
    """Turn the claim down (with the reason the customer will be told); the delivery may be invoiced again."""
    permissions.require(by, "return.approve")
    reason = _require_reason(reason)
    case = _lock_case(case)
    policy = ReturnPolicy.current()
    _require(case, "reject", by=by, policy=policy)
    _move(case, Status.REJECTED)
    case.decided_at = timezone.now()
    case.decided_by = _actor(by)
    case.decision_reason = reason
    case.save(update_fields=["status", "decided_at", "decided_by", "decision_reason"])
    _refresh_block(case.delivery_id, policy)
    audit.record(
        "return.rejected",
        by=by,
        obj=case,
        data={
            "reason": reason,
            "amount_at_stake": case.amount_at_stake,
            "cumulated_at_stake": cumulated_at_stake(case).total,
        },
    )
    return case


@transaction.atomic
def close_case(case: ReturnCase, *, by, reason: str = "") -> ReturnCase:
    permissions.require(by, "return.resolve")
    case = _lock_case(case)
    _require(case, "close", by=by, policy=ReturnPolicy.current())
    _move(case, Status.CLOSED)
    case.closed_at = timezone.now()
    case.save(update_fields=["status", "closed_at"])
    _refresh_block(case.delivery_id, ReturnPolicy.current())
    pending_repairs = ReturnReceiptLine.objects.filter(
        receipt__case=case, disposition=Disposition.REPAIR
    ).aggregate(q=Sum("quantity"))["q"]
    audit.record(
        "return.closed",
        by=by,
        obj=case,
        data={"reason": (reason or "").strip(), "pending_repairs": pending_repairs or ZERO},
    )
    return case


# --- Policy ---------------------------------------------------------------------------------------

_POLICY_FIELDS = {
    "approval_threshold",
    "answer_within_hours",
    "close_within_days",
    "blocking_reasons",
    "goods_back_reasons",
    "block_invoicing",
    "require_validation",
    "require_receipt_before_credit",
}


# The company's four-eyes thresholds (`core.approvals`), set on the same settings page as the return rules.
_APPROVAL_FIELDS = {
    "gesture_approval_threshold": "gesture_threshold",
    "refund_approval_threshold": "refund_threshold",
}


@transaction.atomic
def update_policy(*, by, **changes) -> ReturnPolicy:
    """Change the return rules and the four-eyes thresholds of gestures and refunds (`core.approvals`).
    New SLA delays apply to cases opened from now on."""
    permissions.require(by, "return.configure")
    unknown = set(changes) - _POLICY_FIELDS - set(_APPROVAL_FIELDS)
    if unknown:
        _fail(errors.INVALID_POLICY, field=", ".join(sorted(unknown)))
    thresholds = {}
    for name in set(changes) & set(_APPROVAL_FIELDS):
        value = money.amount(_decimal(changes.pop(name)))
        if value < 0:
            _fail(errors.INVALID_POLICY, field=name)
        thresholds[_APPROVAL_FIELDS[name]] = value
    ReturnPolicy.objects.bulk_create([ReturnPolicy(pk=1)], ignore_conflicts=True)
    policy = ReturnPolicy.objects.select_for_update().get(pk=1)
    before = {name: getattr(policy, name) for name in changes}
    for name, value in changes.items():
        if name in ("blocking_reasons", "goods_back_reasons"):
            value = list(value)
            if not set(value) <= set(Reason.values):
                _fail(errors.INVALID_POLICY, field=name)
        elif name == "approval_threshold":
            value = money.amount(_decimal(value))
            if value < 0:
                _fail(errors.INVALID_POLICY, field=name)
        elif name in ("answer_within_hours", "close_within_days"):
            if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
                _fail(errors.INVALID_POLICY, field=name)
        elif not isinstance(value, bool):
            _fail(errors.INVALID_POLICY, field=name)
        setattr(policy, name, value)
    policy.save()
    # Which reasons block invoicing may have changed: bring the deliveries of open cases in line.
    open_deliveries = ReturnCase.objects.filter(status__in=ReturnCase.OPEN_STATUSES).values_list(
        "delivery_id", flat=True
    )
    for delivery_id in sorted(set(open_deliveries)):
        _refresh_block(delivery_id, policy)
    after = {name: getattr(policy, name) for name in changes}
    if thresholds:
        was, now = approvals.set_thresholds(**thresholds)
        fields = {stored: name for name, stored in _APPROVAL_FIELDS.items()}
        before |= {fields[stored]: value for stored, value in was.items()}
        after |= {fields[stored]: value for stored, value in now.items()}
    audit.record(
        "return.policy_updated",
        by=by,
        object_type="returns.returnpolicy",
        object_id=1,
        object_repr="Règles de retour",
        data={"before": before, "after": after},
    )
    return policy

"""Return cases: declare a discrepancy, decide, receive the goods back, resolve, close.

Each verb runs in one transaction, checks the caller's permission, locks the case row before reading
its state (two people clicking « Approuver » at once approve once), writes one audit event with the
reason, and calls stock, billing and payments explicitly for the documents a decision produces.

Quantities a case line may still use are derived, never stored:
- settled = credited + replaced (resolution lines of those kinds, and the lines of credit notes entered in
  billing that cite the case, `selectors.direct_credits`) ≤ the line's quantity, where "credited"
  counts the units a credit note took back — a price reduction takes none back;
- credited ≤ received back, for reasons where goods come back (policy rule, on by default);
- re-invoiced ≤ the line's quantity (a separate budget: it bills the customer, it does not settle a claim);
  for a surplus, re-invoiced (kept) + received back ≤ the line's quantity.
Amounts, like quantities, are derived: what credit notes gave on a line never exceeds its amount, and units
taken back after a price reduction are credited at the price left (`billing.crediting`).

The services that produce documents take the business date of the action (`date=`, default today, never
in the future): the case's number and opening time, the credit note's date, the replacement's delivery
note, the stock moves, and the time the resolution is stamped with.
"""

import datetime
from collections import defaultdict
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from comptoir.accounting import periods
from comptoir.accounting import services as ledger
from comptoir.billing import services as billing
from comptoir.billing.models import Invoice, InvoiceLine
from comptoir.catalog.models import Product
from comptoir.core import approvals, audit, dates, money, numbering, permissions, workflow
from comptoir.core.errors import Conflict, DomainError
from comptoir.core.taxes import document_totals
from comptoir.parties import selectors as parties_selectors
from comptoir.payments import selectors as payment_view
from comptoir.payments import services as payments
from comptoir.returns import errors, rules, sla
from comptoir.returns.allocation import allocate, spread_amount
from comptoir.returns.exposure import cumulated_at_stake
from comptoir.returns.models import (
    Attachment,
    Reason,
    Resolution,
    ResolutionLine,
    ReturnCase,
    ReturnLine,
    ReturnPolicy,
    ReturnReceipt,
    ReturnReceiptLine,
)
from comptoir.returns.selectors import (
    claimed_quantities,
    credit_rooms,
    credited_amounts,
    received_quantities,
    resolved_quantities,
)
from comptoir.stock import services as stock
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
        number=numbering.next_number("RET", date.year),
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


# --- Goods back -----------------------------------------------------------------------------------


@transaction.atomic
def receive_goods(case: ReturnCase, lines, *, by, date=None) -> ReturnReceipt:
    """Record the goods the customer sent back, inspected line by line, and what becomes of them.

    `lines` are {"line": ReturnLine or id, "quantity": …, "inspection": "…", "disposition": …}:
    - back_to_stock: on hand up at the cost the goods left at (stock.receive_returned_goods);
    - scrap: no stock change, the cost is booked as a loss (below);
    - repair: kept aside, nothing moves yet.
    A surplus (goods beyond the delivery note) never left the books: sent back, it is only put back on the
    shelf — no stock move, no cost recovered — and cannot be scrapped or repaired here.

    Booking scrapped goods. The ledger keeps stock the French periodic way (inventaire intermittent):
    purchases are charged to 607 when bought and stock (37) is only adjusted at closing through 603
    « variation des stocks ». Goods that come back and are destroyed never reach the closing count, so
    the result already bears their cost through 607/603; booking it again would count it twice. What
    the entry adds is visibility: it moves that cost from the stock variation to a loss account —
    debit 658 « charges diverses de gestion courante », credit 603 — result unchanged, entry balanced.
    658 rather than 671: since the ANC 2022-06 reform of the PCG (years from 2025) the exceptional
    result is kept for rare, unusual events, and a faulty product taken back is ordinary business.
    """
    permissions.require(by, "return.receive")
    case = _lock_case(case)
    date = _case_date(date, case)
    policy = ReturnPolicy.current()
    _require(case, "receive", by=by, policy=policy)
    if not lines:
        _fail(errors.NO_LINES)
    case_lines = {rl.pk: rl for rl in case.lines.select_related("product", "delivery_line")}
    received = defaultdict(lambda: ZERO, received_quantities(list(case_lines)))
    surplus = case.reason == Reason.SURPLUS
    # A surplus the customer keeps (re-invoiced) does not come back as well.
    kept = resolved_quantities(list(case_lines))[Resolution.Kind.REINVOICE] if surplus else {}
    wanted = []
    for data in lines:
        rl = case_lines.get(_pk(data.get("line")))
        if rl is None:
            _fail(errors.LINE_NOT_IN_CASE, number=case.number)
        qty = _quantity(data.get("quantity"))
        disposition = data.get("disposition")
        if disposition not in Disposition.values:
            _fail(errors.INVALID_DISPOSITION, value=disposition)
        if surplus and disposition != Disposition.BACK_TO_STOCK:
            _fail(errors.SURPLUS_BACK_TO_STOCK_ONLY, sku=rl.product.sku)
        left = rl.quantity - received[rl.pk] - kept.get(rl.pk, ZERO)
        if qty > left:
            _fail(errors.RECEIPT_EXCEEDS_CLAIM, sku=rl.product.sku, qty=_fmt(qty), left=_fmt(left))
        received[rl.pk] += qty
        wanted.append((rl, qty, disposition, str(data.get("inspection") or "").strip()))
    receipt = ReturnReceipt.objects.create(
        number=numbering.next_number("RR", date.year), case=case, date=date, received_by=_actor(by)
    )
    receipt_lines = [
        ReturnReceiptLine(
            receipt=receipt,
            return_line=rl,
            quantity=qty,
            inspection=inspection,
            disposition=disposition,
            unit_cost=rl.delivery_line.unit_cost or ZERO,
        )
        for rl, qty, disposition, inspection in wanted
    ]
    ReturnReceiptLine.objects.bulk_create(receipt_lines)
    back = [line for line in receipt_lines if line.disposition == Disposition.BACK_TO_STOCK]
    if back and not surplus:
        stock.receive_returned_goods(
            [
                {"delivery_line": line.return_line.delivery_line_id, "quantity": line.quantity}
                for line in back
            ],
            by=by,
            reference=receipt.number,
            date=date,
        )
    scrapped = sum(
        (
            money.cost_of(line.quantity, line.unit_cost)
            for line in receipt_lines
            if line.disposition == Disposition.SCRAP
        ),
        ZERO,
    )
    if scrapped > 0:
        label = f"Mise au rebut {receipt.number} (dossier {case.number})"
        receipt.loss_entry, _ = ledger.post_entry(
            "OD",
            date=date,
            label=label,
            document_number=receipt.number,
            lines=[
                ledger.Line(LOSS_ACCOUNT, debit=scrapped, label=label),
                ledger.Line(STOCK_VARIATION_ACCOUNT, credit=scrapped, label=label),
            ],
        )
        receipt.save(update_fields=["loss_entry"])
    if case.status in (Status.APPROVED, Status.SUBMITTED):
        _move(case, Status.GOODS_RECEIVED)
        case.save(update_fields=["status"])
    audit.record(
        "return.goods_received",
        by=by,
        obj=case,
        data={
            **({"entry": receipt.loss_entry.seal} if scrapped > 0 else {}),
            "receipt": receipt.number,
            "lines": [
                {
                    "sku": line.return_line.product.sku,
                    "quantity": line.quantity,
                    "disposition": line.disposition,
                    "inspection": line.inspection,
                }
                for line in receipt_lines
            ],
            "scrapped_cost": scrapped,
        },
    )
    return receipt


# --- Resolutions ----------------------------------------------------------------------------------


def _mark_resolved(case: ReturnCase, policy: ReturnPolicy, at: datetime.datetime | None = None) -> None:
    if case.status != Status.RESOLVED:
        _move(case, Status.RESOLVED)
        case.resolved_at = at or timezone.now()
        case.save(update_fields=["status", "resolved_at"])
    _refresh_block(case.delivery_id, policy)


def _case_lines(case: ReturnCase) -> dict[int, ReturnLine]:
    return {
        rl.pk: rl for rl in case.lines.select_related("product", "delivery_line__order_line").order_by("id")
    }


def _settlement_requests(
    case, case_lines, lines, *, cap, cap_error
) -> list[tuple[ReturnLine, Decimal, Decimal | None]]:
    """(case line, quantity, unit price or None) to settle. Without `lines`: everything `cap` still allows.

    `cap(rl)` is what the line may still take; asking more raises `cap_error`.
    """
    if lines is None:
        wanted = [(rl, cap(rl), None) for rl in case_lines.values()]
        wanted = [item for item in wanted if item[1] > 0]
        if not wanted:
            _fail(errors.NOTHING_LEFT, kind=Conflict, number=case.number)
        return wanted
    if not lines:
        _fail(errors.NO_LINES)
    asked: dict[int, Decimal] = defaultdict(lambda: ZERO)
    wanted = []
    for data in lines:
        rl = case_lines.get(_pk(data.get("line")))
        if rl is None:
            _fail(errors.LINE_NOT_IN_CASE, number=case.number)
        qty = _quantity(data.get("quantity"))
        price = None
        if data.get("unit_price") not in (None, ""):
            price = money.unit_price(_decimal(data["unit_price"]))
            if price <= 0:
                _fail(errors.PRICE_NOT_POSITIVE)
        left = cap(rl) - asked[rl.pk]
        if qty > left:
            cap_error(rl, max(left, ZERO))
        asked[rl.pk] += qty
        wanted.append((rl, qty, price))
    return wanted


@transaction.atomic
def resolve_with_credit_note(
    case: ReturnCase, lines=None, *, by, amount=None, reason: str = "", date=None
) -> list[Resolution]:
    """Credit the customer through a credit note (avoir) on each invoice that billed the case's lines.

    `lines` are {"line": ReturnLine or id, "quantity": …, "unit_price": … (optional)}. Without a unit price
    the units are taken back (returned, missing): credited at the price still left on the case line — the
    price they were sold at, less any price reduction already credited on them (`billing.crediting`). With
    a unit price, the credit is a price reduction of that much per unit on units the customer keeps: it
    uses the line's amount, not its quantity, so the same units may still be taken back later. Without
    lines, every open unit is taken back; with `amount` instead, that untaxed amount is credited as a price
    reduction spread over the open units in proportion to their value. Each credit note carries the case
    number, is issued at once, dated `date` (default today; AV series, posted as the mirror of the invoice)
    and, when the invoice is still unpaid, deducted from it; otherwise it stays available on the
    customer's account (refund or deduction from a later invoice).

    For reasons where goods come back, no unit is credited beyond what was received (policy rule); a price
    reduction by `amount` (damaged goods the customer keeps) needs no receipt, as nothing comes back. Per
    invoice line, billing refuses to credit more than was invoiced; the invoices are locked before what was
    credited on them is read, so two credits racing on the same line cannot both pass.
    """
    permissions.require(by, "return.resolve")
    if lines is not None and amount is not None:
        _fail(errors.LINES_OR_AMOUNT)
    case = _lock_case(case)
    date = _case_date(date, case)
    policy = ReturnPolicy.current()
    _require(case, Resolution.Kind.CREDIT_NOTE, by=by, policy=policy)
    case_lines = _case_lines(case)
    line_ids = list(case_lines)
    done = resolved_quantities(line_ids)
    taken_back = done[Resolution.Kind.CREDIT_NOTE]
    replaced = done[Resolution.Kind.REPLACEMENT]
    received = received_quantities(line_ids)
    rooms = credit_rooms(case_lines.values(), taken_back=taken_back, credited=credited_amounts(line_ids))
    # A price reduction (`amount`) is what the customer gets for keeping the goods: nothing comes back,
    # so there is nothing to receive first. Crediting the units themselves still waits for them.
    needs_receipt = (
        amount is None and policy.require_receipt_before_credit and policy.expects_goods_back(case.reason)
    )

    def open_quantity(rl):
        return rl.quantity - taken_back[rl.pk] - replaced[rl.pk]

    def cap(rl):
        left = open_quantity(rl)
        return min(left, received.get(rl.pk, ZERO) - taken_back[rl.pk]) if needs_receipt else left

    def cap_error(rl, left):
        if needs_receipt and left < open_quantity(rl):
            _fail(
                errors.RECEIPT_REQUIRED,
                kind=Conflict,
                sku=rl.product.sku,
                received=_fmt(received.get(rl.pk, ZERO)),
            )
        _fail(errors.SETTLEMENT_EXCEEDS_CASE, sku=rl.product.sku, left=_fmt(left))

    if needs_receipt and lines is None and all(cap(rl) <= 0 for rl in case_lines.values()):
        waiting = next((rl for rl in case_lines.values() if open_quantity(rl) > 0), None)
        if waiting is not None:
            cap_error(waiting, ZERO)
    wanted = _settlement_requests(case, case_lines, lines, cap=cap, cap_error=cap_error)
    if amount is not None:
        wanted = _priced_for_amount(case, wanted, _decimal(amount), rooms)
    credits = _priced_on_the_case(wanted, rooms)
    label = (reason or "").strip()
    notes = _credit_invoices(case, credits, by=by, reason=label, date=date)
    _mark_resolved(case, policy, _moment(date))
    audit.record(
        "return.resolved",
        by=by,
        obj=case,
        data={
            "kind": Resolution.Kind.CREDIT_NOTE,
            "reason": reason,
            "credit_notes": {r.credit_note.number: r.amount for r in notes},
            "price_reduction": [rl.product.sku for rl, _, _, reduction in credits if reduction],
        },
    )
    return notes


def _priced_for_amount(case, wanted, total: Decimal, rooms):
    """Give each open line the unit price that credits its share of `total` over its whole quantity (a
    price reduction: the units stay with the customer)."""
    total = money.amount(total)
    if total <= 0:
        _fail(errors.AMOUNT_NOT_POSITIVE)
    values = [rooms[rl.pk].worth(qty) for rl, qty, _ in wanted]
    worth = sum(values, ZERO)
    if total > worth:
        _fail(errors.AMOUNT_EXCEEDS_CASE, amount=_euros(total), number=case.number, left=_euros(worth))
    priced = []
    for (rl, qty, _), share, value in zip(wanted, spread_amount(total, values), values, strict=True):
        if share <= 0:
            continue
        net_factor = (Decimal("100") - rl.discount_percent) / Decimal("100")
        # Rounding the unit price up could exceed the invoiced price, which billing refuses, or the value
        # left on the line.
        price = min(money.unit_price(share / (qty * net_factor)), rl.unit_price)
        if money.line_net(qty, price, rl.discount_percent) > value:
            price = money.unit_price_within(value, qty, rl.discount_percent)
        priced.append((rl, qty, price))
    return priced


def _priced_on_the_case(wanted, rooms) -> list[tuple[ReturnLine, Decimal, Decimal, bool]]:
    """(case line, quantity, unit price, price reduction?) of each credit. Units taken back (no price asked)
    get the price left on the case line; a price reduction must fit the value left on its units."""
    credits = []
    for rl, qty, price in wanted:
        room = rooms[rl.pk]
        reduction = price is not None
        if not reduction:
            price = room.take_back_price(qty, rl.unit_price, rl.discount_percent)
        net = money.line_net(qty, price, rl.discount_percent)
        if price <= 0 or net > room.worth(qty):
            _fail(
                errors.CREDIT_EXCEEDS_LINE_VALUE,
                sku=rl.product.sku,
                qty=_fmt(qty),
                worth=_euros(room.worth(qty)),
            )
        rooms[rl.pk] = room.after(qty, net, takes_back=not reduction)
        credits.append((rl, qty, price, reduction))
    return credits


def _credit_invoices(case, credits, *, by, reason: str, date: datetime.date) -> list[Resolution]:
    delivery_line_ids = {rl.delivery_line_id for rl, _, _, _ in credits}
    invoice_ids = sorted(
        set(
            InvoiceLine.objects.filter(
                delivery_line_id__in=delivery_line_ids,
                invoice__kind=Invoice.Kind.INVOICE,
                invoice__status=Invoice.Status.ISSUED,
            ).values_list("invoice_id", flat=True)
        )
    )
    # Lock before reading what was credited: a concurrent credit note on these invoices waits.
    invoices = {
        inv.pk: inv for inv in Invoice.objects.select_for_update().filter(pk__in=invoice_ids).order_by("pk")
    }
    invoice_lines = list(
        InvoiceLine.objects.filter(invoice_id__in=invoices, delivery_line_id__in=delivery_line_ids)
        .select_related("product")
        .order_by("invoice__date", "invoice_id", "id")
    )
    rooms = billing.credit_room(invoice_lines)
    per_invoice: dict[int, list[tuple[ReturnLine, InvoiceLine, Decimal, Decimal, bool]]] = defaultdict(list)
    for rl, qty, price, reduction in credits:
        buckets = [
            (il, rooms[il.pk].quantity) for il in invoice_lines if il.delivery_line_id == rl.delivery_line_id
        ]
        taken, missing = allocate(qty, buckets)
        if missing > 0:
            _fail(
                errors.NOT_INVOICED,
                kind=Conflict,
                sku=rl.product.sku,
                delivery=case.delivery.number,
                invoiced=_fmt(sum((a for _, a in buckets), ZERO)),
            )
        for il, part in taken:
            room, unit = rooms[il.pk], price
            if not reduction:
                # The invoice line may have less left per unit than the case line, when a price reduction
                # was granted on it outside the case.
                unit = min(price, room.take_back_price(part, il.unit_price, il.discount_percent))
                if unit <= 0:
                    _fail(
                        errors.CREDIT_EXCEEDS_LINE_VALUE,
                        sku=rl.product.sku,
                        qty=_fmt(part),
                        worth=_euros(ZERO),
                    )
            rooms[il.pk] = room.after(
                part, money.line_net(part, unit, il.discount_percent), takes_back=not reduction
            )
            per_invoice[il.invoice_id].append((rl, il, part, unit, reduction))
    label = reason or f"{case.get_reason_display()} — dossier {case.number}"
    at = _moment(date)
    resolutions = []
    for invoice_id, items in sorted(per_invoice.items()):
        invoice = invoices[invoice_id]
        note = billing.create_credit_note(
            invoice,
            [
                {"invoice_line": il, "quantity": part, "unit_price": unit, "price_reduction": reduction}
                for _, il, part, unit, reduction in items
            ],
            by=by,
            reason=label,
            source_reference=case.number,
        )
        note = billing.issue_invoice(note, by=by, date=date)
        if payment_view.invoice_payment_state(invoice).balance_due > 0:
            payments.apply_credit_note(note, invoice, by=by, date=date)
        resolution = Resolution.objects.create(
            case=case,
            kind=Resolution.Kind.CREDIT_NOTE,
            credit_note=note,
            amount=note.total_untaxed,
            reason=label,
            at=at,
            by=_actor(by),
        )
        note_lines = list(note.lines.order_by("position", "id"))
        ResolutionLine.objects.bulk_create(
            [
                ResolutionLine(
                    resolution=resolution,
                    return_line=rl,
                    quantity=part,
                    amount=nl.net_amount,
                    invoice_line=nl,
                )
                for (rl, _, part, _, _), nl in zip(items, note_lines, strict=True)
            ]
        )
        resolutions.append(resolution)
    return resolutions


@transaction.atomic
def resolve_with_replacement(case: ReturnCase, lines=None, *, by, reason: str = "", date=None) -> Resolution:
    """Send the missing or faulty goods again: a new delivery note linked to the case, never invoiced.

    `lines` are {"line": ReturnLine or id, "quantity": …}; without lines, everything still open on the case.
    What is replaced and what is credited together never exceed the case line (what was returned or
    missing). An exchange may ship before the faulty goods are back: only credit notes wait for them. The
    delivery note is dated `date` (default today).
    """
    permissions.require(by, "return.resolve")
    case = _lock_case(case)
    date = _case_date(date, case)
    policy = ReturnPolicy.current()
    _require(case, Resolution.Kind.REPLACEMENT, by=by, policy=policy)
    case_lines = _case_lines(case)
    done = resolved_quantities(list(case_lines))

    def cap(rl):
        return (
            rl.quantity - done[Resolution.Kind.CREDIT_NOTE][rl.pk] - done[Resolution.Kind.REPLACEMENT][rl.pk]
        )

    def cap_error(rl, left):
        _fail(errors.SETTLEMENT_EXCEEDS_CASE, sku=rl.product.sku, left=_fmt(left))

    wanted = _settlement_requests(case, case_lines, lines, cap=cap, cap_error=cap_error)
    delivery = stock.ship_replacement(
        case.delivery.order,
        [{"order_line": rl.delivery_line.order_line_id, "quantity": qty} for rl, qty, _ in wanted],
        by=by,
        reference=case.number,
        date=date,
    )
    value = sum((money.line_net(qty, rl.unit_price, rl.discount_percent) for rl, qty, _ in wanted), ZERO)
    label = (reason or "").strip() or f"Remplacement — dossier {case.number}"
    at = _moment(date)
    resolution = Resolution.objects.create(
        case=case,
        kind=Resolution.Kind.REPLACEMENT,
        replacement=delivery,
        amount=value,
        reason=label,
        at=at,
        by=_actor(by),
    )
    shipped = list(delivery.lines.order_by("id"))
    ResolutionLine.objects.bulk_create(
        [
            ResolutionLine(
                resolution=resolution,
                return_line=rl,
                quantity=qty,
                delivery_line=dl,
                amount=money.line_net(qty, rl.unit_price, rl.discount_percent),
            )
            for (rl, qty, _), dl in zip(wanted, shipped, strict=True)
        ]
    )
    _mark_resolved(case, policy, at)
    audit.record(
        "return.resolved",
        by=by,
        obj=case,
        data={
            "kind": Resolution.Kind.REPLACEMENT,
            "reason": label,
            "delivery": delivery.number,
            "value": value,
        },
    )
    return resolution


@transaction.atomic
def resolve_with_reinvoice(case: ReturnCase, lines=None, *, by, reason: str = "", date=None) -> Resolution:
    """Bill the customer for what the case found in our favour: a surplus they keep, or a price that was
    invoiced too low. Creates a draft invoice (issued later through billing, like any invoice), carrying
    the date the goods were delivered (an intra-EU supply cannot be issued without it, BR-IC-11).

    `lines` are {"line": ReturnLine or id, "quantity": …, "unit_price": … (optional)}. Without a unit price a
    line is billed at the price it was sold at, discount included (a kept surplus); with one, that price is
    the net amount per unit still owed (a price complement). Without lines: every case line in full.

    A surplus kept is a sale of goods that left without a delivery note line: they leave the stock now, at
    the average cost, on `date` (default today), and that cost is the cost of goods sold of the re-invoice
    (`ResolutionLine.unit_cost`). A surplus sent back instead never left the books (`receive_goods`): what
    came back cannot be re-invoiced as kept, and the other way round.
    """
    permissions.require(by, "return.resolve")
    permissions.require(by, "invoice.manage")
    case = _lock_case(case)
    date = _case_date(date, case)
    policy = ReturnPolicy.current()
    _require(case, Resolution.Kind.REINVOICE, by=by, policy=policy)
    case_lines = _case_lines(case)
    reinvoiced = resolved_quantities(list(case_lines))[Resolution.Kind.REINVOICE]
    kept = case.reason == Reason.SURPLUS
    returned = received_quantities(list(case_lines)) if kept else {}

    def cap(rl):
        return rl.quantity - reinvoiced[rl.pk] - returned.get(rl.pk, ZERO)

    def cap_error(rl, left):
        _fail(errors.REINVOICE_EXCEEDS_CASE, sku=rl.product.sku, left=_fmt(left))

    wanted = _settlement_requests(case, case_lines, lines, cap=cap, cap_error=cap_error)
    label = (reason or "").strip() or f"{case.get_reason_display()} — dossier {case.number}"
    costs: dict[int, Decimal] = {}
    if kept:
        # Stock levels are locked before the draft writes its audit event (lock order: levels, then audit).
        moves = stock.record_kept_surplus(
            [{"product": rl.product_id, "quantity": qty} for rl, qty, _ in wanted],
            by=by,
            reference=case.number,
            date=date,
        )
        costs = {move.product_id: move.unit_cost for move in moves}
    invoice, invoice_lines = _draft_reinvoice(case, wanted, by=by, reason=label)
    at = _moment(date)
    resolution = Resolution.objects.create(
        case=case,
        kind=Resolution.Kind.REINVOICE,
        invoice=invoice,
        amount=invoice.total_untaxed,
        reason=label,
        at=at,
        by=_actor(by),
    )
    ResolutionLine.objects.bulk_create(
        [
            ResolutionLine(
                resolution=resolution,
                return_line=rl,
                quantity=qty,
                amount=il.net_amount,
                invoice_line=il,
                unit_cost=costs.get(rl.product_id),
            )
            for (rl, qty, _), il in zip(wanted, invoice_lines, strict=True)
        ]
    )
    _mark_resolved(case, policy, at)
    audit.record(
        "return.resolved",
        by=by,
        obj=case,
        data={
            "kind": Resolution.Kind.REINVOICE,
            "reason": label,
            "invoice_total": invoice.total_untaxed,
            "cost_of_goods": sum(
                (money.cost_of(qty, costs[rl.product_id]) for rl, qty, _ in wanted if rl.product_id in costs),
                ZERO,
            ),
        },
    )
    return resolution


def _draft_reinvoice(case, wanted, *, by, reason: str):
    """A draft invoice for the re-invoiced lines.

    Stand-in until billing offers a free-line draft service (`billing.services.create_invoice(customer,
    lines, *, by, order=None, source_reference="", reason="")`), which this should then call: only a draft
    is written here — numbering, freezing and posting stay with `billing.services.issue_invoice`. The lines
    are deliberately not linked to order or delivery lines: they bill goods beyond the order (surplus) or
    a price complement, which must not move the order's invoiced quantities. So the draft carries the
    delivery date itself: the goods (or the supply the price completes) left with the case's delivery.
    """
    company = parties_selectors.company()
    invoice = Invoice.objects.create(
        series=company.invoice_series if company else "FA",
        customer=case.customer,
        order=case.delivery.order,
        source_reference=case.number,
        reason=reason,
        delivery_date=case.delivery.date,
        created_by=_actor(by),
    )
    lines = []
    for position, (rl, qty, price) in enumerate(wanted, start=1):
        ol = rl.delivery_line.order_line
        unit, discount = (price, ZERO) if price is not None else (rl.unit_price, rl.discount_percent)
        what = "Complément de prix" if price is not None else "Refacturation"
        lines.append(
            InvoiceLine(
                invoice=invoice,
                position=position,
                product_id=rl.product_id,
                description=f"{ol.description} — {what} {case.number}"[:250],
                quantity=qty,
                unit_price=unit,
                discount_percent=discount,
                vat_rate=ol.vat_rate,
                vat_category=ol.vat_category,
                vat_exemption_reason=ol.vat_exemption_reason,
                net_amount=money.line_net(qty, unit, discount),
            )
        )
    created = InvoiceLine.objects.bulk_create(lines)
    totals = document_totals((line.net_amount, line.vat_rate, line.vat_category) for line in created)
    invoice.total_untaxed, invoice.total_vat, invoice.total = totals.untaxed, totals.vat, totals.total
    invoice.save(update_fields=["total_untaxed", "total_vat", "total"])
    audit.record(
        "invoice.drafted", by=by, obj=invoice, data={"case": case.number, "total": invoice.total_untaxed}
    )
    return invoice, list(invoice.lines.order_by("position", "id"))


@transaction.atomic
def refuse(case: ReturnCase, *, by, reason: str) -> Resolution:
    """Close the claim without (further) compensation, e.g. after inspection found no defect. What was
    already credited or replaced stands; what is left of the case lines is freed for another case, so the
    refused case takes no further receipt, credit note, replacement or refusal (`rules._not_refused`)."""
    permissions.require(by, "return.resolve")
    reason = _require_reason(reason)
    case = _lock_case(case)
    policy = ReturnPolicy.current()
    _require(case, Resolution.Kind.REFUSAL, by=by, policy=policy)
    resolution = Resolution.objects.create(
        case=case, kind=Resolution.Kind.REFUSAL, reason=reason, by=_actor(by)
    )
    _mark_resolved(case, policy)
    audit.record("return.refused", by=by, obj=case, data={"reason": reason})
    return resolution


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

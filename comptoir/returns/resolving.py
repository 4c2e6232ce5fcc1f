"""Resolving a return case: a credit note (units taken back or a price reduction), a replacement
delivery, a re-invoice of what the customer keeps, or a refusal — each within what the case's lines
still leave to settle, so the same goods are never compensated twice.
"""

import datetime
from collections import defaultdict
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from comptoir.billing import services as billing
from comptoir.billing.models import Invoice, InvoiceLine
from comptoir.core import audit, money, permissions
from comptoir.core.errors import Conflict
from comptoir.core.taxes import document_totals
from comptoir.parties import selectors as parties_selectors
from comptoir.payments import selectors as payment_view
from comptoir.payments import services as payments
from comptoir.returns import errors
from comptoir.returns.allocation import allocate, spread_amount
from comptoir.returns.cases import (
    Status,
    _actor,
    _case_date,
    _decimal,
    _euros,
    _fail,
    _fmt,
    _lock_case,
    _moment,
    _move,
    _pk,
    _quantity,
    _refresh_block,
    _require,
    _require_reason,
)
from comptoir.returns.models import (
    Reason,
    Resolution,
    ResolutionLine,
    ReturnCase,
    ReturnLine,
    ReturnPolicy,
)
from comptoir.returns.selectors import (
    credit_rooms,
    credited_amounts,
    received_quantities,
    resolved_quantities,
)
from comptoir.stock import services as stock

ZERO = Decimal("0")


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
                discount_category=ol.discount_category if discount else "",
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

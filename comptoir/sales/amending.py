"""Order amendments (avenants): a confirmed order changed without cancelling it, every change traced.

What an amendment may change and the floors it keeps:
- a line's quantity, never below what was delivered nor below what is invoiced (drafts included: a
  draft invoice already claims its quantity), so the order keeps covering its own documents;
- a line's unit price and discount, only while nothing of the line is invoiced (drafts included): what
  an invoice states is corrected by a credit note, never by rewriting the order behind it;
- lines added (priced and taxed like any new line), lines removed while nothing of them is delivered,
  invoiced or planned on a delivery note (cancelled documents keep their lines: the line is then
  reduced instead);
- the requested delivery date.
A reason is mandatory. Each amendment is an `OrderAmendment` (who, when, why, totals before and after,
what it found downstream) with one `OrderAmendmentChange` per field (before/after), both append-only, and
one `order.amended` audit event.

Downstream, nothing is stored to follow: the reserved stock is derived from the confirmed lines not yet
delivered (`stock.selectors`), and invoices are drafted from the lines' quantities and prices
(`billing.drafting`), so both follow the amended lines by construction. What cannot follow by itself is
named in the amendment's effects: a prepared delivery note planning more than is now left to deliver
(shipping it would be refused; edit it first), and deposits invoiced beyond the new total.
"""

from collections import defaultdict
from decimal import Decimal

from django.db import transaction
from django.db.models import Q, Sum
from django.utils.translation import gettext

from comptoir.core import audit, money, permissions, rows
from comptoir.core.errors import Conflict
from comptoir.core.errors import fail as _fail
from comptoir.core.taxes import document_totals
from comptoir.sales import discounts, errors
from comptoir.sales.models import Order, OrderAmendment, OrderAmendmentChange, OrderLine
from comptoir.sales.selectors import ORDER_LOCKED_WITH_CUSTOMER

ZERO = Decimal("0")
Field = OrderAmendmentChange.Field


def _qty(value: Decimal) -> str:
    return format(value.normalize(), "f").replace(".", ",")


def _label(line: OrderLine) -> str:
    return f"{line.product.sku} — {line.description}"[:300]


def _describe(line) -> str:
    return f"{_qty(line.quantity)} × {money.fr(line.unit_price)} €" + (
        f" − {money.fr(line.discount_percent)} %" if line.discount_percent else ""
    )


def _claimed_by_invoices(order: Order) -> dict[int, Decimal]:
    """Quantities of each line on invoices that are not cancelled, drafts included, credit notes apart.
    Read through the lines' reverse relation: sales imports nothing of billing."""
    live = ~Q(invoice_lines__invoice__status="cancelled") & ~Q(invoice_lines__invoice__kind="credit_note")
    return {
        row["pk"]: row["claimed"] or ZERO
        for row in OrderLine.objects.filter(order=order)
        .annotate(claimed=Sum("invoice_lines__quantity", filter=live))
        .values("pk", "claimed")
    }


def _delivery_notes(order: Order) -> dict[int, list[dict]]:
    """Per line, the delivery notes naming it: number, status, quantity."""
    notes: dict[int, list[dict]] = defaultdict(list)
    for row in OrderLine.objects.filter(order=order, delivery_lines__isnull=False).values(
        "pk",
        "delivery_lines__delivery__number",
        "delivery_lines__delivery__status",
        "delivery_lines__quantity",
    ):
        notes[row["pk"]].append(
            {
                "number": row["delivery_lines__delivery__number"],
                "status": row["delivery_lines__delivery__status"],
                "quantity": row["delivery_lines__quantity"],
            }
        )
    return notes


def _cancelled_invoices(order: Order) -> set[int]:
    return set(
        OrderLine.objects.filter(order=order, invoice_lines__invoice__status="cancelled").values_list(
            "pk", flat=True
        )
    )


def _decimal(value, position):
    from comptoir.sales import services

    return services._decimal(value, position)


def _refuse_below_floors(line: OrderLine, quantity: Decimal, claimed: Decimal) -> None:
    params = {"position": line.position, "description": line.description, "value": _qty(quantity)}
    if quantity < line.quantity_delivered:
        _fail(errors.AMENDMENT_BELOW_DELIVERED, floor=_qty(line.quantity_delivered), **params)
    if quantity < claimed:
        _fail(errors.AMENDMENT_BELOW_INVOICED, floor=_qty(claimed), **params)


def _refuse_removal(line: OrderLine, claimed: Decimal, notes: list[dict], cancelled_invoice: bool) -> None:
    params = {"position": line.position, "description": line.description}
    if line.quantity_delivered > 0 or claimed > 0:
        _fail(errors.AMENDMENT_REMOVE_STARTED, **params)
    for note in notes:
        if note["status"] == "draft":
            _fail(errors.AMENDMENT_REMOVE_ON_DELIVERY, delivery=note["number"], **params)
    for note in notes:
        _fail(errors.AMENDMENT_REMOVE_REFERENCED, document=f"le bon de livraison {note['number']}", **params)
    if cancelled_invoice:
        _fail(errors.AMENDMENT_REMOVE_REFERENCED, document="une facture", **params)


def _quote_links_of_added(order: Order, add, kept: list[OrderLine]) -> list[int | None]:
    """The quote line each added line answers (`quote_line`: a product put back as the accepted quote
    had it), checked to be of the order's quote and answered by no line the order keeps."""
    from comptoir.sales import services

    links = services._quote_links(order, add)
    taken = {line.quote_line_id for line in kept if line.quote_line_id is not None}
    for position, link in enumerate(links, start=1):
        if link is not None and link in taken:
            _fail(errors.QUOTE_LINE_NOT_OF_ORDER, position=position)
    return links


def _effect(spec, document: str, **params) -> dict:
    code, _message = spec
    return {"code": code, "document": document, "params": params}


def effect_message(effect: dict) -> str:
    """An effect stored on an amendment, said in the reader's language."""
    return gettext(errors.EFFECTS[effect["code"]]) % effect["params"]


def _effects(order: Order, lines: list[OrderLine], notes: dict[int, list[dict]]) -> list[dict]:
    """What the amended order means for the documents already prepared: codes and their parameters."""
    effects = []
    for line in lines:
        remaining = line.quantity - line.quantity_delivered
        planned = [n for n in notes.get(line.pk, []) if n["status"] == "draft"]
        if sum((n["quantity"] for n in planned), ZERO) > remaining:
            effects += [
                _effect(
                    errors.EFFECT_DELIVERY_NOTE_NO_LONGER_FITS,
                    note["number"],
                    delivery=note["number"],
                    planned=_qty(note["quantity"]),
                    position=line.position,
                    description=line.description,
                    remaining=_qty(remaining),
                )
                for note in planned
            ]
    deposits = order.invoices.filter(kind="deposit", status="issued").aggregate(total=Sum("total_untaxed"))
    deposited = deposits["total"] or ZERO
    if deposited > order.total_untaxed:
        effects.append(
            _effect(
                errors.EFFECT_DEPOSITS_EXCEED_ORDER,
                order.number,
                deposited=money.fr(deposited),
                total=money.fr(order.total_untaxed),
            )
        )
    return effects


@transaction.atomic
def amend_order(
    order: Order,
    *,
    by,
    reason: str,
    lines=None,
    add=None,
    requested_date=None,
    clear_requested_date: bool = False,
) -> OrderAmendment:
    """Amend a confirmed order.

    `lines`: [{"line": order line id, "quantity"?, "unit_price"?, "discount_percent"?, "remove"?}], the
    values left out unchanged; `add`: new lines as for a new order ({"product", "quantity",
    "unit_price"?, "discount_percent"?, "description"?, "quote_line"?: the line of the order's quote
    it answers}); `requested_date`: the new requested delivery
    date (`clear_requested_date` removes it). Permission `order.confirm`: whoever may commit the
    company to an order may change what it is committed to."""
    from comptoir.sales import services

    permissions.require(by, "order.confirm")
    order = ORDER_LOCKED_WITH_CUSTOMER.get(order.pk)
    if order.status != Order.Status.CONFIRMED:
        raise Conflict(
            *errors.AMENDMENT_ORDER_NOT_CONFIRMED, number=order.number, status=order.get_status_display()
        )
    reason = (reason or "").strip()
    if not reason:
        _fail(errors.AMENDMENT_REASON_REQUIRED, number=order.number)
    current = {
        line.pk: line
        for line in OrderLine.objects.select_for_update(of=("self",))
        .filter(order=order)
        .select_related("product")
        .order_by("position", "id")
    }
    top_before = max((line.discount_percent for line in current.values()), default=ZERO)
    claimed = _claimed_by_invoices(order)
    notes = _delivery_notes(order)
    changes: list[OrderAmendmentChange] = []
    changed: dict[int, set[str]] = defaultdict(set)
    removed: list[OrderLine] = []

    def change(line, field, before, after, *, position=None, label=None):
        changes.append(
            OrderAmendmentChange(
                order_line_id=getattr(line, "pk", None),
                position=position if position is not None else line.position,
                line_label=label if label is not None else _label(line),
                field=field,
                before=before,
                after=after,
            )
        )

    for data in lines or []:
        ref = data.get("line")
        try:
            line = current[int(getattr(ref, "pk", ref))]
        except (KeyError, TypeError, ValueError):
            _fail(errors.AMENDMENT_LINE_NOT_OF_ORDER, line=ref, number=order.number)
        done = claimed.get(line.pk, ZERO)
        if services._flag(data.get("remove", False)):
            _refuse_removal(line, done, notes.get(line.pk, []), line.pk in _cancelled_invoices(order))
            removed.append(line)
            change(line, Field.LINE_REMOVED, _describe(line), "")
            continue
        quantity = _decimal(data.get("quantity"), line.position)
        if quantity is not None:
            quantity = money.quantity(quantity)
            if quantity <= 0:
                _fail(errors.QUANTITY_NOT_POSITIVE, position=line.position, value=data.get("quantity"))
            if quantity > money.MAX_QUANTITY:
                _fail(
                    errors.QUANTITY_TOO_LARGE, position=line.position, limit=money.fr(money.MAX_QUANTITY, 0)
                )
            if quantity != line.quantity:
                _refuse_below_floors(line, quantity, done)
                change(line, Field.QUANTITY, _qty(line.quantity), _qty(quantity))
                line.quantity = quantity
                changed[line.pk].add("quantity")
        price = _decimal(data.get("unit_price"), line.position)
        discount = _decimal(data.get("discount_percent"), line.position)
        if price is not None:
            if price < 0:
                _fail(errors.PRICE_NEGATIVE, position=line.position)
            price = money.unit_price(price)
        if discount is not None:
            if not ZERO <= discount <= money.HUNDRED:
                _fail(errors.DISCOUNT_OUT_OF_RANGE, position=line.position)
            discount = discount.quantize(Decimal("0.01"))
        price_moves = price is not None and price != line.unit_price
        discount_moves = discount is not None and discount != line.discount_percent
        if (price_moves or discount_moves) and done > 0:
            _fail(
                errors.AMENDMENT_PRICE_INVOICED,
                position=line.position,
                description=line.description,
                invoiced=_qty(done),
            )
        if price_moves:
            change(line, Field.UNIT_PRICE, money.fr(line.unit_price, 4), money.fr(price, 4))
            line.unit_price = price
            changed[line.pk].add("unit_price")
        if discount_moves:
            change(line, Field.DISCOUNT, money.fr(line.discount_percent), money.fr(discount))
            line.discount_percent = discount
            changed[line.pk].add("discount_percent")
        if changed[line.pk]:
            if line.quantity * line.unit_price > money.MAX_LINE_AMOUNT:
                _fail(
                    errors.AMOUNT_TOO_LARGE,
                    position=line.position,
                    limit=money.fr(money.MAX_LINE_AMOUNT, 0),
                )
            line.net_amount = money.line_net(line.quantity, line.unit_price, line.discount_percent)
            changed[line.pk].add("net_amount")

    kept = [line for line in current.values() if line not in removed]
    added = []
    if add:
        next_position = max((line.position for line in current.values()), default=0)
        links = _quote_links_of_added(order, add, kept)
        for offset, built in enumerate(services.build_lines(add, order.customer), start=1):
            built["position"] = next_position + offset
            built["quote_line_id"] = links[offset - 1]
            line = OrderLine(order=order, **built)
            added.append(line)
            change(None, Field.LINE_ADDED, "", _describe(line), position=line.position, label=_label(line))

    top_after = max((line.discount_percent for line in [*kept, *added]), default=ZERO)
    if top_after > top_before:
        discounts.require_amendment_covered(order, top_after, by=by)

    if requested_date is not None or clear_requested_date:
        new_date = None if clear_requested_date else requested_date
        if new_date is not None and new_date < order.date:
            _fail(
                errors.AMENDMENT_REQUESTED_DATE_BEFORE_ORDER,
                date=new_date.strftime("%d/%m/%Y"),
                number=order.number,
                order_date=order.date.strftime("%d/%m/%Y"),
            )
        if new_date != order.requested_date:
            changes.append(
                OrderAmendmentChange(
                    field=Field.REQUESTED_DATE,
                    before=order.requested_date.strftime("%d/%m/%Y") if order.requested_date else "",
                    after=new_date.strftime("%d/%m/%Y") if new_date else "",
                )
            )
            order.requested_date = new_date

    if not changes:
        _fail(errors.AMENDMENT_NOTHING_CHANGED, number=order.number)
    if not kept and not added:
        _fail(errors.AMENDMENT_NO_LINE_LEFT, number=order.number)

    remaining_lines = kept + added
    if sum((line.net_amount for line in remaining_lines), ZERO) > money.MAX_DOCUMENT_AMOUNT:
        _fail(errors.DOCUMENT_TOO_LARGE, limit=money.fr(money.MAX_DOCUMENT_AMOUNT, 0))
    total_before = order.total_untaxed
    totals = document_totals((line.net_amount, line.vat_rate, line.vat_category) for line in remaining_lines)
    order.total_untaxed, order.total_vat, order.total = totals.untaxed, totals.vat, totals.total
    milestones = list(order.milestones.all())
    if milestones:
        services.check_schedule_fits(order, milestones)

    # The changed lines written back in one statement (`rows.update_each`), whatever their number.
    rows.update_each(
        [line for line in kept if changed.get(line.pk)],
        ["quantity", "unit_price", "discount_percent", "net_amount"],
    )
    if removed:
        OrderLine.objects.filter(pk__in=[line.pk for line in removed]).delete()
    if added:
        rows.insert_many(added)
    rows.update_one(order, ["total_untaxed", "total_vat", "total", "requested_date"])

    amendment = OrderAmendment(
        order=order,
        sequence=order.amendments.count() + 1,
        reason=reason,
        created_by=by if getattr(by, "pk", None) else None,
        total_untaxed_before=total_before,
        total_untaxed_after=order.total_untaxed,
        effects=_effects(order, kept, notes),
    )
    amendment.save()
    for item in changes:
        item.amendment = amendment
    # Lines added get their id once inserted: the change rows point at them.
    for item, line in zip([c for c in changes if c.field == Field.LINE_ADDED], added, strict=True):
        item.order_line_id = line.pk
    OrderAmendmentChange.objects.bulk_create(changes)
    audit.record(
        "order.amended",
        by=by,
        obj=order,
        data={
            "amendment": amendment.sequence,
            "reason": reason,
            "changes": [
                {"line": c.position, "field": c.field, "before": c.before, "after": c.after} for c in changes
            ],
            "total_before": total_before,
            "total": order.total_untaxed,
            "effects": [effect["code"] for effect in amendment.effects],
        },
    )
    return amendment

"""Drafting credit notes: what is left to credit on each invoice line, and the credit note that takes
units back or reduces a price, citing a return case or as a commercial gesture.
"""

from collections import defaultdict
from decimal import Decimal

from django.db import transaction
from django.db.models import Q, Sum

from comptoir.accounting import chart
from comptoir.billing import crediting, errors
from comptoir.billing import totals as invoice_totals
from comptoir.billing.drafting import _decimal, _fmt
from comptoir.billing.models import AllowanceCharge, Invoice, InvoiceLine
from comptoir.core import audit, money, permissions, rows
from comptoir.core.errors import fail as _fail
from comptoir.parties.selectors import number_prefix
from comptoir.returns import citing

ZERO = Decimal("0")
_fr = money.fr


# --- Credit notes (avoirs) ----------------------------------------------------------------------


def credited_so_far(invoice_line_ids) -> dict[int, tuple[Decimal, Decimal]]:
    """(quantity taken back, amount credited) per invoice line, on draft or issued credit notes.

    A price reduction credits an amount and takes no quantity back (`billing.crediting`)."""
    rows = (
        InvoiceLine.objects.filter(credited_line_id__in=invoice_line_ids)
        .exclude(invoice__status=Invoice.Status.CANCELLED)
        .values("credited_line_id")
        .annotate(q=Sum("quantity", filter=Q(price_reduction=False)), a=Sum("net_amount"))
    )
    return {row["credited_line_id"]: (row["q"] or ZERO, row["a"] or ZERO) for row in rows}


def credit_room(invoice_lines) -> dict[int, crediting.Room]:
    """What each invoice line may still be credited: units not taken back and the amount not credited."""
    so_far = credited_so_far([line.pk for line in invoice_lines])
    rooms = {}
    for line in invoice_lines:
        taken_back, credited = so_far.get(line.pk, (ZERO, ZERO))
        rooms[line.pk] = crediting.Room(line.quantity - taken_back, line.net_amount - credited)
    return rooms


@transaction.atomic
def create_credit_note(
    invoice: Invoice,
    lines,
    *,
    by,
    reason: str,
    source_reference: str = "",
    gesture_category: str = "",
) -> Invoice:
    """Draft a credit note (avoir) correcting an issued invoice.

    `lines` are {"invoice_line": InvoiceLine or id, "quantity": …, "unit_price": … (optional),
    "price_reduction": … (optional)}. A line either takes `quantity` units back (returned, missing, billed
    too many: by default, without a unit price or at the invoiced one) or, with a lower unit price, only
    reduces the price of units the customer keeps (the amount credited per unit; `price_reduction`
    overrides the guess). Units taken back without a unit price are credited at the price still left on
    the invoice line: the invoiced price, less any earlier price reduction (`billing.crediting`).

    Rules: a credit note needs the case number that justifies it (`source_reference`, e.g.
    RET-2026-00042: a case of this customer about lines of this invoice, decided, not closed, with something
    left to settle, `returns.citing`), unless it is a pure commercial gesture, which needs a category and
    its own permission (and, above the gesture threshold, another person's approval before it is issued);
    per invoice line, units taken back cannot exceed those invoiced and not yet taken back, and the amount
    credited cannot exceed what is left to credit — for part of the units, their share of it.
    """
    permissions.require(by, "credit_note.manage")
    if not source_reference and not gesture_category:
        _fail(errors.CREDIT_NOTE_NEEDS_CASE)
    if gesture_category and not source_reference:
        permissions.require(by, "credit_note.gesture")
    # Locking the invoice serialises two credit notes racing on the same lines.
    invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
    if invoice.status != Invoice.Status.ISSUED or invoice.kind == Invoice.Kind.CREDIT_NOTE:
        _fail(errors.CREDIT_ONLY_ISSUED_INVOICE, number=str(invoice))
    if invoice.kind == Invoice.Kind.DEPOSIT:
        deducting = (
            invoice.deducted_in.exclude(invoice__status=Invoice.Status.CANCELLED)
            .select_related("invoice")
            .first()
        )
        if deducting is not None:
            _fail(errors.DEPOSIT_ALREADY_DEDUCTED, number=invoice.number, invoice=str(deducting.invoice))
    if not lines:
        _fail(errors.NO_LINES)
    originals = {line.pk: line for line in invoice.lines.select_related("product")}
    rooms = credit_room(list(originals.values()))
    new_lines = []
    for position, data in enumerate(lines, start=1):
        ref = data.get("invoice_line")
        original = originals.get(getattr(ref, "pk", ref))
        if original is None:
            _fail(errors.LINE_NOT_ON_INVOICE, number=invoice.number)
        qty = _decimal(data.get("quantity"))
        if qty <= 0:
            _fail(errors.CREDIT_QUANTITY_NOT_POSITIVE)
        sku, room = original.product.sku, rooms[original.pk]
        # Even a price reduction applies to units the customer still has, not to units already taken back.
        if qty > room.quantity:
            _fail(errors.CREDIT_EXCEEDS_QUANTITY, sku=sku, left=_fmt(room.quantity))
        priced = data.get("unit_price") not in (None, "")
        if priced:
            price = _decimal(data["unit_price"])
        else:
            price = room.take_back_price(qty, original.unit_price, original.discount_percent)
            if price <= 0:
                _fail(errors.CREDIT_EXCEEDS_AMOUNT, sku=sku, left=_fr(room.amount))
        if price <= 0 or price > original.unit_price:
            _fail(errors.CREDIT_PRICE_OUT_OF_RANGE, sku=sku)
        reduction = data.get("price_reduction")
        reduction = bool(priced and price != original.unit_price) if reduction is None else bool(reduction)
        net = money.line_net(qty, price, original.discount_percent)
        if net > room.amount:
            _fail(errors.CREDIT_EXCEEDS_AMOUNT, sku=sku, left=_fr(room.amount))
        if net > room.worth(qty):
            _fail(
                errors.CREDIT_EXCEEDS_UNITS_VALUE,
                sku=sku,
                qty=_fmt(qty),
                worth=_fr(room.worth(qty)),
                left=_fr(room.amount),
                units=_fmt(room.quantity),
            )
        rooms[original.pk] = room.after(qty, net, takes_back=not reduction)
        new_lines.append(
            InvoiceLine(
                position=position,
                credited_line=original,
                order_line_id=original.order_line_id,
                delivery_line_id=original.delivery_line_id,
                product_id=original.product_id,
                description=original.description,
                quantity=qty,
                unit_price=price,
                discount_percent=original.discount_percent,
                discount_category=original.discount_category,
                vat_rate=original.vat_rate,
                vat_category=original.vat_category,
                vat_exemption_reason=original.vat_exemption_reason,
                net_amount=net,
                price_reduction=reduction,
                # A price reduction is booked on 709; goods or services taken back reverse 707/706, even
                # at a price an earlier reduction lowered; a deposit credited, whatever the reason,
                # reverses the advance on 4191.
                account_code=(
                    original.account_code
                    if invoice.kind == Invoice.Kind.DEPOSIT or not (reduction or gesture_category)
                    else chart.DISCOUNTS_GRANTED
                ),
            )
        )
    if source_reference:
        # The case cited must justify the credit note: this customer's, about lines of this invoice, decided
        # and not closed, with something left to settle (otherwise citing any case skips the gesture rules).
        citing.require_citable(invoice, source_reference, new_lines)
    note = rows.insert_one(
        Invoice(
            kind=Invoice.Kind.CREDIT_NOTE,
            series=number_prefix("credit_note_series"),
            customer_id=invoice.customer_id,
            order_id=invoice.order_id,
            corrects=invoice,
            source_reference=source_reference,
            gesture_category=gesture_category,
            reason=reason,
            created_by=by if getattr(by, "pk", None) else None,
        )
    )
    for line in new_lines:
        line.invoice = note
    rows.insert_many(new_lines)
    adjustments = _credited_adjustments(note, invoice, new_lines)
    totals = invoice_totals.invoice_totals(new_lines, adjustments)
    note.save(update_fields=invoice_totals.set_totals(note, totals))
    audit.record(
        "credit_note.drafted",
        by=by,
        obj=note,
        data={
            "invoice": invoice.number,
            "case": source_reference,
            "gesture": gesture_category,
            "reason": reason,
            "total": note.total,
        },
    )
    return note


def _credited_adjustments(note: Invoice, invoice: Invoice, new_lines: list[InvoiceLine]) -> list:
    """The invoice's document-level allowances and charges, carried onto its credit note in proportion
    of what the note credits of the lines of their VAT rate and category (of all its lines for a charge
    of a rate no line has): a note crediting the whole invoice reverses them whole, so the note never
    credits more than the customer was charged."""
    originals = invoice_totals.adjustments_of(invoice)
    if not originals:
        return []
    invoiced: dict[tuple, Decimal] = defaultdict(lambda: ZERO)
    for line in invoice.lines.all():
        invoiced[(line.vat_rate, line.vat_category)] += line.net_amount
    credited: dict[tuple, Decimal] = defaultdict(lambda: ZERO)
    for line in new_lines:
        credited[(line.vat_rate, line.vat_category)] += line.net_amount
    all_invoiced, all_credited = sum(invoiced.values(), ZERO), sum(credited.values(), ZERO)
    carried = []
    for item in originals:
        key = (item.vat_rate, item.vat_category)
        share = credited[key] / invoiced[key] if invoiced[key] > 0 else all_credited / all_invoiced
        value = money.amount(item.amount * min(share, Decimal(1)))
        if value > 0:
            carried.append(
                AllowanceCharge(
                    invoice=note,
                    position=item.position,
                    is_charge=item.is_charge,
                    amount=value,
                    reason=item.reason,
                    reason_code=item.reason_code,
                    vat_rate=item.vat_rate,
                    vat_category=item.vat_category,
                    discount_category=item.discount_category,
                    account_code=item.account_code,
                )
            )
    return rows.insert_many(carried)

"""Drafting invoices from what was delivered (or ordered, for services), and changing a draft before it
is issued: cancelled, its service period stated, a line corrected, the order's deposits deducted.

A draft has no number and no entry: everything here may be redone. Issuing is in `issuing`, the
steps of a billing schedule in `milestones`, credit notes in `credit_notes`; `services` is the app's
door to all of them.
"""

import datetime
from collections import defaultdict
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum

from comptoir.billing import errors, schedule
from comptoir.billing import totals as invoice_totals
from comptoir.billing.models import DepositDeduction, Invoice, InvoiceLine, InvoiceTax
from comptoir.catalog import selectors as catalog_view
from comptoir.catalog.models import Product
from comptoir.core import audit, dates, money, permissions, rows, vat, workflow
from comptoir.core.compiled import Compiled
from comptoir.core.errors import NotFound
from comptoir.core.errors import fail as _fail
from comptoir.core.taxes import document_totals
from comptoir.parties import selectors as parties_selectors
from comptoir.sales import discounts as sales_discounts
from comptoir.sales import errors as sales_errors
from comptoir.sales.models import BillingMilestone, Order, OrderLine
from comptoir.sales.selectors import ORDER_LOCKED_WITH_CUSTOMER, order_lines_with_product
from comptoir.stock.models import Delivery, DeliveryLine

ZERO = Decimal("0")


# The reads every invoice goes through once or twice in its life, compiled once (`core.compiled`).
# A delivery under an open dispute (or a replacement) is not invoiceable (returns app sets the flag).
_INVOICEABLE_DELIVERY_LINES = Compiled(
    lambda order_id: DeliveryLine.objects.filter(
        delivery__order_id=order_id,
        delivery__status=Delivery.Status.VALIDATED,
        delivery__invoicing_blocked=False,
    ).order_by("id")
)
# Quantities of the order's delivery lines already on draft or issued invoices (any invoice: a return
# case may re-invoice a delivery line on an invoice of its own).
_CLAIMED_DELIVERY_LINES = Compiled(
    lambda order_id: (
        InvoiceLine.objects.filter(delivery_line__delivery__order_id=order_id)
        .exclude(invoice__status=Invoice.Status.CANCELLED)
        .values("delivery_line_id")
        .annotate(q=Sum("quantity"))
        .order_by()
    )
)
_SCHEDULE_STEP = Compiled(
    lambda order_id: (
        BillingMilestone.objects.filter(order_id=order_id, is_deposit=False).order_by().values("id")[:1]
    )
)
_ISSUED_DEPOSITS = Compiled(
    lambda order_id: (
        Invoice.objects.filter(order_id=order_id, kind=Invoice.Kind.DEPOSIT, status=Invoice.Status.ISSUED)
        .exclude(corrections__status=Invoice.Status.ISSUED)
        .order_by("date", "number")
        .values("pk")
    )
)


def _claimed(field: str, ids) -> dict[int, Decimal]:
    """Quantities already on draft or issued invoices, per delivery line or order line."""
    rows = (
        InvoiceLine.objects.filter(**{f"{field}__in": ids})
        .exclude(invoice__status=Invoice.Status.CANCELLED)
        .values(field)
        .annotate(q=Sum("quantity"))
    )
    return {row[field]: row["q"] for row in rows}


def invoiceable_lines(order: Order, *, by_schedule: bool | None = None) -> list[dict]:
    """What can still be invoiced on an order: delivered goods not yet on an invoice, and services
    ordered not yet on an invoice. Each item says which line it comes from.

    Nothing, for an order billed by its schedule (see `create_milestone_invoice`); a caller that has
    just checked that passes `by_schedule`."""
    if _billed_by_schedule(order) if by_schedule is None else by_schedule:
        return []
    order_lines = {ol.pk: ol for ol in order_lines_with_product(order)}
    service_lines = [ol for ol in order_lines.values() if ol.product.kind == Product.Kind.SERVICE]
    delivery_lines = _INVOICEABLE_DELIVERY_LINES.objects(order.pk)
    for dl in delivery_lines:
        # The order's lines are in hand already: attach them rather than join them again.
        dl.order_line = order_lines[dl.order_line_id]
        if dl.product_id == dl.order_line.product_id:
            dl.product = dl.order_line.product
    claimed_dl = (
        {row["delivery_line_id"]: row["q"] for row in _CLAIMED_DELIVERY_LINES.rows(order.pk)}
        if delivery_lines
        else {}
    )
    claimed_ol = _claimed("order_line_id", [ol.pk for ol in service_lines]) if service_lines else {}
    items = []
    for dl in delivery_lines:
        qty = dl.quantity - claimed_dl.get(dl.pk, ZERO)
        if qty > 0:
            items.append({"order_line": dl.order_line, "delivery_line": dl, "quantity": qty})
    for ol in service_lines:
        qty = ol.quantity - claimed_ol.get(ol.pk, ZERO)
        if qty > 0:
            items.append({"order_line": ol, "delivery_line": None, "quantity": qty})
    items.sort(key=lambda item: (item["order_line"].position, item["order_line"].pk))
    return items


@transaction.atomic
def create_invoice_from_order(order: Order, *, by) -> Invoice:
    permissions.require(by, "invoice.manage")
    order = ORDER_LOCKED_WITH_CUSTOMER.get(order.pk)
    if order.status != Order.Status.CONFIRMED:
        _fail(errors.ORDER_NOT_CONFIRMED, number=order.number)
    if _billed_by_schedule(order):
        _fail(errors.ORDER_BILLED_BY_SCHEDULE, number=order.number)
    items = invoiceable_lines(order, by_schedule=False)
    if not items:
        _fail(errors.NOTHING_TO_INVOICE, number=order.number)
    lines = []
    for position, item in enumerate(items, start=1):
        ol: OrderLine = item["order_line"]
        lines.append(
            InvoiceLine(
                position=position,
                order_line=ol,
                delivery_line=item["delivery_line"],
                product_id=ol.product_id,
                description=ol.description,
                quantity=item["quantity"],
                unit_price=ol.unit_price,
                discount_percent=ol.discount_percent,
                discount_category=ol.discount_category,
                vat_rate=ol.vat_rate,
                vat_category=ol.vat_category,
                vat_exemption_reason=ol.vat_exemption_reason,
                net_amount=money.line_net(item["quantity"], ol.unit_price, ol.discount_percent),
            )
        )
    # Totals and deposit deductions are known before the invoice row exists: it is written once.
    totals = document_totals((line.net_amount, line.vat_rate, line.vat_category) for line in lines)
    deductions = _deposit_deductions(totals, _deposits_left(order))
    company = parties_selectors.company()
    invoice = rows.insert_one(
        Invoice(
            series=company.invoice_series if company else "FA",
            customer=order.customer,
            order=order,
            created_by=by if getattr(by, "pk", None) else None,
            total_untaxed=totals.untaxed,
            total_vat=totals.vat,
            total=totals.total,
            deposits_deducted=sum((d.amount for d in deductions), ZERO),
        )
    )
    for line in lines:
        line.invoice = invoice
    rows.insert_many(lines)
    _record_deductions(invoice, deductions)
    audit.record(
        "invoice.drafted",
        by=by,
        obj=invoice,
        data={
            "order": order.number,
            "total": invoice.total_untaxed,
            "deposits_deducted": invoice.deposits_deducted,
        },
    )
    return invoice


# --- Deposits (acomptes) and billing-schedule steps ---------------------------------------------
#
# A deposit step is billed as a deposit invoice (type 386) on 4191 "customer advances"; its VAT is due
# when it is cashed (services and, since 2023, goods: CGI 269-2-a), so it waits on 44574 until then,
# except for services when the company opted for VAT on debits. A later invoice of the order deducts
# it: that invoice bills the goods and services in full (every line, the whole VAT breakdown) and
# states the deposits in BT-113, so the customer owes the balance (BT-115); its entry reverses each
# deposit (4191 debit, VAT debit where it sits, 411 credit) — fr-compliance §5.4. Delivery makes the
# goods VAT due (CGI 269-2-a): of a deposit's VAT still pending, that invoice moves the goods share to
# 44571; only a services share keeps waiting for the deposit's cash.
#
# Who deducts a deposit: on an order invoiced by delivered quantities, the next invoices of the order,
# VAT group by VAT group, as far as each bills enough in the group (`schedule.allocate_deductions`);
# on an order billed by its schedule, the next ordinary step invoiced, which then also bills the
# deposit's share as revenue.


def _billed_by_schedule(order: Order) -> bool:
    """An order with ordinary (non-deposit) schedule steps is billed by them, not by quantities."""
    return bool(_SCHEDULE_STEP.rows(order.pk))


def _deposits_left(order: Order) -> list[schedule.DepositLeft]:
    """The order's issued deposit invoices, oldest first, with what is left to deduct per VAT group.

    Drafts deduct too (they reserve, as they reserve quantities); a cancelled draft frees what it
    deducted. A deposit that a credit note corrects is out of the game.
    """
    deposits = [row["pk"] for row in _ISSUED_DEPOSITS.rows(order.pk)]
    if not deposits:
        return []
    done = {
        (row["deposit_id"], row["vat_rate"], row["category"]): (row["b"], row["v"])
        for row in DepositDeduction.objects.filter(deposit_id__in=deposits)
        .exclude(invoice__status=Invoice.Status.CANCELLED)
        .values("deposit_id", "vat_rate", "category")
        .annotate(b=Sum("base"), v=Sum("vat"))
    }
    taxes: dict[int, list[InvoiceTax]] = defaultdict(list)
    for tax in InvoiceTax.objects.filter(invoice_id__in=deposits):
        taxes[tax.invoice_id].append(tax)
    left = []
    for deposit_id in deposits:
        for tax in taxes[deposit_id]:
            base_done, vat_done = done.get((deposit_id, tax.vat_rate, tax.category), (ZERO, ZERO))
            base, vat_amount = tax.base - base_done, tax.amount - vat_done
            if base > 0 or vat_amount > 0:
                left.append(schedule.DepositLeft(deposit_id, (tax.vat_rate, tax.category), base, vat_amount))
    return left


def _deposit_deductions(totals, left: list[schedule.DepositLeft]) -> list[DepositDeduction]:
    """What an invoice of these totals deducts of the order's deposits, as unsaved rows."""
    if not left:
        return []
    budgets = {(tax.rate, tax.category): (tax.base, tax.amount) for tax in totals.taxes}
    return [
        DepositDeduction(
            deposit_id=d.deposit_id, vat_rate=d.key[0], category=d.key[1], base=d.base, vat=d.vat
        )
        for d in schedule.allocate_deductions(budgets, left)
    ]


def _record_deductions(invoice: Invoice, deductions: list[DepositDeduction]) -> Decimal:
    """Write what `invoice` deducts; returns the amount incl. VAT (BT-113)."""
    for deduction in deductions:
        deduction.invoice = invoice
    rows.insert_many(deductions)
    return sum((d.amount for d in deductions), ZERO)


def _deduct_deposits(invoice: Invoice, totals, left: list[schedule.DepositLeft]) -> Decimal:
    """Record what `invoice` deducts of the order's deposits; returns the amount incl. VAT (BT-113)."""
    return _record_deductions(invoice, _deposit_deductions(totals, left))


@transaction.atomic
def cancel_draft_invoice(invoice: Invoice, *, by, reason: str = "") -> Invoice:
    """Drop a draft (it never had a number); its quantities become invoiceable again."""
    permissions.require(by, "invoice.manage")
    invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
    workflow.require(
        Invoice.TRANSITIONS,
        invoice.status,
        Invoice.Status.CANCELLED,
        document=str(invoice),
        labels=Invoice.Status,
    )
    invoice.status = Invoice.Status.CANCELLED
    invoice.save(update_fields=["status"])
    audit.record("invoice.cancelled", by=by, obj=invoice, data={"reason": reason})
    return invoice


@transaction.atomic
def set_service_period(
    invoice: Invoice, *, by, start: datetime.date | None, end: datetime.date | None = None
) -> Invoice:
    """State when the services of a draft were performed: one day (`start` alone) or a period. The
    e-invoice carries it (BT-72, or BG-14 BT-73/BT-74), as the law asks when it is not the invoice date;
    `start=None` clears it (then the services are taken as performed on the invoice date)."""
    permissions.require(by, "invoice.manage")
    invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
    if invoice.status != Invoice.Status.DRAFT:
        _fail(errors.NOT_DRAFT, number=invoice.number or str(invoice))
    if start is None:
        end = None
    if start and end and end < start:
        _fail(errors.SERVICE_PERIOD_REVERSED, start=dates.fr(start), end=dates.fr(end))
    if end == start:
        end = None
    invoice.service_period_start, invoice.service_period_end = start, end
    invoice.save(update_fields=["service_period_start", "service_period_end"])
    audit.record(
        "invoice.service_period_set",
        by=by,
        obj=invoice,
        data={"start": start.isoformat() if start else "", "end": end.isoformat() if end else ""},
    )
    return invoice


def _decimal(value) -> Decimal:
    try:
        return money.D(value)
    except (ValueError, TypeError, ArithmeticError):
        _fail(errors.INVALID_NUMBER, value=value)


def _fmt(qty: Decimal) -> str:
    return format(qty.normalize(), "f").replace(".", ",")


# --- Correcting a draft before it is issued -------------------------------------------------------
#
# The assistant finds drafts that drifted from what was agreed or shipped: a quantity above the
# delivery, the wrong price, discount or VAT, a deposit not deducted (an imported or hand-made draft). A
# draft has no number and no entry yet, so the fix is to amend it in place — the line re-priced, the
# totals and the deposit deductions computed again — rather than cancel and redraft it, which would
# lose whatever else was adjusted on it. Drafts built from the billing schedule (and deposit invoices)
# are left out: their lines are shares of the order computed together, so one cannot change alone;
# they are cancelled and drafted again.


def _lock_correctable(invoice_id) -> Invoice:
    invoice = Invoice.objects.select_for_update().select_related("customer").get(pk=invoice_id)
    if invoice.status != Invoice.Status.DRAFT:
        _fail(errors.NOT_DRAFT, number=str(invoice))
    if invoice.kind != Invoice.Kind.INVOICE or invoice.milestone_id is not None:
        _fail(errors.DRAFT_FROM_SCHEDULE, number=str(invoice))
    return invoice


def _refresh_draft(invoice: Invoice) -> None:
    """Totals from the lines, and the deposits deducted again from scratch: the draft gives back what
    it reserved, then takes what its new totals allow (DepositDeduction rows of a draft are a
    reservation, like its quantities)."""
    lines = list(InvoiceLine.objects.filter(invoice=invoice))
    totals = invoice_totals.invoice_totals(lines, invoice_totals.adjustments_of(invoice))
    fields = invoice_totals.set_totals(invoice, totals)
    if invoice.order_id is not None:
        DepositDeduction.objects.filter(invoice=invoice).delete()
        invoice.deposits_deducted = _deduct_deposits(invoice, totals, _deposits_left(invoice.order))
    invoice.save(update_fields=[*fields, "deposits_deducted"])


def _corrected_quantity(line: InvoiceLine, raw) -> Decimal:
    """A positive quantity that keeps the rule invoiced ≤ delivered (services: ≤ ordered), counting
    what the other live invoices already bill of the same delivery or order line."""
    qty = money.quantity(_decimal(raw))
    if qty <= 0:
        _fail(errors.CREDIT_QUANTITY_NOT_POSITIVE)
    if line.delivery_line_id is not None:
        field, source, available = "delivery_line_id", line.delivery_line_id, line.delivery_line.quantity
    elif line.order_line_id is not None and line.product.kind == Product.Kind.SERVICE:
        field, source, available = "order_line_id", line.order_line_id, line.order_line.quantity
    else:
        return qty  # a line outside the order (a re-invoice of a return case): nothing caps it here
    elsewhere = _claimed(field, [source]).get(source, ZERO) - line.quantity
    left = available - elsewhere
    if qty > left:
        _fail(errors.CORRECTION_EXCEEDS, sku=line.product.sku, left=_fmt(left), quantity=_fmt(qty))
    return qty


@transaction.atomic
def correct_draft_line(
    line,
    *,
    by,
    reason: str = "",
    quantity=None,
    unit_price=None,
    discount_percent=None,
    discount_category=None,
    vat_from_product: bool = False,
) -> InvoiceLine:
    """Amend one line of a draft invoice: its quantity, unit price excl. VAT, discount, or its VAT
    taken again from the product and the customer's regime (the only VAT a line may carry)."""
    permissions.require(by, "invoice.manage")
    try:
        line_id = int(getattr(line, "pk", line))
        invoice_id = InvoiceLine.objects.values_list("invoice_id", flat=True).get(pk=line_id)
    except (InvoiceLine.DoesNotExist, TypeError, ValueError):
        raise NotFound(*errors.LINE_MISSING) from None
    invoice = _lock_correctable(invoice_id)
    line = InvoiceLine.objects.select_related("product", "delivery_line", "order_line").get(pk=line_id)
    fields = (
        "quantity",
        "unit_price",
        "discount_percent",
        "discount_category",
        "vat_rate",
        "vat_category",
        "vat_exemption_reason",
    )
    before = {name: getattr(line, name) for name in fields}
    if quantity is not None:
        line.quantity = _corrected_quantity(line, quantity)
    if unit_price is not None:
        price = _decimal(unit_price)
        if price < 0:
            _fail(sales_errors.PRICE_NEGATIVE, position=line.position)
        line.unit_price = money.unit_price(price)
    if discount_percent is not None:
        discount = _decimal(discount_percent)
        if not ZERO <= discount <= Decimal("100"):
            _fail(sales_errors.DISCOUNT_OUT_OF_RANGE, position=line.position)
        line.discount_percent = discount.quantize(Decimal("0.01"))
    if discount_percent is not None or discount_category is not None:
        # The category given, else the line's own; "non catégorisé" for a discount that has none.
        wanted = line.discount_category if discount_category is None else discount_category
        line.discount_category = sales_discounts.category_of(wanted, line.discount_percent, line.position)
    if vat_from_product:
        product = line.product
        # The rate in force the day the tax fell due: the delivery for goods, else the invoice's day.
        tax_point = (
            line.delivery_line.delivery.date if line.delivery_line_id else (invoice.date or dates.today())
        )
        tax = vat.treatment(
            regime=invoice.customer.vat_regime,
            is_service=not product.is_stocked,
            rate=catalog_view.vat_rate_on(product, tax_point),
            exemption_reason=product.vat_exemption_reason,
            exemption_code=product.vat_exemption_code,
        )
        line.vat_rate, line.vat_category, line.vat_exemption_reason = tax.rate, tax.category, tax.reason
    changes = {
        name: [before[name], getattr(line, name)] for name in fields if before[name] != getattr(line, name)
    }
    if not changes:
        _fail(errors.CORRECTION_CHANGES_NOTHING, sku=line.product.sku, number=str(invoice))
    line.net_amount = money.line_net(line.quantity, line.unit_price, line.discount_percent)
    if line.net_amount > money.MAX_LINE_AMOUNT:
        _fail(sales_errors.AMOUNT_TOO_LARGE, position=line.position, limit=money.fr(money.MAX_LINE_AMOUNT, 0))
    line.save(update_fields=[*fields, "net_amount"])
    _refresh_draft(invoice)
    audit.record(
        "invoice.line_corrected",
        by=by,
        obj=invoice,
        data={"line": line.position, "sku": line.product.sku, "changes": changes, "reason": reason},
    )
    return line


@transaction.atomic
def deduct_deposits_on_draft(invoice: Invoice, *, by, reason: str = "") -> Invoice:
    """Deduct from a draft the order's deposits it does not deduct yet: a draft imported or drawn up
    by hand without them (those the service prepares deduct them already)."""
    permissions.require(by, "invoice.manage")
    invoice = _lock_correctable(invoice.pk)
    if invoice.order_id is None:
        _fail(errors.DEPOSIT_NEEDS_ORDER, number=str(invoice))
    before = invoice.deposits_deducted
    _refresh_draft(invoice)
    if invoice.deposits_deducted <= before:
        _fail(errors.NO_DEPOSIT_TO_DEDUCT, number=str(invoice))
    audit.record(
        "invoice.deposits_deducted",
        by=by,
        obj=invoice,
        data={"before": before, "deducted": invoice.deposits_deducted, "reason": reason},
    )
    return invoice

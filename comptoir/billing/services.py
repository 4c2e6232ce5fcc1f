"""Invoicing: draft from what was delivered (or ordered, for services), then issue.

Issuing is the legal act: it takes the next number of the series, freezes the invoice (totals, the
buyer as they are today) and posts the sales-journal entry, all in one transaction.
"""

import dataclasses
import datetime
from collections import defaultdict
from decimal import Decimal

from django.db import transaction
from django.db.models import Q, Sum
from django.utils import timezone

from comptoir.accounting import chart, periods
from comptoir.accounting import services as ledger
from comptoir.assistant import blocking
from comptoir.billing import approving, crediting, discounting, einvoicing, errors, integrity, schedule
from comptoir.billing import selectors as billing_selectors
from comptoir.billing import totals as invoice_totals
from comptoir.billing.models import AllowanceCharge, DepositDeduction, Invoice, InvoiceLine, InvoiceTax
from comptoir.billing.terms import due_date
from comptoir.catalog import selectors as catalog_view
from comptoir.catalog.models import Product
from comptoir.core import audit, dates, money, numbering, permissions, rows, vat, workflow
from comptoir.core.compiled import Compiled
from comptoir.core.errors import NotFound
from comptoir.core.errors import fail as _fail
from comptoir.core.taxes import document_totals
from comptoir.parties import selectors as parties_selectors
from comptoir.parties.models import Company, VatRegime
from comptoir.returns import citing
from comptoir.sales import errors as sales_errors
from comptoir.sales import progress
from comptoir.sales.models import BillingMilestone, Order, OrderLine
from comptoir.sales.selectors import ORDER_LOCKED_WITH_CUSTOMER, order_lines_with_product
from comptoir.sales.services import check_schedule_fits, milestone_amount
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
_INVOICE_LOCKED = Compiled(
    lambda invoice_id: (
        Invoice.objects.select_for_update(of=("self",))
        .select_related("customer", "order")
        .filter(pk=invoice_id)
    )
)
_LINES_TO_ISSUE = Compiled(
    lambda invoice_id: (
        InvoiceLine.objects.filter(invoice_id=invoice_id)
        .select_related("product", "delivery_line__delivery")
        .order_by("position", "id")
    )
)
_DEDUCTIONS_WITH_DEPOSIT = Compiled(
    lambda invoice_id: DepositDeduction.objects.filter(invoice_id=invoice_id).select_related("deposit")
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


def _invoiced_milestone_ids(order: Order) -> set[int]:
    return set(
        Invoice.objects.filter(order=order, milestone__isnull=False)
        .exclude(status=Invoice.Status.CANCELLED)
        .exclude(kind=Invoice.Kind.CREDIT_NOTE)
        .values_list("milestone_id", flat=True)
    )


def _revenue_lines(order: Order):
    """Lines that bill the order's goods and services: by quantities or by schedule step (not the
    deposits, nor what a return case re-invoices beyond the order), on draft or issued invoices."""
    return (
        InvoiceLine.objects.filter(invoice__order=order, invoice__kind=Invoice.Kind.INVOICE)
        .exclude(invoice__status=Invoice.Status.CANCELLED)
        .filter(Q(order_line__isnull=False) | Q(invoice__milestone__isnull=False))
    )


def _check_deposit_fits(order: Order, steps: list[BillingMilestone], *, extra: Decimal = ZERO) -> None:
    """A deposit must still be deductible: some invoice of the order is yet to come, and what remains to
    invoice covers every deposit not yet deducted (this one included)."""
    invoiced = _invoiced_milestone_ids(order)
    ordinary = [m for m in steps if not m.is_deposit]
    if ordinary and all(m.pk in invoiced for m in ordinary):
        _fail(errors.DEPOSIT_TOO_LATE, number=order.number)
    revenue = _revenue_lines(order).aggregate(s=Sum("net_amount"))["s"] or ZERO
    deposits = Invoice.objects.filter(order=order, kind=Invoice.Kind.DEPOSIT).exclude(
        status=Invoice.Status.CANCELLED
    )
    deposited = deposits.aggregate(s=Sum("total_untaxed"))["s"] or ZERO
    deducted = (
        DepositDeduction.objects.filter(deposit__in=deposits)
        .exclude(invoice__status=Invoice.Status.CANCELLED)
        .aggregate(s=Sum("base"))["s"]
        or ZERO
    )
    left = order.total_untaxed - revenue - (deposited - deducted)
    if extra > left or left < 0:
        _fail(
            errors.DEPOSIT_EXCEEDS_REMAINING,
            number=order.number,
            amount=_fr(extra),
            left=_fr(max(left, ZERO)),
        )


_fr = money.fr


def _percent(value: Decimal) -> str:
    return format(value.normalize(), "f").replace(".", ",") + "\u00a0%"


GroupKey = tuple[Decimal, str, bool]  # (VAT rate, VAT category, is a service)


def _order_groups(order_lines: list[OrderLine]) -> dict[GroupKey, tuple[Decimal, OrderLine]]:
    """The order's VAT groups, split between goods and services (they go to different revenue accounts
    and their VAT falls due differently), in order of appearance: (base, first order line)."""
    groups: dict[GroupKey, tuple[Decimal, OrderLine]] = {}
    for line in order_lines:
        key = (line.vat_rate, line.vat_category, not line.product.is_stocked)
        base, first = groups.get(key, (ZERO, line))
        groups[key] = (base + line.net_amount, first)
    return groups


def _require_reached(milestone: BillingMilestone, order: Order, order_lines: list[OrderLine]) -> None:
    if milestone.trigger == BillingMilestone.Trigger.DELIVERY:
        # Derived from the quantities each time: reached when every goods line is fully delivered.
        goods = [line for line in order_lines if line.product.is_stocked]
        if not goods or progress.delivery_progress(goods) != progress.DONE:
            _fail(errors.MILESTONE_NOT_DELIVERED, label=milestone.label, number=order.number)
    elif milestone.reached_at is None:
        _fail(errors.MILESTONE_NOT_REACHED, label=milestone.label, trigger=milestone.get_trigger_display())


def _step_wording(milestone: BillingMilestone, order: Order, total: Decimal) -> str:
    share = _percent(milestone.percent) if milestone.percent is not None else f"{_fr(total)} € HT"
    if milestone.is_deposit:
        return f"Acompte de {share} sur la commande {order.number}"
    return f"Échéance « {milestone.label} » ({share}) sur la commande {order.number}"


def _group_suffix(key: GroupKey, several: bool) -> str:
    if not several:
        return ""
    rate, _, is_service = key
    return f" — {'prestations' if is_service else 'marchandises'}, TVA {_percent(rate)}"


def _schedule_line(
    position: int, source, net: Decimal, description: str, account_code: str = ""
) -> InvoiceLine:
    """One line billing `net` excl. VAT in the VAT group of `source` (an order line or a deposit line)."""
    return InvoiceLine(
        position=position,
        product_id=source.product_id,
        description=description[:250],
        quantity=Decimal("1"),
        unit_price=net,
        vat_rate=source.vat_rate,
        vat_category=source.vat_category,
        vat_exemption_reason=source.vat_exemption_reason,
        net_amount=net,
        account_code=account_code,
    )


def _absorbed_deposit_lines(left: list[schedule.DepositLeft]) -> list[tuple[GroupKey, InvoiceLine]]:
    """A schedule step that deducts deposits also bills their share as revenue: one line per deposit
    line, for what is left of it."""
    if not left:
        return []
    deposits = {inv.pk: inv for inv in Invoice.objects.filter(pk__in={item.deposit_id for item in left})}
    deposit_lines: dict[tuple, list[InvoiceLine]] = defaultdict(list)
    for line in (
        InvoiceLine.objects.filter(invoice_id__in=deposits)
        .select_related("product")
        .order_by("position", "id")
    ):
        deposit_lines[(line.invoice_id, line.vat_rate, line.vat_category)].append(line)
    absorbed = []
    for item in left:
        sources = deposit_lines[(item.deposit_id, *item.key)]
        deposit = deposits[item.deposit_id]
        for source, net in schedule.split_pro_rata(item.base, [(line, line.net_amount) for line in sources]):
            description = f"Acompte {deposit.number} du {deposit.date:%d/%m/%Y} repris — {source.description}"
            absorbed.append(
                (
                    (source.vat_rate, source.vat_category, not source.product.is_stocked),
                    _schedule_line(0, source, net, description),
                )
            )
    return absorbed


@transaction.atomic
def create_milestone_invoice(milestone: BillingMilestone, *, by) -> Invoice:
    """Draft the invoice of a reached billing-schedule step.

    Amount excl. VAT: the step's percentage of the order total (rounded) or its fixed amount, spread
    over the order's VAT groups pro rata of their bases (the last group takes the rounding remainder),
    one line per group. The last ordinary step of a schedule bills exactly what is left of each group,
    so the steps add up to the order to the cent.
    - A deposit step makes a deposit invoice (386) on 4191 (see the section comment).
    - An ordinary step makes an ordinary invoice (380) on 707/706; it deducts the deposits invoiced
      before it, and bills their share as revenue.
    """
    permissions.require(by, "invoice.manage")
    order = Order.objects.select_for_update().select_related("customer").get(pk=milestone.order_id)
    milestone = BillingMilestone.objects.get(pk=milestone.pk)
    if order.status != Order.Status.CONFIRMED:
        _fail(errors.ORDER_NOT_CONFIRMED, number=order.number)
    steps = list(order.milestones.all())
    check_schedule_fits(order, steps)
    order_lines = list(order.lines.select_related("product"))
    _require_reached(milestone, order, order_lines)
    existing = (
        Invoice.objects.filter(milestone=milestone)
        .exclude(status=Invoice.Status.CANCELLED)
        .exclude(kind=Invoice.Kind.CREDIT_NOTE)
        .first()
    )
    if existing is not None:
        _fail(errors.MILESTONE_ALREADY_INVOICED, label=milestone.label, invoice=str(existing))
    groups = _order_groups(order_lines)
    several = len(groups) > 1
    step_total = milestone_amount(milestone, order.total_untaxed)
    wording = _step_wording(milestone, order, step_total)
    lines: list[InvoiceLine] = []
    left: list[schedule.DepositLeft] = []
    if milestone.is_deposit:
        _check_deposit_fits(order, steps, extra=step_total)
        for key, share in schedule.split_pro_rata(step_total, [(k, base) for k, (base, _) in groups.items()]):
            lines.append(
                _schedule_line(
                    0, groups[key][1], share, wording + _group_suffix(key, several), chart.CUSTOMER_DEPOSITS
                )
            )
    else:
        left = _deposits_left(order)
        absorbed = _absorbed_deposit_lines(left)
        invoiced = _invoiced_milestone_ids(order)
        closing = all(m.pk in invoiced for m in steps if not m.is_deposit and m.pk != milestone.pk)
        if closing:
            # What is left of each group once the other steps and the deposits taken back are billed.
            billed: dict[GroupKey, Decimal] = defaultdict(lambda: ZERO)
            for row in (
                _revenue_lines(order)
                .values("vat_rate", "vat_category", "product__kind")
                .annotate(s=Sum("net_amount"))
            ):
                billed[
                    (row["vat_rate"], row["vat_category"], row["product__kind"] == Product.Kind.SERVICE)
                ] += row["s"]
            for key, line in absorbed:
                billed[key] += line.net_amount
            shares = [(key, base - billed[key]) for key, (base, _) in groups.items()]
            shares = [(key, share) for key, share in shares if share > 0]
        else:
            shares = schedule.split_pro_rata(step_total, [(k, base) for k, (base, _) in groups.items()])
        for key, share in shares:
            lines.append(_schedule_line(0, groups[key][1], share, wording + _group_suffix(key, several)))
        lines.extend(line for _, line in absorbed)
    if not lines:
        _fail(errors.NO_LINES)
    company = parties_selectors.company()
    invoice = rows.insert_one(
        Invoice(
            kind=Invoice.Kind.DEPOSIT if milestone.is_deposit else Invoice.Kind.INVOICE,
            series=company.invoice_series if company else "FA",
            customer=order.customer,
            order=order,
            milestone=milestone,
            created_by=by if getattr(by, "pk", None) else None,
        )
    )
    for position, line in enumerate(lines, start=1):
        line.invoice, line.position = invoice, position
    rows.insert_many(lines)
    totals = document_totals((line.net_amount, line.vat_rate, line.vat_category) for line in lines)
    invoice.total_untaxed, invoice.total_vat, invoice.total = totals.untaxed, totals.vat, totals.total
    invoice.deposits_deducted = _deduct_deposits(invoice, totals, left)
    invoice.save(update_fields=["total_untaxed", "total_vat", "total", "deposits_deducted"])
    if milestone.trigger == BillingMilestone.Trigger.DELIVERY and milestone.reached_at is None:
        # Kept for the record; the delivery trigger itself is always derived from the quantities.
        BillingMilestone.objects.filter(pk=milestone.pk).update(reached_at=timezone.now())
    audit.record(
        "invoice.drafted",
        by=by,
        obj=invoice,
        data={
            "order": order.number,
            "milestone": milestone.label,
            "deposit": milestone.is_deposit,
            "total": invoice.total_untaxed,
            "deposits_deducted": invoice.deposits_deducted,
        },
    )
    return invoice


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


def _address_text(customer) -> str:
    return "\n".join(customer.address_lines)


def _is_service(line: InvoiceLine) -> bool:
    return line.product.kind == Product.Kind.SERVICE


def _tax_rows(invoice: Invoice, lines: list[InvoiceLine], totals, *, due_on_receipt) -> list[InvoiceTax]:
    """The frozen VAT breakdown. The share of each rate's VAT that belongs to lines taxed on receipt
    (`due_on_receipt(line)`) waits in 44574 until the customer pays."""
    reasons = {(line.vat_rate, line.vat_category): line.vat_exemption_reason for line in lines}
    # The VATEX code (BT-121) of an exempt product goes with its reason (the other zero-VAT categories
    # have their own standard code, see einvoice.document.DEFAULT_EXEMPTIONS).
    codes = {
        (line.vat_rate, line.vat_category): line.product.vat_exemption_code
        for line in reversed(lines)
        if line.vat_category == vat.Category.EXEMPT and line.product.vat_exemption_code
    }
    rows = []
    for tax in totals.taxes:
        pending = ZERO
        if tax.amount and tax.base and tax.lines_base > 0:
            on_receipt_base = sum(
                (
                    ln.net_amount
                    for ln in lines
                    if due_on_receipt(ln) and (ln.vat_rate, ln.vat_category) == (tax.rate, tax.category)
                ),
                ZERO,
            )
            # The share of the lines taxed on receipt among the lines of this breakdown (its allowances
            # and charges follow the lines they adjust).
            pending = money.amount(tax.amount * on_receipt_base / tax.lines_base)
        rows.append(
            InvoiceTax(
                invoice=invoice,
                vat_rate=tax.rate,
                category=tax.category,
                base=tax.base,
                amount=tax.amount,
                amount_on_receipts=pending,
                exemption_reason=reasons.get((tax.rate, tax.category), ""),
                exemption_code=codes.get((tax.rate, tax.category), ""),
            )
        )
    return rows


def _due_on_receipt(invoice: Invoice, company: Company):
    """Which lines have their VAT due only when the customer pays (fr-compliance §5.4): services, unless
    the company opted for debits; on a deposit invoice, goods too (CGI 269-2-a). A credit note reverses
    its VAT where the VAT of the invoice it corrects sits (`_credit_where_vat_waits`)."""
    if invoice.kind == Invoice.Kind.CREDIT_NOTE:
        return lambda line: False
    return _waits_for_cash(invoice.kind, company.vat_on_debits)


def _waits_for_cash(kind: str, vat_on_debits: bool):
    if kind == Invoice.Kind.DEPOSIT:
        return lambda line: not (vat_on_debits and _is_service(line))
    return lambda line: _is_service(line) and not vat_on_debits


def _credit_where_vat_waits(note: Invoice, lines: list[InvoiceLine], taxes: list[InvoiceTax]) -> None:
    """Set on a credit note's VAT rows the part to reverse on 44574 (`amount_on_receipts`): the VAT it
    credits on lines whose VAT waited for the customer's cash on the invoice it corrects (services
    without the option for debits; a deposit's lines), in the proportion of that invoice's VAT on
    receipts not cashed yet. The rest is reversed on 44571, where the VAT already due sits. VAT never
    declared is thus never taken off the VAT due: a credit note on an unpaid services invoice reverses
    44574 only, one on a half-paid invoice half on each."""
    # Locked like a payment locks it: what waits on the invoice cannot move while it is read.
    corrected = Invoice.objects.select_for_update().get(pk=note.corrects_id)
    state = billing_selectors.vat_on_receipts([corrected.pk])
    if not state:
        return
    waits = _waits_for_cash(corrected.kind, bool((corrected.seller or {}).get("vat_on_debits")))
    left = {rate: s.left for (_, rate), s in state.items()}
    for tax in taxes:
        waiting = state.get((corrected.pk, tax.vat_rate))
        if waiting is None or waiting.waiting <= 0 or tax.amount <= 0 or tax.base <= 0:
            continue
        eligible_base = sum(
            (
                line.net_amount
                for line in lines
                if waits(line) and (line.vat_rate, line.vat_category) == (tax.vat_rate, tax.category)
            ),
            ZERO,
        )
        lines_base = sum(
            (ln.net_amount for ln in lines if (ln.vat_rate, ln.vat_category) == (tax.vat_rate, tax.category)),
            ZERO,
        )
        if lines_base <= 0:
            continue
        uncashed = min(left[tax.vat_rate], waiting.waiting) / waiting.waiting
        reversed_there = min(
            left[tax.vat_rate], money.amount(tax.amount * eligible_base / lines_base * uncashed)
        )
        tax.amount_on_receipts = reversed_there
        left[tax.vat_rate] -= reversed_there


@dataclasses.dataclass(frozen=True)
class _Reversal:
    """A deducted part of a deposit, and where its VAT sits when the deducting invoice is issued."""

    deduction: DepositDeduction
    vat_due: Decimal  # on 44571: the deposit was cashed (or its VAT was due on debits)
    vat_pending: Decimal  # on 44574: not cashed yet
    made_due: Decimal  # of `vat_pending`, the goods share: the delivery billed makes it due now


def _deposit_reversals(deductions: list[DepositDeduction]) -> list[_Reversal]:
    """Where each deducted part of a deposit's VAT sits, and how much of it the delivery makes due.

    A deposit's VAT waits in 44574 until the deposit is cashed (goods and services, CGI art. 269-2-a);
    what still waits when the goods are delivered and invoiced falls due then for the goods. Each part
    deducted is split like the deposit's lines of its rate (goods, services on receipts, services on
    debits), and its waiting shares scaled by what of the deposit is not cashed yet."""
    if not deductions:
        return []
    deposit_ids = {d.deposit_id for d in deductions}
    # The deposit's lines of each VAT group: goods, services on receipts, services due on debits.
    bases: dict[tuple[int, Decimal, str], list[Decimal]] = defaultdict(lambda: [ZERO, ZERO, ZERO])
    on_debits = {d.deposit_id: bool((d.deposit.seller or {}).get("vat_on_debits")) for d in deductions}
    for invoice_id, rate, category, kind, net in InvoiceLine.objects.filter(
        invoice_id__in=deposit_ids
    ).values_list("invoice_id", "vat_rate", "vat_category", "product__kind", "net_amount"):
        service = kind == Product.Kind.SERVICE
        bases[(invoice_id, rate, category)][(2 if on_debits[invoice_id] else 1) if service else 0] += net
    on_receipts = billing_selectors.vat_on_receipts(deposit_ids)
    reversals = []
    for d in deductions:
        goods, services, _due_on_debits = bases[(d.deposit_id, d.vat_rate, d.category)]
        whole = sum(bases[(d.deposit_id, d.vat_rate, d.category)], ZERO)
        state = on_receipts.get((d.deposit_id, d.vat_rate))
        if state is None or state.left <= 0 or whole <= 0:
            reversals.append(_Reversal(d, d.vat, ZERO, ZERO))
            continue
        goods_pending, services_pending = schedule.deposit_vat_waiting(
            d.vat, goods / whole, services / whole, state.left, state.waiting
        )
        reversals.append(
            _Reversal(
                d, d.vat - goods_pending - services_pending, goods_pending + services_pending, goods_pending
            )
        )
    return reversals


def _sales_entry_lines(
    invoice: Invoice,
    lines: list[InvoiceLine],
    taxes: list[InvoiceTax],
    reversals: list[_Reversal] = (),
    adjustments: list[AllowanceCharge] = (),
) -> list[ledger.Line]:
    """411 debit for the total; 707 goods / 706 services credits per rate (4191 for a deposit); VAT per
    rate on 44571, or on 44574 for the part due on receipt. Document-level allowances debit 709 (rabais,
    remises et ristournes accordés) and charges credit 7085 (ports et frais accessoires facturés), per
    rate; their VAT is in the breakdown of their rate.

    For each deposit deducted: 4191 debit (its amount excl. VAT), VAT debit where the deposit's VAT
    sits (44571 once cashed, 44574 until then), 411 credit (incl. VAT). The invoice credits the same
    VAT accounts with the VAT of the whole operation: of the deposit's VAT still pending, the services
    share stays on 44574 and keeps following the deposit's own payments, the goods share falls due now
    with the delivery (44571); the rest falls due as this invoice's own VAT.
    """
    label = f"{invoice.number} {invoice.customer.name}"
    revenue: dict[tuple[str, Decimal], Decimal] = defaultdict(lambda: ZERO)
    for line in lines:
        default = chart.SALES_SERVICES if _is_service(line) else chart.SALES_GOODS
        revenue[(line.account_code or default, line.vat_rate)] += line.net_amount
    entry_lines = [
        ledger.Line(chart.CUSTOMERS, debit=invoice.total, label=label, partner_id=invoice.customer_id)
    ]
    for item in adjustments:
        default = chart.CHARGES_INVOICED if item.is_charge else chart.DISCOUNTS_GRANTED
        revenue[(item.account_code or default, item.vat_rate)] += item.signed_amount
    for (account, rate), net in sorted(revenue.items()):
        # Advances received (4191) are the customer's, like 411: the FEC names them (CompAuxNum).
        partner = invoice.customer_id if account == chart.CUSTOMER_DEPOSITS else None
        if net > 0:
            entry_lines.append(
                ledger.Line(account, credit=net, label=label, vat_rate=rate, partner_id=partner)
            )
        elif net < 0:
            entry_lines.append(
                ledger.Line(account, debit=-net, label=label, vat_rate=rate, partner_id=partner)
            )
    # What of the deposits' VAT still waits for their cash: their services share (the goods share falls
    # due with this invoice's delivery, on 44571 with its own goods VAT).
    deposit_pending: dict[tuple[Decimal, str], Decimal] = defaultdict(lambda: ZERO)
    for reversal in reversals:
        deposit_pending[(reversal.deduction.vat_rate, reversal.deduction.category)] += (
            reversal.vat_pending - reversal.made_due
        )
    for tax in taxes:
        on_pending = tax.amount_on_receipts + deposit_pending[(tax.vat_rate, tax.category)]
        due_now = tax.amount - on_pending
        if due_now:
            entry_lines.append(
                ledger.Line(chart.VAT_COLLECTED, credit=due_now, label=label, vat_rate=tax.vat_rate)
            )
        if on_pending:
            entry_lines.append(
                ledger.Line(chart.VAT_PENDING, credit=on_pending, label=label, vat_rate=tax.vat_rate)
            )
    by_deposit: dict[int, list[_Reversal]] = defaultdict(list)
    for reversal in reversals:
        by_deposit[reversal.deduction.deposit_id].append(reversal)
    for group in by_deposit.values():
        deposit = group[0].deduction.deposit
        deposit_label = f"{invoice.number} acompte {deposit.number} déduit"
        base = sum((r.deduction.base for r in group), ZERO)
        entry_lines.append(
            ledger.Line(
                chart.CUSTOMER_DEPOSITS, debit=base, label=deposit_label, partner_id=invoice.customer_id
            )
        )
        for r in group:
            rate = r.deduction.vat_rate
            entry_lines.append(
                ledger.Line(chart.VAT_COLLECTED, debit=r.vat_due, label=deposit_label, vat_rate=rate)
            )
            entry_lines.append(
                ledger.Line(chart.VAT_PENDING, debit=r.vat_pending, label=deposit_label, vat_rate=rate)
            )
        total = sum((r.deduction.amount for r in group), ZERO)
        entry_lines.append(
            ledger.Line(chart.CUSTOMERS, credit=total, label=deposit_label, partner_id=invoice.customer_id)
        )
    if invoice.kind == Invoice.Kind.CREDIT_NOTE:
        # A credit note is the mirror of an invoice: 411 credit, revenue and VAT debit.
        entry_lines = [
            dataclasses.replace(line, debit=line.credit, credit=line.debit) for line in entry_lines
        ]
    return entry_lines


def _check_buyer(customer, lines: list[InvoiceLine]) -> None:
    """What the law needs to know about the buyer before an invoice can carry its name."""
    if customer.vat_regime == VatRegime.FRANCE and not customer.siren:
        _fail(errors.BUYER_SIREN_MISSING, customer=customer.name)
    if any(line.vat_category in vat.NEED_BUYER_VAT for line in lines) and not customer.vat_number:
        _fail(errors.BUYER_VAT_MISSING, customer=customer.name)


def _seller_snapshot(company: Company | None) -> dict:
    if company is None:
        _fail(errors.COMPANY_MISSING)
    return {
        "name": company.legal_name,
        "legal_form": company.legal_form,
        "siren": company.siren,
        "siret": company.siret,
        "vat_number": company.vat_number,
        "rcs_city": company.rcs_city,
        "share_capital": str(company.share_capital) if company.share_capital is not None else "",
        "street": company.street,
        "street2": company.street2,
        "postal_code": company.postal_code,
        "city": company.city,
        "country": company.country,
        "iban": company.iban,
        "bic": company.bic,
        "email": company.email,
        "phone": company.phone,
        "vat_on_debits": company.vat_on_debits,
        "late_penalty_rate": str(company.late_penalty_rate),
        "early_payment_discount": company.early_payment_discount,
    }


def _nature(lines: list[InvoiceLine]) -> str:
    kinds = {_is_service(line) for line in lines}
    if kinds == {True}:
        return Invoice.Nature.SERVICES
    return Invoice.Nature.MIXED if len(kinds) == 2 else Invoice.Nature.GOODS


def _terms_text(customer) -> str:
    if customer.payment_days == 0:
        return "Paiement à réception de facture"
    text = f"Paiement à {customer.payment_days} jours"
    return text + (" fin de mois" if customer.payment_end_of_month else " date de facture")


@transaction.atomic
def issue_invoice(invoice: Invoice, *, by, date: datetime.date | None = None) -> Invoice:
    """Issue a draft: number, freeze (totals, buyer and seller as they are today), post the sales entry."""
    permissions.require(by, "invoice.issue")
    invoice = _INVOICE_LOCKED.get(invoice.pk)
    if invoice.status == Invoice.Status.ISSUED:
        _fail(errors.NOT_DRAFT, number=invoice.number)
    workflow.require(
        Invoice.TRANSITIONS,
        invoice.status,
        Invoice.Status.ISSUED,
        document=str(invoice),
        labels=Invoice.Status,
    )
    lines = _LINES_TO_ISSUE.objects(invoice.pk, invoice=invoice)
    date = periods.check_business_date(date, follows=_issue_follows(invoice, lines))
    if invoice.kind != Invoice.Kind.CREDIT_NOTE:
        blocked = sorted(
            {
                ln.delivery_line.delivery.number
                for ln in lines
                if ln.delivery_line_id and ln.delivery_line.delivery.invoicing_blocked
            }
        )
        if blocked:
            _fail(errors.DELIVERY_INVOICING_BLOCKED, numbers=", ".join(blocked))
    if not lines:
        _fail(errors.NO_LINES)
    adjustments = invoice_totals.adjustments_of(invoice)
    totals = invoice_totals.invoice_totals(lines, adjustments)
    if totals.total < 0:
        _fail(errors.TOTAL_NEGATIVE)
    customer = invoice.customer
    _check_buyer(customer, lines)
    # The assistant's blocking findings (billed beyond delivered, billed twice, VAT) stop the issue
    # unless someone allowed overrode them with a written reason.
    blocking.refuse_if_blocked(invoice, lines)
    if invoice.kind == Invoice.Kind.CREDIT_NOTE:
        # Four eyes: a commercial gesture above the threshold waits for another person's approval. Checked
        # after the document's own rules, so that a trial issue (the billing agent's) finds those first.
        approving.require_approved(invoice)
    company = parties_selectors.company()
    invoice.seller = _seller_snapshot(company)
    try:
        # Chronological numbering is checked under the counter's lock, where two issues cannot cross.
        invoice.number = numbering.next_number(invoice.series, date.year, dated=date)
    except numbering.OutOfOrder as late:
        _fail(
            errors.DATE_BEFORE_LAST, date=date.strftime("%d/%m/%Y"), last=late.last_date.strftime("%d/%m/%Y")
        )
    invoice.date = date
    invoice.due_date = due_date(date, customer.payment_days, customer.payment_end_of_month)
    invoice.payment_terms = _terms_text(customer)
    invoice_totals.set_totals(invoice, totals)
    invoice.buyer_name = customer.name
    invoice.buyer_address = _address_text(customer)
    invoice.buyer_siren = customer.siren
    invoice.buyer_vat_number = customer.vat_number
    invoice.buyer_details = einvoicing.buyer_details(customer, invoice.order)
    invoice.operation_nature = _nature(lines)
    delivered_on = [line.delivery_line.delivery.date for line in lines if line.delivery_line_id]
    if not delivered_on and invoice.milestone_id and invoice.kind == Invoice.Kind.INVOICE:
        # A schedule step billed after the goods left: the last delivery of the order.
        delivered_on = [
            d
            for d in Delivery.objects.filter(
                order_id=invoice.order_id, status=Delivery.Status.VALIDATED
            ).values_list("date", flat=True)
        ]
    # Lines billing no delivery line (a kept surplus re-invoiced by a return case) keep the delivery date
    # their draft was given: an intra-EU supply needs one (BR-IC-11).
    invoice.delivery_date = max(delivered_on) if delivered_on else invoice.delivery_date
    if invoice.kind == Invoice.Kind.DEPOSIT and invoice.order_id:
        order = Order.objects.select_for_update().get(pk=invoice.order_id)
        _check_deposit_fits(order, list(order.milestones.all()))
    deductions = _DEDUCTIONS_WITH_DEPOSIT.objects(invoice.pk, invoice=invoice)
    invoice.deposits_deducted = sum((d.amount for d in deductions), ZERO)
    if invoice.deposits_deducted > totals.total:
        _fail(
            errors.DEDUCTION_EXCEEDS_TOTAL, deducted=_fr(invoice.deposits_deducted), total=_fr(totals.total)
        )
    if invoice.early_discount_percent > 0 and invoice.kind == Invoice.Kind.INVOICE:
        # The escompte's deadline is frozen from the invoice date, its conditions printed in BT-20.
        invoice.early_discount_until = date + datetime.timedelta(days=invoice.early_discount_days)
        invoice.payment_terms += " — " + early_discount_terms(invoice, totals.taxes)
    taxes = _tax_rows(invoice, lines, totals, due_on_receipt=_due_on_receipt(invoice, company))
    if invoice.kind == Invoice.Kind.CREDIT_NOTE and invoice.corrects_id:
        _credit_where_vat_waits(invoice, lines, taxes)
    if deductions:
        deducted_vat: dict[tuple[Decimal, str], Decimal] = defaultdict(lambda: ZERO)
        for d in deductions:
            deducted_vat[(d.vat_rate, d.category)] += d.vat
        for tax in taxes:
            tax.amount_on_receipts = schedule.pending_after_deposits(
                tax.amount, tax.amount_on_receipts, deducted_vat[(tax.vat_rate, tax.category)]
            )
    reversals = _deposit_reversals(deductions)
    for reversal in reversals:
        reversal.deduction.vat_due_at_delivery = reversal.made_due
    rows.update_each([r.deduction for r in reversals if r.made_due], ["vat_due_at_delivery"])
    entry, _ = ledger.post_entry(
        "VE",
        date=date,
        label=f"{invoice.get_kind_display()} {invoice.number}",
        document_number=invoice.number,
        lines=_sales_entry_lines(invoice, lines, taxes, reversals, adjustments),
    )
    rows.insert_many(taxes)
    if invoice.kind != Invoice.Kind.CREDIT_NOTE:
        _count_invoiced(lines)
    invoice.entry = entry
    invoice.status = Invoice.Status.ISSUED
    invoice.issued_at = timezone.now()
    invoice.issued_by = by if getattr(by, "pk", None) else None
    rows.update_one(invoice)
    # The e-invoice must be valid before the invoice exists: its rules are checked on the frozen data,
    # and the structured invoice (CII XML) is archived with its fingerprint in the same transaction.
    einvoice_problems = einvoicing.problems(
        invoice, rows=lines, taxes=taxes, deductions=deductions, adjustments=adjustments
    )
    if einvoice_problems:
        _fail(errors.EINVOICE_INVALID, problems=" ; ".join(einvoice_problems))
    archive = einvoicing.freeze(invoice)
    audit.record(
        "invoice.issued",
        by=by,
        obj=invoice,
        data={
            "number": invoice.number,
            "untaxed": invoice.total_untaxed,
            "vat": invoice.total_vat,
            "total": invoice.total,
        }
        | integrity.seal(invoice, lines, taxes, archive, adjustments),
    )
    return invoice


def early_discount_terms(invoice: Invoice, taxes) -> str:
    """The escompte conditions of an invoice (BT-20 and the AAB note): `taxes` are its VAT breakdown
    (InvoiceTax rows or core.taxes.TaxLine), whose bases the discount applies to."""
    discount = discounting.early_discount(
        ((t.vat_rate if hasattr(t, "vat_rate") else t.rate, t.category, t.base) for t in taxes),
        invoice.early_discount_percent,
    )
    return discounting.terms_text(
        discount, until=invoice.early_discount_until, payable=invoice.amount_payable
    )


def _issue_follows(invoice: Invoice, lines: list[InvoiceLine]) -> list[dates.Follows]:
    """What an invoice cannot be dated before: the order it bills, each delivery whose goods it bills (so
    the latest of them), and for a credit note the invoice it corrects."""
    earlier = []
    if invoice.kind == Invoice.Kind.CREDIT_NOTE:
        corrected = Invoice.objects.filter(pk=invoice.corrects_id).values("number", "date").first()
        if corrected:
            earlier += dates.follows(f"la facture {corrected['number']}", corrected["date"])
    elif invoice.order_id:
        earlier += dates.follows(f"la commande {invoice.order.number}", invoice.order.date)
    for line in lines:
        if line.delivery_line_id:
            delivery = line.delivery_line.delivery
            earlier += dates.follows(f"le bon de livraison {delivery.number}", delivery.date)
    return earlier


def _count_invoiced(lines: list[InvoiceLine]) -> None:
    """Advance the invoiced counters of the order and delivery lines behind an issued invoice.

    One UPDATE per table adding this invoice's quantities in SQL (rows.add_each): the rows are locked
    by the UPDATE itself and the counters can never be overwritten with a stale value.
    """
    for model, link in ((OrderLine, "order_line_id"), (DeliveryLine, "delivery_line_id")):
        added: dict[int, Decimal] = defaultdict(lambda: ZERO)
        for line in lines:
            if getattr(line, link) is not None:
                added[getattr(line, link)] += line.quantity
        rows.add_each(model, "quantity_invoiced", dict(added))


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
            series="AV",
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
                    account_code=item.account_code,
                )
            )
    return rows.insert_many(carried)


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

"""Invoices of a billing schedule: the deposit and milestone steps of an order, each a share of the order
computed per VAT rate, category and kind, and the check that deposits never exceed what the order
bills.
"""

from collections import defaultdict
from decimal import Decimal

from django.db import transaction
from django.db.models import Q, Sum
from django.utils import timezone

from comptoir.accounting import chart
from comptoir.billing import errors, schedule
from comptoir.billing.drafting import _deduct_deposits, _deposits_left
from comptoir.billing.models import DepositDeduction, Invoice, InvoiceLine
from comptoir.catalog.models import Product
from comptoir.core import audit, money, permissions, rows
from comptoir.core.errors import fail as _fail
from comptoir.core.taxes import document_totals
from comptoir.parties import selectors as parties_selectors
from comptoir.sales import progress
from comptoir.sales.models import BillingMilestone, Order, OrderLine
from comptoir.sales.services import check_schedule_fits, milestone_amount

ZERO = Decimal("0")
_fr = money.fr


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

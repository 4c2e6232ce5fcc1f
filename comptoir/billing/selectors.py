"""Billing reads shaped for pages and the API (no writes)."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import BooleanField, Case, Exists, F, OuterRef, Q, Sum, Value, When

from comptoir.billing.models import DepositDeduction, Invoice, InvoiceLine, InvoiceTax
from comptoir.catalog.models import Product
from comptoir.core import money
from comptoir.sales import progress
from comptoir.sales.models import TO_INVOICE, BillingMilestone, Order, OrderLine
from comptoir.sales.services import milestone_amount

ZERO = Decimal("0")

# Where a billing-schedule step stands.
PLANNED, REACHED, DRAFTED, INVOICED = "planned", "reached", "drafted", "invoiced"
MILESTONE_STATE_LABELS = {
    PLANNED: "Prévue",
    REACHED: "À facturer",
    DRAFTED: "Facture en brouillon",
    INVOICED: "Facturée",
}


@dataclass(frozen=True)
class MilestoneStatus:
    milestone: BillingMilestone
    amount_untaxed: Decimal  # what the step bills excl. VAT, at today's order total
    reached: bool
    reached_at: datetime.datetime | None
    invoice: Invoice | None  # the draft or issued invoice billing it

    @property
    def state(self) -> str:
        if self.invoice is not None:
            return INVOICED if self.invoice.status == Invoice.Status.ISSUED else DRAFTED
        return REACHED if self.reached else PLANNED

    @property
    def state_label(self) -> str:
        return MILESTONE_STATE_LABELS[self.state]


@dataclass(frozen=True)
class OrderBillingStatus:
    """What an order has been billed, and what remains to bill, excl. VAT.

    `invoiced_untaxed` counts the issued invoices that bill the order's goods and services (by delivered
    quantities or by schedule step); deposits are counted apart, since the invoice that deducts them
    bills their share again. `remaining_untaxed` = ordered − invoiced: what no issued invoice bills yet
    (drafts included in it, and shown in `draft_untaxed`).
    """

    order: Order
    ordered_untaxed: Decimal
    invoiced_untaxed: Decimal
    draft_untaxed: Decimal
    credited_untaxed: Decimal  # issued credit notes on the order's invoices
    other_invoiced_untaxed: Decimal  # issued invoices beyond the order (a return case's re-invoicing)
    deposits_invoiced_untaxed: Decimal
    deposits_deducted_untaxed: Decimal  # by issued invoices
    billed_by_schedule: bool
    milestones: tuple[MilestoneStatus, ...]

    @property
    def invoiced_by_kind(self) -> dict[str, Decimal]:
        return {
            Invoice.Kind.INVOICE: self.invoiced_untaxed + self.other_invoiced_untaxed,
            Invoice.Kind.DEPOSIT: self.deposits_invoiced_untaxed,
            Invoice.Kind.CREDIT_NOTE: self.credited_untaxed,
        }

    @property
    def deposits_to_deduct_untaxed(self) -> Decimal:
        return self.deposits_invoiced_untaxed - self.deposits_deducted_untaxed

    @property
    def remaining_untaxed(self) -> Decimal:
        return self.ordered_untaxed - self.invoiced_untaxed

    @property
    def is_fully_invoiced(self) -> bool:
        return self.remaining_untaxed <= 0 and self.deposits_to_deduct_untaxed <= 0


def order_billing_status(order: Order) -> OrderBillingStatus:
    """The billing picture of one order, in a fixed number of queries."""
    invoices = Invoice.objects.filter(order=order).exclude(status=Invoice.Status.CANCELLED)
    schedule_or_quantities = Q(order_line__isnull=False) | Q(invoice__milestone__isnull=False)
    revenue = {
        (row["invoice__status"], row["billed_from_order"]): row["s"]
        for row in InvoiceLine.objects.filter(invoice__in=invoices, invoice__kind=Invoice.Kind.INVOICE)
        .annotate(billed_from_order=_as_flag(schedule_or_quantities))
        .values("invoice__status", "billed_from_order")
        .annotate(s=Sum("net_amount"))
    }
    issued = Invoice.Status.ISSUED
    by_kind = {
        row["kind"]: row["s"]
        for row in invoices.filter(status=issued).values("kind").annotate(s=Sum("total_untaxed"))
    }
    deducted = (
        DepositDeduction.objects.filter(deposit__order=order, invoice__status=issued).aggregate(
            s=Sum("base")
        )["s"]
        or ZERO
    )
    milestones = list(order.milestones.all())
    billing = {
        inv.milestone_id: inv
        for inv in invoices.filter(milestone__isnull=False)
        .exclude(kind=Invoice.Kind.CREDIT_NOTE)
        .order_by("id")
    }
    goods = [line for line in order.lines.select_related("product") if line.product.is_stocked]
    delivered = bool(goods) and progress.delivery_progress(goods) == progress.DONE
    states = tuple(
        MilestoneStatus(
            milestone=m,
            amount_untaxed=milestone_amount(m, order.total_untaxed),
            reached=delivered if m.trigger == BillingMilestone.Trigger.DELIVERY else m.reached_at is not None,
            reached_at=m.reached_at,
            invoice=billing.get(m.pk),
        )
        for m in milestones
    )
    return OrderBillingStatus(
        order=order,
        ordered_untaxed=order.total_untaxed,
        invoiced_untaxed=revenue.get((issued, True), ZERO),
        draft_untaxed=revenue.get((Invoice.Status.DRAFT, True), ZERO),
        credited_untaxed=by_kind.get(Invoice.Kind.CREDIT_NOTE, ZERO),
        other_invoiced_untaxed=revenue.get((issued, False), ZERO),
        deposits_invoiced_untaxed=by_kind.get(Invoice.Kind.DEPOSIT, ZERO),
        deposits_deducted_untaxed=deducted,
        billed_by_schedule=any(not m.is_deposit for m in milestones),
        milestones=states,
    )


def _as_flag(condition: Q):
    return Case(When(condition, then=Value(True)), default=Value(False), output_field=BooleanField())


def orders_not_fully_invoiced() -> list[int]:
    """Ids of the orders with a line not fully invoiced, whatever their state: few at any time, read
    from the partial index of those lines. Handed to the next query as a list, which the database
    cannot misjudge: it has no statistics on a comparison of two columns and takes it for a third of
    the lines (PostgreSQL then scans every order)."""
    return sorted(set(OrderLine.objects.filter(TO_INVOICE).values_list("order_id", flat=True)))


def orders_to_invoice(unfinished: list[int] | None = None):
    """Confirmed orders with delivered goods or ordered services not yet invoiced, and no draft
    invoice already waiting to be issued. `unfinished`: `orders_not_fully_invoiced()`, when the caller
    already has it."""
    delivered_not_invoiced = OrderLine.objects.filter(
        order=OuterRef("pk"), quantity_delivered__gt=F("quantity_invoiced")
    )
    services_not_invoiced = OrderLine.objects.filter(
        order=OuterRef("pk"), product__kind=Product.Kind.SERVICE, quantity_invoiced__lt=F("quantity")
    )
    draft_invoice = Invoice.objects.filter(order=OuterRef("pk"), status=Invoice.Status.DRAFT)
    # An order with an ordinary billing schedule is invoiced step by step, not by quantities.
    schedule = BillingMilestone.objects.filter(order=OuterRef("pk"), is_deposit=False)
    # Either condition leaves a line not fully invoiced (nothing is delivered beyond what was ordered:
    # a constraint of OrderLine), so the orders are looked for among those few first.
    return (
        Order.objects.filter(
            status=Order.Status.CONFIRMED,
            pk__in=orders_not_fully_invoiced() if unfinished is None else unfinished,
        )
        .filter(Exists(delivered_not_invoiced) | Exists(services_not_invoiced))
        .exclude(Exists(draft_invoice))
        .exclude(Exists(schedule))
        .select_related("customer")
        .order_by("date", "id")
    )


def milestones_to_invoice() -> list[BillingMilestone]:
    """Billing-schedule steps that are reached (a deposit at confirmation, a marked event, every goods
    line delivered) on a confirmed order and have no live invoice yet."""
    live = Invoice.objects.filter(milestone=OuterRef("pk")).exclude(status=Invoice.Status.CANCELLED)
    candidates = (
        BillingMilestone.objects.filter(order__status=Order.Status.CONFIRMED)
        .exclude(Exists(live.exclude(kind=Invoice.Kind.CREDIT_NOTE)))
        .filter(Q(reached_at__isnull=False) | Q(trigger=BillingMilestone.Trigger.DELIVERY))
        .select_related("order")
        .order_by("order_id", "position", "id")
    )
    found = []
    delivered: dict[int, bool] = {}
    for milestone in candidates:
        if milestone.trigger == BillingMilestone.Trigger.DELIVERY:
            if milestone.order_id not in delivered:
                goods = [
                    line
                    for line in milestone.order.lines.select_related("product")
                    if line.product.is_stocked
                ]
                delivered[milestone.order_id] = (
                    bool(goods) and progress.delivery_progress(goods) == progress.DONE
                )
            if not delivered[milestone.order_id]:
                continue
        found.append(milestone)
    return found


@dataclass(frozen=True)
class OnReceipts:
    """An invoice's VAT of one rate that is due only when cashed (services, and deposits: fr-compliance
    §5.4), as it stands now."""

    waiting: Decimal  # what its payments are to release: on 44574 at issue, less what no cash releases
    left: Decimal  # still on 44574: `waiting` less what payments and credit notes applied released


def vat_on_receipts(invoice_ids) -> dict[tuple[int, Decimal], OnReceipts]:
    """{(invoice id, rate): OnReceipts} for the invoices that put VAT on 44574 at issue.

    Two things take VAT off an invoice's 44574 without any cash: the delivery billed by a later invoice
    that deducts a deposit (the goods share of the deposit's VAT falls due then, CGI art. 269-2-a:
    `DepositDeduction.vat_due_at_delivery`), and a credit note correcting the invoice, whose VAT is
    reversed where the invoice's VAT sits (its own `amount_on_receipts` is the part reversed on 44574).
    Payments and credit notes applied release the rest (payments.VatRelease, reached through its link
    to the invoice: billing does not import payments)."""
    invoice_ids = list(invoice_ids)
    waiting: dict[tuple[int, Decimal], Decimal] = {}
    for invoice_id, rate, on_receipts in InvoiceTax.objects.filter(
        invoice_id__in=invoice_ids, amount_on_receipts__gt=0
    ).values_list("invoice_id", "vat_rate", "amount_on_receipts"):
        waiting[(invoice_id, rate)] = waiting.get((invoice_id, rate), ZERO) + on_receipts
    if not waiting:
        return {}
    pending_ids = sorted({invoice_id for invoice_id, _ in waiting})
    issued = Invoice.Status.ISSUED
    taken_off = [
        DepositDeduction.objects.filter(
            deposit_id__in=pending_ids, invoice__status=issued, vat_due_at_delivery__gt=0
        )
        .values_list("deposit_id", "vat_rate")
        .annotate(s=Sum("vat_due_at_delivery")),
        InvoiceTax.objects.filter(
            invoice__corrects_id__in=pending_ids,
            invoice__kind=Invoice.Kind.CREDIT_NOTE,
            invoice__status=issued,
            amount_on_receipts__gt=0,
        )
        .values_list("invoice__corrects_id", "vat_rate")
        .annotate(s=Sum("amount_on_receipts")),
    ]
    for rows in taken_off:
        for invoice_id, rate, total in rows.order_by():
            if (invoice_id, rate) in waiting:
                waiting[(invoice_id, rate)] -= money.amount(total)
    releases = Invoice._meta.get_field("vat_releases").related_model
    released = {
        (invoice_id, rate): money.amount(total)
        for invoice_id, rate, total in releases.objects.filter(invoice_id__in=pending_ids)
        .values_list("invoice_id", "vat_rate")
        .annotate(s=Sum("amount"))
        .order_by()
    }
    return {
        key: OnReceipts(max(value, ZERO), max(value - released.get(key, ZERO), ZERO))
        for key, value in waiting.items()
    }

"""Snapshots of document chains for the checks, read in a small fixed number of queries (no N+1).

`chain_for_order` reads one order's whole cycle: the order (with its customer and quote), quote lines,
order lines, deliveries and their lines, every invoice line touching the order (invoices, deposit
invoices, credit notes, with their invoice rows), deposit deductions, the return cases credit notes
cite, the customer's invoices of the same days (duplicates) and the customer's payments left
unallocated with, when there are any, the open invoices they could settle. About a dozen queries,
whatever the size of the order.

`chain_for_issue` is the lean snapshot the gate at issue uses (`assistant.blocking`): it reuses the
invoice, customer and lines `billing.issue_invoice` has already loaded and adds one query, the other
invoice lines on the same delivery lines.

Beside the chain, the customer's other documents are read by `customer_history` (open quotes, recent
orders, cited return cases, invoices of the same days) and their payments by `customer_payments`;
`chain_rows` turns the rows all three read into the chain's objects.
"""

import dataclasses
import datetime
from collections import defaultdict

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from comptoir.assistant import chain as c
from comptoir.assistant import customer_history, customer_payments
from comptoir.assistant.chain_rows import (
    INVOICE_FIELDS,
    LINE_FIELDS,
    PRODUCT_FIELDS,
    UNREAD_INVOICE_FIELDS,
    ZERO,
    Products,
    customer_of,
    delivery_line_of,
    delivery_of,
    invoice_line_of,
    invoice_of,
    invoice_of_row,
    line_of_row,
    quote_line_of_row,
)
from comptoir.billing.models import DepositDeduction, Invoice, InvoiceLine
from comptoir.core import approvals
from comptoir.core.compiled import Compiled
from comptoir.sales.models import (
    BillingMilestone,
    Order,
    OrderAmendment,
    OrderAmendmentChange,
    OrderLine,
    QuoteLine,
)
from comptoir.stock.models import Delivery, DeliveryLine

# --- Full snapshots -------------------------------------------------------------------------------


def chain_for_invoice(invoice: Invoice, *, today: datetime.date | None = None) -> c.Chain:
    """The chain an invoice (or credit note) belongs to, focused on it."""
    if invoice.order_id is not None:
        # An invoice never changes order: the caller's row says which chain to read, and the chain reads
        # the invoice itself afresh with its lines.
        return chain_for_order(invoice.order_id, focus=invoice, today=today)
    invoice = Invoice.objects.select_related("customer").defer(*UNREAD_INVOICE_FIELDS).get(pk=invoice.pk)
    products = Products()
    lines = [
        invoice_line_of(line, products(line.product))
        for line in InvoiceLine.objects.filter(invoice=invoice)
        .select_related("product")
        .order_by("position", "id")
    ]
    invoices = (invoice_of(invoice, lines),)
    return _with_customer_context(
        c.Chain(
            customer=customer_of(invoice.customer), today=today or timezone.localdate(), focus=invoice.pk
        ),
        invoice.customer_id,
        invoices,
        products,
    )


# The queries every chain check runs, compiled once (`core.compiled`): only the ids change.
_ORDER_FIELDS = ("id", "number", "status", "date", "total_untaxed")
_CUSTOMER_FIELDS = (
    "id",
    "code",
    "name",
    "vat_regime",
    "vat_number",
    "country",
    "siren",
    "street",
    "postal_code",
    "city",
)
_ORDER = Compiled(
    lambda order_id: (
        Order.objects.filter(pk=order_id)
        .annotate(
            by_schedule=Exists(BillingMilestone.objects.filter(order=OuterRef("pk"), is_deposit=False)),
            amended=Exists(OrderAmendment.objects.filter(order=OuterRef("pk"))),
        )
        .values(
            *_ORDER_FIELDS,
            "by_schedule",
            "amended",
            "quote_id",
            "quote__number",
            *(f"customer__{name}" for name in _CUSTOMER_FIELDS),
        )
    )
)
# What the order's amendments changed, line by line (read only for an order that has amendments).
_AMENDED = Compiled(
    lambda order_id: OrderAmendmentChange.objects.filter(
        amendment__order_id=order_id, order_line_id__isnull=False
    ).values("order_line_id", "field")
)
_QUOTE_LINES = Compiled(
    lambda quote_id: (
        QuoteLine.objects.filter(quote_id=quote_id)
        .order_by("position", "id")
        .values("id", "quantity", "unit_price", "discount_percent", *PRODUCT_FIELDS)
    )
)

_ORDER_LINE_FIELDS = (
    "id",
    "quantity",
    "unit_price",
    "discount_percent",
    "vat_rate",
    "vat_category",
    "quote_line_id",
    "position",
)
_ORDER_LINES = Compiled(
    lambda order_id: (
        OrderLine.objects.filter(order_id=order_id)
        .order_by("position", "id")
        .values(*_ORDER_LINE_FIELDS, *PRODUCT_FIELDS)
    )
)
# Lines of cancelled notes too (only their ids are used, to find invoice lines on them); a note without
# lines has nothing to check.
_DELIVERY_LINES = Compiled(
    lambda order_id: (
        DeliveryLine.objects.filter(delivery__order_id=order_id)
        .order_by("delivery__date", "delivery_id", "id")
        .values(
            "id",
            "delivery_id",
            "order_line_id",
            "quantity",
            "unit_cost",
            "delivery__number",
            "delivery__status",
            "delivery__date",
            "delivery__kind",
            "delivery__invoicing_blocked",
            *PRODUCT_FIELDS,
        )
    )
)


def _invoice_lines_of_order(order_id: int, focus_id: int):
    """Every line of an invoice of the order, and any other invoice's line on the order's deliveries;
    cancelled drafts are out, except the focus. A UNION of two index-driven halves: the same two
    conditions under an OR made PostgreSQL read every invoice line."""
    fields = (
        "invoice_id",
        "position",
        *LINE_FIELDS,
        *PRODUCT_FIELDS,
        *(f"invoice__{n}" for n in INVOICE_FIELDS),
    )
    live = ~Q(invoice__status=Invoice.Status.CANCELLED) | Q(invoice_id=focus_id)
    return (
        InvoiceLine.objects.filter(live, invoice__order_id=order_id)
        .order_by()
        .values(*fields)
        .union(
            InvoiceLine.objects.filter(live, delivery_line__delivery__order_id=order_id)
            .order_by()
            .values(*fields)
        )
    )


_INVOICE_LINES = Compiled(_invoice_lines_of_order)
_DEDUCTIONS = Compiled(
    lambda order_id: DepositDeduction.objects.filter(invoice__order_id=order_id).values(
        "invoice_id", "deposit_id", "base", "vat"
    )
)


def chain_for_order(order, *, focus: Invoice | None = None, today: datetime.date | None = None) -> c.Chain:
    """The whole cycle of an order; findings about `focus` only when given (see `Chain.subjects`)."""
    order_id = getattr(order, "pk", order)
    found = _ORDER.rows(order_id)
    if not found:
        raise Order.DoesNotExist(f"order {order_id}")
    (order,) = found
    products = Products()
    quote = None
    if order["quote_id"] is not None:
        quote = c.Quote(
            id=order["quote_id"],
            number=order["quote__number"],
            lines=tuple(
                quote_line_of_row(row, products.of_row(row)) for row in _QUOTE_LINES.rows(order["quote_id"])
            ),
        )
    snapshot_order = c.Order(
        **{name: order[name] for name in _ORDER_FIELDS},
        lines=tuple(
            c.OrderLine(product=products.of_row(row), **{name: row[name] for name in _ORDER_LINE_FIELDS})
            for row in _ORDER_LINES.rows(order_id)
        ),
        billed_by_schedule=order["by_schedule"],
        amended=frozenset((row["order_line_id"], row["field"]) for row in _AMENDED.rows(order_id))
        if order["amended"]
        else frozenset(),
    )
    delivery_lines: dict[int, list[c.DeliveryLine]] = defaultdict(list)
    delivery_rows: dict[int, dict] = {}
    for row in _DELIVERY_LINES.rows(order_id):
        delivery_rows.setdefault(row["delivery_id"], row)
        delivery_lines[row["delivery_id"]].append(
            c.DeliveryLine(
                id=row["id"],
                order_line_id=row["order_line_id"],
                product=products.of_row(row),
                quantity=row["quantity"],
                unit_cost=row["unit_cost"],
            )
        )
    deliveries = tuple(
        c.Delivery(
            id=pk,
            number=row["delivery__number"],
            status=row["delivery__status"],
            date=row["delivery__date"],
            lines=tuple(delivery_lines[pk]),
            is_replacement=row["delivery__kind"] == Delivery.Kind.REPLACEMENT,
            invoicing_blocked=row["delivery__invoicing_blocked"],
        )
        for pk, row in delivery_rows.items()
        if row["delivery__status"] != Delivery.Status.CANCELLED
    )
    focus_id = focus.pk if focus is not None else None
    grouped: dict[int, list[c.InvoiceLine]] = defaultdict(list)
    rows_of: dict[int, dict] = {}
    for row in sorted(
        _INVOICE_LINES.rows(order_id, focus_id if focus_id is not None else 0),
        key=lambda row: (row["invoice_id"], row["position"], row["id"]),
    ):
        rows_of.setdefault(row["invoice_id"], row)
        grouped[row["invoice_id"]].append(line_of_row(row, products.of_row(row)))
    invoices = [invoice_of_row(pk, row, grouped[pk]) for pk, row in rows_of.items()]
    if focus is not None and focus.pk not in rows_of:
        # An invoice without lines (a draft emptied by hand): read on its own.
        invoices.append(invoice_of(Invoice.objects.defer(*UNREAD_INVOICE_FIELDS).get(pk=focus.pk), ()))
    invoices = tuple(sorted(invoices, key=lambda invoice: invoice.id))
    deductions = tuple(
        c.DepositDeduction(
            invoice_id=row["invoice_id"], deposit_id=row["deposit_id"], amount=row["base"] + row["vat"]
        )
        for row in _DEDUCTIONS.rows(order_id)
    )
    open_quotes = ()
    if quote is None and order["status"] != Order.Status.CANCELLED:
        open_quotes = customer_history.open_quotes(order["customer__id"], order["date"], products)
    snapshot = c.Chain(
        customer=c.Customer(**{name: order[f"customer__{name}"] for name in _CUSTOMER_FIELDS}),
        today=today or timezone.localdate(),
        focus=focus_id,
        order=snapshot_order,
        quote=quote,
        open_quotes=open_quotes,
        deliveries=deliveries,
        deductions=deductions,
        past_lines=customer_history.past_lines(order["customer__id"], snapshot_order)
        if focus_id is None
        else (),
    )
    return _with_customer_context(snapshot, order["customer__id"], invoices, products)


def _with_customer_context(snapshot: c.Chain, customer_id: int, invoices, products: Products) -> c.Chain:
    """Add what the checks compare beyond the order: return cases cited by credit notes, the customer's
    invoices of the same days, payments left unallocated and the open invoices."""
    references = {
        invoice.source_reference.strip()
        for invoice in invoices
        if invoice.kind == c.Kind.CREDIT_NOTE and invoice.source_reference.strip()
    }
    return_cases = customer_history.return_cases(references, products) if references else ()
    payments = customer_payments.unallocated_payments(customer_id)
    issued = [
        invoice
        for invoice in invoices
        if invoice.status == c.Status.ISSUED and invoice.kind != c.Kind.CREDIT_NOTE
    ]
    allocations, paid_in_part = customer_payments.allocations(customer_id, issued) if issued else ((), False)
    today = snapshot.today
    overdue = [invoice for invoice in issued if invoice.due_date is not None and invoice.due_date < today]
    # What is left on invoices matters to payments left unallocated, to invoices paid in part (a leftover),
    # to payments whose reference names an invoice and to overdue invoices; an invoice nobody paid yet and
    # not due needs no read of the balances.
    balances = bool(payments or paid_in_part or allocations or overdue)
    open_items = customer_payments.open_items(customer_id) if balances else ()
    habit = {}
    if overdue and any(item.invoice_id in {i.id for i in overdue} for item in open_items):
        habit = customer_payments.payment_habit(customer_id, [invoice.id for invoice in overdue], today)
    return dataclasses.replace(
        snapshot,
        invoices=invoices,
        return_cases=return_cases,
        neighbours=customer_history.neighbours(customer_id, invoices, products),
        payments=payments,
        open_items=open_items,
        drafts=customer_payments.drafts(customer_id) if payments else (),
        open_orders=customer_payments.open_orders(customer_id) if payments else (),
        payment_twins=customer_payments.payment_twins(customer_id, payments) if payments else (),
        allocations=allocations,
        # Only a payment or a leftover can be written off: an invoice merely overdue asks nothing more.
        write_off_threshold=approvals.thresholds().write_off_threshold if payments or paid_in_part else ZERO,
        named_elsewhere=customer_payments.named_elsewhere(customer_id, payments, invoices)
        if payments
        else (),
        **habit,
    )


# --- The lean snapshot of the gate at issue -------------------------------------------------------


# One query of a fixed shape whatever the number of lines: the subquery names the delivery lines.
_OTHER_LINES_ON_SAME_DELIVERY_LINES = Compiled(
    lambda invoice_id: (
        InvoiceLine.objects.filter(
            delivery_line_id__in=InvoiceLine.objects.filter(
                invoice_id=invoice_id, delivery_line__isnull=False
            ).values("delivery_line_id")
        )
        .exclude(invoice_id=invoice_id)
        .exclude(invoice__status=Invoice.Status.CANCELLED)
        .select_related("invoice", "product")
        .order_by("invoice_id", "id")
    )
)


def chain_for_issue(invoice: Invoice, lines: list[InvoiceLine]) -> c.Chain:
    """What the issue checks need, from rows `billing.issue_invoice` already holds (the invoice with its
    customer, its lines with product and delivery line and delivery note) plus one query: the other
    live invoice lines on the same delivery lines (credit notes included, they copy the link).

    Deliveries hold only the lines this invoice bills and other invoices only their lines on them, which
    is all that `checks.ISSUE_CHECKS` read; on those, the result is the one `chain_for_order` gives.
    """
    products = Products()
    delivery_rows: dict[int, Delivery] = {}
    delivery_lines: dict[int, dict[int, c.DeliveryLine]] = defaultdict(dict)
    for line in lines:
        if line.delivery_line_id is None:
            continue
        dl = line.delivery_line
        delivery_rows[dl.delivery_id] = dl.delivery
        # The delivery line's product is the invoice line's in every chain billing drafts.
        product = products(line.product) if dl.product_id == line.product_id else products(dl.product)
        delivery_lines[dl.delivery_id][dl.pk] = delivery_line_of(dl, product)
    others: dict[int, Invoice] = {}
    other_lines: dict[int, list[c.InvoiceLine]] = defaultdict(list)
    if any(line.delivery_line_id is not None for line in lines):
        for row in _OTHER_LINES_ON_SAME_DELIVERY_LINES.objects(invoice.pk):
            others[row.invoice_id] = row.invoice
            other_lines[row.invoice_id].append(invoice_line_of(row, products(row.product)))
    focus = invoice_of(invoice, [invoice_line_of(line, products(line.product)) for line in lines])
    return c.Chain(
        customer=customer_of(invoice.customer),
        today=timezone.localdate(),
        focus=invoice.pk,
        deliveries=tuple(
            delivery_of(delivery, delivery_lines[pk].values())
            for pk, delivery in sorted(delivery_rows.items())
        ),
        invoices=(focus, *(invoice_of(others[pk], other_lines[pk]) for pk in sorted(others))),
    )

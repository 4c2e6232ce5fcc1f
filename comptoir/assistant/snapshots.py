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
"""

import dataclasses
import datetime
from collections import defaultdict
from decimal import Decimal

from django.db.models import DecimalField, Exists, F, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from comptoir.assistant import chain as c
from comptoir.assistant.checks import DUPLICATE_WINDOW_DAYS, PAYMENT_TWIN_DAYS
from comptoir.assistant.checks.payments import INVOICE_NUMBER
from comptoir.billing.models import DepositDeduction, Invoice, InvoiceLine
from comptoir.catalog.models import Product, VatRateChange
from comptoir.core import approvals
from comptoir.core.compiled import Compiled
from comptoir.parties.models import Contact, Customer
from comptoir.parties.services import get_company
from comptoir.payments import selectors as payment_view
from comptoir.payments.models import (
    OpeningAllocation,
    Payment,
    PaymentAllocation,
    PaymentReversal,
    PaymentWriteOff,
)
from comptoir.returns import selectors as returns_view
from comptoir.returns.models import (
    Resolution,
    ResolutionLine,
    ReturnLine,
    ReturnPolicy,
)
from comptoir.sales.models import (
    BillingMilestone,
    Order,
    OrderAmendment,
    OrderAmendmentChange,
    OrderLine,
    Quote,
    QuoteLine,
)
from comptoir.stock.models import Delivery, DeliveryLine

ZERO = Decimal("0")
# SQLite sums decimals as floats: compare sums with half a cent of slack, then exactly in Python.
HALF_CENT = Decimal("0.005")
_MONEY = DecimalField(max_digits=14, decimal_places=2)


# --- Rows → snapshot ------------------------------------------------------------------------------


class _Products:
    """One snapshot object per product, built once."""

    def __init__(self):
        self._seen: dict[int, c.Product] = {}

    def __call__(self, product: Product) -> c.Product:
        found = self._seen.get(product.pk)
        if found is None:
            found = self._seen[product.pk] = c.Product(
                id=product.pk,
                sku=product.sku,
                name=product.name,
                is_service=product.kind == Product.Kind.SERVICE,
                vat_rate=product.vat_rate,
                vat_exemption_reason=product.vat_exemption_reason,
                vat_exemption_code=product.vat_exemption_code,
                earlier_rates=_earlier_rates(product.pk, product.vat_rate_since),
            )
        return found

    def of_row(self, row: dict) -> c.Product:
        """The product of a `values()` row that carries `PRODUCT_FIELDS`."""
        found = self._seen.get(row["product_id"])
        if found is None:
            found = self._seen[row["product_id"]] = c.Product(
                id=row["product_id"],
                sku=row["product__sku"],
                name=row["product__name"],
                is_service=row["product__kind"] == Product.Kind.SERVICE,
                vat_rate=row["product__vat_rate"],
                vat_exemption_reason=row["product__vat_exemption_reason"],
                vat_exemption_code=row["product__vat_exemption_code"],
                earlier_rates=_earlier_rates(row["product_id"], row["product__vat_rate_since"]),
            )
        return found


def _earlier_rates(product_id: int, since) -> tuple:
    """A product whose rate never changed (nearly all) costs no query."""
    if since is None:
        return ()
    return tuple(
        VatRateChange.objects.filter(product_id=product_id)
        .order_by("applies_from", "id")
        .values_list("applies_from", "old_rate")
    )


# The snapshot queries read plain rows (`values()`), not model instances: building three models per
# invoice line (line, product, invoice) was most of a chain check's time.
PRODUCT_FIELDS = (
    "product_id",
    "product__sku",
    "product__name",
    "product__kind",
    "product__vat_rate",
    "product__vat_exemption_reason",
    "product__vat_exemption_code",
    "product__vat_rate_since",
)
_LINE_FIELDS = (
    "id",
    "quantity",
    "unit_price",
    "discount_percent",
    "vat_rate",
    "vat_category",
    "net_amount",
    "order_line_id",
    "delivery_line_id",
    "credited_line_id",
    "price_reduction",
    "vat_exemption_reason",
)
_INVOICE_FIELDS = (
    "number",
    "kind",
    "status",
    "customer_id",
    "date",
    "created_at",
    "total_untaxed",
    "total",
    "order_id",
    "deposits_deducted",
    "corrects_id",
    "source_reference",
    "milestone_id",
    "order__customer_reference",
    "due_date",
)


def _line_of_row(row: dict, product: c.Product) -> c.InvoiceLine:
    return c.InvoiceLine(product=product, **{name: row[name] for name in _LINE_FIELDS})


def _invoice_of_row(invoice_id: int, row: dict, lines) -> c.Invoice:
    """The snapshot invoice from a line row carrying `invoice__<field>` for each of `_INVOICE_FIELDS`."""
    fields = {name: row[f"invoice__{name}"] for name in _INVOICE_FIELDS}
    created_at = fields.pop("created_at")
    fields["date"] = fields["date"] or timezone.localdate(created_at)
    fields["po_number"] = fields.pop("order__customer_reference") or ""
    return c.Invoice(id=invoice_id, lines=tuple(lines), **fields)


def _customer(customer) -> c.Customer:
    return c.Customer(
        id=customer.pk,
        code=customer.code,
        name=customer.name,
        vat_regime=customer.vat_regime,
        vat_number=customer.vat_number,
        country=customer.country,
        siren=customer.siren,
        street=customer.street,
        postal_code=customer.postal_code,
        city=customer.city,
    )


def _invoice_line(line: InvoiceLine, product: c.Product) -> c.InvoiceLine:
    return c.InvoiceLine(
        id=line.pk,
        product=product,
        quantity=line.quantity,
        unit_price=line.unit_price,
        discount_percent=line.discount_percent,
        vat_rate=line.vat_rate,
        vat_category=line.vat_category,
        net_amount=line.net_amount,
        order_line_id=line.order_line_id,
        delivery_line_id=line.delivery_line_id,
        credited_line_id=line.credited_line_id,
        price_reduction=line.price_reduction,
        vat_exemption_reason=line.vat_exemption_reason,
    )


# What an invoice row carries that the checks never read: the frozen seller and buyer snapshots (JSON
# decoded on every row) and texts. Left out of the snapshot queries, they were most of their cost.
_UNREAD_INVOICE_FIELDS = (
    "seller",
    "buyer_details",
    "buyer_address",
    "buyer_name",
    "buyer_siren",
    "buyer_vat_number",
    "payment_terms",
    "reason",
    "gesture_category",
)


def _invoice(invoice: Invoice, lines) -> c.Invoice:
    return c.Invoice(
        id=invoice.pk,
        number=invoice.number,
        kind=invoice.kind,
        status=invoice.status,
        customer_id=invoice.customer_id,
        date=invoice.date or timezone.localdate(invoice.created_at),
        total_untaxed=invoice.total_untaxed,
        total=invoice.total,
        lines=tuple(lines),
        order_id=invoice.order_id,
        deposits_deducted=invoice.deposits_deducted,
        corrects_id=invoice.corrects_id,
        source_reference=invoice.source_reference,
        milestone_id=invoice.milestone_id,
        due_date=invoice.due_date,
    )


def _delivery(delivery: Delivery, lines) -> c.Delivery:
    return c.Delivery(
        id=delivery.pk,
        number=delivery.number,
        status=delivery.status,
        date=delivery.date,
        lines=tuple(lines),
        is_replacement=delivery.kind == Delivery.Kind.REPLACEMENT,
        invoicing_blocked=delivery.invoicing_blocked,
    )


def _delivery_line(line: DeliveryLine, product: c.Product) -> c.DeliveryLine:
    return c.DeliveryLine(
        id=line.pk,
        order_line_id=line.order_line_id,
        product=product,
        quantity=line.quantity,
        unit_cost=line.unit_cost,
    )


# --- Full snapshots -------------------------------------------------------------------------------


def chain_for_invoice(invoice: Invoice, *, today: datetime.date | None = None) -> c.Chain:
    """The chain an invoice (or credit note) belongs to, focused on it."""
    if invoice.order_id is not None:
        # An invoice never changes order: the caller's row says which chain to read, and the chain reads
        # the invoice itself afresh with its lines.
        return chain_for_order(invoice.order_id, focus=invoice, today=today)
    invoice = Invoice.objects.select_related("customer").defer(*_UNREAD_INVOICE_FIELDS).get(pk=invoice.pk)
    products = _Products()
    lines = [
        _invoice_line(line, products(line.product))
        for line in InvoiceLine.objects.filter(invoice=invoice)
        .select_related("product")
        .order_by("position", "id")
    ]
    invoices = (_invoice(invoice, lines),)
    return _with_customer_context(
        c.Chain(customer=_customer(invoice.customer), today=today or timezone.localdate(), focus=invoice.pk),
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
# The customer's quotes sent and not answered, with their lines: an order keyed without a quote is
# compared with them (they are few: a quote leaves this state when it is accepted, refused or cancelled).
_SENT_QUOTE_LINES = Compiled(
    lambda customer_id: (
        QuoteLine.objects.filter(quote__customer_id=customer_id, quote__status=Quote.Status.SENT)
        .order_by("quote_id", "position", "id")
        .values(
            "quote_id",
            "quote__number",
            "quote__date",
            "quote__valid_until",
            "id",
            "quantity",
            "unit_price",
            "discount_percent",
            *PRODUCT_FIELDS,
        )
    )
)


def _open_quotes(customer_id: int, day: datetime.date, products: _Products) -> tuple[c.Quote, ...]:
    """The customer's quotes sent on or before `day` and still valid on it, with their lines."""
    lines: dict[int, list[c.QuoteLine]] = defaultdict(list)
    heads: dict[int, dict] = {}
    for row in _SENT_QUOTE_LINES.rows(customer_id):
        valid_until = row["quote__valid_until"]
        if row["quote__date"] > day or (valid_until is not None and valid_until < day):
            continue
        heads.setdefault(row["quote_id"], row)
        lines[row["quote_id"]].append(
            c.QuoteLine(
                id=row["id"],
                product=products.of_row(row),
                quantity=row["quantity"],
                unit_price=row["unit_price"],
                discount_percent=row["discount_percent"],
            )
        )
    return tuple(
        c.Quote(
            id=pk,
            number=row["quote__number"],
            lines=tuple(lines[pk]),
            date=row["quote__date"],
            valid_until=row["quote__valid_until"],
        )
        for pk, row in heads.items()
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
        *_LINE_FIELDS,
        *PRODUCT_FIELDS,
        *(f"invoice__{n}" for n in _INVOICE_FIELDS),
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
    products = _Products()
    quote = None
    if order["quote_id"] is not None:
        quote = c.Quote(
            id=order["quote_id"],
            number=order["quote__number"],
            lines=tuple(
                c.QuoteLine(
                    id=row["id"],
                    product=products.of_row(row),
                    quantity=row["quantity"],
                    unit_price=row["unit_price"],
                    discount_percent=row["discount_percent"],
                )
                for row in _QUOTE_LINES.rows(order["quote_id"])
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
        grouped[row["invoice_id"]].append(_line_of_row(row, products.of_row(row)))
    invoices = [_invoice_of_row(pk, row, grouped[pk]) for pk, row in rows_of.items()]
    if focus is not None and focus.pk not in rows_of:
        # An invoice without lines (a draft emptied by hand): read on its own.
        invoices.append(_invoice(Invoice.objects.defer(*_UNREAD_INVOICE_FIELDS).get(pk=focus.pk), ()))
    invoices = tuple(sorted(invoices, key=lambda invoice: invoice.id))
    deductions = tuple(
        c.DepositDeduction(
            invoice_id=row["invoice_id"], deposit_id=row["deposit_id"], amount=row["base"] + row["vat"]
        )
        for row in _DEDUCTIONS.rows(order_id)
    )
    open_quotes = ()
    if quote is None and order["status"] != Order.Status.CANCELLED:
        open_quotes = _open_quotes(order["customer__id"], order["date"], products)
    snapshot = c.Chain(
        customer=c.Customer(**{name: order[f"customer__{name}"] for name in _CUSTOMER_FIELDS}),
        today=today or timezone.localdate(),
        focus=focus_id,
        order=snapshot_order,
        quote=quote,
        open_quotes=open_quotes,
        deliveries=deliveries,
        deductions=deductions,
        past_lines=_past_lines(order["customer__id"], snapshot_order) if focus_id is None else (),
    )
    return _with_customer_context(snapshot, order["customer__id"], invoices, products)


def _with_customer_context(snapshot: c.Chain, customer_id: int, invoices, products: _Products) -> c.Chain:
    """Add what the checks compare beyond the order: return cases cited by credit notes, the customer's
    invoices of the same days, payments left unallocated and the open invoices."""
    references = {
        invoice.source_reference.strip()
        for invoice in invoices
        if invoice.kind == c.Kind.CREDIT_NOTE and invoice.source_reference.strip()
    }
    return_cases = _return_cases(references, products) if references else ()
    payments = _unallocated_payments(customer_id)
    issued = [
        invoice
        for invoice in invoices
        if invoice.status == c.Status.ISSUED and invoice.kind != c.Kind.CREDIT_NOTE
    ]
    allocations, paid_in_part = _allocations(customer_id, issued) if issued else ((), False)
    today = snapshot.today
    overdue = [invoice for invoice in issued if invoice.due_date is not None and invoice.due_date < today]
    # What is left on invoices matters to payments left unallocated, to invoices paid in part (a leftover),
    # to payments whose reference names an invoice and to overdue invoices; an invoice nobody paid yet and
    # not due needs no read of the balances.
    balances = bool(payments or paid_in_part or allocations or overdue)
    open_items = _open_items(customer_id) if balances else ()
    habit = {}
    if overdue and any(item.invoice_id in {i.id for i in overdue} for item in open_items):
        habit = _payment_habit(customer_id, [invoice.id for invoice in overdue], today)
    return dataclasses.replace(
        snapshot,
        invoices=invoices,
        return_cases=return_cases,
        neighbours=_neighbours(customer_id, invoices, products),
        payments=payments,
        open_items=open_items,
        drafts=_drafts(customer_id) if payments else (),
        open_orders=_open_orders(customer_id) if payments else (),
        payment_twins=_payment_twins(customer_id, payments) if payments else (),
        allocations=allocations,
        # Only a payment or a leftover can be written off: an invoice merely overdue asks nothing more.
        write_off_threshold=approvals.thresholds().write_off_threshold if payments or paid_in_part else ZERO,
        named_elsewhere=_named_elsewhere(customer_id, payments, invoices) if payments else (),
        **habit,
    )


def _named_elsewhere(customer_id: int, payments, invoices) -> tuple[c.NamedElsewhere, ...]:
    """Issued invoices of other customers, still owed, that an unallocated payment's reference names."""
    own = {invoice.number for invoice in invoices if invoice.number}
    named = {}
    for payment in payments:
        for number in INVOICE_NUMBER.findall(payment.reference.upper()):
            if number not in own:
                named.setdefault(number, payment)
    if not named:
        return ()
    found = []
    for invoice in payment_view.with_amount_paid(
        Invoice.objects.filter(number__in=list(named), status=Invoice.Status.ISSUED)
        .exclude(customer_id=customer_id)
        .exclude(kind=Invoice.Kind.CREDIT_NOTE)
        .select_related("customer")
    ):
        due = invoice.total - Decimal(str(invoice.amount_paid)).quantize(Decimal("0.01"))
        if due > 0:
            found.append(
                c.NamedElsewhere(
                    payment_id=named[invoice.number].id,
                    invoice_id=invoice.pk,
                    number=invoice.number,
                    customer_id=invoice.customer_id,
                    customer_name=invoice.customer.name,
                    balance_due=due,
                )
            )
    return tuple(found)


HABIT_DAYS = 365


def _payment_habit(customer_id: int, overdue_ids, today) -> dict:
    """The customer's invoices paid in full over the last year with the days their money took, whether
    the overdue invoices were reminded since, and what a reminder needs (four queries, only when one of
    the chain's invoices is overdue)."""
    from comptoir.assistant.models import AssistantPolicy, Proposal  # reminders: the policy, those sent

    since = today - datetime.timedelta(days=HABIT_DAYS)
    last_payment = (
        PaymentAllocation.objects.filter(invoice_id=OuterRef("pk"), amount__gt=0)
        .order_by("-payment__date")
        .values("payment__date")[:1]
    )
    rows = (
        payment_view.with_amount_paid(
            Invoice.objects.filter(
                customer_id=customer_id,
                status=Invoice.Status.ISSUED,
                kind=Invoice.Kind.INVOICE,
                date__gte=since,
            )
        )
        .annotate(paid_on=Subquery(last_payment))
        .filter(paid_on__isnull=False)
        .order_by("date", "id")
        .values("number", "date", "due_date", "total", "amount_paid", "paid_on")
    )
    paid = tuple(
        c.PaidInvoice(
            number=row["number"],
            date=row["date"],
            days_to_pay=(row["paid_on"] - row["date"]).days,
            paid_late=row["due_date"] is not None and row["paid_on"] > row["due_date"],
        )
        for row in rows
        if Decimal(str(row["amount_paid"])).quantize(Decimal("0.01")) >= row["total"]
    )
    reminded = frozenset(
        Proposal.objects.filter(
            kind="send_reminder", invoice_id__in=overdue_ids, status=Proposal.Status.APPROVED
        ).values_list("invoice_id", flat=True)
    )
    company = get_company()
    policy = AssistantPolicy.current()
    first_contact = Contact.objects.filter(customer_id=OuterRef("pk")).order_by("name").values("name")[:1]
    email, contact = (
        Customer.objects.filter(pk=customer_id)
        .annotate(contact=Subquery(first_contact))
        .values_list("email", "contact")
        .first()
    ) or ("", "")
    return {
        "paid_invoices": paid,
        "reminded": reminded,
        "reminder_context": {
            "email": email,
            "contact": contact or "",
            "seller": company.legal_name,
            "iban": company.iban,
            "penalty_rate": company.late_penalty_rate,
            "steps": (policy.reminder_polite_days, policy.reminder_firm_days, policy.reminder_formal_days),
        },
    }


_CUSTOMER_PAYMENTS = Compiled(
    lambda customer_id: (
        Payment.objects.filter(customer_id=customer_id)
        .order_by("date", "id")
        .values("id", "number", "date", "amount", "reference")
    )
)


def _payment_twins(customer_id: int, payments) -> tuple[c.Payment, ...]:
    """The customer's other payments of an unallocated payment's amount, within the duplicate window of
    its date (read only when a payment is left unallocated)."""
    window = datetime.timedelta(days=PAYMENT_TWIN_DAYS)
    mine = {payment.id for payment in payments}
    return tuple(
        c.Payment(
            id=row["id"],
            number=row["number"],
            date=row["date"],
            amount=row["amount"],
            unallocated=ZERO,
            reference=row["reference"],
        )
        for row in _CUSTOMER_PAYMENTS.rows(customer_id)
        if row["id"] not in mine
        and any(
            row["amount"] == payment.amount and abs(row["date"] - payment.date) <= window
            for payment in payments
        )
    )


_CUSTOMER_ALLOCATIONS = Compiled(
    lambda customer_id: (
        # An allocation taken back (payments.reallocating) and its contra allocation are history.
        PaymentAllocation.objects.filter(
            payment__customer_id=customer_id, reverses__isnull=True, reversed_by__isnull=True
        )
        .order_by("id")
        .values(
            "payment_id", "payment__number", "payment__reference", "invoice_id", "invoice__number", "amount"
        )
    )
)


def _allocations(customer_id: int, invoices) -> tuple[tuple[c.Allocation, ...], bool]:
    """Allocations of the customer's payments that carry a reference, to one of the invoices or whose
    reference names one of them; and whether any payment was allocated to one of the invoices."""
    ids = {invoice.id for invoice in invoices}
    numbers = [invoice.number.upper() for invoice in invoices if invoice.number]
    found = []
    paid = False
    for row in _CUSTOMER_ALLOCATIONS.rows(customer_id):
        mine = row["invoice_id"] in ids
        paid = paid or mine
        reference = row["payment__reference"]
        if reference and (mine or any(number in reference.upper() for number in numbers)):
            found.append(
                c.Allocation(
                    payment_id=row["payment_id"],
                    payment_number=row["payment__number"],
                    reference=reference,
                    invoice_id=row["invoice_id"],
                    invoice_number=row["invoice__number"],
                    amount=row["amount"],
                )
            )
    return tuple(found), paid


def _drafts(customer_id: int) -> tuple[c.OpenItem, ...]:
    return tuple(
        c.OpenItem(invoice_id=row["id"], number=f"brouillon n° {row['id']}", balance_due=row["total"])
        for row in Invoice.objects.filter(customer_id=customer_id, status=Invoice.Status.DRAFT, total__gt=0)
        .exclude(kind=Invoice.Kind.CREDIT_NOTE)
        .order_by("id")
        .values("id", "total")
    )


def _past_lines(customer_id: int, order: c.Order) -> tuple[c.PastLine, ...]:
    """The customer's confirmed orders of the last HABIT_DAYS before this one, lines of its products."""
    from comptoir.assistant.checks.habits import HABIT_DAYS, HABIT_LINES

    products = {line.product.id for line in order.lines}
    if not products:
        return ()
    rows = (
        OrderLine.objects.filter(
            order__customer_id=customer_id,
            order__status=Order.Status.CONFIRMED,
            order__date__lte=order.date,
            order__date__gte=order.date - datetime.timedelta(days=HABIT_DAYS),
            product_id__in=products,
        )
        .exclude(order_id=order.id)
        .order_by("-order__date", "-order_id")
        .values(
            "order_id",
            "order__number",
            "order__date",
            "product_id",
            "quantity",
            "unit_price",
            "discount_percent",
        )
    )[: HABIT_LINES * len(products)]
    return tuple(
        c.PastLine(
            order_id=row["order_id"],
            order_number=row["order__number"],
            date=row["order__date"],
            product_id=row["product_id"],
            quantity=row["quantity"],
            net_unit_price=row["unit_price"] * (1 - row["discount_percent"] / 100),
        )
        for row in rows
    )


def _open_orders(customer_id: int) -> tuple[c.OpenItem, ...]:
    """The customer's confirmed orders with no invoice yet (a prepayment pays one of them)."""
    invoiced = Invoice.objects.filter(order=OuterRef("pk")).exclude(status=Invoice.Status.CANCELLED)
    return tuple(
        c.OpenItem(invoice_id=row["id"], number=row["number"], balance_due=row["total"])
        for row in Order.objects.filter(customer_id=customer_id, status=Order.Status.CONFIRMED, total__gt=0)
        .exclude(Exists(invoiced))
        .order_by("id")
        .values("id", "number", "total")
    )


def _return_cases(references, products: _Products) -> tuple[c.ReturnCase, ...]:
    """The cited cases with what settled them besides credit notes: units replaced and received back, the
    replacements' delivery notes, and whether the rules want the goods back before a credit note."""
    cases: dict[int, tuple] = {}
    rows = list(
        ReturnLine.objects.filter(case__number__in=references).select_related("case__customer", "product")
    )
    if not rows:
        return ()
    line_ids = [line.pk for line in rows]
    replaced: dict[int, Decimal] = defaultdict(lambda: ZERO)
    replacements: dict[int, set[str]] = defaultdict(set)
    for line_id, case_id, number, quantity in ResolutionLine.objects.filter(
        return_line_id__in=line_ids, resolution__kind=Resolution.Kind.REPLACEMENT
    ).values_list("return_line_id", "resolution__case_id", "resolution__replacement__number", "quantity"):
        replaced[line_id] += quantity
        replacements[case_id].add(number)
    received = returns_view.received_quantities(line_ids)
    policy = ReturnPolicy.current()
    lines: dict[int, list[c.ReturnLine]] = defaultdict(list)
    for line in rows:
        cases[line.case_id] = line.case
        lines[line.case_id].append(
            c.ReturnLine(
                id=line.pk,
                delivery_line_id=line.delivery_line_id,
                product=products(line.product),
                quantity=line.quantity,
                net_amount=line.net_amount,
                replaced=replaced[line.pk],
                received=received.get(line.pk, ZERO),
            )
        )
    return tuple(
        c.ReturnCase(
            id=case.pk,
            number=case.number,
            reason=case.reason,
            status=case.status,
            delivery_id=case.delivery_id,
            lines=tuple(lines[pk]),
            customer_id=case.customer_id,
            customer_name=case.customer.name,
            receipt_before_credit=policy.require_receipt_before_credit
            and policy.expects_goods_back(case.reason),
            replacements=tuple(sorted(replacements[pk])),
        )
        for pk, case in sorted(cases.items())
    )


def _neighbours(customer_id: int, invoices, products: _Products) -> tuple[c.Invoice, ...]:
    """The customer's other live invoices (not credit notes) of the same total, dated within the
    duplicate window of the chain's invoices, with their lines: two queries at most."""
    mine = [invoice for invoice in invoices if invoice.kind != c.Kind.CREDIT_NOTE and invoice.is_live]
    if not mine:
        return ()
    window = datetime.timedelta(days=DUPLICATE_WINDOW_DAYS)
    low = min(invoice.date for invoice in mine) - window
    high = max(invoice.date for invoice in mine) + window
    tz = timezone.get_current_timezone()
    low_at = datetime.datetime.combine(low, datetime.time.min, tzinfo=tz)
    high_at = datetime.datetime.combine(high + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz)
    totals = {invoice.total for invoice in mine}
    known = {invoice.id for invoice in invoices}
    candidates = {
        row["id"]: row
        for row in Invoice.objects.filter(customer_id=customer_id, kind__in=[c.Kind.INVOICE, c.Kind.DEPOSIT])
        .exclude(status=Invoice.Status.CANCELLED)
        .filter(Q(date__range=(low, high)) | Q(date__isnull=True, created_at__range=(low_at, high_at)))
        .values("id", *_INVOICE_FIELDS)
        if row["id"] not in known and row["total"] in totals
    }
    if not candidates:
        return ()
    # An invoice a credit note already took back whole is nobody's duplicate any more.
    credited = (
        Invoice.objects.filter(corrects_id__in=list(candidates), kind=c.Kind.CREDIT_NOTE)
        .exclude(status__in=[Invoice.Status.DRAFT, Invoice.Status.CANCELLED])
        .values("corrects_id")
        .annotate(credited=Sum("total"))
        .values_list("corrects_id", "credited")
    )
    for invoice_id, amount in credited:
        if amount + HALF_CENT >= candidates[invoice_id]["total"]:
            del candidates[invoice_id]
    if not candidates:
        return ()
    lines: dict[int, list[c.InvoiceLine]] = defaultdict(list)
    for row in (
        InvoiceLine.objects.filter(invoice_id__in=list(candidates))
        .order_by("invoice_id", "position", "id")
        .values("invoice_id", *_LINE_FIELDS, *PRODUCT_FIELDS)
    ):
        lines[row["invoice_id"]].append(_line_of_row(row, products.of_row(row)))
    return tuple(
        _invoice_of_row(pk, {f"invoice__{name}": row[name] for name in _INVOICE_FIELDS}, lines[pk])
        for pk, row in sorted(candidates.items())
    )


_UNALLOCATED_PAYMENTS = Compiled(
    lambda customer_id: (
        Payment.objects.filter(customer_id=customer_id)
        # A payment for an invoice of the previous system (payments.opening) is allocated to it.
        .exclude(pk__in=OpeningAllocation.objects.values("payment_id"))
        # A payment reversed, or whose excess was written off (payments.writing_off), is used up.
        .exclude(pk__in=PaymentReversal.objects.values("payment_id"))
        .exclude(pk__in=PaymentWriteOff.objects.filter(kind=PaymentWriteOff.Kind.GAIN).values("payment_id"))
        .annotate(allocated=Coalesce(Sum("allocations__amount"), Value(ZERO), output_field=_MONEY))
        .filter(amount__gt=F("allocated") + Value(HALF_CENT, output_field=_MONEY))
        .order_by("date", "id")
        .values("id", "number", "date", "amount", "allocated", "reference")
    )
)


def _unallocated_payments(customer_id: int) -> tuple[c.Payment, ...]:
    found = []
    for row in _UNALLOCATED_PAYMENTS.rows(customer_id):
        left = row["amount"] - Decimal(str(row["allocated"])).quantize(Decimal("0.01"))
        if left > 0:
            found.append(
                c.Payment(
                    id=row["id"],
                    number=row["number"],
                    date=row["date"],
                    amount=row["amount"],
                    unallocated=left,
                    reference=row["reference"],
                )
            )
    return tuple(found)


_OPEN_ITEMS = Compiled(
    lambda customer_id: (
        payment_view.with_amount_paid(
            Invoice.objects.filter(customer_id=customer_id, status=Invoice.Status.ISSUED).exclude(
                kind=Invoice.Kind.CREDIT_NOTE
            )
        )
        .filter(total__gt=F("amount_paid") + Value(HALF_CENT, output_field=_MONEY))
        .order_by("due_date", "id")
        .values("id", "number", "total", "due_date", "amount_paid")
    )
)


def _open_items(customer_id: int) -> tuple[c.OpenItem, ...]:
    items = []
    for row in _OPEN_ITEMS.rows(customer_id):
        due = row["total"] - Decimal(str(row["amount_paid"])).quantize(Decimal("0.01"))
        if due > 0:
            items.append(
                c.OpenItem(
                    invoice_id=row["id"], number=row["number"], balance_due=due, due_date=row["due_date"]
                )
            )
    return tuple(items)


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
    products = _Products()
    delivery_rows: dict[int, Delivery] = {}
    delivery_lines: dict[int, dict[int, c.DeliveryLine]] = defaultdict(dict)
    for line in lines:
        if line.delivery_line_id is None:
            continue
        dl = line.delivery_line
        delivery_rows[dl.delivery_id] = dl.delivery
        # The delivery line's product is the invoice line's in every chain billing drafts.
        product = products(line.product) if dl.product_id == line.product_id else products(dl.product)
        delivery_lines[dl.delivery_id][dl.pk] = _delivery_line(dl, product)
    others: dict[int, Invoice] = {}
    other_lines: dict[int, list[c.InvoiceLine]] = defaultdict(list)
    if any(line.delivery_line_id is not None for line in lines):
        for row in _OTHER_LINES_ON_SAME_DELIVERY_LINES.objects(invoice.pk):
            others[row.invoice_id] = row.invoice
            other_lines[row.invoice_id].append(_invoice_line(row, products(row.product)))
    focus = _invoice(invoice, [_invoice_line(line, products(line.product)) for line in lines])
    return c.Chain(
        customer=_customer(invoice.customer),
        today=timezone.localdate(),
        focus=invoice.pk,
        deliveries=tuple(
            _delivery(delivery, delivery_lines[pk].values()) for pk, delivery in sorted(delivery_rows.items())
        ),
        invoices=(focus, *(_invoice(others[pk], other_lines[pk]) for pk in sorted(others))),
    )

"""Read-only queries shaped for the web pages: lists, the customer 360° view, the home dashboard.

Nothing here writes. What other areas already offer (stock levels, payment state, ledgers) is used
through their selectors; this module only adds what the pages need on top (search, annotations,
document chains) so that every list is a bounded number of queries.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import (
    BooleanField,
    Case,
    DecimalField,
    F,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from comptoir.accounting.chart import CUSTOMERS
from comptoir.accounting.models import EntryLine, OpenItem
from comptoir.accounting.selectors import without_repeated_openings
from comptoir.billing import selectors as billing_view
from comptoir.billing.models import Invoice
from comptoir.catalog.models import Product
from comptoir.core import dates
from comptoir.core.models import AuditEvent
from comptoir.core.money import amount
from comptoir.parties.models import Customer
from comptoir.payments import selectors as payment_view
from comptoir.payments.models import Payment, PaymentAllocation
from comptoir.returns.models import ReturnCase, ReturnReceipt
from comptoir.sales.models import Order, OrderLine, Quote
from comptoir.stock import selectors as stock_view
from comptoir.stock.models import Delivery, DeliveryLine, Receipt, StockMove

ZERO = Decimal("0")
MONEY = DecimalField(max_digits=14, decimal_places=2)


# --- Search and filters -------------------------------------------------------------------------


def customers_named(q: str):
    """The ids of the customers whose name contains `q` or whose code is `q`, as a subquery.

    Lists search their customer through it rather than through a join: the few customers are found
    first, then the documents by customer id, instead of every document being joined to its customer
    (and counted that way for the pagination)."""
    return Customer.objects.filter(Q(name__icontains=q) | Q(code__iexact=q)).values("pk")


def search_by_number_or_customer(qs, q: str, *, customer_path: str = "customer", number: str = "number"):
    """Documents whose number or customer's name contains `q`, or whose customer's code is `q`."""
    q = (q or "").strip()
    if not q:
        return qs
    return qs.filter(Q(**{f"{number}__icontains": q}) | Q(**{f"{customer_path}__in": customers_named(q)}))


def int_or_none(value) -> int | None:
    """A database id typed in a URL, or None when it is not one (text, or beyond 64 bits)."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 0 < number < 2**63 else None


# --- Customers ----------------------------------------------------------------------------------


def with_open_balance(qs):
    """Annotate customers with `open_balance`: debit − credit of their lines on account 411."""
    # Opening entries a closing generated repeat what is before them: left out of an all-time sum.
    balance = (
        without_repeated_openings(EntryLine.objects.filter(account__code=CUSTOMERS, partner=OuterRef("pk")))
        .values("partner")
        .annotate(b=Sum(F("debit") - F("credit"), output_field=MONEY))
        .values("b")
    )
    return qs.annotate(
        open_balance=Coalesce(Subquery(balance, output_field=MONEY), Value(ZERO), output_field=MONEY)
    )


def customers(q: str = "", active: str = ""):
    qs = Customer.objects.all()
    q = (q or "").strip()
    if q:
        qs = qs.filter(
            Q(name__icontains=q)
            | Q(code__iexact=q)
            | Q(siren__startswith=q.replace(" ", ""))
            | Q(city__icontains=q)
        )
    if active == "actifs":
        qs = qs.filter(is_active=True)
    elif active == "archives":
        qs = qs.filter(is_active=False)
    return with_open_balance(qs).order_by("name", "id")


def customer_open_balance(customer) -> Decimal:
    row = without_repeated_openings(
        EntryLine.objects.filter(account__code=CUSTOMERS, partner=customer)
    ).aggregate(d=Sum("debit"), c=Sum("credit"))
    return (row["d"] or ZERO) - (row["c"] or ZERO)


CHAIN_LIMIT = 10


def customer_chain(customer) -> dict:
    """The customer's documents, newest first, each with what it came from and what came of it."""
    quotes = customer.quotes.select_related("order").order_by("-date", "-id")
    orders = (
        customer.orders.select_related("quote")
        .prefetch_related(
            Prefetch("deliveries", queryset=Delivery.objects.order_by("date", "id")),
            Prefetch("invoices", queryset=Invoice.objects.order_by("date", "id")),
            Prefetch("lines", queryset=OrderLine.objects.select_related("product")),
        )
        .order_by("-date", "-id")
    )
    deliveries = (
        Delivery.objects.filter(order__customer=customer).select_related("order").order_by("-date", "-id")
    )
    invoices = payment_view.with_amount_paid(customer.invoices.select_related("order")).order_by(
        "-created_at", "-id"
    )
    payments = customer.payments.prefetch_related(
        Prefetch("allocations", queryset=PaymentAllocation.objects.select_related("invoice"))
    ).order_by("-date", "-id")
    chain = {}
    for name, qs in (
        ("quotes", quotes),
        ("orders", orders),
        ("deliveries", deliveries),
        ("invoices", invoices),
        ("payments", payments),
    ):
        rows = list(qs[: CHAIN_LIMIT + 1])
        chain[name] = rows[:CHAIN_LIMIT]
        chain[f"{name}_more"] = len(rows) > CHAIN_LIMIT
    return chain


# --- Products and stock -------------------------------------------------------------------------


def products(q: str = "", kind: str = "", active: str = ""):
    qs = Product.objects.all()
    q = (q or "").strip()
    if q:
        qs = qs.filter(Q(sku__icontains=q) | Q(name__icontains=q) | Q(ean=q))
    if kind in Product.Kind.values:
        qs = qs.filter(kind=kind)
    if active == "actifs":
        qs = qs.filter(is_active=True)
    elif active == "archives":
        qs = qs.filter(is_active=False)
    return qs.select_related("stock_level").order_by("sku")


def stock_alerts(limit: int | None = None) -> list:
    """Active stocked products whose available quantity is at or below their alert threshold."""
    levels = stock_view.stock_levels(stock_view.possibly_low_products())
    alerts = [level for level in levels if level.is_low or level.available < 0]
    alerts.sort(key=lambda level: (level.available - level.product.low_stock_threshold, level.product.sku))
    return alerts[:limit] if limit else alerts


@dataclass(frozen=True)
class SourceDocument:
    """The page of the document a stock move came from: `{% url source.url_name source.pk %}`."""

    url_name: str
    pk: int


# Where each kind of move leads: a goods receipt, a delivery note, or the return case whose return
# receipt put the goods back on the shelf.
MOVE_SOURCES = {
    StockMove.Kind.RECEIPT: (Receipt, "pk", "web:receipt_detail"),
    StockMove.Kind.DELIVERY: (Delivery, "pk", "web:delivery_detail"),
    StockMove.Kind.RETURN: (ReturnReceipt, "case_id", "web:return_detail"),
    StockMove.Kind.SURPLUS: (ReturnCase, "pk", "web:return_detail"),
}


def with_sources(moves, kinds=tuple(MOVE_SOURCES)) -> list:
    """The stock moves, each with `source`: the document it came from (a SourceDocument), or None when
    its kind is not among `kinds` (those the reader may open). One query per kind present."""
    moves = list(moves)
    found = {}
    for kind in kinds:
        numbers = {move.document for move in moves if move.kind == kind}
        if not numbers:
            continue
        model, target, url_name = MOVE_SOURCES[kind]
        for number, pk in model.objects.filter(number__in=numbers).values_list("number", target):
            found[(kind, number)] = SourceDocument(url_name, pk)
    for move in moves:
        move.source = found.get((move.kind, move.document))
    return moves


# --- Sales documents ----------------------------------------------------------------------------


# The list's "expired" filter: sent quotes past their validity (`Quote.is_expired`), derived, not stored.
EXPIRED = "expired"


def _expired_q(today: datetime.date) -> Q:
    return Q(status=Quote.Status.SENT, valid_until__lt=today)


def with_expiry(qs, today: datetime.date | None = None):
    """Annotate quotes with `expired` (see `Quote.is_expired`), for the lists, the chips and the exports."""
    today = today or dates.today()
    return qs.annotate(
        expired=Case(
            When(_expired_q(today), then=Value(True)), default=Value(False), output_field=BooleanField()
        )
    )


def quotes(q: str = "", status: str = "", customer_id=None):
    """The quotes the list selects. "sent" means still open to an answer; "expired" the sent ones past
    their validity."""
    today = dates.today()
    qs = with_expiry(Quote.objects.select_related("customer", "order"), today)
    qs = search_by_number_or_customer(qs, q)
    if status == EXPIRED:
        qs = qs.filter(_expired_q(today))
    elif status == Quote.Status.SENT:
        qs = qs.filter(status=status).exclude(_expired_q(today))
    elif status in Quote.Status.values:
        qs = qs.filter(status=status)
    if customer_id:
        qs = qs.filter(customer_id=customer_id)
    return qs.order_by("-date", "-id")


def orders(q: str = "", status: str = "", customer_id=None):
    qs = Order.objects.select_related("customer", "quote").prefetch_related(
        Prefetch("lines", queryset=OrderLine.objects.select_related("product"))
    )
    qs = search_by_number_or_customer(qs, q)
    if status in Order.Status.values:
        qs = qs.filter(status=status)
    if customer_id:
        qs = qs.filter(customer_id=customer_id)
    return qs.order_by("-date", "-id")


def deliveries(q: str = "", status: str = "", customer_id=None):
    qs = Delivery.objects.select_related("order__customer")
    q = (q or "").strip()
    if q:
        # Two subqueries, each read from an index: the orders by number, the orders of the customers.
        by_number = Order.objects.filter(number__icontains=q).values("pk")
        of_customers = Order.objects.filter(customer__in=customers_named(q)).values("pk")
        qs = qs.filter(Q(number__icontains=q) | Q(order__in=by_number) | Q(order__in=of_customers))
    if status in Delivery.Status.values:
        qs = qs.filter(status=status)
    if customer_id:
        qs = qs.filter(order__customer_id=customer_id)
    return qs.order_by("-date", "-id")


INVOICE_FILTERS = ("draft", "issued", "cancelled", "open", "partial", "paid", "overdue")


def invoices(q: str = "", status: str = "", customer_id=None, today: datetime.date | None = None):
    """Invoices with `amount_paid`; `status` is a lifecycle state or a payment state."""
    today = today or timezone.localdate()
    qs = payment_view.with_amount_paid(Invoice.objects.select_related("customer", "order"))
    q = (q or "").strip()
    if q:
        qs = qs.filter(
            Q(number__icontains=q)
            | Q(customer__in=customers_named(q))
            | Q(order__in=Order.objects.filter(number__icontains=q).values("pk"))
        )
    if customer_id:
        qs = qs.filter(customer_id=customer_id)
    issued = Invoice.Status.ISSUED
    if status in INVOICE_FILTERS[3:]:
        qs = qs.exclude(kind=Invoice.Kind.CREDIT_NOTE)  # a credit note is not paid, it is applied
    if status in ("open", "partial", "overdue"):
        qs = payment_view.possibly_unsettled(qs)
    if status in Invoice.Status.values:
        qs = qs.filter(status=status)
    elif status == "open":
        qs = qs.filter(status=issued, amount_paid__lte=0)
    elif status == "partial":
        qs = qs.filter(status=issued, amount_paid__gt=0, amount_paid__lt=F("total"))
    elif status == "paid":
        qs = qs.filter(status=issued, amount_paid__gte=F("total"))
    elif status == "overdue":
        qs = qs.filter(status=issued, amount_paid__lt=F("total"), due_date__lt=today)
    # Drafts have no date yet: show them first, then the newest issued.
    return qs.order_by(F("date").desc(nulls_first=True), "-id")


def payments(q: str = "", method: str = "", customer_id=None):
    qs = Payment.objects.select_related("customer").prefetch_related(
        Prefetch("allocations", queryset=PaymentAllocation.objects.select_related("invoice"))
    )
    q = (q or "").strip()
    if q:
        qs = qs.filter(
            Q(number__icontains=q) | Q(reference__icontains=q) | Q(customer__in=customers_named(q))
        )
    if method in Payment.Method.values:
        qs = qs.filter(method=method)
    if customer_id:
        qs = qs.filter(customer_id=customer_id)
    return qs.order_by("-date", "-id")


def deliveries_of_invoice(invoice):
    return (
        Delivery.objects.filter(lines__invoice_lines__invoice=invoice)
        .select_related("order")
        .distinct()
        .order_by("id")
    )


def open_invoices_of(customer) -> list:
    return payment_view.open_invoices(customer)


# --- Audit --------------------------------------------------------------------------------------


def events_of(obj, limit: int = 50):
    """Audit events recorded on one document, newest first. Each carries the document's kind when it
    has one (`document_kind`: an invoice's events read as a credit note's on a credit note)."""
    events = list(
        AuditEvent.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk)).order_by("-seq")[
            :limit
        ]
    )
    kind = getattr(obj, "kind", "")
    for event in events:
        event.document_kind = kind
    return events


def audit_events(q: str = "", object_type: str = ""):
    qs = AuditEvent.objects.all()
    q = (q or "").strip()
    if q:
        qs = qs.filter(Q(object_repr__icontains=q) | Q(actor_name__icontains=q) | Q(action__icontains=q))
    if object_type:
        qs = qs.filter(object_type=object_type)
    return qs.order_by("-seq")


# --- Home dashboard -----------------------------------------------------------------------------


def quotes_awaiting_answer():
    """Sent quotes the customer can still accept, the soonest to lapse first (expired ones are not
    awaiting anything: the list of expired quotes is where to renew them)."""
    return (
        Quote.objects.filter(status=Quote.Status.SENT)
        .exclude(_expired_q(dates.today()))
        .select_related("customer")
        .order_by("valid_until", "id")
    )


def expired_quotes():
    return Quote.objects.filter(_expired_q(dates.today()))


def orders_in_progress(unfinished: list[int] | None = None):
    """Confirmed orders not yet fully invoiced (`unfinished`: see billing's orders_not_fully_invoiced)."""
    if unfinished is None:
        unfinished = billing_view.orders_not_fully_invoiced()
    return (
        Order.objects.filter(status=Order.Status.CONFIRMED, pk__in=unfinished)
        .select_related("customer")
        .order_by("date", "id")
    )


def draft_orders():
    return Order.objects.filter(status=Order.Status.DRAFT).select_related("customer").order_by("date", "id")


def orders_to_invoice(unfinished: list[int] | None = None):
    return billing_view.orders_to_invoice(unfinished)


def orders_not_fully_invoiced() -> list[int]:
    return billing_view.orders_not_fully_invoiced()


def draft_invoices():
    return (
        Invoice.objects.filter(status=Invoice.Status.DRAFT).select_related("customer", "order").order_by("id")
    )


def deliveries_to_prepare():
    return (
        Delivery.objects.filter(status=Delivery.Status.DRAFT)
        .select_related("order__customer")
        .order_by("date", "id")
    )


def receivables() -> Decimal:
    """Open balance of all customers on account 411: the sum of its open items, since the lines
    lettered together cancel out."""
    still_open = OpenItem.objects.filter(account__code=CUSTOMERS).values("line_id")
    row = EntryLine.objects.filter(pk__in=still_open).aggregate(d=Sum("debit"), c=Sum("credit"))
    return amount(row["d"] or ZERO) - amount(row["c"] or ZERO)


def revenue(date_from: datetime.date, date_to: datetime.date) -> Decimal:
    """Untaxed total of the invoices issued between two dates (inclusive)."""
    row = Invoice.objects.filter(
        status=Invoice.Status.ISSUED, date__gte=date_from, date__lte=date_to
    ).aggregate(s=Sum("total_untaxed"))
    return row["s"] or ZERO


def planned_in_draft_deliveries(order) -> dict[int, Decimal]:
    """Quantities already on draft delivery notes of this order, per order line."""
    rows = (
        DeliveryLine.objects.filter(delivery__order=order, delivery__status=Delivery.Status.DRAFT)
        .values("order_line_id")
        .annotate(q=Sum("quantity"))
        .order_by()
    )
    return {row["order_line_id"]: row["q"] for row in rows}

"""The customer's other documents a chain's checks compare it with, read beside the chain
(`snapshots`): quotes sent and still open, the lines of their recent confirmed orders (habits), the return
cases its credit notes cite and its invoices of the same days (duplicates)."""

import datetime
from collections import defaultdict
from decimal import Decimal

from django.db.models import Q, Sum
from django.utils import timezone

from comptoir.assistant import chain as c
from comptoir.assistant.chain_rows import (
    HALF_CENT,
    INVOICE_FIELDS,
    LINE_FIELDS,
    PRODUCT_FIELDS,
    ZERO,
    Products,
    invoice_of_row,
    line_of_row,
    quote_line_of_row,
)
from comptoir.assistant.checks import DUPLICATE_WINDOW_DAYS
from comptoir.billing.models import Invoice, InvoiceLine
from comptoir.core.compiled import Compiled
from comptoir.returns import selectors as returns_view
from comptoir.returns.models import Resolution, ResolutionLine, ReturnLine, ReturnPolicy
from comptoir.sales.models import Order, OrderLine, Quote, QuoteLine

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


def open_quotes(customer_id: int, day: datetime.date, products: Products) -> tuple[c.Quote, ...]:
    """The customer's quotes sent on or before `day` and still valid on it, with their lines."""
    lines: dict[int, list[c.QuoteLine]] = defaultdict(list)
    heads: dict[int, dict] = {}
    for row in _SENT_QUOTE_LINES.rows(customer_id):
        valid_until = row["quote__valid_until"]
        if row["quote__date"] > day or (valid_until is not None and valid_until < day):
            continue
        heads.setdefault(row["quote_id"], row)
        lines[row["quote_id"]].append(quote_line_of_row(row, products.of_row(row)))
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


def past_lines(customer_id: int, order: c.Order) -> tuple[c.PastLine, ...]:
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


def return_cases(references, products: Products) -> tuple[c.ReturnCase, ...]:
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


def neighbours(customer_id: int, invoices, products: Products) -> tuple[c.Invoice, ...]:
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
        .values("id", *INVOICE_FIELDS)
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
        .values("invoice_id", *LINE_FIELDS, *PRODUCT_FIELDS)
    ):
        lines[row["invoice_id"]].append(line_of_row(row, products.of_row(row)))
    return tuple(
        invoice_of_row(pk, {f"invoice__{name}": row[name] for name in INVOICE_FIELDS}, lines[pk])
        for pk, row in sorted(candidates.items())
    )

"""The customer's payments as a chain's checks see them, read beside the chain (`snapshots`) only when
they matter: payments left unallocated and what they could settle (open invoices, drafts, orders not yet
invoiced, invoices of other customers their reference names), same-amount twins, allocations whose
reference names an invoice, and how the customer paid over the last year (for a reminder)."""

import datetime
from decimal import Decimal

from django.db.models import DecimalField, Exists, F, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from comptoir.assistant import chain as c
from comptoir.assistant.chain_rows import HALF_CENT, ZERO
from comptoir.assistant.checks import PAYMENT_TWIN_DAYS
from comptoir.assistant.checks.payments import INVOICE_NUMBER
from comptoir.billing.models import Invoice
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
from comptoir.sales.models import Order

_MONEY = DecimalField(max_digits=14, decimal_places=2)


def named_elsewhere(customer_id: int, payments, invoices) -> tuple[c.NamedElsewhere, ...]:
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


def payment_habit(customer_id: int, overdue_ids, today) -> dict:
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


def _payment_of_row(row: dict, *, unallocated: Decimal) -> c.Payment:
    return c.Payment(
        id=row["id"],
        number=row["number"],
        date=row["date"],
        amount=row["amount"],
        unallocated=unallocated,
        reference=row["reference"],
    )


_CUSTOMER_PAYMENTS = Compiled(
    lambda customer_id: (
        Payment.objects.filter(customer_id=customer_id)
        .order_by("date", "id")
        .values("id", "number", "date", "amount", "reference")
    )
)


def payment_twins(customer_id: int, payments) -> tuple[c.Payment, ...]:
    """The customer's other payments of an unallocated payment's amount, within the duplicate window of
    its date (read only when a payment is left unallocated)."""
    window = datetime.timedelta(days=PAYMENT_TWIN_DAYS)
    mine = {payment.id for payment in payments}
    return tuple(
        _payment_of_row(row, unallocated=ZERO)
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


def allocations(customer_id: int, invoices) -> tuple[tuple[c.Allocation, ...], bool]:
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


def drafts(customer_id: int) -> tuple[c.OpenItem, ...]:
    return tuple(
        c.OpenItem(invoice_id=row["id"], number=f"brouillon n° {row['id']}", balance_due=row["total"])
        for row in Invoice.objects.filter(customer_id=customer_id, status=Invoice.Status.DRAFT, total__gt=0)
        .exclude(kind=Invoice.Kind.CREDIT_NOTE)
        .order_by("id")
        .values("id", "total")
    )


def open_orders(customer_id: int) -> tuple[c.OpenItem, ...]:
    """The customer's confirmed orders with no invoice yet (a prepayment pays one of them)."""
    invoiced = Invoice.objects.filter(order=OuterRef("pk")).exclude(status=Invoice.Status.CANCELLED)
    return tuple(
        c.OpenItem(invoice_id=row["id"], number=row["number"], balance_due=row["total"])
        for row in Order.objects.filter(customer_id=customer_id, status=Order.Status.CONFIRMED, total__gt=0)
        .exclude(Exists(invoiced))
        .order_by("id")
        .values("id", "number", "total")
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


def unallocated_payments(customer_id: int) -> tuple[c.Payment, ...]:
    found = []
    for row in _UNALLOCATED_PAYMENTS.rows(customer_id):
        left = row["amount"] - Decimal(str(row["allocated"])).quantize(Decimal("0.01"))
        if left > 0:
            found.append(_payment_of_row(row, unallocated=left))
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


def open_items(customer_id: int) -> tuple[c.OpenItem, ...]:
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

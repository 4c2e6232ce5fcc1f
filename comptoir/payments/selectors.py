"""Payment progress of invoices, derived from allocations (never stored on the invoice)."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import DecimalField, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from comptoir.billing.models import Invoice
from comptoir.payments.models import CreditApplication, PaymentAllocation

ZERO = Decimal("0")
OPEN, PARTIAL, PAID = "open", "partial", "paid"
LABELS = {OPEN: "Ouverte", PARTIAL: "Partiellement réglée", PAID: "Réglée"}


def payment_status(total: Decimal, paid: Decimal) -> str:
    if paid <= 0:
        return OPEN
    return PAID if paid >= total else PARTIAL


@dataclass(frozen=True)
class PaymentState:
    total: Decimal
    paid: Decimal

    @property
    def balance_due(self) -> Decimal:
        return self.total - self.paid

    @property
    def status(self) -> str:
        return payment_status(self.total, self.paid)

    @property
    def label(self) -> str:
        return LABELS[self.status]


def invoice_payment_state(invoice: Invoice) -> PaymentState:
    """Settled = payments allocated + credit notes applied."""
    paid = PaymentAllocation.objects.filter(invoice=invoice).aggregate(s=Sum("amount"))["s"] or ZERO
    credited = CreditApplication.objects.filter(invoice=invoice).aggregate(s=Sum("amount"))["s"] or ZERO
    return PaymentState(invoice.total, paid + credited)


def with_amount_paid(qs):
    """Annotate invoices with `amount_paid` in one query (no N+1 on lists)."""
    money_field = DecimalField(max_digits=14, decimal_places=2)

    def settled_by(model):
        total = model.objects.filter(invoice=OuterRef("pk")).values("invoice").annotate(s=Sum("amount")).values("s")
        return Coalesce(Subquery(total, output_field=money_field), Value(ZERO), output_field=money_field)

    return qs.annotate(amount_paid=settled_by(PaymentAllocation) + settled_by(CreditApplication))


def open_invoices(customer=None):
    qs = with_amount_paid(
        Invoice.objects.filter(status=Invoice.Status.ISSUED).exclude(kind=Invoice.Kind.CREDIT_NOTE).select_related("customer")
    )
    if customer is not None:
        qs = qs.filter(customer=customer)
    return [inv for inv in qs.order_by("due_date", "id") if inv.amount_paid < inv.total]


def overdue_invoices(today=None):
    today = today or timezone.localdate()
    return [inv for inv in open_invoices() if inv.due_date and inv.due_date < today]

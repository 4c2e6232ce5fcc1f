"""Payment progress of invoices, derived from allocations (never stored on the invoice)."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import DecimalField, ExpressionWrapper, F, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from comptoir.billing.models import Invoice
from comptoir.core.money import amount
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
    """`paid` counts everything that settled the invoice, the deposits it deducts included (EN 16931
    calls them the "paid amount", BT-113); `deposits` says how much of it they are."""

    total: Decimal
    paid: Decimal
    deposits: Decimal = ZERO

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
    """Settled = deposits the invoice deducts + payments allocated + credit notes applied, so that the
    balance due is total − deposits deducted − settled."""
    # amount(): SQLite sums decimals as floats; back to exact cents.
    paid = amount(PaymentAllocation.objects.filter(invoice=invoice).aggregate(s=Sum("amount"))["s"] or ZERO)
    credited = amount(
        CreditApplication.objects.filter(invoice=invoice).aggregate(s=Sum("amount"))["s"] or ZERO
    )
    deposits = invoice.deposits_deducted
    return PaymentState(invoice.total, paid + credited + deposits, deposits)


def with_amount_paid(qs):
    """Annotate invoices with `amount_paid` in one query (no N+1 on lists): payments allocated, credit
    notes applied and the deposits the invoice deducts (BT-113), so `total - amount_paid` is what is due."""
    money_field = DecimalField(max_digits=14, decimal_places=2)

    def settled_by(model):
        total = (
            model.objects.filter(invoice=OuterRef("pk"))
            .values("invoice")
            .annotate(s=Sum("amount"))
            .values("s")
        )
        return Coalesce(Subquery(total, output_field=money_field), Value(ZERO), output_field=money_field)

    return qs.annotate(
        amount_paid=ExpressionWrapper(
            settled_by(PaymentAllocation) + settled_by(CreditApplication) + F("deposits_deducted"),
            output_field=money_field,
        )
    )


def _open_invoices(**filters) -> list:
    qs = with_amount_paid(
        Invoice.objects.filter(status=Invoice.Status.ISSUED, **filters)
        .exclude(kind=Invoice.Kind.CREDIT_NOTE)
        .select_related("customer")
    )
    # The database keeps only the unsettled ones (not every invoice ever issued); Python checks again in
    # exact decimals, as SQLite sums amounts as floats.
    qs = qs.filter(amount_paid__lt=F("total"))
    return [inv for inv in qs.order_by("due_date", "id") if inv.amount_paid < inv.total]


def open_invoices(customer=None):
    return _open_invoices(**({"customer": customer} if customer is not None else {}))


def overdue_invoices(today=None):
    return _open_invoices(due_date__lt=today or timezone.localdate())

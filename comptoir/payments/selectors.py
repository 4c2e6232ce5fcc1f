"""Payment progress of invoices, derived from allocations (never stored on the invoice)."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Case, DecimalField, ExpressionWrapper, F, OuterRef, Q, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from comptoir.accounting.chart import CUSTOMERS
from comptoir.accounting.models import OpenItem
from comptoir.billing import discounting
from comptoir.billing.models import Invoice
from comptoir.core.money import amount
from comptoir.parties.models import Customer
from comptoir.payments.models import (
    CreditApplication,
    EarlyPaymentDiscount,
    OpeningAllocation,
    OpeningInvoice,
    Payment,
    PaymentAllocation,
    PaymentWriteOff,
    Refund,
)

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
    """Settled = deposits the invoice deducts + payments allocated + credit notes applied + the
    early-payment discount granted, so that the
    balance due is total − deposits deducted − settled."""
    # amount(): SQLite sums decimals as floats; back to exact cents.
    paid = amount(PaymentAllocation.objects.filter(invoice=invoice).aggregate(s=Sum("amount"))["s"] or ZERO)
    credited = amount(
        CreditApplication.objects.filter(invoice=invoice).aggregate(s=Sum("amount"))["s"] or ZERO
    )
    discounted = amount(
        EarlyPaymentDiscount.objects.filter(invoice=invoice).aggregate(s=Sum("amount"))["s"] or ZERO
    )
    written_off = amount(
        PaymentWriteOff.objects.filter(invoice=invoice, kind=PaymentWriteOff.Kind.LOSS).aggregate(
            s=Sum("amount")
        )["s"]
        or ZERO
    )
    deposits = invoice.deposits_deducted
    return PaymentState(invoice.total, paid + credited + discounted + written_off + deposits, deposits)


def early_discount_offer(invoice: Invoice, today=None):
    """(amount to pay, deadline) when the invoice's early-payment discount can still be earned: nothing
    settled it yet and the deadline has not passed; None otherwise. The payment service grants it when
    exactly that amount comes by that day (payments.services.register_payment)."""
    until = invoice.early_discount_until
    if until is None or until < (today or timezone.localdate()):
        return None
    if (
        EarlyPaymentDiscount.objects.filter(invoice=invoice).exists()
        or PaymentAllocation.objects.filter(invoice=invoice).exists()
        or CreditApplication.objects.filter(invoice=invoice).exists()
    ):
        return None
    discount = discounting.early_discount(
        invoice.taxes.values_list("vat_rate", "category", "base"), invoice.early_discount_percent
    )
    return invoice.amount_payable - discount.total, until


def with_amount_paid(qs):
    """Annotate invoices with `amount_paid` in one query (no N+1 on lists): payments allocated, credit
    notes applied, the early-payment discount granted and the deposits the invoice deducts (BT-113), so `total - amount_paid` is what is due."""
    money_field = DecimalField(max_digits=14, decimal_places=2)

    def settled_by(model, **only):
        total = (
            model.objects.filter(invoice=OuterRef("pk"), **only)
            .values("invoice")
            .annotate(s=Sum("amount"))
            .values("s")
        )
        return Coalesce(Subquery(total, output_field=money_field), Value(ZERO), output_field=money_field)

    return qs.annotate(
        amount_paid=ExpressionWrapper(
            settled_by(PaymentAllocation)
            + settled_by(CreditApplication)
            + settled_by(EarlyPaymentDiscount)
            + settled_by(PaymentWriteOff, kind=PaymentWriteOff.Kind.LOSS)
            + F("deposits_deducted"),
            output_field=money_field,
        )
    )


def _open_on_411(qs):
    """The documents of `qs` (invoices, credit notes, payments) whose entry has a 411 line not lettered."""
    return qs.filter(entry_id__in=OpenItem.objects.filter(account__code=CUSTOMERS).values("entry_id"))


def possibly_unsettled(qs):
    """The invoices of `qs` whose receivable is still open: a 411 line of their entry not lettered.

    An invoice's own 411 lines are lettered only once it is settled and lettering is never undone, so
    every invoice with something left to pay is among them; the open items make that a read of a few
    rows instead of the settlement of every invoice ever issued. A settled invoice may stay unlettered
    (a credit note spread over several invoices): callers keep their exact test on `amount_paid`. An
    invoice whose allocation was taken back (payments.reallocating) owes again through the contra
    allocation's 411 debit, open while nothing settles it."""
    reopened = PaymentAllocation.objects.filter(amount__lt=0, entry_line__open_item__isnull=False)
    return qs.filter(
        Q(entry_id__in=OpenItem.objects.filter(account__code=CUSTOMERS).values("entry_id"))
        | Q(pk__in=reopened.values("invoice_id"))
    )


def _open_invoices(**filters) -> list:
    qs = with_amount_paid(
        possibly_unsettled(Invoice.objects.filter(status=Invoice.Status.ISSUED, **filters))
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


@dataclass(frozen=True)
class OverdueSummary:
    """The invoices past their due date with something left to pay: how many, what they leave to pay
    in all, and the first few by due date (each with `amount_paid` and `balance_due`)."""

    count: int
    balance_due: Decimal
    first: list


def overdue_summary(today=None, first: int = 5) -> OverdueSummary:
    """What `overdue_invoices` gives, summed: the invoices are read as figures (id, total, paid), and
    only the first `first` as whole rows. Two queries, whatever the number of overdue invoices."""
    today = today or timezone.localdate()
    qs = with_amount_paid(
        possibly_unsettled(Invoice.objects.filter(status=Invoice.Status.ISSUED, due_date__lt=today)).exclude(
            kind=Invoice.Kind.CREDIT_NOTE
        )
    )
    # What is left to pay is compared here only, in exact decimals (SQLite sums amounts as floats): the
    # few settled invoices still unlettered are not worth computing their settlement twice in SQL.
    due = [
        (pk, total - paid)
        for pk, total, paid in qs.order_by("due_date", "id").values_list("pk", "total", "amount_paid")
        if paid < total
    ]
    shown = [pk for pk, _left in due[:first]]
    rows = {
        invoice.pk: invoice
        for invoice in with_amount_paid(Invoice.objects.filter(pk__in=shown).select_related("customer"))
    }
    for invoice in rows.values():
        invoice.balance_due = invoice.total - invoice.amount_paid
    return OverdueSummary(
        count=len(due), balance_due=sum((left for _pk, left in due), ZERO), first=[rows[pk] for pk in shown]
    )


# --- Aged receivables (balance âgée clients) ------------------------------------------------------

MONEY = DecimalField(max_digits=14, decimal_places=2)
# Upper bounds, in days past the due date, of the overdue buckets; beyond the last is the oldest one.
AGE_LIMITS = (30, 60, 90)
BUCKETS = ("not_due", "days_1_30", "days_31_60", "days_61_90", "over_90")


@dataclass(frozen=True)
class AgedBalanceRow:
    """What one customer still owes, by how late it is. `unapplied` (zero or negative) is what the
    customer has to their credit and has not been set against an invoice yet: credit notes neither
    applied nor refunded, payments received beyond what was allocated."""

    customer_id: int | None
    customer_code: str
    customer_name: str
    not_due: Decimal = ZERO
    days_1_30: Decimal = ZERO
    days_31_60: Decimal = ZERO
    days_61_90: Decimal = ZERO
    over_90: Decimal = ZERO
    unapplied: Decimal = ZERO

    @property
    def overdue(self) -> Decimal:
        return self.days_1_30 + self.days_31_60 + self.days_61_90 + self.over_90

    @property
    def total(self) -> Decimal:
        """The customer's open balance: equal to their balance on account 411."""
        return self.not_due + self.overdue + self.unapplied


@dataclass(frozen=True)
class AgedBalance:
    today: datetime.date
    rows: list[AgedBalanceRow]

    @property
    def totals(self) -> AgedBalanceRow:
        fields = (*BUCKETS, "unapplied")
        sums = {name: sum((getattr(row, name) for row in self.rows), ZERO) for name in fields}
        return AgedBalanceRow(None, "", "", **sums)


def _summed(value):
    return Coalesce(Sum(value, output_field=MONEY), Value(ZERO), output_field=MONEY)


def _settled(model, field: str):
    """What rows of `model` pointing at the outer document through `field` add up to (0 if none)."""
    total = (
        model.objects.filter(**{field: OuterRef("pk")}).values(field).annotate(s=Sum("amount")).values("s")
    )
    return Coalesce(Subquery(total, output_field=MONEY), Value(ZERO), output_field=MONEY)


def aged_receivables(today: datetime.date | None = None, search: str = "") -> AgedBalance:
    """Open amounts per customer by days past the due date: not yet due, 1–30, 31–60, 61–90 and over
    90 days; plus their credit not yet applied. Summed in SQL, four grouped queries (the fourth for the
    invoices of the previous system still open) and one for the names, whatever the number of invoices.
    Customers who owe nothing (and have no credit) are left out; rows come in customer name order.

    An invoice counts for what is left to pay on it (an invoice of the previous system still open at the
    switch, `OpeningInvoice`, for its amount left less the payments set against it) (total less deposits deducted, payments allocated
    and credit notes applied), in the bucket of its due date on `today` (due today is not yet late).
    A customer's total therefore equals their 411 balance.
    """
    today = today or timezone.localdate()
    search = (search or "").strip()
    customer_filter = (
        Q(customer__name__icontains=search) | Q(customer__code__iexact=search) if search else Q()
    )
    limits = [today - datetime.timedelta(days=days) for days in AGE_LIMITS]
    # The bucket of each invoice, from the newest due date to the oldest: the first that applies.
    bucket = Case(
        When(due__gte=today, then=Value(BUCKETS[0])),
        *(When(due__gte=limit, then=Value(name)) for limit, name in zip(limits, BUCKETS[1:4], strict=True)),
        default=Value(BUCKETS[4]),
    )
    # Each part looks among the documents whose 411 line is still open: an invoice is lettered once
    # settled; a credit note's line only with the one invoice its whole amount went to; a payment's
    # unallocated remainder ("non affecté") once used up. Whatever is left is exactly checked below.
    invoices = (
        with_amount_paid(
            possibly_unsettled(Invoice.objects.filter(customer_filter, status=Invoice.Status.ISSUED)).exclude(
                kind=Invoice.Kind.CREDIT_NOTE
            )
        )
        # The database keeps only the unsettled invoices; whatever SQLite's float sums let through
        # counts for 0 once the totals are back to the cent.
        .filter(amount_paid__lt=F("total"))
        .annotate(due=Coalesce("due_date", "date"))
        .annotate(bucket=bucket)
        .values("customer_id", "bucket")
        .annotate(s=_summed(F("total") - F("amount_paid")))
        .order_by()
    )
    credit_notes = (
        _open_on_411(
            Invoice.objects.filter(
                customer_filter, status=Invoice.Status.ISSUED, kind=Invoice.Kind.CREDIT_NOTE
            )
        )
        .annotate(
            left=F("total") - _settled(CreditApplication, "credit_note") - _settled(Refund, "credit_note")
        )
        .filter(left__gt=0)
        .values("customer_id")
        .annotate(s=_summed(F("left")))
        .order_by()
    )
    # The invoices of the previous system still open at the switch (payments.opening), by their due date.
    opening = (
        OpeningInvoice.objects.filter(customer_filter)
        .annotate(left=F("amount") - _settled(OpeningAllocation, "opening_invoice"))
        .filter(left__gt=0)
        .annotate(due=F("due_date"))
        .annotate(bucket=bucket)
        .values("customer_id", "bucket")
        .annotate(s=_summed(F("left")))
        .order_by()
    )
    payments = (
        _open_on_411(Payment.objects.filter(customer_filter))
        .annotate(
            left=F("amount") - _settled(PaymentAllocation, "payment") - _settled(OpeningAllocation, "payment")
        )
        .filter(left__gt=0)
        .values("customer_id")
        .annotate(s=_summed(F("left")))
        .order_by()
    )
    figures: dict[int, dict[str, Decimal]] = {}
    for row in [*invoices, *opening]:
        customer = figures.setdefault(row["customer_id"], {})
        customer[row["bucket"]] = customer.get(row["bucket"], ZERO) + amount(row["s"])
    for row in [*credit_notes, *payments]:
        customer = figures.setdefault(row["customer_id"], {})
        customer["unapplied"] = customer.get("unapplied", ZERO) - amount(row["s"])
    names = Customer.objects.filter(pk__in=figures).order_by("name", "id").values_list("pk", "code", "name")
    rows = [AgedBalanceRow(pk, code, name, **figures[pk]) for pk, code, name in names]
    return AgedBalance(
        today=today, rows=[row for row in rows if any(getattr(row, n) for n in (*BUCKETS, "unapplied"))]
    )

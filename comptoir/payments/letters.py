"""Payment reminders and statements of account: what a customer owes, frozen in a `CustomerLetter` and
printed as a PDF (einvoice.letters_pdf) that the mailing app sends.

The open items are read as the aged balance reads them (payments.selectors): Comptoir's invoices with
something left to pay, the invoices of the previous system still open (`OpeningInvoice`, so a company
that switched reminds its customers of them too), and on the credit side the credit notes not applied
and the payments not allocated. A letter keeps them as they were on its day.
"""

import datetime
from decimal import Decimal

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from comptoir.billing.models import Invoice
from comptoir.core import audit, permissions
from comptoir.core.errors import fail
from comptoir.core.money import amount
from comptoir.einvoice import letters_pdf
from comptoir.parties.models import Customer
from comptoir.payments import errors, selectors
from comptoir.payments.models import (
    CreditApplication,
    CustomerLetter,
    OpeningAllocation,
    OpeningInvoice,
    Payment,
    PaymentAllocation,
    Refund,
)
from comptoir.sales.printing import PdfFile, buyer_party, seller_party

NUMBER_PREFIXES = {CustomerLetter.Kind.REMINDER: "REL", CustomerLetter.Kind.STATEMENT: "RC"}
AGEING_LABELS = {
    "not_due": "Non échu",
    "days_1_30": "1 à 30 jours",
    "days_31_60": "31 à 60 jours",
    "days_61_90": "61 à 90 jours",
    "over_90": "Plus de 90 jours",
}


def _days_late(due: datetime.date | None, today: datetime.date) -> int:
    return max((today - due).days, 0) if due else 0


def open_items(customer: Customer, today: datetime.date) -> list[dict]:
    """The customer's open items by due date (JSON-safe: what a letter freezes), credits last."""
    items = []
    for invoice in selectors.open_invoices(customer):
        left = invoice.total - invoice.amount_paid
        items.append(
            _item("Facture", invoice.number, invoice.date, invoice.due_date, invoice.total, left, today)
        )
    opening = (
        OpeningInvoice.objects.filter(customer=customer)
        .annotate(left=F("amount") - selectors._settled(OpeningAllocation, "opening_invoice"))
        .filter(left__gt=0)
        .order_by("due_date", "id")
    )
    for row in opening:
        items.append(
            _item("Facture reprise", row.number, row.date, row.due_date, row.amount, row.left, today)
        )
    items.sort(key=lambda item: (item["due_date"] or item["date"], item["number"]))
    credit_notes = (
        selectors._open_on_411(
            Invoice.objects.filter(
                customer=customer, status=Invoice.Status.ISSUED, kind=Invoice.Kind.CREDIT_NOTE
            )
        )
        .annotate(
            left=F("total")
            - selectors._settled(CreditApplication, "credit_note")
            - selectors._settled(Refund, "credit_note")
        )
        .filter(left__gt=0)
        .order_by("date", "id")
    )
    for note in credit_notes:
        items.append(_item("Avoir non imputé", note.number, note.date, None, -note.total, -note.left, today))
    payments = (
        selectors._open_on_411(Payment.objects.filter(customer=customer))
        .annotate(
            left=F("amount")
            - selectors._settled(PaymentAllocation, "payment")
            - selectors._settled(OpeningAllocation, "payment")
        )
        .filter(left__gt=0)
        .order_by("date", "id")
    )
    for payment in payments:
        items.append(
            _item(
                "Règlement non affecté",
                payment.number,
                payment.date,
                None,
                -payment.amount,
                -payment.left,
                today,
            )
        )
    return items


def _item(label, number, date, due_date, total, left, today) -> dict:
    return {
        "label": label,
        "number": number,
        "date": date.isoformat(),
        "due_date": due_date.isoformat() if due_date else None,
        "total": str(amount(total)),
        "left": str(amount(left)),
        "days_late": _days_late(due_date, today),
    }


def ageing(customer: Customer, today: datetime.date) -> list[list]:
    """[label, amount] per age bucket of the aged balance, and the credit not yet applied."""
    rows = [
        row
        for row in selectors.aged_receivables(today, search=customer.code).rows
        if row.customer_id == customer.pk
    ]
    zero = Decimal("0.00")
    row = rows[0] if rows else None
    result = [[label, str(getattr(row, name) if row else zero)] for name, label in AGEING_LABELS.items()]
    if row is not None and row.unapplied:
        result.append(["Crédit non imputé", str(row.unapplied)])
    return result


def _number(kind: str, customer: Customer, today: datetime.date) -> str:
    base = f"{NUMBER_PREFIXES[kind]}-{customer.code}-{today:%Y%m%d}"[:55]
    taken = set(CustomerLetter.objects.filter(number__startswith=base).values_list("number", flat=True))
    if base not in taken:
        return base
    return next(f"{base}-{n}" for n in range(2, len(taken) + 3) if f"{base}-{n}" not in taken)


def make_letter(customer: Customer, *, kind: str, by, today: datetime.date | None = None) -> CustomerLetter:
    """Freeze what `customer` owes today in a reminder or a statement. A reminder needs something overdue
    (`letter_nothing_overdue`); a statement may say the account is settled."""
    permissions.require(by, "reminder.send")
    if kind not in CustomerLetter.Kind.values:
        fail(errors.LETTER_UNKNOWN_KIND, kind=str(kind)[:20])
    today = today or timezone.localdate()
    items = open_items(customer, today)
    overdue = sum((Decimal(i["left"]) for i in items if i["days_late"] > 0), Decimal("0"))
    if kind == CustomerLetter.Kind.REMINDER:
        if overdue <= 0:
            fail(errors.LETTER_NOTHING_OVERDUE, customer=customer.name)
        items = [i for i in items if i["days_late"] > 0 or Decimal(i["left"]) < 0]
    with transaction.atomic():
        letter = CustomerLetter.objects.create(
            kind=kind,
            number=_number(kind, customer, today),
            customer=customer,
            date=today,
            balance=amount(sum((Decimal(i["left"]) for i in items), Decimal("0"))),
            overdue=amount(overdue),
            items=items,
            ageing=ageing(customer, today) if kind == CustomerLetter.Kind.STATEMENT else [],
            created_by=by if getattr(by, "pk", None) else None,
        )
        audit.record(
            "customer_letter.made",
            by=by,
            obj=letter,
            data={"kind": kind, "customer": customer.code, "overdue": str(letter.overdue)},
        )
    return letter


def letter_document(letter: CustomerLetter) -> letters_pdf.Letter:
    seller, legal, company = seller_party()
    items = tuple(
        letters_pdf.LetterItem(
            label=i["label"],
            number=i["number"],
            date=datetime.date.fromisoformat(i["date"]),
            due_date=datetime.date.fromisoformat(i["due_date"]) if i["due_date"] else None,
            total=Decimal(i["total"]),
            left=Decimal(i["left"]),
            days_late=i["days_late"],
        )
        for i in letter.items
    )
    return letters_pdf.Letter(
        kind=letters_pdf.Kind(letter.kind),
        number=letter.number,
        date=letter.date,
        seller=seller,
        seller_legal=legal,
        buyer=buyer_party(letter.customer),
        customer_code=letter.customer.code,
        items=items,
        ageing=tuple((label, Decimal(value)) for label, value in letter.ageing),
        late_penalty_rate=company.late_penalty_rate,
        iban=company.iban,
        bic=company.bic,
    )


def letter_pdf(letter: CustomerLetter) -> PdfFile:
    return PdfFile(letters_pdf.render_letter_pdf(letter_document(letter)), f"{letter.number}.pdf")


def customers_overdue(today: datetime.date | None = None) -> list:
    """The aged balance's customers with something overdue (the candidates of a mass reminder)."""
    return [row for row in selectors.aged_receivables(today).rows if row.overdue > 0]

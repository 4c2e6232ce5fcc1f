"""Open customer invoices of the previous system (`OpeningInvoice`): brought in by the import
(`imports.opening`), paid and lettered here like Comptoir's own invoices.

An opening invoice is only what the customer still owes on an invoice another tool issued: its original
number, date and due date, its 411 line in its own AN entry (`accounting.opening.post_open_item`). It is
never issued again: no number of Comptoir's series, no Factur-X, no e-invoice, no credit note. A payment
for it posts 512 debit / 411 credit (one line per opening invoice it settles) and, once the invoice is
settled, letters its AN line with the payments' lines. The aged receivables and the customer's balance
count what is left on it (`payments.selectors`).
"""

import datetime
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum

from comptoir.accounting import chart, periods
from comptoir.accounting import opening as accounting_opening
from comptoir.accounting import services as ledger
from comptoir.accounting.models import FiscalYear, OpeningBalance
from comptoir.billing.models import Invoice
from comptoir.core import audit, dates, money, numbering, permissions, rows
from comptoir.core.errors import DomainError
from comptoir.core.errors import fail as _fail
from comptoir.parties.models import Customer
from comptoir.parties.selectors import number_prefix
from comptoir.payments import errors
from comptoir.payments.models import OpeningAllocation, OpeningInvoice, Payment

ZERO = Decimal("0")


def _euros(value: Decimal) -> str:
    return money.fr(value) + " €"


def check_new(
    year: FiscalYear,
    *,
    number: str,
    customer: Customer,
    date: datetime.date,
    due_date: datetime.date | None,
    amount: Decimal,
    total: Decimal | None = None,
) -> dict:
    """The fields of a new opening invoice, or DomainError: what `create_opening_invoices` checks."""
    if OpeningBalance.objects.filter(fiscal_year=year).exists():
        _fail(errors.OPENING_BALANCES_POSTED, year=year.name)
    if Invoice.objects.filter(number=number).exists():
        _fail(errors.OPENING_NUMBER_TAKEN, number=number)
    amount = money.amount(amount)
    if amount <= 0:
        _fail(errors.OPENING_AMOUNT_NOT_POSITIVE)
    if total is not None and amount > money.amount(total):
        _fail(errors.OPENING_AMOUNT_ABOVE_TOTAL, amount=_euros(amount), total=_euros(money.amount(total)))
    if date >= year.start_date:
        _fail(errors.OPENING_DATE_AFTER_OPENING, date=dates.fr(date), opening=dates.fr(year.start_date))
    due_date = due_date or date
    if due_date < date:
        _fail(errors.OPENING_DUE_BEFORE_DATE, due=dates.fr(due_date), date=dates.fr(date))
    return {"number": number, "customer": customer, "date": date, "due_date": due_date, "amount": amount}


def unchanged(found: OpeningInvoice, fields: dict) -> bool:
    """True when `fields` are those of the opening invoice already imported; DomainError when they differ
    (a re-import never changes what was taken over)."""
    same = (
        found.customer_id == fields["customer"].pk
        and found.date == fields["date"]
        and found.due_date == (fields["due_date"] or fields["date"])
        and found.amount == money.amount(fields["amount"])
    )
    if not same:
        raise DomainError(
            *errors.OPENING_INVOICE_DIFFERS,
            number=found.number,
            customer=found.customer.code,
            amount=_euros(found.amount),
            due=dates.fr(found.due_date),
        )
    return True


def create_opening_invoices(
    checked: list[dict], *, by, source: str, year: FiscalYear
) -> list[OpeningInvoice]:
    """Post each open invoice's AN entry and record it (fields from `check_new`). Inside the import's
    transaction; one audit event for them all."""
    permissions.require(by, "accounting.entry")
    created = []
    for fields in checked:
        entry, line = accounting_opening.post_open_item(
            year,
            partner_id=fields["customer"].pk,
            number=fields["number"],
            date=fields["date"],
            due_date=fields["due_date"],
            amount=fields["amount"],
        )
        created.append(
            OpeningInvoice(
                **fields,
                entry=entry,
                line=line,
                source=source[:200],
                created_by=by if getattr(by, "pk", None) else None,
            )
        )
    created = rows.insert_many(created)
    if created:
        audit.record(
            "payment.opening_invoices_imported",
            by=by,
            obj=year,
            data={
                "file": source,
                "count": len(created),
                "amount": str(sum((o.amount for o in created), ZERO)),
                "numbers": [o.number for o in created[:50]],
            },
        )
    return created


def paid_on(opening_invoices) -> dict[int, Decimal]:
    """What payments have settled of each opening invoice."""
    return {
        row["opening_invoice_id"]: money.amount(row["s"])
        for row in OpeningAllocation.objects.filter(opening_invoice__in=opening_invoices)
        .values("opening_invoice_id")
        .annotate(s=Sum("amount"))
        .order_by()
    }


def left_to_pay(opening_invoice: OpeningInvoice) -> Decimal:
    return opening_invoice.amount - paid_on([opening_invoice]).get(opening_invoice.pk, ZERO)


def open_opening_invoices(customer: Customer | None = None) -> list[OpeningInvoice]:
    """The opening invoices with something left to pay, by due date, each with `balance_due`."""
    qs = OpeningInvoice.objects.select_related("customer")
    if customer is not None:
        qs = qs.filter(customer=customer)
    found = list(qs.order_by("due_date", "id"))
    paid = paid_on(found)
    for item in found:
        item.balance_due = item.amount - paid.get(item.pk, ZERO)
    return [item for item in found if item.balance_due > 0]


@transaction.atomic
def pay_opening_invoice(
    opening_invoice: OpeningInvoice,
    *,
    by,
    amount,
    method: str,
    date: datetime.date | None = None,
    reference: str = "",
) -> Payment:
    """Record money received for an opening invoice: 512 (530 in cash) debit / 411 credit for the
    customer; once the invoice is settled its AN line is lettered with the lines that paid it."""
    from comptoir.payments.allocating import _amount  # the same parsing of amounts as every payment

    permissions.require(by, "payment.register")
    amount = _amount(amount)
    if amount <= 0:
        _fail(errors.AMOUNT_NOT_POSITIVE)
    if method not in Payment.Method.values:
        _fail(errors.INVALID_METHOD, value=method)
    item = (
        OpeningInvoice.objects.select_for_update()
        .select_related("customer", "line")
        .get(pk=opening_invoice.pk)
    )
    due = left_to_pay(item)
    if amount > due:
        _fail(errors.OPENING_INVOICE_SETTLED, number=item.number, due=_euros(due), amount=_euros(amount))
    date = periods.check_business_date(
        date, follows=dates.follows(f"l'ouverture {item.number}", item.entry.date)
    )
    customer = item.customer
    number = numbering.next_number(number_prefix("payment_series"), date.year)
    label = f"Règlement {number} {customer.name}"
    bank = chart.CASH if method == Payment.Method.CASH else chart.BANK
    entry, posted = ledger.post_entry(
        "BQ",
        date=date,
        label=label,
        document_number=number,
        lines=[
            ledger.Line(bank, debit=amount, label=label),
            ledger.Line(
                chart.CUSTOMERS,
                credit=amount,
                label=f"{label} — {item.number} (reprise)",
                partner_id=customer.pk,
            ),
        ],
    )
    from comptoir.payments.allocating import insert_payment

    payment = insert_payment(number, customer, date, method, reference, amount, entry, by)
    rows.insert_one(
        OpeningAllocation(payment=payment, opening_invoice=item, amount=amount, entry_line=posted[1])
    )
    if amount == due:
        credits = [a.entry_line for a in item.allocations.select_related("entry_line")]
        # A year closed since the opening carried the AN line forward (`accounting.closing`).
        ledger.reconcile(ledger.carried_forward([item.line, *credits]), date=date)
    audit.record(
        "payment.registered",
        by=by,
        obj=payment,
        data={
            "amount": amount,
            "method": method,
            "date": date.isoformat(),
            "allocations": {f"{item.number} (reprise)": amount},
            "entry": entry.seal,
        },
    )
    return payment

"""Allocating money to invoices: what is already allocated, the locks and checks every allocation
takes, the VAT on receipts it releases, the lettering of settled invoices, and `allocate_payment` for
money received earlier and left unallocated.

Shared by `registering` (a payment received) and `credit_notes` (a credit note applied or refunded);
`services` is the app's door to all of them.
"""

import datetime
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import Sum

from comptoir.accounting import chart, periods
from comptoir.accounting import services as ledger
from comptoir.accounting.models import EntryLine, ReconciledLine
from comptoir.billing.models import Invoice
from comptoir.billing.selectors import vat_on_receipts
from comptoir.core import audit, dates, money, permissions, rows
from comptoir.core.compiled import Compiled
from comptoir.core.errors import NotFound
from comptoir.core.errors import fail as _fail
from comptoir.parties.models import Customer
from comptoir.payments import errors
from comptoir.payments.models import (
    CreditApplication,
    EarlyPaymentDiscount,
    OpeningAllocation,
    Payment,
    PaymentAllocation,
    PaymentReversal,
    PaymentWriteOff,
    VatRelease,
)

ZERO = Decimal("0")


def _amount(value) -> Decimal:
    try:
        return money.amount(value)
    except (ValueError, TypeError, InvalidOperation):
        _fail(errors.INVALID_AMOUNT, value=value)


def _euros(value: Decimal) -> str:
    return f"{value:.2f} €".replace(".", ",")


# A payment nearly always settles one invoice: its reads are compiled once (`core.compiled`) for that
# case, and built by the ORM for several.
_ONE_INVOICE_LOCKED = Compiled(lambda invoice_id: Invoice.objects.select_for_update().filter(pk=invoice_id))
_SETTLED_ONE = Compiled(
    lambda invoice_id: (
        PaymentAllocation.objects.filter(invoice_id=invoice_id)
        .values("invoice_id")
        .annotate(total=Sum("amount"))
        .order_by()
        .union(
            CreditApplication.objects.filter(invoice_id=invoice_id)
            .values("invoice_id")
            .annotate(total=Sum("amount"))
            .order_by(),
            EarlyPaymentDiscount.objects.filter(invoice_id=invoice_id)
            .values("invoice_id")
            .annotate(total=Sum("amount"))
            .order_by(),
            PaymentWriteOff.objects.filter(invoice_id=invoice_id, kind=PaymentWriteOff.Kind.LOSS)
            .values("invoice_id")
            .annotate(total=Sum("amount"))
            .order_by(),
            all=True,
        )
    )
)
_ENTRY_LINES_ON = Compiled(
    lambda entry_id, account_id: EntryLine.objects.filter(entry_id=entry_id, account_id=account_id)
)
_LETTERED_ON = Compiled(
    lambda entry_id, account_id: ReconciledLine.objects.filter(
        line__entry_id=entry_id, line__account_id=account_id
    ).values("line_id")
)


def _after_invoices(invoices) -> list[dates.Follows]:
    """What a settlement cannot be dated before: the invoices and credit notes it involves."""
    earlier = []
    for invoice in invoices:
        noun = "l'avoir" if invoice.kind == Invoice.Kind.CREDIT_NOTE else "la facture"
        earlier += dates.follows(f"{noun} {invoice.number}", invoice.date)
    return earlier


def allocated_totals(invoice_ids) -> dict[int, Decimal]:
    """What has already settled each invoice: payments allocated, credit notes applied, the
    early-payment discount granted and a shortfall written off (payments.writing_off)."""
    totals: dict[int, Decimal] = {}
    invoice_ids = list(invoice_ids)
    if len(invoice_ids) == 1:
        found = [_SETTLED_ONE.rows(invoice_ids[0])]
    else:
        found = [
            model.objects.filter(invoice_id__in=invoice_ids)
            .values("invoice_id")
            .annotate(total=Sum("amount"))
            for model in (PaymentAllocation, CreditApplication, EarlyPaymentDiscount)
        ]
        found.append(
            PaymentWriteOff.objects.filter(invoice_id__in=invoice_ids, kind=PaymentWriteOff.Kind.LOSS)
            .values("invoice_id")
            .annotate(total=Sum("amount"))
        )
    for totals_rows in found:
        for row in totals_rows:
            # money.amount: SQLite sums decimals as floats; back to exact cents before comparing.
            totals[row["invoice_id"]] = totals.get(row["invoice_id"], ZERO) + money.amount(row["total"])
    return totals


def _wanted(allocations) -> list[tuple[int, Decimal]]:
    """(invoice id, amount) from {"invoice": Invoice or id, "amount": …} items, each amount positive."""
    wanted: list[tuple[int, Decimal]] = []
    for alloc in allocations:
        ref = alloc.get("invoice")
        alloc_amount = _amount(alloc.get("amount"))
        if alloc_amount <= 0:
            _fail(errors.ALLOCATION_NOT_POSITIVE)
        wanted.append((getattr(ref, "pk", ref), alloc_amount))
    return wanted


def _lock_payable(customer: Customer, wanted) -> tuple[dict[int, Invoice], dict[int, Decimal]]:
    """The invoices an allocation settles, locked, each checked payable by `customer` for that amount;
    and what had settled each before."""
    # Lock invoices in id order: two payments on the same invoice serialise and cannot over-pay it.
    ids = sorted({i for i, _ in wanted})
    locked = (
        _ONE_INVOICE_LOCKED.objects(ids[0])
        if len(ids) == 1
        else Invoice.objects.select_for_update().filter(pk__in=ids).order_by("pk")
    )
    invoices = {inv.pk: inv for inv in locked}
    already = allocated_totals(list(invoices))
    seen = set()
    for invoice_id, alloc_amount in wanted:
        invoice = invoices.get(invoice_id)
        if invoice is None:
            raise NotFound(*errors.UNKNOWN_INVOICE, value=invoice_id)
        if invoice_id in seen:
            _fail(errors.DUPLICATE_INVOICE, number=invoice)
        seen.add(invoice_id)
        if invoice.status != Invoice.Status.ISSUED or invoice.kind == Invoice.Kind.CREDIT_NOTE:
            _fail(errors.INVOICE_NOT_ISSUED, number=invoice, state=invoice.get_status_display())
        if invoice.customer_id != customer.pk:
            _fail(errors.OTHER_CUSTOMER, number=invoice.number)
        due = invoice.amount_payable - already.get(invoice_id, ZERO)
        if alloc_amount > due:
            _fail(
                errors.ALLOCATION_EXCEEDS_DUE,
                number=invoice.number,
                due=_euros(due),
                amount=_euros(alloc_amount),
            )
    return invoices, already


def _allocation_lines(customer, label: str, wanted, invoices, releases) -> list:
    """One 411 credit per invoice settled (so each is lettered with exactly its own lines), then the
    VAT on services the money cashes, moved from 44574 to 44571."""
    lines = [
        ledger.Line(
            chart.CUSTOMERS,
            credit=alloc_amount,
            label=f"{label} — {invoices[invoice_id].number}",
            partner_id=customer.pk,
        )
        for invoice_id, alloc_amount in wanted
    ]
    for (invoice_id, rate), moved in releases.items():
        vat_label = f"TVA encaissée {invoices[invoice_id].number}"
        lines.append(ledger.Line(chart.VAT_PENDING, debit=moved, label=vat_label, vat_rate=rate))
        lines.append(ledger.Line(chart.VAT_COLLECTED, credit=moved, label=vat_label, vat_rate=rate))
    return lines


def insert_payment(number, customer, date, method, reference, amount, entry, by) -> Payment:
    """The payment row of a registration, its entry already posted (append-only: written once)."""
    return rows.insert_one(
        Payment(
            number=number,
            customer=customer,
            date=date,
            method=method,
            reference=reference[:80],
            amount=amount,
            entry=entry,
            created_by=by if getattr(by, "pk", None) else None,
        )
    )


def _record_allocations(
    payment, wanted, invoices, already, releases, credit_lines, *, date, discounts=None
) -> None:
    """The allocations with the 411 credit line each was posted on, the VAT they released, the
    early-payment discounts granted with them ({invoice id: (EarlyDiscount, its 411 credit line)}), and
    the lettering of every invoice they settle."""
    discounts = discounts or {}
    created = rows.insert_many(
        [
            PaymentAllocation(payment=payment, invoice_id=invoice_id, amount=alloc_amount, entry_line=line)
            for (invoice_id, alloc_amount), line in zip(wanted, credit_lines, strict=True)
        ]
    )
    allocation_of = {alloc.invoice_id: alloc for alloc in created}
    rows.insert_many(
        [
            VatRelease(
                allocation=allocation_of[invoice_id], invoice_id=invoice_id, vat_rate=rate, amount=moved
            )
            for (invoice_id, rate), moved in releases.items()
        ]
    )
    if discounts:
        rows.insert_many(
            [
                EarlyPaymentDiscount(
                    payment=payment,
                    invoice_id=invoice_id,
                    amount=discount.total,
                    untaxed=discount.untaxed,
                    vat=discount.vat,
                    entry_line=line,
                )
                for invoice_id, (discount, line) in discounts.items()
            ]
        )
    granted = {i: discount.total for i, (discount, _) in discounts.items()}
    settled = [
        invoices[i]
        for i, a in wanted
        if already.get(i, ZERO) + a + granted.get(i, ZERO) == invoices[i].amount_payable
    ]
    # An invoice settled by this money alone: its settling lines are the ones just posted (with the
    # discount's 411 line when one was granted).
    fresh = {
        alloc.invoice_id: [
            alloc.entry_line,
            *([discounts[alloc.invoice_id][1]] if alloc.invoice_id in discounts else []),
        ]
        for alloc in created
        if alloc.invoice_id not in already
    }
    _letter_settled_invoices(settled, date=date, fresh_credits=fresh)


def _vat_releases(invoices, wanted, already, *, cash: bool = True) -> dict[tuple[int, Decimal], Decimal]:
    """VAT due on receipt (services, deposits): the share of each invoice's waiting VAT that this money
    cashes, moved from 44574 to 44571.

    Pro rata of the amount paid over what the customer is to pay for the invoice (its amount payable,
    less the credit notes correcting it); the payment that settles the invoice takes whatever is left,
    so the pending VAT of a paid invoice is always exactly zero whatever the rounding on the way. What
    no cash releases is left out (billing.selectors.vat_on_receipts): a deposit's goods VAT that the
    delivery made due, a credit note's VAT reversed on 44574. `cash=False` (a credit note applied to
    the invoice it corrects, whose VAT it already took off 44574): nothing is cashed, only a remainder
    left on an invoice it settles is released.
    """
    # An invoice of goods only never puts VAT on 44574 (billing._waits_for_cash): it costs no query.
    maybe = [
        i
        for i, _ in wanted
        if invoices[i].kind != Invoice.Kind.INVOICE or invoices[i].operation_nature != Invoice.Nature.GOODS
    ]
    waiting = vat_on_receipts(maybe) if maybe else {}
    if not waiting:
        return {}
    expected = _expected_cash(invoices, {invoice_id for invoice_id, _ in waiting})
    moves = {}
    for invoice_id, alloc_amount in wanted:
        settles = already.get(invoice_id, ZERO) + alloc_amount == invoices[invoice_id].amount_payable
        for (pending_invoice, rate), state in waiting.items():
            if pending_invoice != invoice_id:
                continue
            if settles:
                moved = state.left
            elif not cash or expected[invoice_id] <= 0:
                moved = ZERO
            else:
                moved = min(state.left, money.amount(state.waiting * alloc_amount / expected[invoice_id]))
            if moved > 0:
                moves[(invoice_id, rate)] = moved
    return moves


def _expected_cash(invoices, invoice_ids) -> dict[int, Decimal]:
    """What the customer is to pay for each invoice: its amount payable less the credit notes issued to
    correct it (applied to it or refunded, they are not cashed on it)."""
    credited = {
        row["corrects_id"]: money.amount(row["s"])
        for row in Invoice.objects.filter(
            corrects_id__in=invoice_ids, kind=Invoice.Kind.CREDIT_NOTE, status=Invoice.Status.ISSUED
        )
        .values("corrects_id")
        .annotate(s=Sum("total"))
        .order_by()
    }
    return {i: invoices[i].amount_payable - credited.get(i, ZERO) for i in invoice_ids}


def _letter_settled_invoices(
    invoices: list[Invoice], *, date: datetime.date, fresh_credits: dict[int, list[EntryLine]] | None = None
) -> None:
    """Each fully settled invoice: letter its own 411 lines (the debit, and the credits of the deposits
    it deducts) with the 411 credit lines that settle it — the payment lines allocated to it and the
    lines of credit notes applied only to it. When a credit note is spread over several invoices its
    line cannot be lettered with one of them: the invoice is then left unlettered (it is still settled;
    lettering is a matching aid, not the source of truth).

    `fresh_credits` {invoice id: lines}: invoices settled by the caller's payment alone, nothing
    allocated or applied before; their settling lines are known without looking them up."""
    if not invoices:
        return
    fresh_credits = fresh_credits or {}
    customers_account = ledger.account_id(chart.CUSTOMERS)
    invoice_of_entry = {invoice.entry_id: invoice.pk for invoice in invoices}
    own_lines: dict[int, list[EntryLine]] = {}
    # The usual case, one invoice settled by this payment alone, reads through compiled queries; the
    # payment's own lines were written just now, so only the invoice's lines can be lettered already.
    alone = invoices[0] if len(invoices) == 1 and invoices[0].pk in fresh_credits else None
    found = (
        _ENTRY_LINES_ON.objects(alone.entry_id, customers_account)
        if alone
        else EntryLine.objects.filter(entry_id__in=invoice_of_entry, account_id=customers_account)
    )
    for line in found:
        own_lines.setdefault(invoice_of_entry[line.entry_id], []).append(line)
    credit_lines: dict[int, list[EntryLine]] = {pk: list(lines) for pk, lines in fresh_credits.items()}
    earlier = [invoice.pk for invoice in invoices if invoice.pk not in fresh_credits]
    if earlier:
        for alloc in PaymentAllocation.objects.select_related("entry_line").filter(invoice_id__in=earlier):
            credit_lines.setdefault(alloc.invoice_id, []).append(alloc.entry_line)
        applications = CreditApplication.objects.filter(invoice_id__in=earlier).select_related("credit_note")
        for application in applications:
            note_lines = EntryLine.objects.filter(
                entry_id=application.credit_note.entry_id, account_id=customers_account
            )
            credit_lines.setdefault(application.invoice_id, []).extend(note_lines)
        for write_off in PaymentWriteOff.objects.select_related("entry_line").filter(
            invoice_id__in=earlier, kind=PaymentWriteOff.Kind.LOSS
        ):
            credit_lines.setdefault(write_off.invoice_id, []).append(write_off.entry_line)
    invoice_ids = [invoice.pk for invoice in invoices]
    entry_dates = {invoice.entry_id: invoice.date for invoice in invoices if invoice.date}
    groups = {
        invoice_id: [*own_lines[invoice_id], *credit_lines.get(invoice_id, [])] for invoice_id in invoice_ids
    }
    # An invoice of a closed year (or paid in part then) is lettered through the lines of the opening
    # entry that carried its open items (`accounting.closing`). Years start on the 1st of a month, so
    # only an invoice of an earlier month may have been carried: the usual payment asks nothing more.
    month = date.replace(day=1)
    carried = any(invoice.date and invoice.date < month for invoice in invoices)
    if carried:
        groups = {invoice_id: ledger.carried_forward(group) for invoice_id, group in groups.items()}
    if alone and not carried:
        lettered = {row["line_id"] for row in _LETTERED_ON.rows(alone.entry_id, customers_account)}
    else:
        lettered = set(
            ReconciledLine.objects.filter(
                line_id__in=[line.pk for group in groups.values() for line in group]
            ).values_list("line_id", flat=True)
        )
    # An invoice whose allocation was taken back (payments.reallocating) keeps its first lines lettered
    # (a letter is never undone): its debt opened again is lettered with what settles it now.
    reopened = (
        set(
            PaymentAllocation.objects.filter(invoice_id__in=earlier, amount__lt=0).values_list(
                "invoice_id", flat=True
            )
        )
        if earlier
        else set()
    )
    for invoice_id, group in groups.items():
        if invoice_id in reopened:
            group = [line for line in group if line.pk not in lettered]
        if (
            group
            and sum(line.debit - line.credit for line in group) == 0
            and not any(line.pk in lettered for line in group)
        ):
            ledger.reconcile(group, date=date, known_unlettered=True, entry_dates=entry_dates)


def unallocated(payment: Payment) -> Decimal:
    """What of a payment sits on the customer's account, not yet allocated to an invoice (nothing once
    the payment was reversed; an excess written off as a gain is used up)."""
    if PaymentReversal.objects.filter(payment=payment).exists():
        return ZERO
    allocated = PaymentAllocation.objects.filter(payment=payment).aggregate(s=Sum("amount"))["s"]
    # Money paid for an invoice of the previous system (payments.opening) is allocated too.
    opening = OpeningAllocation.objects.filter(payment=payment).aggregate(s=Sum("amount"))["s"]
    gained = PaymentWriteOff.objects.filter(payment=payment, kind=PaymentWriteOff.Kind.GAIN).aggregate(
        s=Sum("amount")
    )["s"]
    return (
        payment.amount
        - money.amount(allocated or ZERO)
        - money.amount(opening or ZERO)
        - money.amount(gained or ZERO)
    )


@transaction.atomic
def allocate_payment(payment: Payment, allocations, *, by, date: datetime.date | None = None) -> Payment:
    """Allocate what a payment left unallocated (an advance, a payment whose remittance advice came
    later) to issued invoices of its customer.

    Lettering needs one 411 credit line per invoice, and the payment's entry has a single "non
    affecté" line; so the allocation posts a reclassification in OD — 411 debit (the advance used) /
    411 credit per invoice — the same shape the payment would have had if allocated on receipt. VAT on
    services due on receipt becomes due at this date: until the money is matched to an invoice, nobody
    knows which invoice's VAT it cashes. When the advance is used up, its line is lettered with the
    reclassification debits.
    """
    permissions.require(by, "payment.register")
    try:
        payment = Payment.objects.select_for_update().select_related("customer").get(pk=payment.pk)
    except Payment.DoesNotExist:
        raise NotFound(*errors.UNKNOWN_PAYMENT, value=payment.pk) from None
    wanted = _wanted(allocations)
    if not wanted:
        _fail(errors.NO_ALLOCATION)
    left = unallocated(payment)
    if left <= 0:
        _fail(errors.NOTHING_UNALLOCATED, number=payment.number)
    total = sum((a for _, a in wanted), ZERO)
    if total > left:
        _fail(errors.UNALLOCATED_EXCEEDED, number=payment.number, left=_euros(left), allocated=_euros(total))
    customer = payment.customer
    invoices, already = _lock_payable(customer, wanted)
    # Matching money to invoices happens once both exist: after the payment and every invoice it settles.
    date = periods.check_business_date(
        date,
        follows=[
            *dates.follows(f"le règlement {payment.number}", payment.date),
            *_after_invoices(invoices.values()),
        ],
    )
    label = f"Affectation {payment.number} {customer.name}"
    releases = _vat_releases(invoices, wanted, already)
    entry_lines = [
        ledger.Line(chart.CUSTOMERS, debit=total, label=label, partner_id=customer.pk),
        *_allocation_lines(customer, label, wanted, invoices, releases),
    ]
    entry, posted = ledger.post_entry(
        "OD", date=date, label=label, document_number=payment.number, lines=entry_lines
    )
    _record_allocations(payment, wanted, invoices, already, releases, posted[1 : 1 + len(wanted)], date=date)
    if total == left:
        _letter_used_advance(payment, date=date)
    audit.record(
        "payment.allocated",
        by=by,
        obj=payment,
        data={
            "allocations": {invoices[i].number: a for i, a in wanted},
            "unallocated_left": left - total,
            "entry": entry.seal,
        },
    )
    return payment


def _letter_used_advance(payment: Payment, *, date: datetime.date) -> None:
    """The payment's "non affecté" credit against the reclassification debits that used it up."""
    customers_account = ledger.account_id(chart.CUSTOMERS)
    advance = EntryLine.objects.filter(
        entry_id=payment.entry_id, account_id=customers_account, allocation__isnull=True
    )
    uses = EntryLine.objects.filter(
        entry__journal__code="OD",
        entry__document_number=payment.number,
        account_id=customers_account,
        debit__gt=0,
    )
    # Lines of a closed year are matched through the opening entry that carried them.
    ledger.reconcile(ledger.carried_forward([*advance, *uses]), date=date)

"""Payments: post the bank entry, allocate to invoices, match the customer account (lettrage)."""

import datetime
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import Sum

from comptoir.accounting import chart, periods
from comptoir.accounting import services as ledger
from comptoir.accounting.models import EntryLine, ReconciledLine
from comptoir.billing import discounting
from comptoir.billing.models import Invoice, InvoiceTax
from comptoir.billing.selectors import vat_on_receipts
from comptoir.core import approvals, audit, dates, money, numbering, permissions, rows
from comptoir.core.compiled import Compiled
from comptoir.core.errors import NotFound, PermissionDenied
from comptoir.core.errors import fail as _fail
from comptoir.parties.models import Customer
from comptoir.payments import errors
from comptoir.payments.models import (
    CreditApplication,
    EarlyPaymentDiscount,
    OpeningAllocation,
    Payment,
    PaymentAllocation,
    Refund,
    RefundRequest,
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
    """What has already settled each invoice: payments allocated, credit notes applied and the
    early-payment discount granted."""
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


@transaction.atomic
def register_payment(
    customer: Customer,
    *,
    by,
    amount,
    method: str,
    date: datetime.date | None = None,
    reference: str = "",
    allocations=(),
) -> Payment:
    """Record money received and allocate it to invoices, partly or fully.

    `allocations` is a list of {"invoice": Invoice or id, "amount": …}. What is not allocated stays
    on the customer's account as a credit. Posting: 512 debit / 411 credit, one 411 line per invoice
    so that each fully paid invoice is lettered with exactly the lines that settle it.
    """
    permissions.require(by, "payment.register")
    amount = _amount(amount)
    if amount <= 0:
        _fail(errors.AMOUNT_NOT_POSITIVE)
    if method not in Payment.Method.values:
        _fail(errors.INVALID_METHOD, value=method)
    wanted = _wanted(allocations)
    allocated = sum((a for _, a in wanted), ZERO)
    if allocated > amount:
        _fail(errors.OVER_ALLOCATED, allocated=_euros(allocated), amount=_euros(amount))
    invoices, already = _lock_payable(customer, wanted)
    # Money may come before a deposit invoice (a prepayment, which the deposit invoice then records);
    # any other invoice it settles was issued first.
    date = periods.check_business_date(
        date, follows=_after_invoices(i for i in invoices.values() if i.kind != Invoice.Kind.DEPOSIT)
    )
    number = numbering.next_number("REG", date.year)
    label = f"Règlement {number} {customer.name}"
    bank = chart.CASH if method == Payment.Method.CASH else chart.BANK
    discounts = _early_discounts(invoices, wanted, already, date)
    # The discount settles the rest of the invoice: the VAT waiting for its cash is released in full.
    settling = {**already, **{i: already.get(i, ZERO) + d.total for i, d in discounts.items()}}
    releases = _vat_releases(invoices, wanted, settling)
    allocation_lines = _allocation_lines(customer, label, wanted, invoices, releases)
    entry_lines = [ledger.Line(bank, debit=amount, label=label), *allocation_lines[: len(wanted)]]
    if amount > allocated:
        entry_lines.append(
            ledger.Line(
                chart.CUSTOMERS,
                credit=amount - allocated,
                label=f"{label} — non affecté",
                partner_id=customer.pk,
            )
        )
    entry_lines.extend(allocation_lines[len(wanted) :])
    discount_at = {}
    for invoice_id, discount in discounts.items():
        discount_at[invoice_id] = len(entry_lines)
        entry_lines.extend(_early_discount_lines(customer, invoices[invoice_id], discount))
    entry, posted = ledger.post_entry("BQ", date=date, label=label, document_number=number, lines=entry_lines)
    payment = insert_payment(number, customer, date, method, reference, amount, entry, by)
    _record_allocations(
        payment,
        wanted,
        invoices,
        already,
        releases,
        posted[1 : 1 + len(wanted)],
        date=date,
        discounts={i: (d, posted[discount_at[i]]) for i, d in discounts.items()},
    )
    audit.record(
        "payment.registered",
        by=by,
        obj=payment,
        data={
            "amount": amount,
            "method": method,
            "date": date.isoformat(),
            "allocations": {invoices[i].number: a for i, a in wanted},
            "entry": entry.seal,
        }
        | (
            {"early_discounts": {invoices[i].number: d.total for i, d in discounts.items()}}
            if discounts
            else {}
        ),
    )
    return payment


def _early_discounts(invoices, wanted, already, date) -> dict[int, discounting.EarlyDiscount]:
    """The invoices this payment settles with their early-payment discount: nothing settled them before,
    the money comes by the deadline (its date) and is exactly the amount payable less the discount."""
    candidates = [
        (i, a)
        for i, a in wanted
        if invoices[i].early_discount_until is not None
        and not already.get(i)
        and date <= invoices[i].early_discount_until
    ]
    if not candidates:
        return {}
    breakdown: dict[int, list] = {}
    for tax in InvoiceTax.objects.filter(invoice_id__in=[i for i, _ in candidates]):
        breakdown.setdefault(tax.invoice_id, []).append((tax.vat_rate, tax.category, tax.base))
    found = {}
    for invoice_id, alloc_amount in candidates:
        invoice = invoices[invoice_id]
        discount = discounting.early_discount(breakdown.get(invoice_id, []), invoice.early_discount_percent)
        if discounting.applies(
            until=invoice.early_discount_until,
            paid_on=date,
            amount=alloc_amount,
            due=invoice.amount_payable,
            discount=discount,
        ):
            found[invoice_id] = discount
    return found


def _early_discount_lines(customer, invoice: Invoice, discount: discounting.EarlyDiscount) -> list:
    """411 credit for the discount (first: it is lettered with the invoice), 665 debit per VAT rate for
    its part excl. VAT, 44571 debit for its VAT."""
    label = f"Escompte {invoice.number}"
    lines = [ledger.Line(chart.CUSTOMERS, credit=discount.total, label=label, partner_id=customer.pk)]
    for part in discount.parts:
        lines.append(
            ledger.Line(chart.EARLY_PAYMENT_DISCOUNTS, debit=part.base, label=label, vat_rate=part.rate)
        )
        if part.vat:
            lines.append(ledger.Line(chart.VAT_COLLECTED, debit=part.vat, label=label, vat_rate=part.rate))
    return lines


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
    for group in groups.values():
        if sum(line.debit - line.credit for line in group) == 0 and not any(
            line.pk in lettered for line in group
        ):
            ledger.reconcile(group, date=date, known_unlettered=True, entry_dates=entry_dates)


@transaction.atomic
def apply_credit_note(
    credit_note: Invoice, invoice: Invoice, *, by, amount=None, date=None
) -> CreditApplication:
    """Deduct an issued credit note from an issued invoice of the same customer (the customer pays
    less). Without an amount, applies as much as both allow."""
    permissions.require(by, "payment.register")
    locked = {
        inv.pk: inv
        for inv in Invoice.objects.select_for_update()
        .filter(pk__in=[credit_note.pk, invoice.pk])
        .order_by("pk")
    }
    credit_note, invoice = locked[credit_note.pk], locked[invoice.pk]
    if credit_note.kind != Invoice.Kind.CREDIT_NOTE or credit_note.status != Invoice.Status.ISSUED:
        _fail(errors.NOT_AN_ISSUED_CREDIT_NOTE, number=credit_note)
    if invoice.kind == Invoice.Kind.CREDIT_NOTE or invoice.status != Invoice.Status.ISSUED:
        _fail(errors.INVOICE_NOT_ISSUED, number=invoice, state=invoice.get_status_display())
    if invoice.customer_id != credit_note.customer_id:
        _fail(errors.OTHER_CUSTOMER, number=invoice.number)
    date = periods.check_business_date(date, follows=_after_invoices([credit_note, invoice]))
    credit_left = credit_note.total - credit_available_used(credit_note)
    due = invoice.amount_payable - allocated_totals([invoice.pk]).get(invoice.pk, ZERO)
    amount = _amount(amount) if amount is not None else min(credit_left, due)
    if amount <= 0:
        _fail(errors.ALLOCATION_NOT_POSITIVE)
    if amount > credit_left:
        _fail(errors.CREDIT_EXCEEDED, number=credit_note.number, left=_euros(credit_left))
    if amount > due:
        _fail(errors.ALLOCATION_EXCEEDS_DUE, number=invoice.number, due=_euros(due), amount=_euros(amount))
    already = allocated_totals([invoice.pk])
    application = rows.insert_one(
        CreditApplication(
            credit_note=credit_note,
            invoice=invoice,
            amount=amount,
            date=date,
            created_by=by if getattr(by, "pk", None) else None,
        )
    )
    # A credit note applied to the invoice it corrects cashes nothing: its VAT was reversed where the
    # invoice's VAT sat when it was issued. Applied to another invoice, it settles it as money would.
    releases = _vat_releases(
        {invoice.pk: invoice}, [(invoice.pk, amount)], already, cash=credit_note.corrects_id != invoice.pk
    )
    entry = None
    if releases:
        label = f"TVA encaissée {invoice.number} (avoir {credit_note.number})"
        entry, _ = ledger.post_entry(
            "OD",
            date=date,
            label=label,
            document_number=credit_note.number,
            lines=[
                line
                for (_, rate), moved in releases.items()
                for line in (
                    ledger.Line(chart.VAT_PENDING, debit=moved, label=label, vat_rate=rate),
                    ledger.Line(chart.VAT_COLLECTED, credit=moved, label=label, vat_rate=rate),
                )
            ],
        )
        rows.insert_many(
            [
                VatRelease(credit_application=application, invoice=invoice, vat_rate=rate, amount=moved)
                for (_, rate), moved in releases.items()
            ]
        )
    if already.get(invoice.pk, ZERO) + amount == invoice.amount_payable:
        _letter_settled_invoices([invoice], date=date)
    audit.record(
        "credit_note.applied",
        by=by,
        obj=credit_note,
        data={"invoice": invoice.number, "amount": amount} | ({"entry": entry.seal} if entry else {}),
    )
    return application


def credit_available_used(credit_note: Invoice) -> Decimal:
    """How much of a credit note has already been applied to invoices or refunded."""
    applied = money.amount(
        CreditApplication.objects.filter(credit_note=credit_note).aggregate(s=Sum("amount"))["s"] or ZERO
    )
    refunded = money.amount(
        Refund.objects.filter(credit_note=credit_note).aggregate(s=Sum("amount"))["s"] or ZERO
    )
    return applied + refunded


def pending_refunds(credit_note: Invoice, *, exclude=None) -> Decimal:
    """What refund requests still waiting for approval reserve on a credit note."""
    pending = RefundRequest.objects.filter(credit_note=credit_note, status=RefundRequest.Status.PENDING)
    if exclude is not None:
        pending = pending.exclude(pk=exclude.pk)
    return money.amount(pending.aggregate(s=Sum("amount"))["s"] or ZERO)


@transaction.atomic
def refund_credit_note(
    credit_note: Invoice,
    *,
    by,
    method: str,
    date=None,
    reference: str = "",
    amount=None,
    approval: RefundRequest | None = None,
) -> Refund:
    """Pay the customer back what a credit note owes them: 411 debit / 512 credit.

    Four eyes: when the refunds of the credit note, this one included, exceed the refund threshold, the
    money leaves only through `refunding.approve_refund`, which passes the `approval` (the request another
    person approved); otherwise the refund is refused with `refund_approval_required`."""
    permissions.require(by, "payment.register")
    credit_note = Invoice.objects.select_for_update().get(pk=credit_note.pk)
    if credit_note.kind != Invoice.Kind.CREDIT_NOTE or credit_note.status != Invoice.Status.ISSUED:
        _fail(errors.NOT_AN_ISSUED_CREDIT_NOTE, number=credit_note)
    if method not in Payment.Method.values:
        _fail(errors.INVALID_METHOD, value=method)
    left = (
        credit_note.total
        - credit_available_used(credit_note)
        - pending_refunds(credit_note, exclude=approval)
    )
    if left <= 0:
        _fail(errors.CREDIT_EXCEEDED, number=credit_note.number, left=_euros(ZERO))
    amount = _amount(amount) if amount is not None else left
    if amount <= 0:
        _fail(errors.AMOUNT_NOT_POSITIVE)
    if amount > left:
        _fail(errors.CREDIT_EXCEEDED, number=credit_note.number, left=_euros(left))
    _require_refund_approval(credit_note, amount, by=by, approval=approval)
    date = periods.check_business_date(date, follows=_after_invoices([credit_note]))
    number = numbering.next_number("RBT", date.year)
    label = f"Remboursement {number} avoir {credit_note.number}"
    bank = chart.CASH if method == Payment.Method.CASH else chart.BANK
    entry, _ = ledger.post_entry(
        "BQ",
        date=date,
        label=label,
        document_number=number,
        lines=[
            ledger.Line(chart.CUSTOMERS, debit=amount, label=label, partner_id=credit_note.customer_id),
            ledger.Line(bank, credit=amount, label=label),
        ],
    )
    refund = rows.insert_one(
        Refund(
            number=number,
            credit_note=credit_note,
            amount=amount,
            method=method,
            date=date,
            reference=reference[:80],
            entry=entry,
            created_by=by if getattr(by, "pk", None) else None,
        )
    )
    audit.record(
        "credit_note.refunded",
        by=by,
        obj=credit_note,
        data={"refund": number, "amount": amount, "method": method, "entry": entry.seal},
    )
    return refund


def _require_refund_approval(credit_note: Invoice, amount: Decimal, *, by, approval) -> None:
    """The refunds of a credit note are cumulated, so that splitting one does not get under the threshold."""
    if approval is not None:
        if (approval.credit_note_id, approval.amount, approval.status) != (
            credit_note.pk,
            amount,
            RefundRequest.Status.PENDING,
        ):
            raise ValueError("the approval does not match this refund")
        approvals.require_other_person(
            approval.requested_by_id, by, errors.REFUND_SAME_PERSON, number=credit_note.number
        )
        return
    refunded = money.amount(
        Refund.objects.filter(credit_note=credit_note).aggregate(s=Sum("amount"))["s"] or ZERO
    )
    threshold = approvals.thresholds().refund_threshold
    if refunded + amount > threshold:
        code, message = errors.REFUND_APPROVAL_REQUIRED
        raise PermissionDenied(
            code,
            message,
            amount=_euros(refunded + amount),
            number=credit_note.number,
            threshold=_euros(threshold),
        )


def unallocated(payment: Payment) -> Decimal:
    """What of a payment sits on the customer's account, not yet allocated to an invoice."""
    allocated = PaymentAllocation.objects.filter(payment=payment).aggregate(s=Sum("amount"))["s"]
    # Money paid for an invoice of the previous system (payments.opening) is allocated too.
    opening = OpeningAllocation.objects.filter(payment=payment).aggregate(s=Sum("amount"))["s"]
    return payment.amount - money.amount(allocated or ZERO) - money.amount(opening or ZERO)


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

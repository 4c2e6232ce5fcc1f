"""Reads behind the VAT returns: each sales document of a period, what it contributes to the CA3.

The accounting kernel knows nothing of invoices (docs/architecture.md), so the return is read here,
from the invoices (billing), the VAT their payments released (payments) and the ledger's VAT accounts
(accounting), and added up by the pure `vatreturn.declaration`.
"""

import datetime
from collections import defaultdict
from decimal import Decimal

from django.db.models import Q, Sum

from comptoir.accounting import chart
from comptoir.accounting import selectors as ledger_view
from comptoir.accounting.models import EntryLine, VatSettlement
from comptoir.billing.einvoicing import buyer_of
from comptoir.billing.models import Invoice
from comptoir.core import vat_nature
from comptoir.core.money import amount
from comptoir.payments.models import VatRelease
from comptoir.vatreturn import declaration
from comptoir.vatreturn.declaration import Contribution, Source

ZERO = Decimal("0")
TAXABLE = {"S", "Z"}


def issued_between(date_from: datetime.date, date_to: datetime.date):
    """Issued invoices, credit notes and deposit invoices dated in the period, with what the returns read."""
    return (
        Invoice.objects.filter(status=Invoice.Status.ISSUED, date__gte=date_from, date__lte=date_to)
        .select_related("customer", "corrects")
        .prefetch_related("lines__product", "taxes")
        .order_by("date", "id")
    )


def _sign(invoice: Invoice) -> int:
    return -1 if invoice.kind == Invoice.Kind.CREDIT_NOTE else 1


def _collected_by_entry(entry_ids) -> dict[tuple[int, Decimal], Decimal]:
    """Net credit of 44571 per entry and rate: the VAT each invoice made due on its own date."""
    rows = (
        EntryLine.objects.filter(entry_id__in=entry_ids, account__code=chart.VAT_COLLECTED)
        .values("entry_id", "vat_rate")
        .annotate(c=Sum("credit"), d=Sum("debit"))
    )
    return {(r["entry_id"], r["vat_rate"]): amount(r["c"] or ZERO) - amount(r["d"] or ZERO) for r in rows}


def _taxable_tax(invoice: Invoice, rate: Decimal):
    return next((t for t in invoice.taxes.all() if t.vat_rate == rate and t.category == "S"), None)


def _invoice_contributions(invoice: Invoice, collected) -> list[Contribution]:
    sign = _sign(invoice)
    buyer = buyer_of(invoice)
    nets: dict[tuple[str, Decimal], Decimal] = defaultdict(lambda: ZERO)
    for line in invoice.lines.all():
        nets[(line.vat_category, line.vat_rate)] += line.net_amount
    bases = {(tax.category, tax.vat_rate): tax.base for tax in invoice.taxes.all()}
    found = []
    common = {
        "date": invoice.date,
        "document": invoice.number,
        "customer": invoice.buyer_name,
        "invoice_id": invoice.pk,
    }
    for (category, rate), net in sorted(nets.items()):
        if category in TAXABLE and rate > 0:
            tax = _taxable_tax(invoice, rate)
            due = collected.get((invoice.entry_id, rate), ZERO)
            if tax is None or not due:
                continue  # its VAT waits for the customer's cash (services, deposits)
            base = declaration.share(sign * tax.base, due, sign * tax.amount)
            found.append(Contribution(vat_nature.Ca3Line.SALES, base=base, **common))
            found.append(Contribution("", base=base, vat=due, rate=rate, **common))
            continue
        if invoice.kind == Invoice.Kind.DEPOSIT:
            continue  # an untaxed operation is declared whole by the invoice that bills it
        line = vat_nature.classify(category, buyer).ca3_line
        if line:
            # The breakdown's base is the lines less the remises globales plus the frais of that
            # category and rate (BT-116): what the buyer pays, hence the operation declared.
            found.append(Contribution(line, base=sign * bases.get((category, rate), net), **common))
    return found


def _release_contributions(date_from, date_to) -> list[Contribution]:
    """VAT on receipts (services, deposits) that payments or credit notes applied made due."""
    releases = (
        VatRelease.objects.filter(
            Q(allocation__payment__date__gte=date_from, allocation__payment__date__lte=date_to)
            | Q(credit_application__date__gte=date_from, credit_application__date__lte=date_to)
        )
        .select_related("invoice", "allocation__payment", "credit_application__credit_note")
        .prefetch_related("invoice__taxes")
        .order_by("id")
    )
    found = []
    for release in releases:
        invoice = release.invoice
        if release.allocation_id:
            day, reference = release.allocation.payment.date, release.allocation.payment.number
        else:
            application = release.credit_application
            day, reference = application.date, application.credit_note.number
        tax = _taxable_tax(invoice, release.vat_rate)
        base = declaration.share(tax.base, release.amount, tax.amount) if tax else ZERO
        common = {
            "date": day,
            "document": invoice.number,
            "customer": invoice.buyer_name,
            "source": Source.RECEIPT,
            "reference": reference,
            "invoice_id": invoice.pk,
        }
        found.append(Contribution(vat_nature.Ca3Line.SALES, base=base, **common))
        found.append(Contribution("", base=base, vat=release.amount, rate=release.vat_rate, **common))
    return found


def _deductible_contributions(date_from, date_to) -> list[Contribution]:
    lines = (
        EntryLine.objects.filter(
            account__code=chart.VAT_DEDUCTIBLE, entry__date__gte=date_from, entry__date__lte=date_to
        )
        .exclude(entry__journal__code=chart.OPENING_JOURNAL)
        .exclude(entry__vat_settlement__isnull=False)
        .select_related("entry")
        .order_by("entry__date", "id")
    )
    return [
        Contribution(
            declaration.forms.DEDUCTIBLE_OTHER,
            date=line.entry.date,
            document=line.entry.number,
            customer=line.label,
            base=ZERO,
            vat=line.debit - line.credit,
            source=Source.ENTRY,
            reference=line.entry.document_number,
        )
        for line in lines
    ]


def contributions(date_from: datetime.date, date_to: datetime.date) -> list[Contribution]:
    invoices = list(issued_between(date_from, date_to))
    collected = _collected_by_entry([i.entry_id for i in invoices])
    found = []
    for invoice in invoices:
        found += _invoice_contributions(invoice, collected)
    found += _release_contributions(date_from, date_to)
    found += _deductible_contributions(date_from, date_to)
    # The gross-VAT line of each rate (its code comes with the rate).
    return [
        c if c.line else Contribution(**{**c.__dict__, "line": declaration.forms.gross_vat_line(c.rate)})
        for c in found
    ]


def ca3_return(date_from: datetime.date, date_to: datetime.date) -> declaration.Ca3Return:
    """The CA3 of the period, every figure with the documents behind it."""
    summary = ledger_view.vat_summary(date_from, date_to)
    ledger_vat = {row.rate: row.collected for row in summary.rows if row.collected}
    built = declaration.build(
        date_from,
        date_to,
        contributions(date_from, date_to),
        ledger_vat=ledger_vat,
        credit_brought_forward=ledger_view.vat_credit_brought_forward(date_from),
    )
    built.settlement = (
        VatSettlement.objects.filter(date_from=date_from, date_to=date_to).select_related("entry").first()
    )
    return built

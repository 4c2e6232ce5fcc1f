"""E-reporting data of a period (the 2027 reform, reference/fr-compliance.md §1.7), ready for the platform
connector: what the platform (PA) needs about the sales that are not domestic B2B e-invoices.

- `classification`: every issued invoice and credit note of the period, with its processing type (B2B,
  B2BINT, B2C, OUTOFSCOPE), decided as its e-invoice's BAR note is (`core.vat_nature.processing_type`);
- `b2c_daily`: B2C sales in totals per day, VAT rate and category (goods / services), credit notes
  subtracting;
- `international_invoices`: per-invoice data of B2BINT sales (buyer, totals, VAT breakdown with its
  exemption codes);
- `payments`: the payments that made VAT on services due (VAT on receipts), per invoice and rate; those
  of domestic B2B invoices go to the platform as lifecycle status 212 rather than e-reporting, and are
  marked so (`channel`).

Amounts are strings with two decimals (no float). The JSON's `format` names this layout; a connector
maps it to the platform's own (Flux 10) when one is chosen: no platform is connected yet.
"""

import datetime
from collections import defaultdict
from decimal import Decimal

from django.db.models import Q

from comptoir.billing.einvoicing import buyer_of
from comptoir.billing.models import Invoice
from comptoir.core import vat_nature
from comptoir.core.money import amount
from comptoir.core.vat_nature import Processing
from comptoir.parties.models import Company
from comptoir.payments.models import VatRelease
from comptoir.vatreturn.declaration import line_bases, share
from comptoir.vatreturn.selectors import issued_between

FORMAT = "comptoir-ereporting/1"
ZERO = Decimal("0")
GOODS, SERVICES = "goods", "services"


def _money(value: Decimal) -> str:
    return f"{amount(value):.2f}"


def processing_of(invoice: Invoice) -> str:
    return vat_nature.processing_type(buyer_of(invoice), (line.vat_category for line in invoice.lines.all()))


def _sign(invoice: Invoice) -> int:
    return -1 if invoice.kind == Invoice.Kind.CREDIT_NOTE else 1


def _line_vat(invoice: Invoice, line, base: Decimal) -> Decimal:
    """The share of its VAT row that the line's `base` carries (VAT is rounded once per rate and
    category on the invoice)."""
    tax = next(
        (t for t in invoice.taxes.all() if (t.vat_rate, t.category) == (line.vat_rate, line.vat_category)),
        None,
    )
    return share(tax.amount, base, tax.base) if tax and tax.base else ZERO


def b2c_daily(invoices) -> list[dict]:
    totals: dict[tuple, list] = defaultdict(lambda: [ZERO, ZERO, set()])
    for invoice in invoices:
        sign = _sign(invoice)
        lines = list(invoice.lines.all())
        bases = line_bases(lines, invoice.taxes.all())  # net of remises globales, frais added
        for line, base in zip(lines, bases, strict=True):
            kind = SERVICES if line.product.kind == "service" else GOODS
            key = (invoice.date, line.vat_rate, kind)
            totals[key][0] += sign * base
            totals[key][1] += sign * _line_vat(invoice, line, base)
            totals[key][2].add(invoice.pk)
    return [
        {
            "date": day.isoformat(),
            "vat_rate": f"{rate:.2f}",
            "category": kind,
            "base": _money(base),
            "vat": _money(vat),
            "documents": len(ids),
        }
        for (day, rate, kind), (base, vat, ids) in sorted(totals.items())
    ]


def international_invoice(invoice: Invoice) -> dict:
    buyer = buyer_of(invoice)
    return {
        "number": invoice.number,
        "type_code": Invoice.TYPE_CODES[invoice.kind],
        "date": invoice.date.isoformat(),
        "corrects": invoice.corrects.number if invoice.corrects_id else "",
        "currency": "EUR",
        "operation_nature": invoice.operation_nature,
        "buyer": {
            "name": invoice.buyer_name,
            "country": buyer.country,
            "vat_number": invoice.buyer_vat_number,
            "siren": invoice.buyer_siren,
        },
        "total_untaxed": _money(invoice.total_untaxed),
        "total_vat": _money(invoice.total_vat),
        "total": _money(invoice.total),
        "vat_breakdown": [
            {
                "category": tax.category,
                "vat_rate": f"{tax.vat_rate:.2f}",
                "base": _money(tax.base),
                "vat": _money(tax.amount),
                "exemption_reason": tax.exemption_reason,
                "exemption_code": tax.exemption_code,
            }
            for tax in invoice.taxes.all()
        ],
    }


def payments(date_from: datetime.date, date_to: datetime.date) -> list[dict]:
    releases = (
        VatRelease.objects.filter(
            Q(allocation__payment__date__gte=date_from, allocation__payment__date__lte=date_to)
            | Q(credit_application__date__gte=date_from, credit_application__date__lte=date_to)
        )
        .select_related("invoice", "allocation__payment", "credit_application__credit_note")
        .prefetch_related("invoice__lines", "invoice__taxes")
        .order_by("id")
    )
    found = []
    for release in releases:
        invoice = release.invoice
        if release.allocation_id:
            day, reference = release.allocation.payment.date, release.allocation.payment.number
        else:
            day, reference = release.credit_application.date, release.credit_application.credit_note.number
        processing = processing_of(invoice)
        tax = next(
            (t for t in invoice.taxes.all() if t.vat_rate == release.vat_rate and t.category == "S"), None
        )
        found.append(
            {
                "date": day.isoformat(),
                "payment": reference,
                "invoice": invoice.number,
                "processing": processing,
                "vat_rate": f"{release.vat_rate:.2f}",
                "base": _money(share(tax.base, release.amount, tax.amount) if tax else ZERO),
                "vat": _money(release.amount),
                "channel": "status_212" if processing == Processing.B2B else "e-reporting",
            }
        )
    return found


def report(date_from: datetime.date, date_to: datetime.date) -> dict:
    """The e-reporting data of the period, as a JSON-ready dict."""
    invoices = list(issued_between(date_from, date_to))
    kinds = {invoice.pk: processing_of(invoice) for invoice in invoices}
    company = Company.objects.first()
    counts = {
        kind: 0 for kind in (Processing.B2B, Processing.B2BINT, Processing.B2C, Processing.OUT_OF_SCOPE)
    }
    for kind in kinds.values():
        counts[kind] += 1
    return {
        "format": FORMAT,
        "period": {"start": date_from.isoformat(), "end": date_to.isoformat()},
        "seller": {
            "name": company.legal_name if company else "",
            "siren": company.siren if company else "",
            "vat_number": company.vat_number if company else "",
        },
        "classification": {
            "counts": counts,
            "documents": [
                {"number": i.number, "date": i.date.isoformat(), "processing": kinds[i.pk]} for i in invoices
            ],
        },
        "b2c_daily": b2c_daily([i for i in invoices if kinds[i.pk] == Processing.B2C]),
        "international_invoices": [
            international_invoice(i) for i in invoices if kinds[i.pk] == Processing.B2BINT
        ],
        "payments": payments(date_from, date_to),
    }

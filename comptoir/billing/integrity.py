"""What `verify-audit` checks of billing (settings.AUDIT_DOCUMENT_CHECKS).

Each issued invoice or credit note must still match what its `invoice.issued` event recorded (number,
totals, and, for those issued since events carry them, the fingerprints of its lines, its VAT rows and
its CII archive: `seal`); every archive must still hash to its stored SHA-256 (XML, and the PDF once
rendered); the numbers of each series must follow each other without a gap (an issued invoice deleted
behind the application's back).
"""

import hashlib
from collections import defaultdict
from decimal import Decimal

from comptoir.billing.models import AllowanceCharge, Invoice, InvoiceArchive, InvoiceLine, InvoiceTax
from comptoir.core import numbering, seals
from comptoir.core.audit import Problem
from comptoir.core.models import AuditEvent

_LINE_FIELDS = ("id", "product_id", "quantity", "unit_price", "discount_percent", "vat_rate", "net_amount")
_TAX_FIELDS = ("vat_rate", "category", "base", "amount", "amount_on_receipts")
_ADJUSTMENT_FIELDS = ("id", "is_charge", "amount", "vat_rate", "vat_category", "reason_code")
BATCH = 1000


def seal(invoice: Invoice, lines, taxes, archive: InvoiceArchive, adjustments=()) -> dict:
    """The fingerprints the `invoice.issued` event records (its allowances and charges when it has any)."""
    sealed = {
        "lines": seals.digest(tuple(getattr(line, f) for f in _LINE_FIELDS) for line in lines),
        "taxes": seals.digest(tuple(getattr(tax, f) for f in _TAX_FIELDS) for tax in taxes),
        "archive": archive.cii_sha256,
        "entry": getattr(invoice.entry, "seal", None),
    }
    if adjustments:
        sealed["adjustments"] = seals.digest(
            tuple(getattr(item, f) for f in _ADJUSTMENT_FIELDS)
            for item in sorted(adjustments, key=lambda a: a.pk)
        )
    return sealed


def _recorded() -> dict[str, dict]:
    return dict(
        AuditEvent.objects.filter(object_type="billing.invoice", action="invoice.issued").values_list(
            "object_id", "data"
        )
    )


def _differs(recorded, actual) -> bool:
    return Decimal(str(recorded)) != actual


def check() -> list[Problem]:
    problems: list[Problem] = []
    recorded = _recorded()
    issued = Invoice.objects.filter(status=Invoice.Status.ISSUED).order_by("id")
    ids = list(issued.values_list("id", flat=True))
    for start in range(0, len(ids), BATCH):
        chunk = ids[start : start + BATCH]
        lines, taxes = defaultdict(list), defaultdict(list)
        for row in InvoiceLine.objects.filter(invoice_id__in=chunk).values_list("invoice_id", *_LINE_FIELDS):
            lines[row[0]].append(row[1:])
        for row in InvoiceTax.objects.filter(invoice_id__in=chunk).values_list("invoice_id", *_TAX_FIELDS):
            taxes[row[0]].append(row[1:])
        adjustments = defaultdict(list)
        for row in (
            AllowanceCharge.objects.filter(invoice_id__in=chunk)
            .order_by("id")
            .values_list("invoice_id", *_ADJUSTMENT_FIELDS)
        ):
            adjustments[row[0]].append(row[1:])
        archives = dict(
            InvoiceArchive.objects.filter(invoice_id__in=chunk).values_list("invoice_id", "cii_sha256")
        )
        for invoice in issued.filter(id__in=chunk).only(
            "id", "number", "total_untaxed", "total_vat", "total"
        ):
            where = f"facture {invoice.number}"
            data = recorded.get(str(invoice.pk))
            if data is None:
                problems.append(Problem("émise sans événement d'émission au journal d'audit", document=where))
                continue
            changed = [
                label
                for label, key, actual in (
                    ("numéro", "number", None),
                    ("total HT", "untaxed", invoice.total_untaxed),
                    ("TVA", "vat", invoice.total_vat),
                    ("total TTC", "total", invoice.total),
                )
                if key in data
                and (data[key] != invoice.number if actual is None else _differs(data[key], actual))
            ]
            if "lines" in data and data["lines"] != seals.digest(lines[invoice.pk]):
                changed.append("lignes")
            if "taxes" in data and data["taxes"] != seals.digest(taxes[invoice.pk]):
                changed.append("ventilation de TVA")
            if "adjustments" in data and data["adjustments"] != seals.digest(adjustments[invoice.pk]):
                changed.append("remises et frais")
            if "archive" in data and data["archive"] != archives.get(invoice.pk):
                changed.append("archive Factur-X/CII")
            if changed:
                problems.append(
                    Problem("ne correspond plus à son émission (" + ", ".join(changed) + ")", document=where)
                )
    present = set(map(str, ids))
    problems += [
        Problem(
            "supprimée (son émission est attestée au journal d'audit)",
            document=f"facture {data.get('number')}",
        )
        for object_id, data in recorded.items()
        if object_id not in present
    ]
    problems += _archive_problems()
    problems += _gaps()
    return problems


def _archive_problems() -> list[Problem]:
    problems = []
    archives = InvoiceArchive.objects.select_related("invoice").only(
        "cii_xml", "cii_sha256", "pdf", "pdf_sha256", "invoice__number"
    )
    for archive in archives.iterator(chunk_size=200):
        where = f"archive de la facture {archive.invoice.number}"
        if hashlib.sha256(bytes(archive.cii_xml)).hexdigest() != archive.cii_sha256:
            problems.append(Problem("XML modifié (empreinte SHA-256 différente)", document=where))
        if archive.pdf is not None and hashlib.sha256(bytes(archive.pdf)).hexdigest() != archive.pdf_sha256:
            problems.append(Problem("PDF modifié (empreinte SHA-256 différente)", document=where))
    return problems


def _gaps() -> list[Problem]:
    """Numbers are continuous per series and year: a missing one was deleted."""
    numbers = Invoice.objects.filter(number__isnull=False).values_list("number", flat=True).iterator()
    series = set(Invoice.objects.values_list("series", flat=True).distinct())
    return [
        Problem(f"numéros manquants : {numbering.shown(prefix, values)}", document=f"série {prefix}")
        for prefix, values in numbering.missing(numbers, series).items()
    ]

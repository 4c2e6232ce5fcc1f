"""What billing adds to the year-end checklist (`accounting.closing.checklist`, through
`settings.CLOSING_CHECKS`, so accounting imports nothing of billing): invoices and credit notes of the
year still in draft. Issued, they would post revenue in the year being closed; left out, the year's
turnover is short."""

import datetime

from django.db.models import Q

from comptoir.billing.models import Invoice


def draft_documents(start: datetime.date, end: datetime.date) -> list[dict]:
    drafts = Invoice.objects.filter(status=Invoice.Status.DRAFT).filter(
        Q(date__gte=start, date__lte=end)
        | Q(date__isnull=True, created_at__date__gte=start, created_at__date__lte=end)
    )
    found = list(drafts.order_by("id").values_list("id", "kind"))
    if not found:
        return []
    notes = sum(1 for _pk, kind in found if kind == Invoice.Kind.CREDIT_NOTE)
    return [
        {
            "code": "draft_documents",
            "label": f"factures et avoirs de l'exercice en brouillon ({len(found) - notes} facture(s), {notes} avoir(s))",
            "count": len(found),
            "blocking": True,
            "ids": [pk for pk, _kind in found[:50]],
        }
    ]

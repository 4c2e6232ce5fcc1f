"""Reading intake: the review queue (oldest first) with its counts, a document with what was read."""

from decimal import Decimal

from django.db.models import Count

from comptoir.intake import errors
from comptoir.intake.extraction import HEADER_FIELDS
from comptoir.intake.models import InboundDocument, MailMessage

Status = InboundDocument.Status


def queue(status: str = ""):
    qs = InboundDocument.objects.select_related("customer", "order").order_by("received_at", "id")
    if status:
        qs = qs.filter(status=status)
    return qs


def counts() -> dict[str, int]:
    found = dict(InboundDocument.objects.values_list("status").annotate(n=Count("id")).order_by())
    return {status: found.get(status, 0) for status in Status.values}


# Documents a person must look at: to review, duplicates and quarantined ones.
WAITING = (Status.TO_REVIEW, Status.DUPLICATE, Status.QUARANTINED)


def header_fields(document: InboundDocument) -> list[dict]:
    """What was read in the header, lowest confidence first (the review starts with what is least sure)."""
    extracted = getattr(document, "extracted", None)
    if extracted is None:
        return []
    order = {name: index for index, name in enumerate(HEADER_FIELDS)}
    rows = [
        {"name": name, "value": f["value"], "confidence": Decimal(f["confidence"]), "source": f["source"]}
        for name, f in extracted.fields.items()
    ]
    return sorted(rows, key=lambda row: (row["confidence"], order.get(row["name"], 99)))


def lines_of(document: InboundDocument):
    extracted = getattr(document, "extracted", None)
    if extracted is None:
        return []
    return list(extracted.lines.select_related("product"))


def line_confidence(line) -> Decimal:
    values = [Decimal(f["confidence"]) for f in line.fields.values()]
    return min(values) if values else Decimal("0")


def checks_of(document: InboundDocument) -> list[dict]:
    return [{**check, "message": errors.check_text(check)} for check in document.checks or []]


def failed_messages():
    """E-mails that could not be received (they wait in the mailbox's error folder), newest first."""
    return MailMessage.objects.filter(status=MailMessage.Status.FAILED).order_by("-received_at", "-id")

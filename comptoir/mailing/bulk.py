"""Mass sending of the customer letters: a reminder or a statement to each customer chosen.

Each customer is its own letter and its own attempt (`services.send_document`), so one refused address
or a server that stops answering halfway leaves the others as they went: what was sent is archived, a
failed attempt is kept with its reason and can be tried again (`retry_letter`), a customer who could not
be written to (no e-mail address, nothing overdue for a reminder) is reported and nothing is made for it.
"""

from dataclasses import dataclass

from comptoir.core import permissions
from comptoir.core.errors import DomainError
from comptoir.mailing import documents, errors, selectors, services
from comptoir.mailing.models import OutgoingEmail
from comptoir.parties.models import Customer
from comptoir.payments import letters
from comptoir.payments.models import CustomerLetter

SENT, FAILED, REFUSED = "sent", "failed", "refused"


@dataclass(frozen=True)
class Outcome:
    customer: Customer
    status: str  # sent, failed (attempt kept, retryable) or refused (nothing made)
    letter: CustomerLetter | None = None
    attempt: OutgoingEmail | None = None
    reason: str = ""


def _send(letter: CustomerLetter, *, by, fields: dict | None = None) -> OutgoingEmail:
    fields = fields or documents.proposed(letter)
    return services.send_document(
        letter,
        to=fields["to"],
        cc=fields.get("cc", ""),
        bcc=fields.get("bcc", ""),
        subject=fields["subject"],
        body=fields["body"],
        by=by,
    )


def send_letters(customers, *, kind: str, by, today=None) -> list[Outcome]:
    """Make and e-mail a letter of `kind` (reminder or statement) to each of `customers`."""
    permissions.require(by, "reminder.send")
    outcomes = []
    for customer in customers:
        if not (customer.email or "").strip():
            reason = DomainError(*errors.CUSTOMER_WITHOUT_EMAIL, customer=customer.name).message
            outcomes.append(Outcome(customer, REFUSED, reason=reason))
            continue
        try:
            letter = letters.make_letter(customer, kind=kind, by=by, today=today)
            attempt = _send(letter, by=by)
        except DomainError as exc:
            outcomes.append(Outcome(customer, REFUSED, reason=exc.message))
            continue
        status = SENT if attempt.status == OutgoingEmail.Status.SENT else FAILED
        outcomes.append(Outcome(customer, status, letter, attempt, attempt.failure_reason))
    return outcomes


def retry_letter(letter: CustomerLetter, *, by) -> OutgoingEmail:
    """Send `letter` again with the fields of its last attempt (a new attempt; the old one stays)."""
    last = selectors.emails_of(letter).first()
    fields = None
    if last is not None:
        fields = {
            "to": last.to,
            "cc": last.cc,
            "bcc": last.bcc,
            "subject": last.subject,
            "body": last.body,
        }
    return _send(letter, by=by, fields=fields)


def failed_letters(limit: int = 50) -> list[tuple[CustomerLetter, OutgoingEmail]]:
    """The letters whose last attempt failed, newest first: what is left to retry."""
    attempts = OutgoingEmail.objects.filter(
        document_app=CustomerLetter._meta.app_label, document_model=CustomerLetter._meta.model_name
    ).order_by("-id")
    last_by_letter: dict[str, OutgoingEmail] = {}
    for attempt in attempts[: limit * 10]:
        last_by_letter.setdefault(attempt.document_pk, attempt)
    failed = {pk: a for pk, a in last_by_letter.items() if a.status == OutgoingEmail.Status.FAILED}
    rows = CustomerLetter.objects.filter(pk__in=[int(pk) for pk in failed]).select_related("customer")
    return sorted(((row, failed[str(row.pk)]) for row in rows), key=lambda pair: -pair[1].pk)[:limit]

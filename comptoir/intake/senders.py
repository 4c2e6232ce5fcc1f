"""Who sent it: a document that names no identifier (an order typed in an e-mail) is matched to the
customer whose billing e-mail, or one of whose contacts' e-mails, is the sender's address — only when
exactly one active customer has it."""

from django.db.models import Q

from comptoir.parties.models import Customer


def customer_of(address: str) -> Customer | None:
    address = (address or "").strip()
    if "@" not in address:
        return None
    found = list(
        Customer.objects.filter(is_active=True)
        .filter(Q(email__iexact=address) | Q(contacts__email__iexact=address))
        .distinct()[:2]
    )
    return found[0] if len(found) == 1 else None

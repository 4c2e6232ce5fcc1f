"""Error codes of the assistant (stable strings for API clients) and their French messages."""

from django.utils.translation import gettext_noop as N_

INVOICE_BLOCKED = (
    "invoice_blocked_by_findings",
    N_(
        "La facture %(invoice)s ne peut pas être émise : %(findings)s Corrigez le brouillon, ou faites lever "
        "le blocage par la comptabilité ou la direction, avec un motif écrit."
    ),
)
OVERRIDE_REASON_REQUIRED = (
    "override_reason_required",
    N_("Indiquez par écrit pourquoi la facture %(invoice)s peut être émise malgré ses constats bloquants."),
)
OVERRIDE_NOT_DRAFT = (
    "override_not_draft",
    N_("La facture %(invoice)s n'est plus un brouillon : il n'y a plus de blocage à lever."),
)
NOTHING_TO_OVERRIDE = (
    "nothing_to_override",
    N_("La facture %(invoice)s n'a aucun constat bloquant : elle peut être émise telle quelle."),
)

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
DOCUMENT_MISSING = (
    "proposal_document_missing",
    N_("Le document visé par la proposition (%(what)s) n'existe plus."),
)
KIND_UNKNOWN = ("proposal_kind_unknown", N_("Type de proposition inconnu : %(kind)s."))
EDIT_LINES = ("proposal_edit_invalid", N_("Indiquez une quantité pour chaque ligne de la proposition."))
EDIT_QUANTITY = ("proposal_edit_invalid", N_("Quantité illisible ou négative : « %(value)s »."))
ALREADY_DECIDED = (
    "proposal_already_decided",
    N_("La proposition n° %(id)s a déjà été traitée (%(status)s) : rien n'a été refait."),
)
REJECT_REASON_REQUIRED = ("proposal_reason_required", N_("Indiquez pourquoi vous rejetez la proposition."))
NOT_EDITABLE = (
    "proposal_not_editable",
    N_("Cette proposition ne se modifie pas : approuvez-la ou rejetez-la."),
)
AGENT_BUSY = (
    "agent_already_running",
    N_("L'agent de facturation tourne déjà (lancé le %(started)s) : attendez la fin de ce passage."),
)
REMINDER_LEVEL = ("reminder_level_unknown", N_("Niveau de relance inconnu : %(level)s."))
REMINDER_NOT_DUE = (
    "reminder_not_due",
    N_("La facture %(invoice)s n'est pas échue et impayée : aucune relance à envoyer."),
)
REMINDER_NO_ADDRESS = (
    "reminder_no_address",
    N_("Aucune adresse e-mail valable pour relancer %(customer)s : indiquez un destinataire."),
)
REMINDER_EMPTY = ("reminder_empty", N_("La relance doit avoir un objet et un message."))
POLICY_INVALID = ("assistant_policy_invalid", N_("Politique de l'assistant incohérente : %(detail)s"))
CASE_NOT_OPEN = (
    "case_not_open",
    N_("Le dossier %(number)s n'est plus ouvert : l'assistant n'a pas d'avis à donner."),
)
QUOTE_NO_LONGER_OPEN = (
    "proposal_quote_not_open",
    N_(
        "Le devis %(quote)s n'est plus ouvert (%(status)s) : la commande %(order)s ne peut plus le reprendre. "
        "Rien n'a été modifié ; rejetez la proposition."
    ),
)
SIREN_ALREADY_SET = (
    "proposal_siren_already_set",
    N_(
        "La fiche de %(customer)s porte déjà le SIREN %(siren)s : rien n'a été modifié ; rejetez la "
        "proposition si ce SIREN est le bon."
    ),
)

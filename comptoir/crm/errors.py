"""The CRM's error codes (stable, for API clients) and their French messages."""

from django.utils.translation import gettext_noop as N_

COMPANY_NAME_MISSING = ("lead_company_missing", N_("Indiquez le nom de la société."))
TITLE_MISSING = ("opportunity_title_missing", N_("Indiquez l'intitulé de l'opportunité."))
SUBJECT_MISSING = ("activity_subject_missing", N_("Indiquez l'objet de l'activité."))
REASON_MISSING = ("lost_reason_missing", N_("Indiquez pourquoi %(document)s est perdu(e)."))
UNKNOWN_SOURCE = ("unknown_source", N_("Origine inconnue : %(value)s."))
UNKNOWN_KIND = ("unknown_activity_kind", N_("Type d'activité inconnu : %(value)s."))
UNKNOWN_STAGE = ("unknown_stage", N_("Étape inconnue : %(value)s."))
INVALID_AMOUNT = (
    "invalid_amount",
    N_("« %(value)s » n'est pas un montant valide : indiquez un montant HT positif."),
)
PROBABILITY_OUT_OF_RANGE = (
    "probability_out_of_range",
    N_("La probabilité doit être comprise entre 0 et 100 %% (reçu : %(value)s)."),
)
LEAD_NOT_QUALIFIED = (
    "lead_not_qualified",
    N_("La piste « %(lead)s » doit être qualifiée avant d'être convertie en client."),
)
ACTIVITY_WITHOUT_TARGET = (
    "activity_without_target",
    N_("Rattachez l'activité à un client, une opportunité ou une piste."),
)
NOT_THIS_CUSTOMER = (
    "opportunity_of_another_customer",
    N_("L'opportunité %(opportunity)s est celle du client %(customer)s : choisissez le bon client."),
)
OPPORTUNITY_CLOSED = (
    "opportunity_closed",
    N_("L'opportunité %(opportunity)s est close (%(stage)s) : rouvrez-la ou créez-en une autre."),
)
ACTIVITY_DONE = ("activity_done", N_("L'activité « %(subject)s » est déjà faite."))
NOT_YOUR_ACTIVITY = (
    "not_your_activity",
    N_("Cette activité est celle de %(user)s : seule cette personne ou la direction peut la clore."),
)
USE_MARK_LOST = (
    "lost_needs_reason",
    N_("Pour perdre l'opportunité %(opportunity)s, indiquez le motif de la perte."),
)
ASSIGNEE_WITHOUT_CRM = (
    "assignee_without_crm",
    N_(
        "%(user)s n'a pas accès au suivi commercial : confiez l'activité à un commercial, à l'ADV ou à la direction."
    ),
)
DATE_IN_FUTURE = (
    "date_in_future",
    N_("La date %(date)s est à venir : indiquez une date passée ou aujourd'hui."),
)
CLOSED_BEFORE_CREATED = (
    "closed_before_created",
    N_("L'opportunité %(opportunity)s est née le %(date)s : elle ne peut pas être gagnée ou perdue avant."),
)

from django.utils.translation import gettext_noop as N_

INVALID_NUMBER = ("invalid_number", N_("« %(value)s » n'est pas un nombre valide."))
AMOUNT_NEGATIVE = ("amount_negative", N_("%(field)s ne peut pas être négatif."))
NAME_MISSING = ("name_missing", N_("Indiquez le nom du profil."))
PROFILE_EXISTS = ("profile_exists", N_("Le profil « %(name)s » existe déjà."))
NO_COST_PROFILE = (
    "no_cost_profile",
    N_(
        "%(user)s n'a pas de profil de coût : demandez à la direction de lui en attribuer un (Paramètres › Temps et SAV)."
    ),
)
DURATION_OUT_OF_RANGE = (
    "duration_out_of_range",
    N_("La durée doit être comprise entre 1 minute et 24 heures (reçu : %(value)s minutes)."),
)
DATE_IN_FUTURE = ("date_in_future", N_("Le temps ne se saisit pas à l'avance : la date %(date)s est future."))
UNKNOWN_ACTIVITY = ("unknown_activity", N_("Activité inconnue : %(value)s."))
UNKNOWN_KIND = ("unknown_kind", N_("Type de ticket inconnu : %(value)s."))
NOT_THIS_CUSTOMER = (
    "document_of_another_customer",
    N_(
        "%(document)s n'appartient pas au client %(customer)s : rattachez le temps ou le ticket au bon client."
    ),
)
NOT_YOUR_ENTRY = (
    "not_your_entry",
    N_("Cette saisie est celle de %(user)s : seule la direction peut corriger le temps d'un autre."),
)
TITLE_MISSING = ("title_missing", N_("Indiquez l'objet du ticket."))
REASON_MISSING = ("reason_missing", N_("Indiquez le motif de l'ajustement."))
AMOUNT_ZERO = ("amount_zero", N_("Le montant de l'ajustement ne peut pas être nul."))
RATE_OUT_OF_RANGE = ("rate_out_of_range", N_("Le taux de financement doit être compris entre 0 et 100 %."))
TICKET_CLOSED = ("ticket_closed", N_("Le ticket %(number)s est clos : ses coûts ne se modifient plus."))

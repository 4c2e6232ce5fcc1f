from django.utils.translation import gettext_noop as N_

LIST_NAME_MISSING = ("price_list_name_missing", N_("Donnez un nom à la liste de prix."))
LIST_TARGET = (
    "price_list_target",
    N_("Une liste de prix s'applique à un client ou à un groupe de clients : choisissez l'un des deux."),
)
LIST_DATES = (
    "price_list_dates",
    N_("La fin de validité (%(until)s) ne peut pas précéder le début (%(since)s)."),
)
LIST_MISSING = ("price_list_missing", N_("Cette liste de prix n'existe pas."))
LINE_PRICE_XOR_PERCENT = (
    "price_list_line_price_xor_percent",
    N_("Ligne %(position)s : indiquez soit un prix, soit un pourcentage de remise sur le prix catalogue."),
)
LINE_NUMBER = ("price_list_line_number", N_("Ligne %(position)s : « %(value)s » n'est pas un nombre."))
LINE_MIN_QUANTITY = (
    "price_list_line_min_quantity",
    N_("Ligne %(position)s : le palier (quantité minimale) doit être strictement positif."),
)
LINE_PRICE_NEGATIVE = (
    "price_list_line_price_negative",
    N_("Ligne %(position)s : le prix ne peut pas être négatif."),
)
LINE_PERCENT_RANGE = (
    "price_list_line_percent_range",
    N_("Ligne %(position)s : la remise doit être comprise entre 0 et 100 %%."),
)
LINE_DUPLICATE = (
    "price_list_line_duplicate",
    N_("Ligne %(position)s : le produit %(product)s a déjà un prix pour le palier ≥ %(quantity)s."),
)
CUSTOMER_PRICE_NEGATIVE = ("customer_price_negative", N_("Le prix spécifique ne peut pas être négatif."))
GROUP_CODE_TAKEN = ("customer_group_code_taken", N_("Le code de groupe %(code)s est déjà pris."))
GROUP_FIELDS_MISSING = ("customer_group_fields_missing", N_("Indiquez le code et le nom du groupe."))
THRESHOLD_INVALID = (
    "discount_threshold_invalid",
    N_("Le seuil de remise du rôle %(role)s doit être compris entre 0 et 100 %% (vide : illimité)."),
)
THRESHOLD_ROLE_UNKNOWN = ("discount_threshold_role_unknown", N_("Le rôle %(role)s n'existe pas."))
REVIEW_REASON_MISSING = ("price_review_reason_missing", N_("Indiquez le motif du suivi."))
REVIEW_KIND = ("price_review_kind", N_("« %(kind)s » n'est pas une action de suivi connue."))
REVIEW_ALREADY_OPEN = (
    "price_review_already_open",
    N_("Un suivi « %(kind)s » est déjà ouvert pour %(customer)s : terminez-le avant d'en ouvrir un autre."),
)
REVIEW_DUE_DATE = ("price_review_due_date", N_("L'échéance du suivi ne peut pas précéder aujourd'hui."))
REVIEW_MISSING = ("price_review_missing", N_("Ce suivi n'existe pas."))

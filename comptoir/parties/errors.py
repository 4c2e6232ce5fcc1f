from django.utils.translation import gettext_noop as N_

INVALID_SIREN = (
    "invalid_siren",
    N_("Le SIREN « %(value)s » n'est pas valide : 9 chiffres avec une clé de contrôle correcte."),
)
INVALID_SIRET = (
    "invalid_siret",
    N_("Le SIRET « %(value)s » n'est pas valide : 14 chiffres avec une clé de contrôle correcte."),
)
SIRET_SIREN_MISMATCH = ("siret_siren_mismatch", N_("Le SIRET %(siret)s n'appartient pas au SIREN %(siren)s."))
INVALID_VAT = (
    "invalid_vat_number",
    N_("Le numéro de TVA « %(value)s » n'est pas un numéro de TVA intracommunautaire valide."),
)
VAT_SIREN_MISMATCH = (
    "vat_siren_mismatch",
    N_("Le numéro de TVA %(vat)s ne correspond pas au SIREN %(siren)s."),
)
INVALID_IBAN = ("invalid_iban", N_("L'IBAN « %(value)s » n'est pas valide."))
INVALID_BIC = ("invalid_bic", N_("Le BIC « %(value)s » n'est pas valide."))
NAME_REQUIRED = ("name_required", N_("Indiquez la raison sociale."))
DUPLICATE_CODE = ("duplicate_customer_code", N_("Le code client « %(value)s » est déjà utilisé."))
PAYMENT_TERMS_TOO_LONG = (
    "payment_terms_too_long",
    N_(
        "Le délai de paiement ne peut dépasser 60 jours date de facture, ou 45 jours fin de mois (art. L441-10 du Code de commerce)."
    ),
)
COMPANY_MISSING = (
    "company_missing",
    N_("La société n'est pas encore paramétrée : renseignez-la dans les paramètres."),
)
EU_REGIME_NEEDS_VAT = (
    "eu_customer_needs_vat_number",
    N_(
        "Un client de l'Union européenne facturé sans TVA française doit avoir un numéro de TVA intracommunautaire d'un autre État membre."
    ),
)
FRANCE_REGIME_ABROAD = (
    "france_regime_abroad",
    N_(
        "Un client situé hors de France ne peut pas relever du régime « TVA française » : choisissez Union européenne ou exportation."
    ),
)
NEGATIVE_PENALTY_RATE = (
    "negative_penalty_rate",
    N_(
        "Le taux des pénalités de retard ne peut pas être négatif ; la loi impose au moins trois fois le taux d'intérêt légal (art. L441-10 du Code de commerce)."
    ),
)
INVOICE_SERIES_LOCKED = (
    "invoice_series_locked",
    N_(
        "Le préfixe des factures ne peut plus passer de « %(current)s » à « %(value)s » : des factures ont déjà été émises ou des écritures passées, et la numérotation doit rester continue dans chaque série et chaque année. Gardez « %(current)s »."
    ),
)
FISCAL_YEAR_START_LOCKED = (
    "fiscal_year_start_locked",
    N_(
        "Le mois de début d'exercice ne peut plus passer de %(current)s à %(value)s : des factures ont déjà été émises ou des écritures passées dans les exercices en cours, et le FEC les suit. Un changement d'exercice se décide avec votre expert-comptable, à la clôture."
    ),
)
BACKDATING_OUT_OF_RANGE = (
    "backdating_days_out_of_range",
    N_(
        "Le délai pour antidater doit être un nombre de jours entre 0 (aucune date passée) et %(max)s (dix ans, la durée de conservation des pièces comptables)."
    ),
)
INVALID_EINVOICE_ADDRESS = (
    "invalid_einvoice_address",
    N_(
        "L'adresse de facturation électronique « %(value)s » n'est pas valide : 125 caractères au plus, lettres, chiffres, tiret, point et souligné seulement."
    ),
)
INVALID_EINVOICE_SCHEME = (
    "invalid_einvoice_scheme",
    N_(
        "Le schéma « %(value)s » de l'adresse de facturation électronique n'est pas un code EAS : 4 chiffres, par exemple 0225 (annuaire français), 0183 (IDE suisse) ou 0088 (GLN)."
    ),
)
PENALTY_RATE_BELOW_FLOOR = (
    "penalty_rate_below_legal_floor",
    N_(
        "Le taux des pénalités de retard doit être d'au moins %(floor)s : trois fois le taux d'intérêt légal en vigueur (%(legal)s, art. L441-10 du Code de commerce)."
    ),
)
INVALID_LOGO = (
    "invalid_logo",
    N_("Le logo doit être une image PNG ou JPEG (le fichier envoyé n'en est pas une, ou il est abîmé)."),
)
LOGO_TOO_LARGE = ("logo_too_large", N_("Le logo dépasse %(max)s Ko : réduisez l'image avant de l'envoyer."))
INVALID_SERIES_PREFIX = (
    "invalid_series_prefix",
    N_(
        "Le préfixe des %(series)s « %(value)s » n'est pas valide : 1 à 6 lettres majuscules ou chiffres, en commençant par une lettre (par exemple DEV)."
    ),
)
SERIES_PREFIX_TAKEN = (
    "series_prefix_taken",
    N_(
        "Le préfixe « %(value)s » ne peut pas servir aux %(series)s : il est déjà celui des %(other)s. Chaque série a son propre préfixe, donc son propre compteur."
    ),
)
SERIES_PREFIX_RESERVED = (
    "series_prefix_reserved",
    N_(
        "Le préfixe « %(value)s » ne peut pas servir aux %(series)s : il nomme déjà un journal comptable ou un compteur qui a attribué des numéros. Choisissez-en un autre."
    ),
)
SERIES_PREFIX_LOCKED = (
    "series_prefix_locked",
    N_(
        "Le préfixe des %(series)s ne peut plus passer de « %(current)s » à « %(value)s » : le numéro %(number)s a déjà été attribué, et une série numérotée doit rester continue, sans rupture ni changement de préfixe. Gardez « %(current)s »."
    ),
)
DUPLICATE_SUPPLIER_CODE = (
    "duplicate_supplier_code",
    N_("Le code fournisseur « %(value)s » est déjà utilisé."),
)
SUPPLIER_ACCOUNT_INVALID = (
    "supplier_account_invalid",
    N_(
        "Le compte auxiliaire « %(value)s » n'est pas valide : il commence par 401, suivi de lettres ou de chiffres (401DUPONT)."
    ),
)
SUPPLIER_ACCOUNT_TAKEN = (
    "supplier_account_taken",
    N_("Le compte auxiliaire « %(value)s » est déjà celui du fournisseur %(other)s."),
)

from django.utils.translation import gettext_noop as N_

INVALID_SIREN = ("invalid_siren", N_("Le SIREN « %(value)s » n'est pas valide : 9 chiffres avec une clé de contrôle correcte."))
INVALID_SIRET = ("invalid_siret", N_("Le SIRET « %(value)s » n'est pas valide : 14 chiffres avec une clé de contrôle correcte."))
SIRET_SIREN_MISMATCH = ("siret_siren_mismatch", N_("Le SIRET %(siret)s n'appartient pas au SIREN %(siren)s."))
INVALID_VAT = ("invalid_vat_number", N_("Le numéro de TVA « %(value)s » n'est pas un numéro de TVA intracommunautaire valide."))
VAT_SIREN_MISMATCH = ("vat_siren_mismatch", N_("Le numéro de TVA %(vat)s ne correspond pas au SIREN %(siren)s."))
INVALID_IBAN = ("invalid_iban", N_("L'IBAN « %(value)s » n'est pas valide."))
INVALID_BIC = ("invalid_bic", N_("Le BIC « %(value)s » n'est pas valide."))
NAME_REQUIRED = ("name_required", N_("Indiquez la raison sociale."))
DUPLICATE_CODE = ("duplicate_customer_code", N_("Le code client « %(value)s » est déjà utilisé."))
PAYMENT_TERMS_TOO_LONG = ("payment_terms_too_long", N_("Le délai de paiement ne peut dépasser 60 jours date de facture, ou 45 jours fin de mois (art. L441-10 du Code de commerce)."))
COMPANY_MISSING = ("company_missing", N_("La société n'est pas encore paramétrée : renseignez-la dans les paramètres."))

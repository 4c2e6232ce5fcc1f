from django.utils.translation import gettext_noop as N_

UNBALANCED = ("entry_unbalanced", N_("L'écriture n'est pas équilibrée : débit %(debit)s, crédit %(credit)s."))
TOO_FEW_LINES = ("entry_too_few_lines", N_("Une écriture comporte au moins deux lignes."))
BAD_LINE = ("entry_bad_line", N_("Chaque ligne porte soit un débit, soit un crédit, positif."))
UNKNOWN_ACCOUNT = ("unknown_account", N_("Le compte %(account)s n'existe pas dans le plan comptable."))
UNKNOWN_JOURNAL = ("unknown_journal", N_("Le journal %(journal)s n'existe pas."))
NOT_BALANCED_MATCH = (
    "matching_not_balanced",
    N_("Les lignes à lettrer ne sont pas soldées (écart de %(diff)s)."),
)
ALREADY_MATCHED = ("already_matched", N_("Une des lignes est déjà lettrée."))
PERIOD_LOCKED = (
    "period_locked",
    N_(
        "La période est verrouillée jusqu'au %(lock)s (exercice %(year)s) : aucune écriture ne peut être datée du %(date)s."
    ),
)
LOCK_OUTSIDE_YEAR = (
    "lock_outside_fiscal_year",
    N_("La date de verrouillage doit tomber dans l'exercice %(year)s."),
)
LOCK_BACKWARDS = (
    "lock_date_backwards",
    N_("Une période verrouillée ne se déverrouille pas : la nouvelle date doit suivre le %(lock)s."),
)
MATCH_MIXED_ACCOUNTS = (
    "matching_mixed_accounts",
    N_("Le lettrage ne rapproche que des lignes d'un même compte et d'un même tiers."),
)

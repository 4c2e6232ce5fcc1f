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
        "La période est verrouillée jusqu'au %(lock)s : rien ne peut plus être daté du %(date)s. Datez l'opération d'après le %(lock)s (une erreur se corrige sur une période ouverte)."
    ),
)
FISCAL_YEAR_NOT_OPEN = (
    "fiscal_year_not_open",
    N_(
        "Aucun exercice ouvert ne couvre le %(date)s : la comptabilité ou la direction doit d'abord ouvrir l'exercice %(year)s (Paramètres › Exercices comptables)."
    ),
)
FISCAL_YEAR_ALREADY_OPEN = ("fiscal_year_already_open", N_("L'exercice %(year)s est déjà ouvert."))
FISCAL_YEAR_OVERLAPS = (
    "fiscal_year_overlaps",
    N_("L'exercice %(year)s (du %(start)s au %(end)s) chevaucherait l'exercice %(other)s déjà ouvert."),
)
FISCAL_YEAR_TOO_EARLY = (
    "fiscal_year_too_early",
    N_(
        "L'exercice %(year)s commence le %(start)s : seuls l'exercice en cours et le suivant peuvent être ouverts à l'avance."
    ),
)
UNLOCK_REASON_REQUIRED = (
    "unlock_reason_required",
    N_("Indiquez par écrit pourquoi la période doit être déverrouillée : le motif reste au journal d'audit."),
)
NOTHING_LOCKED = ("nothing_locked", N_("Aucune période n'est verrouillée."))
UNLOCK_NOT_BACKWARDS = (
    "unlock_not_backwards",
    N_(
        "La période est verrouillée jusqu'au %(lock)s : pour déverrouiller, choisissez une date antérieure (pour verrouiller plus loin, utilisez « Verrouiller »)."
    ),
)
LOCK_OUTSIDE_YEAR = (
    "lock_outside_fiscal_year",
    N_("La date de verrouillage doit tomber dans l'exercice %(year)s."),
)
LOCK_BACKWARDS = (
    "lock_date_backwards",
    N_(
        "La période est déjà verrouillée jusqu'au %(lock)s : la nouvelle date doit suivre. Seule la direction peut déverrouiller, avec un motif."
    ),
)
MATCH_MIXED_ACCOUNTS = (
    "matching_mixed_accounts",
    N_("Le lettrage ne rapproche que des lignes d'un même compte et d'un même tiers."),
)

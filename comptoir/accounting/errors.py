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
MANUAL_JOURNAL_RESERVED = (
    "manual_entry_journal_reserved",
    N_(
        "Le journal %(journal)s est réservé (ventes et banque aux factures et règlements, AN et CL à la clôture) : saisissez l'écriture en OD ou dans un autre journal."
    ),
)
MANUAL_LINE_INVALID = (
    "manual_entry_line_invalid",
    N_(
        "Ligne %(line)s : portez un montant positif au débit ou au crédit, pas les deux, en centimes au plus."
    ),
)
MANUAL_PARTNER_REQUIRED = (
    "manual_entry_partner_required",
    N_(
        "Ligne %(line)s : le compte %(account)s est un compte de tiers, indiquez le tiers (compte auxiliaire)."
    ),
)
MANUAL_PARTNER_NOT_ALLOWED = (
    "manual_entry_partner_not_allowed",
    N_(
        "Ligne %(line)s : le compte %(account)s n'est pas un compte de tiers, il ne porte pas de compte auxiliaire."
    ),
)
MANUAL_LABEL_REQUIRED = ("manual_entry_label_required", N_("Donnez un libellé à l'écriture."))
MANUAL_NOT_DRAFT = (
    "manual_entry_not_draft",
    N_(
        "L'écriture %(entry)s est déjà comptabilisée : elle ne change plus, contre-passez-la pour la corriger."
    ),
)
MANUAL_NOT_POSTED = (
    "manual_entry_not_posted",
    N_(
        "L'écriture %(entry)s n'est pas comptabilisée : un brouillon se modifie ou se supprime, il ne se contre-passe pas."
    ),
)
MANUAL_ALREADY_REVERSED = (
    "manual_entry_already_reversed",
    N_("L'écriture %(entry)s est déjà contre-passée par %(reversal)s."),
)
MANUAL_APPROVAL_REQUIRED = (
    "manual_entry_approval_required",
    N_(
        "L'écriture totalise %(total)s au débit, au-delà du seuil de double validation (%(threshold)s) : une autre personne habilitée doit l'approuver avant qu'elle soit comptabilisée."
    ),
)
MANUAL_APPROVAL_NOT_NEEDED = (
    "manual_entry_approval_not_needed",
    N_(
        "L'écriture reste sous le seuil de double validation (%(threshold)s) : elle se comptabilise sans approbation."
    ),
)
MANUAL_SAME_PERSON = (
    "approval_same_person",
    N_("Vous avez saisi cette écriture : une autre personne habilitée doit l'approuver."),
)
REVERSAL_REASON_REQUIRED = (
    "reversal_reason_required",
    N_("Indiquez pourquoi l'écriture est contre-passée : le motif reste au journal d'audit."),
)
REVERSAL_BEFORE_ENTRY = (
    "reversal_before_entry",
    N_("La contre-passation ne peut précéder l'écriture qu'elle annule (%(date)s)."),
)
RECURRING_BAD_DATES = (
    "recurring_entry_bad_dates",
    N_("La dernière échéance (%(end)s) précède la première (%(start)s)."),
)
YEAR_NOT_ENDED = (
    "fiscal_year_not_ended",
    N_("L'exercice %(year)s se termine le %(end)s : il se clôture une fois terminé."),
)
YEAR_ALREADY_CLOSED = ("fiscal_year_already_closed", N_("L'exercice %(year)s est déjà clôturé."))
YEAR_NOT_CLOSED = ("fiscal_year_not_closed", N_("L'exercice %(year)s n'est pas clôturé."))
YEAR_UNKNOWN = ("fiscal_year_unknown", N_("Aucun exercice %(year)s n'est ouvert."))
PREVIOUS_YEAR_NOT_CLOSED = (
    "previous_year_not_closed",
    N_(
        "Des écritures précèdent l'exercice %(year)s et l'exercice %(previous)s n'est pas clôturé : clôturez-le d'abord."
    ),
)
CLOSING_BLOCKED = (
    "closing_blocked",
    N_(
        "La clôture de l'exercice %(year)s est bloquée : %(items)s. Réglez ces points, ou la direction peut forcer la clôture avec un motif écrit."
    ),
)
CLOSING_REASON_REQUIRED = (
    "closing_force_reason_required",
    N_("Forcer la clôture malgré les points bloquants demande un motif écrit : il reste au journal d'audit."),
)
CLOSING_PERIOD_LOCKED = (
    "closing_period_locked",
    N_(
        "La période est verrouillée jusqu'au %(lock)s, après la fin de l'exercice %(year)s : la direction doit d'abord ramener le verrouillage avant le %(end)s pour passer les écritures de clôture."
    ),
)
REOPEN_REASON_REQUIRED = (
    "reopen_reason_required",
    N_("Indiquez par écrit pourquoi l'exercice est rouvert : le motif reste au journal d'audit."),
)
REOPEN_LATER_CLOSED = (
    "reopen_later_year_closed",
    N_("L'exercice suivant %(year)s est clôturé : rouvrez-le d'abord."),
)
REOPEN_ITEMS_LETTERED = (
    "reopen_opening_items_lettered",
    N_(
        "%(count)s ligne(s) des à-nouveaux sont déjà lettrées dans l'exercice suivant (%(first)s…) : un lettrage ne se défait pas, l'exercice ne peut plus être rouvert."
    ),
)
UNKNOWN_PARTNER = ("unknown_customer", N_("Le client n° %(id)s n'existe pas."))
RECURRING_BAD_FREQUENCY = (
    "recurring_entry_bad_frequency",
    N_("Périodicité inconnue : %(value)s (mensuelle, trimestrielle ou annuelle)."),
)
VAT_PERIOD_INVALID = (
    "vat_period_invalid",
    N_("La période de TVA doit commencer au plus tard le jour où elle finit (du %(start)s au %(end)s)."),
)
VAT_PERIOD_NOT_OVER = (
    "vat_period_not_over",
    N_("La période de TVA finit le %(end)s : sa TVA se liquide une fois la période terminée."),
)
VAT_ALREADY_SETTLED = (
    "vat_already_settled",
    N_(
        "La TVA du %(start)s au %(end)s est déjà liquidée (écriture %(entry)s) : une période ne se liquide qu'une fois. Pour corriger, passez une écriture d'OD."
    ),
)
VAT_NOTHING_TO_SETTLE = (
    "vat_nothing_to_settle",
    N_("Aucune TVA collectée ni déductible du %(start)s au %(end)s : il n'y a rien à liquider."),
)

# Opening balances and open items of the previous system (accounting.opening).
OPENING_NO_YEAR = (
    "opening_no_year",
    N_(
        "Aucun exercice ouvert ne couvre le %(date)s : ouvrez d'abord l'exercice de la reprise (Paramètres › Exercices comptables)."
    ),
)
OPENING_ALREADY_POSTED = (
    "opening_already_posted",
    N_(
        "L'exercice %(year)s a déjà ses à-nouveaux (%(entry)s) : ils ne sont ni remplacés ni complétés par un nouvel import."
    ),
)
OPENING_UNBALANCED = (
    "opening_unbalanced",
    N_(
        "Les soldes d'ouverture ne sont pas équilibrés : débit %(debit)s, crédit %(credit)s, écart de %(difference)s. Rien n'a été comptabilisé."
    ),
)
OPENING_RECEIVABLES_DIFFER = (
    "opening_receivables_differ",
    N_(
        "Le solde clients (411) de la balance, %(balance)s, ne correspond pas aux factures ouvertes importées, %(invoices)s : écart de %(difference)s. %(detail)sRien n'a été comptabilisé : corrigez la balance ou les factures ouvertes."
    ),
)
OPENING_NOT_AN_ACCOUNT = (
    "opening_not_an_account",
    N_(
        "« %(value)s » n'est pas un numéro de compte du plan comptable général (3 chiffres au moins, classes 1 à 7)."
    ),
)
OPENING_NO_AMOUNT = (
    "opening_no_amount",
    N_("Ni débit, ni crédit, ni solde : indiquez le montant de la ligne."),
)
OPENING_UNKNOWN_CUSTOMER = (
    "opening_unknown_customer",
    N_("Aucun client de code « %(value)s » : importez d'abord les clients."),
)
OPENING_PAYABLES_DIFFER = (
    "opening_payables_differ",
    N_(
        "Le solde fournisseurs (401) de la balance, %(balance)s, ne correspond pas aux factures fournisseurs ouvertes importées, %(invoices)s : écart de %(difference)s. %(detail)sRien n'a été comptabilisé : corrigez la balance ou les factures fournisseurs."
    ),
)

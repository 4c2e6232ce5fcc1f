from django.utils.translation import gettext_noop as N_

NOTHING_TO_INVOICE = (
    "nothing_to_invoice",
    N_("Rien à facturer sur la commande %(number)s : aucune quantité livrée non facturée."),
)
ORDER_NOT_CONFIRMED = ("order_not_confirmed", N_("La commande %(number)s n'est pas confirmée."))
NO_LINES = ("invoice_without_lines", N_("Une facture doit comporter au moins une ligne."))
NOT_DRAFT = (
    "invoice_not_draft",
    N_(
        "La facture %(number)s est émise : elle ne peut plus être modifiée. Établissez un avoir pour la corriger."
    ),
)
DATE_BEFORE_LAST = (
    "invoice_date_before_last",
    N_(
        "La date %(date)s est antérieure à la dernière facture émise de la série (%(last)s) : la numérotation doit rester chronologique."
    ),
)
TOTAL_NEGATIVE = (
    "invoice_total_negative",
    N_("Le total d'une facture ne peut pas être négatif : établissez un avoir."),
)
BUYER_SIREN_MISSING = (
    "buyer_siren_missing",
    N_(
        "Le client %(customer)s n'a pas de SIREN : il est obligatoire sur une facture entre entreprises françaises. Complétez sa fiche."
    ),
)
BUYER_VAT_MISSING = (
    "buyer_vat_number_missing",
    N_(
        "Le client %(customer)s n'a pas de numéro de TVA intracommunautaire : il est obligatoire pour une autoliquidation ou une livraison intracommunautaire."
    ),
)
COMPANY_MISSING = (
    "company_missing",
    N_(
        "La société n'est pas paramétrée : renseignez raison sociale, SIREN et adresse avant d'émettre une facture."
    ),
)
CREDIT_NOTE_NEEDS_CASE = (
    "credit_note_needs_case",
    N_(
        "Un avoir doit indiquer le numéro du dossier de retour qui le justifie (RET-…), ou être déclaré comme geste commercial avec sa catégorie."
    ),
)
CREDIT_ONLY_ISSUED_INVOICE = (
    "credit_note_on_unissued_invoice",
    N_("Seule une facture émise peut recevoir un avoir (%(number)s ne l'est pas)."),
)
LINE_NOT_ON_INVOICE = ("line_not_on_invoice", N_("Cette ligne n'appartient pas à la facture %(number)s."))
CREDIT_QUANTITY_NOT_POSITIVE = (
    "quantity_not_positive",
    N_("La quantité à créditer doit être strictement positive."),
)
CREDIT_PRICE_OUT_OF_RANGE = (
    "credit_price_out_of_range",
    N_("%(sku)s : le prix crédité doit être positif et ne pas dépasser le prix facturé."),
)
CREDIT_EXCEEDS_QUANTITY = (
    "credit_exceeds_invoiced_quantity",
    N_("%(sku)s : il ne reste que %(left)s unité(s) facturée(s) à créditer."),
)
CREDIT_EXCEEDS_AMOUNT = (
    "credit_exceeds_invoiced_amount",
    N_("%(sku)s : il ne reste que %(left)s € HT facturés à créditer sur cette ligne."),
)
CREDIT_EXCEEDS_UNITS_VALUE = (
    "credit_exceeds_units_value",
    N_(
        "%(sku)s : %(qty)s unité(s) ne valent plus que %(worth)s € HT sur cette ligne (%(left)s € HT restent à créditer pour %(units)s unité(s), après les réductions de prix déjà accordées)."
    ),
)
INVALID_NUMBER = ("invalid_number", N_("« %(value)s » n'est pas un nombre valide."))
EINVOICE_INVALID = (
    "einvoice_invalid",
    N_("La facture électronique serait refusée : %(problems)s. Corrigez ces points avant d'émettre."),
)

# Deposits (acomptes) and billing-schedule steps
ORDER_BILLED_BY_SCHEDULE = (
    "order_billed_by_schedule",
    N_(
        "La commande %(number)s est facturée selon son échéancier : facturez ses échéances plutôt que les quantités livrées."
    ),
)
MILESTONE_NOT_REACHED = (
    "milestone_not_reached",
    N_(
        "L'échéance « %(label)s » (%(trigger)s) n'est pas encore atteinte : elle ne peut pas être facturée. Marquez-la comme atteinte quand l'événement a eu lieu."
    ),
)
MILESTONE_NOT_DELIVERED = (
    "milestone_not_delivered",
    N_(
        "L'échéance « %(label)s » se facture à la livraison, or la commande %(number)s n'est pas entièrement livrée."
    ),
)
MILESTONE_ALREADY_INVOICED = (
    "milestone_already_invoiced",
    N_(
        "L'échéance « %(label)s » est déjà facturée (%(invoice)s) : une échéance ne se facture qu'une fois. Annulez le brouillon ou établissez un avoir pour la refacturer."
    ),
)
DEPOSIT_TOO_LATE = (
    "deposit_too_late",
    N_(
        "Toutes les échéances de la commande %(number)s sont facturées : aucune facture ne pourrait plus déduire cet acompte."
    ),
)
DEPOSIT_EXCEEDS_REMAINING = (
    "deposit_exceeds_remaining",
    N_(
        "L'acompte de %(amount)s € HT dépasse ce qui reste à facturer sur la commande %(number)s (%(left)s € HT, acomptes non encore déduits compris). Annulez les brouillons de facture de la commande ou réduisez l'acompte."
    ),
)
DEDUCTION_EXCEEDS_TOTAL = (
    "deduction_exceeds_total",
    N_("Les acomptes déduits (%(deducted)s €) dépassent le total de la facture (%(total)s €)."),
)
DEPOSIT_ALREADY_DEDUCTED = (
    "deposit_already_deducted",
    N_(
        "L'acompte %(number)s est déjà déduit sur la facture %(invoice)s : c'est cette facture qu'il faut corriger par un avoir (ou annuler, si elle est en brouillon)."
    ),
)
DELIVERY_INVOICING_BLOCKED = (
    "delivery_invoicing_blocked",
    N_(
        "La facturation de %(numbers)s est bloquée par un litige en cours : résolvez le dossier ou faites lever le blocage par la comptabilité."
    ),
)

# E-invoice files (Factur-X PDF, CII, UBL)
EINVOICE_NOT_ISSUED = (
    "invoice_not_issued",
    N_(
        "%(invoice)s n'est pas émise : seule une facture ou un avoir émis a un fichier Factur-X, CII ou UBL. Émettez-la d'abord."
    ),
)
EINVOICE_UNKNOWN_FORMAT = (
    "unknown_einvoice_format",
    N_("Format « %(format)s » inconnu : choisissez facturx (PDF), cii ou ubl (XML)."),
)

# Correcting a draft before it is issued
LINE_MISSING = ("invoice_line_missing", N_("Cette ligne de facture n'existe pas (ou plus)."))
DRAFT_FROM_SCHEDULE = (
    "draft_built_from_schedule",
    N_(
        "%(number)s est établie d'après l'échéancier ou est une facture d'acompte : ses lignes se calculent ensemble. Annulez le brouillon et établissez-le à nouveau."
    ),
)
CORRECTION_EXCEEDS = (
    "correction_exceeds_invoiceable",
    N_("%(sku)s : il ne reste que %(left)s unité(s) à facturer sur cette ligne, pas %(quantity)s."),
)
CORRECTION_CHANGES_NOTHING = (
    "correction_changes_nothing",
    N_("La ligne %(sku)s de %(number)s porte déjà ces valeurs : rien à corriger."),
)
NO_DEPOSIT_TO_DEDUCT = (
    "no_deposit_to_deduct",
    N_("Aucun acompte émis de la commande ne reste à déduire de %(number)s."),
)
DEPOSIT_NEEDS_ORDER = (
    "deposit_needs_order",
    N_("%(number)s n'est rattachée à aucune commande : elle n'a pas d'acompte à déduire."),
)
# Four eyes on commercial gestures (billing.approving).
GESTURE_APPROVAL_REQUIRED = (
    "credit_note_approval_required",
    N_(
        "L'avoir %(number)s accorde %(cumulated)s HT de geste commercial sur la facture %(invoice)s%(others)s, au-delà du seuil de %(threshold)s : une autre personne habilitée doit l'approuver avant son émission."
    ),
)
GESTURE_APPROVAL_SAME_PERSON = (
    "approval_same_person",
    N_("Vous avez préparé l'avoir %(number)s : une autre personne habilitée doit l'approuver."),
)
NOT_A_GESTURE_DRAFT = (
    "credit_note_not_awaiting_approval",
    N_(
        "%(number)s n'est pas un avoir commercial en brouillon : seul un geste commercial pas encore émis s'approuve ou se refuse."
    ),
)
GESTURE_ALREADY_APPROVED = (
    "credit_note_already_approved",
    N_("L'avoir %(number)s a déjà été approuvé par %(by)s."),
)
GESTURE_REFUSAL_REASON_REQUIRED = (
    "credit_note_refusal_reason_required",
    N_("Indiquez pourquoi le geste commercial est refusé : le motif est conservé dans l'historique."),
)
SERVICE_PERIOD_REVERSED = (
    "service_period_reversed",
    N_("La prestation ne peut pas finir (%(end)s) avant d'avoir commencé (%(start)s)."),
)
ADJUSTMENT_ONLY_ON_INVOICE_DRAFT = (
    "allowance_charge_not_allowed",
    N_(
        "%(number)s n'est pas une facture en brouillon : les remises globales, les frais et l'escompte se saisissent sur une facture avant son émission."
    ),
)
ADJUSTMENT_AMOUNT_INVALID = (
    "allowance_charge_amount_invalid",
    N_("Indiquez un montant HT positif, ou un pourcentage entre 0 et 100 d'une base positive."),
)
ADJUSTMENT_REASON_MISSING = (
    "allowance_charge_reason_missing",
    N_("Indiquez le motif de la remise ou des frais (texte ou code)."),
)
ADJUSTMENT_REASON_CODE_UNKNOWN = (
    "allowance_charge_reason_code_unknown",
    N_("Le code motif %(reason_code)s n'est pas un code admis (%(codes)s)."),
)
ADJUSTMENT_VAT_INVALID = (
    "allowance_charge_vat_invalid",
    N_(
        "TVA invalide pour la remise ou les frais : catégorie %(category)s au taux de %(rate)s %%. Une catégorie S a un taux français positif, les autres un taux nul."
    ),
)
ADJUSTMENT_EXCEEDS_BASE = (
    "allowance_exceeds_base",
    N_(
        "Les remises globales au taux de %(rate)s %% (catégorie %(category)s) dépassent le montant HT des lignes à ce taux (%(base)s) : réduisez-les."
    ),
)
ADJUSTMENT_MISSING = ("allowance_charge_missing", N_("Cette remise ou ces frais n'existent pas."))
EARLY_DISCOUNT_INVALID = (
    "early_discount_invalid",
    N_(
        "Escompte invalide : un taux entre 0 et 100 (en pourcentage, deux décimales au plus) et un délai en jours après la date de facture (0 à 365), ou un taux nul pour aucun escompte."
    ),
)

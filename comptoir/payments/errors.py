from django.utils.translation import gettext_noop as N_

AMOUNT_NOT_POSITIVE = (
    "payment_amount_not_positive",
    N_("Le montant du règlement doit être strictement positif."),
)
OVER_ALLOCATED = (
    "payment_over_allocated",
    N_("Vous affectez %(allocated)s alors que le règlement n'est que de %(amount)s."),
)
ALLOCATION_EXCEEDS_DUE = (
    "allocation_exceeds_balance",
    N_("La facture %(number)s ne reste due que de %(due)s : vous ne pouvez pas y affecter %(amount)s."),
)
INVOICE_NOT_ISSUED = (
    "invoice_not_payable",
    N_("La facture %(number)s n'est pas émise (état : %(state)s) : elle ne peut pas être réglée."),
)
OTHER_CUSTOMER = ("invoice_other_customer", N_("La facture %(number)s est celle d'un autre client."))
ALLOCATION_NOT_POSITIVE = (
    "allocation_not_positive",
    N_("Chaque montant affecté doit être strictement positif."),
)
DUPLICATE_INVOICE = (
    "allocation_duplicate_invoice",
    N_("La facture %(number)s apparaît deux fois dans l'affectation."),
)
INVALID_AMOUNT = ("invalid_amount", N_("« %(value)s » n'est pas un montant valide."))
INVALID_METHOD = (
    "invalid_payment_method",
    N_("Mode de règlement inconnu : %(value)s (virement, chèque, carte ou espèces)."),
)
UNKNOWN_INVOICE = ("unknown_invoice", N_("La facture %(value)s n'existe pas."))
NOT_AN_ISSUED_CREDIT_NOTE = ("not_an_issued_credit_note", N_("%(number)s n'est pas un avoir émis."))
CREDIT_EXCEEDED = ("credit_note_exceeded", N_("Il ne reste que %(left)s à utiliser sur l'avoir %(number)s."))
UNKNOWN_PAYMENT = ("unknown_payment", N_("Le règlement %(value)s n'existe pas."))
NOTHING_UNALLOCATED = ("payment_fully_allocated", N_("Le règlement %(number)s est déjà entièrement affecté."))
UNALLOCATED_EXCEEDED = (
    "payment_unallocated_exceeded",
    N_("Il ne reste que %(left)s non affectés sur le règlement %(number)s : vous affectez %(allocated)s."),
)
NO_ALLOCATION = ("allocation_missing", N_("Indiquez au moins une facture à régler."))
# Four eyes on refunds (payments.refunding).
REFUND_APPROVAL_REQUIRED = (
    "refund_approval_required",
    N_(
        "Rembourser %(amount)s sur l'avoir %(number)s dépasse le seuil de %(threshold)s : demandez le remboursement, une autre personne habilitée l'approuvera avant le paiement."
    ),
)
REFUND_SAME_PERSON = (
    "approval_same_person",
    N_(
        "Vous avez demandé le remboursement de l'avoir %(number)s : une autre personne habilitée doit l'approuver."
    ),
)
REFUND_REFUSAL_REASON_REQUIRED = (
    "refund_refusal_reason_required",
    N_("Indiquez pourquoi le remboursement est refusé : le motif est conservé dans l'historique."),
)
# Open invoices of the previous system (payments.opening).
OPENING_NUMBER_TAKEN = (
    "opening_invoice_number_taken",
    N_(
        "Le numéro %(number)s est déjà celui d'une facture émise par Comptoir : une facture reprise garde un numéro à elle."
    ),
)
OPENING_INVOICE_DIFFERS = (
    "opening_invoice_exists",
    N_(
        "La facture %(number)s a déjà été reprise (%(customer)s, reste à payer %(amount)s, échéance %(due)s) : une reprise ne se corrige pas par un nouvel import, mais par un règlement ou une écriture."
    ),
)
OPENING_AMOUNT_NOT_POSITIVE = (
    "opening_invoice_amount_not_positive",
    N_(
        "Le reste à payer doit être strictement positif (un avoir ou un acompte non utilisé se reprend par la balance d'ouverture)."
    ),
)
OPENING_AMOUNT_ABOVE_TOTAL = (
    "opening_invoice_amount_above_total",
    N_("Le reste à payer (%(amount)s) dépasse le montant TTC de la facture (%(total)s)."),
)
OPENING_DATE_AFTER_OPENING = (
    "opening_invoice_after_opening",
    N_(
        "La facture est datée du %(date)s, après l'ouverture de l'exercice le %(opening)s : elle se saisit dans Comptoir."
    ),
)
OPENING_DUE_BEFORE_DATE = (
    "opening_invoice_due_before_date",
    N_("L'échéance (%(due)s) précède la date de la facture (%(date)s)."),
)
OPENING_UNKNOWN_CUSTOMER = (
    "opening_invoice_unknown_customer",
    N_("Aucun client de code « %(value)s » : importez d'abord les clients."),
)
OPENING_BALANCES_POSTED = (
    "opening_invoice_after_balances",
    N_(
        "Les soldes d'ouverture de l'exercice %(year)s sont déjà comptabilisés : les factures ouvertes s'importent avant eux, pour que le 411 de la balance soit comparé à elles."
    ),
)
OPENING_INVOICE_SETTLED = (
    "opening_invoice_settled",
    N_(
        "La facture reprise %(number)s ne reste due que de %(due)s : vous ne pouvez pas y affecter %(amount)s."
    ),
)
WRITE_OFF_NOTHING_DUE = (
    "write_off_nothing_due",
    N_("La facture %(number)s est entièrement réglée : il n'y a pas d'écart à passer en perte."),
)
WRITE_OFF_NOTHING_PAID = (
    "write_off_nothing_paid",
    N_(
        "Rien n'a encore été réglé sur la facture %(number)s : son solde est une créance à réclamer au "
        "client, pas un écart de règlement."
    ),
)
WRITE_OFF_NO_GAP = (
    "write_off_no_gap",
    N_(
        "Le règlement %(payment)s correspond exactement au solde de la facture %(number)s : affectez-le, "
        "il n'y a pas d'écart."
    ),
)
WRITE_OFF_ABOVE_THRESHOLD = (
    "write_off_above_threshold",
    N_(
        "L'écart de %(gap)s dépasse le seuil de passage en perte ou profit (%(threshold)s) : réclamez-le au "
        "client ou établissez un avoir."
    ),
)
PAYMENT_ALREADY_REVERSED = (
    "payment_already_reversed",
    N_("Le règlement %(number)s est déjà contre-passé."),
)
PAYMENT_REVERSAL_ALLOCATED = (
    "payment_reversal_allocated",
    N_(
        "Le règlement %(number)s est affecté à des factures : seul un règlement entièrement non affecté "
        "peut être contre-passé."
    ),
)
PAYMENT_REVERSAL_NEEDS_REASON = (
    "payment_reversal_needs_reason",
    N_("Indiquez pourquoi le règlement %(number)s est contre-passé (saisi deux fois, mauvais client…)."),
)
PAYMENT_MOVE_SAME_CUSTOMER = (
    "payment_move_same_customer",
    N_("Le règlement %(number)s est déjà celui de %(customer)s."),
)
REALLOCATION_NOTHING = (
    "reallocation_nothing",
    N_("Le règlement %(number)s n'est pas affecté à cette facture : il n'y a rien à réaffecter."),
)
REALLOCATION_SAME_INVOICE = (
    "reallocation_same_invoice",
    N_("Le règlement est déjà affecté à la facture %(number)s."),
)
REALLOCATION_VAT_RELEASED = (
    "reallocation_vat_released",
    N_(
        "L'affectation à la facture %(number)s a rendu exigible la TVA sur encaissements : sa réaffectation "
        "se fait par une écriture de la comptabilité."
    ),
)
LETTER_NOTHING_OVERDUE = (
    "letter_nothing_overdue",
    N_(
        "%(customer)s n'a aucune facture échue restant à payer : il n'y a rien à relancer. Envoyez-lui plutôt un relevé de compte."
    ),
)
LETTER_UNKNOWN_KIND = (
    "letter_unknown_kind",
    N_(
        "« %(kind)s » n'est pas un courrier connu : choisissez une relance (reminder) ou un relevé (statement)."
    ),
)
# Open supplier invoices of the previous system (payments.opening_payables).
OPENING_UNKNOWN_SUPPLIER = (
    "opening_supplier_invoice_unknown_supplier",
    N_(
        "Aucun fournisseur de code ou de compte auxiliaire « %(value)s » : importez d'abord les fournisseurs."
    ),
)
OPENING_SUPPLIER_INVOICE_DIFFERS = (
    "opening_supplier_invoice_exists",
    N_(
        "La facture %(number)s de %(supplier)s a déjà été reprise (reste à payer %(amount)s, échéance %(due)s) : une reprise ne se corrige pas par un nouvel import, mais par une écriture."
    ),
)
OPENING_PAYABLES_AFTER_BALANCES = (
    "opening_supplier_invoice_after_balances",
    N_(
        "Les soldes d'ouverture de l'exercice %(year)s sont déjà comptabilisés : les factures fournisseurs ouvertes s'importent avant eux, pour que le 401 de la balance soit comparé à elles."
    ),
)

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

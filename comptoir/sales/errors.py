from django.utils.translation import gettext_noop as N_

NO_LINES = ("no_lines", N_("Ajoutez au moins une ligne."))
QUANTITY_NOT_POSITIVE = (
    "quantity_not_positive",
    N_("La quantité de la ligne %(position)s doit être strictement positive (reçu : %(value)s)."),
)
PRICE_NEGATIVE = ("price_negative", N_("Le prix unitaire de la ligne %(position)s ne peut pas être négatif."))
DISCOUNT_OUT_OF_RANGE = (
    "discount_out_of_range",
    N_("La remise de la ligne %(position)s doit être comprise entre 0 et 100 %%."),
)
NOT_EDITABLE = (
    "document_not_editable",
    N_("%(document)s n'est plus modifiable : seuls les brouillons le sont."),
)
INACTIVE_CUSTOMER = (
    "inactive_customer",
    N_("Le client %(customer)s est archivé : réactivez-le avant de lui vendre."),
)
QUOTE_EXPIRED = (
    "quote_expired",
    N_("Le devis %(number)s a expiré le %(date)s : établissez un nouveau devis."),
)
VALIDITY_BEFORE_DATE = (
    "validity_before_date",
    N_("La date de validité (%(valid_until)s) ne peut pas précéder la date du devis (%(date)s)."),
)
ORDER_HAS_DELIVERIES = (
    "order_has_deliveries",
    N_("La commande %(number)s a déjà des livraisons expédiées : elle ne peut plus être annulée."),
)
ORDER_HAS_INVOICES = (
    "order_has_invoices",
    N_("La commande %(number)s a déjà des factures : elle ne peut plus être annulée."),
)
QUANTITY_TOO_LARGE = (
    "quantity_too_large",
    N_("La quantité de la ligne %(position)s dépasse la limite de %(limit)s."),
)
AMOUNT_TOO_LARGE = (
    "amount_too_large",
    N_("Le montant HT de la ligne %(position)s dépasse la limite de %(limit)s €."),
)
DOCUMENT_TOO_LARGE = (
    "document_too_large",
    N_("Le total du document dépasse la limite de %(limit)s € HT : scindez-le."),
)
INVALID_NUMBER = ("invalid_number", N_("« %(value)s » n'est pas un nombre valide (ligne %(position)s)."))

# Billing schedules (deposits and milestones)
SCHEDULE_ORDER_CANCELLED = (
    "schedule_order_cancelled",
    N_("La commande %(number)s est annulée : son échéancier de facturation ne peut plus être modifié."),
)
SCHEDULE_ORDER_INVOICED = (
    "schedule_order_invoiced",
    N_(
        "La commande %(number)s est déjà facturée (au moins en partie) : son échéancier ne peut plus être modifié. Annulez d'abord les brouillons de facture, ou établissez un avoir."
    ),
)
SCHEDULE_ORDER_WITHOUT_AMOUNT = (
    "schedule_order_without_amount",
    N_("La commande %(number)s n'a pas de montant HT : il n'y a rien à échelonner."),
)
MILESTONE_LABEL_MISSING = ("milestone_label_missing", N_("Donnez un libellé à l'échéance %(position)s."))
MILESTONE_TRIGGER_INVALID = (
    "milestone_trigger_invalid",
    N_(
        "Échéance %(position)s : déclencheur « %(value)s » inconnu. Choisissez confirmation, delivery (livraison), acceptance (réception par le client) ou manual (sur décision)."
    ),
)
MILESTONE_PERCENT_XOR_AMOUNT = (
    "milestone_percent_xor_amount",
    N_("Échéance %(position)s : indiquez soit un pourcentage, soit un montant HT, mais pas les deux."),
)
MILESTONE_PERCENT_OUT_OF_RANGE = (
    "milestone_percent_out_of_range",
    N_(
        "Échéance %(position)s : le pourcentage doit être supérieur à 0 et au plus 100 %% (reçu : %(value)s)."
    ),
)
MILESTONE_AMOUNT_NOT_POSITIVE = (
    "milestone_amount_not_positive",
    N_("Échéance %(position)s : le montant HT doit être strictement positif (reçu : %(value)s)."),
)
DEPOSIT_TRIGGER_AFTER_DELIVERY = (
    "deposit_trigger_after_delivery",
    N_(
        "Échéance %(position)s : un acompte se facture avant la livraison. Choisissez le déclencheur « à la confirmation » ou « sur décision », ou faites-en une échéance ordinaire."
    ),
)
DELIVERY_MILESTONE_WITHOUT_GOODS = (
    "delivery_milestone_without_goods",
    N_(
        "Échéance %(position)s : la commande %(number)s ne comporte aucun article à livrer, une échéance « à la livraison » ne serait jamais atteinte. Choisissez « à la réception par le client » ou « sur décision »."
    ),
)
SCHEDULE_PERCENT_OVER_100 = (
    "schedule_percent_over_100",
    N_("Les pourcentages de l'échéancier totalisent %(total)s %% : ils ne peuvent pas dépasser 100 %%."),
)
SCHEDULE_EXCEEDS_ORDER = (
    "schedule_exceeds_order",
    N_(
        "L'échéancier totalise %(scheduled)s € HT, plus que le montant de la commande %(number)s (%(total)s € HT). Réduisez les montants ou les pourcentages."
    ),
)
SCHEDULE_INCOMPLETE = (
    "schedule_incomplete",
    N_(
        "Un échéancier comportant des échéances facturées (hors acomptes) remplace la facturation des quantités livrées : il doit couvrir toute la commande %(number)s (%(total)s € HT), or il totalise %(scheduled)s € HT."
    ),
)
MILESTONE_REACHED_AUTOMATICALLY = (
    "milestone_reached_automatically",
    N_(
        "L'échéance « %(label)s » est atteinte automatiquement (%(trigger)s) : elle ne se marque pas à la main."
    ),
)
MILESTONE_ALREADY_REACHED = (
    "milestone_already_reached",
    N_("L'échéance « %(label)s » est déjà atteinte (le %(date)s)."),
)
MILESTONE_ORDER_NOT_CONFIRMED = (
    "milestone_order_not_confirmed",
    N_("Confirmez la commande %(number)s avant de marquer une de ses échéances comme atteinte."),
)
QUOTE_LINE_NOT_OF_ORDER = (
    "quote_line_not_of_order",
    N_(
        "Ligne %(position)s : elle renvoie à une ligne de devis qui n'est pas celle du devis de cette commande."
    ),
)
DISCOUNT_CATEGORY_UNKNOWN = (
    "discount_category_unknown",
    N_("Ligne %(position)s : la catégorie de remise « %(value)s » n'existe pas (possibles : %(choices)s)."),
)
DISCOUNT_APPROVAL_REQUIRED = (
    "discount_approval_required",
    N_(
        "La remise de %(percent)s sur %(document)s dépasse le seuil de %(person)s (%(threshold)s) : elle doit "
        "être approuvée par une autre personne dont le seuil la couvre (%(who)s) avant %(action)s."
    ),
)
DISCOUNT_APPROVAL_NOT_NEEDED = (
    "discount_approval_not_needed",
    N_("Les remises de %(document)s n'ont pas besoin d'approbation (ou sont déjà approuvées)."),
)
DISCOUNT_APPROVAL_BEYOND_THRESHOLD = (
    "discount_approval_beyond_threshold",
    N_(
        "Votre seuil de remise (%(threshold)s) ne couvre pas la remise de %(percent)s sur %(document)s : "
        "qui peut l'approuver : %(who)s."
    ),
)
DISCOUNT_APPROVAL_SAME_PERSON = (
    "approval_same_person",
    N_("Vous avez accordé les remises de %(document)s : une autre personne doit les approuver."),
)
DISCOUNT_APPROVAL_NOT_DRAFT = (
    "discount_approval_not_draft",
    N_("%(document)s n'est plus un brouillon : ses remises ne s'approuvent plus."),
)

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

# Quote versions (sales.revising)
QUOTE_NOT_REVISABLE = (
    "quote_not_revisable",
    N_(
        "Le devis %(number)s ne peut pas être révisé : seul un devis envoyé, sans réponse du client, se révise (il est « %(status)s »)."
    ),
)
QUOTE_SUPERSEDED = (
    "quote_superseded",
    N_(
        "Le devis %(number)s a été remplacé par la version %(version)s (%(latest)s) : seule la dernière version peut être acceptée."
    ),
)
QUOTE_VERSIONS_UNRELATED = (
    "quote_versions_unrelated",
    N_("Les devis %(first)s et %(second)s ne sont pas deux versions de la même offre."),
)

# Order amendments (sales.amending)
AMENDMENT_ORDER_NOT_CONFIRMED = (
    "amendment_order_not_confirmed",
    N_("Seule une commande confirmée se modifie par avenant : la commande %(number)s est « %(status)s »."),
)
AMENDMENT_REASON_REQUIRED = (
    "amendment_reason_required",
    N_("Indiquez le motif de l'avenant à la commande %(number)s : il reste dans l'historique."),
)
AMENDMENT_NOTHING_CHANGED = (
    "amendment_nothing_changed",
    N_("Cet avenant ne change rien à la commande %(number)s."),
)
AMENDMENT_LINE_NOT_OF_ORDER = (
    "amendment_line_not_of_order",
    N_("La ligne %(line)s n'appartient pas à la commande %(number)s."),
)
AMENDMENT_BELOW_DELIVERED = (
    "amendment_below_delivered",
    N_(
        "Ligne %(position)s (%(description)s) : %(floor)s déjà livré(s), la quantité ne peut pas descendre en dessous (demandé : %(value)s)."
    ),
)
AMENDMENT_BELOW_INVOICED = (
    "amendment_below_invoiced",
    N_(
        "Ligne %(position)s (%(description)s) : %(floor)s déjà facturé(s) (brouillons compris), la quantité ne peut pas descendre en dessous (demandé : %(value)s)."
    ),
)
AMENDMENT_PRICE_INVOICED = (
    "amendment_price_invoiced",
    N_(
        "Ligne %(position)s (%(description)s) : déjà facturée (%(invoiced)s, brouillons compris), son prix et sa remise ne changent plus. Établissez un avoir si le prix facturé était faux."
    ),
)
AMENDMENT_REMOVE_STARTED = (
    "amendment_remove_started",
    N_(
        "Ligne %(position)s (%(description)s) : déjà livrée ou facturée, elle ne peut pas être retirée. Réduisez plutôt sa quantité à ce qui est livré ou facturé."
    ),
)
AMENDMENT_REMOVE_ON_DELIVERY = (
    "amendment_remove_on_delivery",
    N_(
        "Ligne %(position)s (%(description)s) : elle figure sur le bon de livraison %(delivery)s à préparer. Retirez-la d'abord de ce bon (ou annulez-le)."
    ),
)
AMENDMENT_REMOVE_REFERENCED = (
    "amendment_remove_referenced",
    N_(
        "Ligne %(position)s (%(description)s) : elle figure sur %(document)s (annulé), qui en garde la trace ; elle ne peut pas être retirée. Réduisez plutôt sa quantité."
    ),
)
AMENDMENT_NO_LINE_LEFT = (
    "amendment_no_line_left",
    N_("La commande %(number)s doit garder au moins une ligne : pour tout retirer, annulez-la plutôt."),
)
AMENDMENT_REQUESTED_DATE_BEFORE_ORDER = (
    "amendment_requested_date_before_order",
    N_(
        "La livraison souhaitée (%(date)s) ne peut pas précéder la date de la commande %(number)s (%(order_date)s)."
    ),
)

# What an amendment finds downstream (not refusals: said on the amendment, kept in its trail)
EFFECT_DELIVERY_NOTE_NO_LONGER_FITS = (
    "delivery_note_no_longer_fits",
    N_(
        "Le bon de livraison %(delivery)s (à préparer) prévoit %(planned)s de la ligne %(position)s (%(description)s), or il n'en reste que %(remaining)s à livrer : modifiez-le avant de l'expédier (l'expédition serait refusée)."
    ),
)
EFFECT_DEPOSITS_EXCEED_ORDER = (
    "deposits_exceed_order",
    N_(
        "Les factures d'acompte émises (%(deposited)s € HT) dépassent le nouveau total de la commande (%(total)s € HT) : l'excédent est à rembourser par un avoir d'acompte."
    ),
)
EFFECTS = dict([EFFECT_DELIVERY_NOTE_NO_LONGER_FITS, EFFECT_DEPOSITS_EXCEED_ORDER])
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
AMENDMENT_DISCOUNT_BEYOND_THRESHOLD = (
    "amendment_discount_beyond_threshold",
    N_(
        "La remise de %(percent)s sur %(document)s dépasse votre seuil de remise (%(threshold)s) : l'avenant "
        "doit être fait par une personne dont le seuil la couvre (%(who)s)."
    ),
)

"""Error codes of return cases (stable strings for API clients) and their French messages."""

from django.utils.translation import gettext_noop as N_

DELIVERY_NOT_VALIDATED = (
    "return_delivery_not_validated",
    N_(
        "Le bon de livraison %(number)s n'est pas expédié : un écart ne se déclare que sur une livraison validée."
    ),
)
OTHER_CUSTOMER = (
    "return_other_customer",
    N_(
        "Le bon de livraison %(number)s est celui d'un autre client : ouvrez le dossier sur une livraison de %(customer)s."
    ),
)
INVALID_REASON = (
    "return_invalid_reason",
    N_(
        "« %(value)s » n'est pas un motif de retour connu (manquant, excédent, endommagé, erreur de référence, erreur de prix, qualité, retard)."
    ),
)
NO_LINES = (
    "return_without_lines",
    N_("Indiquez au moins une ligne du bon de livraison concernée par le dossier."),
)
PRODUCT_NOT_DELIVERED = (
    "return_product_not_delivered",
    N_(
        "%(product)s ne figure pas sur le bon de livraison %(number)s : on ne peut déclarer un écart que sur ce qui a été livré."
    ),
)
LINE_NOT_ON_DELIVERY = (
    "return_line_not_on_delivery",
    N_("Cette ligne n'appartient pas au bon de livraison %(number)s."),
)
DUPLICATE_LINE = (
    "return_duplicate_line",
    N_("%(sku)s apparaît deux fois : regroupez les quantités sur une seule ligne."),
)
QUANTITY_NOT_POSITIVE = (
    "quantity_not_positive",
    N_("La quantité doit être strictement positive (reçu : %(value)s)."),
)
INVALID_NUMBER = ("invalid_number", N_("« %(value)s » n'est pas un nombre valide."))
EXCEEDS_RETURNABLE = (
    "return_exceeds_delivered",
    N_(
        "%(sku)s : vous déclarez %(qty)s alors qu'il ne reste que %(left)s livré(s) et pas encore en litige sur %(number)s."
    ),
)
REASON_REQUIRED = (
    "return_reason_required",
    N_("Indiquez le motif de cette décision : il est conservé dans l'historique du dossier."),
)
APPROVAL_ABOVE_THRESHOLD = (
    "return_approval_above_threshold",
    N_(
        "Le dossier %(number)s engage %(amount)s HT, au-delà du seuil de %(threshold)s : seule la direction peut le décider."
    ),
)
NOT_APPROVED = (
    "return_not_approved",
    N_(
        "Le dossier %(number)s n'est pas approuvé : faites-le valider avant de recevoir la marchandise ou de le résoudre."
    ),
)
GOODS_NOT_EXPECTED = (
    "return_goods_not_expected",
    N_("Le motif « %(reason)s » ne prévoit pas de retour de marchandise sur le dossier %(number)s."),
)
LINE_NOT_IN_CASE = ("return_line_not_in_case", N_("Cette ligne n'appartient pas au dossier %(number)s."))
INVALID_DISPOSITION = (
    "return_invalid_disposition",
    N_("« %(value)s » n'est pas une destination connue (remise en stock, mise au rebut, réparation)."),
)
RECEIPT_EXCEEDS_CLAIM = (
    "return_receipt_exceeds_claim",
    N_("%(sku)s : vous recevez %(qty)s alors que le dossier n'attend plus que %(left)s."),
)
RECEIPT_REQUIRED = (
    "return_receipt_required_before_credit",
    N_(
        "%(sku)s : seules %(received)s unité(s) ont été reçues en retour. Réceptionnez la marchandise avant d'émettre l'avoir."
    ),
)
SETTLEMENT_EXCEEDS_CASE = (
    "return_settlement_exceeds_case",
    N_("%(sku)s : il ne reste que %(left)s unité(s) du dossier à régler (avoir ou remplacement)."),
)
NOTHING_LEFT = (
    "return_nothing_left_to_settle",
    N_("Tout le dossier %(number)s est déjà réglé : il n'y a plus rien à créditer ou remplacer."),
)
NOT_INVOICED = (
    "return_delivery_not_invoiced",
    N_(
        "%(sku)s : seules %(invoiced)s unité(s) livrée(s) sur %(delivery)s ont été facturées et restent à créditer. Facturez la livraison (en levant le blocage si besoin) ou choisissez un remplacement."
    ),
)
REPLACEMENT_NOT_APPLICABLE = (
    "return_replacement_not_applicable",
    N_("Un remplacement ne s'applique pas au motif « %(reason)s » : rien n'est manquant ni à renvoyer."),
)
CREDIT_EXCEEDS_LINE_VALUE = (
    "return_credit_exceeds_line_value",
    N_(
        "%(sku)s : %(qty)s unité(s) du dossier ne valent plus que %(worth)s HT, réductions de prix déjà accordées déduites : l'avoir ne peut pas dépasser cette valeur."
    ),
)
SURPLUS_BACK_TO_STOCK_ONLY = (
    "return_surplus_back_to_stock_only",
    N_(
        "%(sku)s : un excédent n'a jamais quitté le stock comptable ; à son retour il ne peut qu'être remis en stock."
    ),
)
REINVOICE_EXCEEDS_CASE = (
    "return_reinvoice_exceeds_case",
    N_("%(sku)s : il ne reste que %(left)s unité(s) du dossier à refacturer."),
)
PRICE_NOT_POSITIVE = ("return_price_not_positive", N_("Le prix unitaire doit être strictement positif."))
AMOUNT_NOT_POSITIVE = (
    "return_amount_not_positive",
    N_("Le montant à créditer doit être strictement positif."),
)
LINES_OR_AMOUNT = (
    "return_lines_or_amount",
    N_("Indiquez soit les lignes à créditer, soit un montant global, pas les deux."),
)
AMOUNT_EXCEEDS_CASE = (
    "return_amount_exceeds_case",
    N_(
        "Le montant demandé (%(amount)s) dépasse la valeur restant à régler sur le dossier %(number)s (%(left)s)."
    ),
)
NOT_BLOCKING = (
    "return_not_blocking",
    N_("Le dossier %(number)s ne bloque pas la facturation de %(delivery)s : il n'y a rien à lever."),
)
INVOICING_BLOCKED = (
    "delivery_invoicing_blocked",
    N_(
        "La facturation de %(number)s est bloquée : %(reason)s. Résolvez le dossier ou faites lever le blocage par la comptabilité."
    ),
)
ATTACHMENT_TOO_LARGE = (
    "return_attachment_too_large",
    N_("Le fichier %(name)s dépasse %(limit)s Mo : envoyez une version plus légère."),
)
ATTACHMENT_TYPE = (
    "return_attachment_type",
    N_(
        "Le fichier %(name)s n'est pas d'un type accepté : joignez une photo (JPEG, PNG, WebP, HEIC), un PDF, "
        "un e-mail ou un document bureautique."
    ),
)
TOO_MANY_ATTACHMENTS = (
    "return_too_many_attachments",
    N_("Un dossier garde au plus %(limit)s pièces jointes."),
)
CASE_REFUSED = (
    "return_case_refused",
    N_(
        "Le dossier %(number)s a été refusé : ce qu'il n'avait pas réglé a été libéré pour d'autres dossiers. Ouvrez un nouveau dossier pour un nouvel avoir, remplacement ou retour."
    ),
)
CASE_CLOSED = ("return_case_closed", N_("Le dossier %(number)s est clos : il ne peut plus être modifié."))
INVALID_POLICY = ("return_invalid_policy", N_("Règle de retour invalide : %(field)s."))

from django.utils.translation import gettext_noop as N_

NOT_STOCKED = ("product_not_stocked", N_("%(sku)s est un service : il ne se stocke pas et ne se livre pas."))
QUANTITY_NOT_POSITIVE = (
    "quantity_not_positive",
    N_("La quantité doit être strictement positive (reçu : %(value)s)."),
)
COST_NEGATIVE = ("cost_negative", N_("Le coût unitaire ne peut pas être négatif."))
NO_LINES = ("no_lines", N_("Ajoutez au moins une ligne."))
ORDER_NOT_CONFIRMED = (
    "order_not_confirmed",
    N_("La commande %(number)s n'est pas confirmée : confirmez-la avant de la livrer."),
)
LINE_NOT_IN_ORDER = ("line_not_in_order", N_("Cette ligne n'appartient pas à la commande %(number)s."))
EXCEEDS_REMAINING = (
    "delivery_exceeds_ordered",
    N_("%(sku)s : vous livrez %(qty)s alors qu'il reste %(remaining)s à livrer sur la commande %(number)s."),
)
EXCEEDS_STOCK = (
    "insufficient_stock",
    N_("%(sku)s : vous livrez %(qty)s alors qu'il n'y a que %(on_hand)s en stock."),
)
NOTHING_TO_DELIVER = ("nothing_to_deliver", N_("Il ne reste rien à livrer sur la commande %(number)s."))
INVALID_NUMBER = ("invalid_number", N_("« %(value)s » n'est pas un nombre valide."))
DELIVERY_NOT_EDITABLE = (
    "delivery_not_editable",
    N_("Le bon %(number)s n'est plus modifiable : seuls les bons à préparer le sont."),
)
LINE_NOT_IN_DELIVERY = ("line_not_in_delivery", N_("Cette ligne n'appartient pas au bon %(number)s."))
DELIVERY_QUANTITY_UP = (
    "delivery_quantity_up",
    N_(
        "%(sku)s : le bon %(number)s prévoit %(planned)s ; on ne peut que baisser la quantité "
        "(préparez un autre bon pour le reste)."
    ),
)
DELIVERY_QUANTITY_NEGATIVE = (
    "delivery_quantity_negative",
    N_("%(sku)s : la quantité ne peut pas être négative (reçu : %(value)s)."),
)
DELIVERY_WOULD_BE_EMPTY = (
    "delivery_would_be_empty",
    N_("Le bon %(number)s doit garder au moins une ligne : pour ne rien livrer, annulez-le."),
)
LOGISTICS_NOT_SET = (
    "delivery_cancelled",
    N_("Le bon %(number)s est annulé : il n'a pas de coût logistique."),
)
LOGISTICS_NEGATIVE = (
    "logistics_negative",
    N_("Le coût transporteur et le poids ne peuvent pas être négatifs."),
)
URGENT_REASON_MISSING = (
    "urgent_reason_missing",
    N_(
        "Indiquez pourquoi l'urgence est absorbée (par exemple : « client stratégique, panne en production »)."
    ),
)

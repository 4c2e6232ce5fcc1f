from django.utils.translation import gettext_noop as N_

NO_LINES = ("no_lines", N_("Ajoutez au moins une ligne."))
QUANTITY_NOT_POSITIVE = ("quantity_not_positive", N_("La quantité de la ligne %(position)s doit être strictement positive (reçu : %(value)s)."))
PRICE_NEGATIVE = ("price_negative", N_("Le prix unitaire de la ligne %(position)s ne peut pas être négatif."))
DISCOUNT_OUT_OF_RANGE = ("discount_out_of_range", N_("La remise de la ligne %(position)s doit être comprise entre 0 et 100 %%."))
NOT_EDITABLE = ("document_not_editable", N_("%(document)s n'est plus modifiable : seuls les brouillons le sont."))
INACTIVE_CUSTOMER = ("inactive_customer", N_("Le client %(customer)s est archivé : réactivez-le avant de lui vendre."))
QUOTE_EXPIRED = ("quote_expired", N_("Le devis %(number)s a expiré le %(date)s : établissez un nouveau devis."))
ORDER_HAS_DELIVERIES = ("order_has_deliveries", N_("La commande %(number)s a déjà des livraisons expédiées : elle ne peut plus être annulée."))
ORDER_HAS_INVOICES = ("order_has_invoices", N_("La commande %(number)s a déjà des factures : elle ne peut plus être annulée."))
INVALID_NUMBER = ("invalid_number", N_("« %(value)s » n'est pas un nombre valide (ligne %(position)s)."))

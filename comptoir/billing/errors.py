from django.utils.translation import gettext_noop as N_

NOTHING_TO_INVOICE = ("nothing_to_invoice", N_("Rien à facturer sur la commande %(number)s : aucune quantité livrée non facturée."))
ORDER_NOT_CONFIRMED = ("order_not_confirmed", N_("La commande %(number)s n'est pas confirmée."))
NO_LINES = ("invoice_without_lines", N_("Une facture doit comporter au moins une ligne."))
NOT_DRAFT = ("invoice_not_draft", N_("La facture %(number)s est émise : elle ne peut plus être modifiée. Établissez un avoir pour la corriger."))
DATE_BEFORE_LAST = ("invoice_date_before_last", N_("La date %(date)s est antérieure à la dernière facture émise de la série (%(last)s) : la numérotation doit rester chronologique."))
DATE_IN_FUTURE = ("invoice_date_in_future", N_("Une facture ne peut pas être datée dans le futur (%(date)s)."))
TOTAL_NEGATIVE = ("invoice_total_negative", N_("Le total d'une facture ne peut pas être négatif : établissez un avoir."))
BUYER_SIREN_MISSING = ("buyer_siren_missing", N_("Le client %(customer)s n'a pas de SIREN : il est obligatoire sur une facture entre entreprises françaises. Complétez sa fiche."))
BUYER_VAT_MISSING = ("buyer_vat_number_missing", N_("Le client %(customer)s n'a pas de numéro de TVA intracommunautaire : il est obligatoire pour une autoliquidation ou une livraison intracommunautaire."))
COMPANY_MISSING = ("company_missing", N_("La société n'est pas paramétrée : renseignez raison sociale, SIREN et adresse avant d'émettre une facture."))

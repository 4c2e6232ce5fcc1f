from django.utils.translation import gettext_noop as N_

SKU_REQUIRED = ("sku_required", N_("Indiquez la référence du produit."))
DUPLICATE_SKU = ("duplicate_sku", N_("La référence « %(value)s » existe déjà."))
INVALID_EAN = ("invalid_ean", N_("Le code EAN « %(value)s » n'est pas valide (clé de contrôle incorrecte)."))
INVALID_VAT_RATE = (
    "invalid_vat_rate",
    N_("Le taux de TVA %(value)s %% n'existe pas en France (20, 10, 5,5, 2,1 ou 0 %%)."),
)
NEGATIVE_PRICE = ("negative_price", N_("Le prix et le coût ne peuvent pas être négatifs."))
NAME_REQUIRED = ("product_name_required", N_("Indiquez la désignation du produit."))
UNKNOWN_PRODUCT = ("unknown_product", N_("Le produit « %(value)s » n'existe pas."))
INACTIVE_PRODUCT = (
    "inactive_product",
    N_("Le produit %(sku)s n'est plus actif : il ne peut plus être vendu."),
)
EXEMPT_WITH_RATE = ("exempt_product_with_vat_rate", N_("Un produit exonéré de TVA doit avoir le taux 0 %%."))
VAT_RATE_FROM_FUTURE = (
    "vat_rate_from_in_future",
    N_(
        "Le nouveau taux de TVA ne peut pas s'appliquer à partir du %(date)s, une date future : "
        "changez-le le jour où il entre en vigueur."
    ),
)
VAT_RATE_FROM_BEFORE_LAST_CHANGE = (
    "vat_rate_from_before_last_change",
    N_(
        "Le taux de TVA de %(sku)s a déjà changé le %(since)s : un nouveau taux ne peut s'appliquer "
        "qu'à partir de cette date (%(date)s demandé). Pour corriger la fiche, cochez « correction »."
    ),
)
ZERO_RATE_NEEDS_EXEMPTION = (
    "zero_rate_needs_exemption_reason",
    N_(
        "Un produit à %(rate)s %% de TVA est exonéré : indiquez le motif légal de l'exonération (par exemple « Exonération de TVA, article 261-4-4° du CGI ») et, si vous le connaissez, son code VATEX. La France n'applique pas de taux zéro aux ventes sur son territoire."
    ),
)
INVALID_CUSTOMS_CODE = (
    "invalid_customs_code",
    N_(
        "La nomenclature douanière « %(value)s » doit compter 8 chiffres (code NC8 de la nomenclature combinée)."
    ),
)
INVALID_NET_MASS = (
    "invalid_net_mass",
    N_("La masse nette « %(value)s » doit être un nombre de kilogrammes positif."),
)
INVALID_ORIGIN_COUNTRY = (
    "invalid_origin_country",
    N_("Le pays d'origine « %(value)s » doit être un code pays à deux lettres (FR, DE, CN…)."),
)

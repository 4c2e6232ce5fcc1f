"""Stable codes and French messages of the imports: the file as a whole, then each cell of a row."""

from django.utils.translation import gettext_noop as N_

UNKNOWN_KIND = (
    "import_unknown_kind",
    N_(
        "Type d'import inconnu « %(value)s » (clients, fournisseurs, produits, listes de prix, stock, factures clients ou fournisseurs ouvertes, soldes d'ouverture)."
    ),
)
UNKNOWN_PRESET = (
    "import_unknown_preset",
    N_("Format inconnu « %(value)s » (comptoir, dolibarr, odoo ou fec)."),
)
PRESET_WITHOUT_KIND = (
    "import_preset_without_kind",
    N_("Le format « %(preset)s » ne prévoit pas l'import de ce type de données."),
)
EMPTY_FILE = ("import_empty_file", N_("Le fichier est vide."))
UNREADABLE = (
    "import_unreadable_file",
    N_(
        "Le fichier « %(name)s » ne peut pas être lu : envoyez un CSV (UTF-8 ou Windows-1252) ou un classeur XLSX."
    ),
)
MISSING_COLUMNS = (
    "import_missing_columns",
    N_(
        "Colonnes obligatoires absentes : %(columns)s. Vérifiez la ligne d'en-tête ou choisissez le format "
        "de l'outil qui a produit le fichier (colonnes trouvées : %(found)s)."
    ),
)
NO_ROWS = ("import_no_rows", N_("Le fichier ne contient aucune ligne de données sous l'en-tête."))
ALREADY_IMPORTED = ("import_already_done", N_("Ce fichier a déjà été importé."))
JOB_FAILED = (
    "import_job_failed",
    N_(
        "Le traitement du fichier s'est arrêté sur une erreur (%(error)s) : rien n'a été enregistré. Réessayez, ou signalez-le à l'administrateur."
    ),
)
JOB_RUNNING = (
    "import_job_running",
    N_(
        "« %(file)s » est déjà en cours de traitement : attendez la fin pour le tester ou l'importer à nouveau."
    ),
)
STOCK_REFUSED = ("import_stock_refused", N_("Le stock de départ n'a pas pu être réceptionné : %(reason)s"))

# One cell of one row.
REQUIRED = ("import_value_required", N_("Valeur obligatoire."))
NOT_A_NUMBER = ("import_not_a_number", N_("« %(value)s » n'est pas un nombre (exemple : 1 234,56)."))
NOT_AN_INTEGER = ("import_not_an_integer", N_("« %(value)s » n'est pas un nombre entier de jours."))
NOT_A_DATE = ("import_not_a_date", N_("« %(value)s » n'est pas une date (31/12/2025 ou 2025-12-31)."))
NOT_A_BOOLEAN = ("import_not_a_boolean", N_("« %(value)s » n'est ni oui ni non."))
UNKNOWN_COUNTRY = (
    "import_unknown_country",
    N_("Pays « %(value)s » inconnu : indiquez son code ISO à deux lettres (FR, BE, DE…)."),
)
UNKNOWN_PRODUCT_KIND = ("import_unknown_product_kind", N_("Type « %(value)s » inconnu : bien ou service."))
TOO_LONG = ("import_value_too_long", N_("« %(value)s » dépasse %(max)s caractères."))
DUPLICATE_KEY = (
    "import_duplicate_key",
    N_("« %(value)s » figure déjà à la ligne %(first)s du fichier : une seule ligne par identifiant."),
)
UNKNOWN_PRODUCT = (
    "import_unknown_product",
    N_("Aucun produit de référence « %(value)s » : importez d'abord les produits."),
)
OPENING_STOCK_DIFFERS = (
    "import_opening_stock_exists",
    N_(
        "Le stock de départ de %(sku)s a déjà été importé (%(quantity)s au coût de %(cost)s) : corrigez-le "
        "par un mouvement de stock, pas par un nouvel import."
    ),
)
ROW_NOT_SAVED = (
    "import_row_not_saved",
    N_("La ligne n'a pas pu être enregistrée (valeur hors limites) : vérifiez les nombres et longueurs."),
)
UNKNOWN_CUSTOMER = (
    "import_unknown_customer",
    N_("Aucun client de code « %(value)s » : importez d'abord les clients."),
)
UNKNOWN_GROUP = (
    "import_unknown_group",
    N_("Aucun groupe de clients « %(value)s » : créez-le d'abord (Listes de prix › Groupes)."),
)
PRICE_LIST_TARGET_DIFFERS = (
    "import_price_list_target_differs",
    N_(
        "La liste « %(name)s » s'applique à %(target)s : une liste ne change pas de client ou de groupe par un import."
    ),
)
PRICE_LIST_DATES_DIFFER = (
    "import_price_list_dates_differ",
    N_(
        "La ligne %(first)s donne à la liste « %(name)s » la validité %(validity)s : toutes ses lignes ont la même validité."
    ),
)
PRICE_LIST_OVERLAP = (
    "import_price_list_overlap",
    N_(
        "La liste « %(other)s » (%(validity)s) donne déjà un prix à %(sku)s à partir de %(quantity)s pour %(target)s sur une période qui chevauche celle-ci : réduisez l'une des deux validités."
    ),
)

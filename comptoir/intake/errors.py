"""Stable codes and French messages of intake: refusals (DomainError), the reasons a document is
quarantined, and the checks shown on the review screen."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as N_

EMPTY_FILE = ("intake_empty_file", N_("Le fichier « %(name)s » est vide : rien à lire."))
TOO_LARGE = (
    "intake_file_too_large",
    N_("Le fichier « %(name)s » dépasse %(limit)s : envoyez-le en plusieurs parties ou en PDF compressé."),
)
NO_FILE = ("intake_no_file", N_("Choisissez au moins un fichier à déposer."))
NOT_IN_REVIEW = (
    "intake_not_in_review",
    N_("Le document %(document)s n'est pas à vérifier (état « %(status)s ») : rien à accepter."),
)
CUSTOMER_REQUIRED = (
    "intake_customer_required",
    N_("Indiquez le client de la commande %(document)s : il n'a pas été reconnu dans le document."),
)
PRODUCT_REQUIRED = (
    "intake_product_required",
    N_("Ligne %(position)s : choisissez le produit (« %(description)s » n'a pas été reconnu)."),
)
REASON_REQUIRED = ("intake_reason_required", N_("Indiquez le motif du rejet."))
NO_LINES = ("intake_no_lines", N_("Aucune ligne à commander : gardez au moins une ligne avec une quantité."))
UNKNOWN_LINE = ("intake_unknown_line", N_("La ligne %(line)s n'appartient pas à ce document."))

# Why a document is quarantined (reason_code → message). Parameters in reason_params.
REASONS = {
    "image_not_supported": N_(
        "Image reçue : lecture d'images pas encore disponible. Le fichier est conservé ; saisissez la "
        "commande à la main ou rejetez le document."
    ),
    "pdf_not_supported": N_(
        "PDF sans données structurées (pas de Factur-X ni d'Order-X intégré) : lecture des PDF pas encore "
        "disponible. Le fichier est conservé."
    ),
    "ocr_pending": N_(
        "Image ou document scanné : lecture (OCR) en cours en arrière-plan, il sera à vérifier dans un "
        "instant."
    ),
    "image_unreadable": N_("Image illisible ou endommagée : le fichier est conservé."),
    "ocr_no_text": N_(
        "Aucun texte lisible sur l'image ou le scan (photo floue, page blanche ou pas un document) : le "
        "fichier est conservé."
    ),
    "pdf_unreadable": N_("PDF illisible, chiffré ou protégé par un mot de passe : le fichier est conservé."),
    "email_not_supported": N_("Message électronique reçu : lecture des e-mails pas encore disponible."),
    "email_no_order": N_(
        "Message sans commande lisible : ni pièce jointe, ni lignes de commande (quantité et référence ou "
        "désignation) dans son texte. Le message est conservé ; saisissez la commande ou rejetez-le."
    ),
    "unknown_type": N_(
        "Type de fichier non reconnu : ni Order-X, ni UBL, ni EDIFACT ORDERS, ni Factur-X, ni tableur de "
        "commande."
    ),
    "xml_dtd": N_(
        "XML refusé : il déclare une DTD ou des entités (risque XXE ou « billion laughs »). Il n'a pas été lu."
    ),
    "xml_invalid": N_("XML mal formé : le fichier n'a pas pu être lu (%(detail)s)."),
    "corrupt_archive": N_("Archive ZIP ou classeur XLSX endommagé : le fichier n'a pas pu être ouvert."),
    "archive_bomb": N_(
        "Archive ZIP ou classeur XLSX suspect : décompressé, il dépasserait de loin sa taille (bombe de "
        "décompression). Il n'a pas été ouvert."
    ),
    "sheet_unreadable": N_("Tableur illisible : le fichier n'a pas pu être lu."),
    "sheet_no_header": N_(
        "Tableur sans ligne d'en-tête reconnue : il faut au moins une colonne « Quantité » et une colonne "
        "« Référence », « EAN » ou « Désignation »."
    ),
    "edifact_invalid": N_("Message EDIFACT illisible : %(detail)s."),
    "unreadable": N_("Le fichier n'a pas pu être lu (%(detail)s) : il est conservé."),
    "no_lines": N_("Aucune ligne de commande trouvée dans le document."),
    "invoice_received": N_(
        "Facture reçue, pas une commande : elle est lue et conservée pour le traitement des achats."
    ),
    "duplicate_po": N_("Commande %(po)s déjà reçue de ce client (%(previous)s) : doublon probable."),
}

# Checks at intake: code → (severity, message). Severity « error » blocks nothing by itself (a person
# decides) but is listed first.
CHECKS = {
    "customer_unknown": ("error", N_("Client non reconnu : choisissez-le avant d'accepter.")),
    "customer_inactive": ("error", N_("Le client %(customer)s est désactivé (bloqué).")),
    "product_unknown": ("error", N_("Ligne %(position)s : produit non reconnu (« %(description)s »).")),
    "price_differs": (
        "warning",
        N_("Ligne %(position)s : prix demandé %(asked)s, notre prix %(ours)s (%(basis)s)."),
    ),
    "quantity_unusual": (
        "warning",
        N_(
            "Ligne %(position)s : quantité %(quantity)s inhabituelle pour ce client (d'habitude au plus %(usual)s)."
        ),
    ),
    "stock_short": (
        "warning",
        N_(
            "Ligne %(position)s : %(available)s disponible(s) pour %(quantity)s demandé(s) le %(date)s "
            "(%(incoming)s attendu(s) en réception)."
        ),
    ),
    "duplicate_po": ("error", N_("Commande %(po)s déjà reçue de ce client (%(previous)s).")),
    "quantity_missing": ("error", N_("Ligne %(position)s : quantité absente ou illisible.")),
}
PRICE_BASES = {"price": N_("prix catalogue"), "last_order": N_("dernière commande")}


def reason_text(code: str, params: dict | None = None) -> str:
    template = REASONS.get(code)
    if not template:
        return ""
    text = _(template)
    return text % (params or {}) if params else text.replace("%%", "%")


def check_text(check: dict) -> str:
    _severity, template = CHECKS.get(check.get("code"), ("", ""))
    if not template:
        return ""
    params = dict(check.get("params") or {})
    if "basis" in params:
        params["basis"] = _(PRICE_BASES.get(params["basis"], params["basis"]))
    return _(template) % params if params else _(template)

"""The French PCG accounts and journals the flow needs (seeded by a data migration, editable)."""

ACCOUNTS = [
    # code, name, reconcilable
    ("101", "Capital", False),
    ("120", "Résultat de l'exercice (bénéfice)", False),
    ("129", "Résultat de l'exercice (perte)", False),
    ("281", "Amortissements des immobilisations corporelles", False),
    ("370", "Stocks de marchandises", False),
    ("401", "Fournisseurs", True),
    ("411", "Clients", True),
    ("4191", "Clients – avances et acomptes reçus sur commandes", True),
    ("44566", "TVA déductible sur autres biens et services", False),
    ("44551", "TVA à décaisser", False),
    ("44567", "Crédit de TVA à reporter", False),
    ("44571", "TVA collectée", False),
    ("44574", "TVA collectée en attente (encaissements)", False),
    ("471", "Compte d'attente", False),
    ("512", "Banque", False),
    ("530", "Caisse", False),
    ("603", "Variation des stocks de marchandises", False),
    ("607", "Achats de marchandises", False),
    ("613", "Locations", False),
    ("658", "Charges diverses de gestion courante", False),
    ("665", "Escomptes accordés", False),
    ("671", "Charges exceptionnelles sur opérations de gestion", False),
    ("681", "Dotations aux amortissements et provisions", False),
    ("706", "Prestations de services", False),
    ("707", "Ventes de marchandises", False),
    ("7085", "Ports et frais accessoires facturés", False),
    ("709", "Rabais, remises et ristournes accordés", False),
    ("758", "Produits divers de gestion courante", False),
]

JOURNALS = [
    ("VE", "Ventes"),
    ("AC", "Achats"),
    ("BQ", "Banque"),
    ("OD", "Opérations diverses"),
    # Written by the year-end closing only (accounting.closing): the opening entries of a year (à-nouveaux,
    # first in its FEC) and the entry that carries the result of classes 6 and 7 to 120/129, which the
    # FEC leaves out (A47 A-1: classes 6 and 7 must still give the result).
    ("AN", "À-nouveaux"),
    ("CL", "Clôture de l'exercice"),
]

# Journals that belong to documents (invoices post VE, payments BQ) or to the year-end closing: a manual
# entry never goes there, so each stays the image of its documents.
RESERVED_JOURNALS = frozenset({"VE", "BQ", "AN", "CL"})
OPENING_JOURNAL = "AN"
CLOSING_JOURNAL = "CL"
PROFIT = "120"
LOSS = "129"
SUPPLIERS = "401"
VAT_TO_PAY = "44551"
VAT_CREDIT = "44567"
SUSPENSE_PREFIXES = ("471", "472", "473", "474", "475")

CUSTOMERS = "411"
SALES_GOODS = "707"
SALES_SERVICES = "706"
VAT_COLLECTED = "44571"
VAT_PENDING = "44574"
VAT_DEDUCTIBLE = "44566"
CUSTOMER_DEPOSITS = "4191"
DISCOUNTS_GRANTED = "709"
CHARGES_INVOICED = "7085"
EARLY_PAYMENT_DISCOUNTS = "665"
# Small payment gaps written off (payments.writing_off): a shortfall is a charge, an excess a product.
WRITE_OFF_LOSS = "658"
WRITE_OFF_GAIN = "758"
BANK = "512"
CASH = "530"


def ensure_seeded() -> None:
    """Create the accounts and journals above when missing (idempotent). The data migration does this
    once; tests that flush the database (transactional tests on PostgreSQL) call it again."""
    from comptoir.accounting.models import Account, Journal

    for code, name, reconcilable in ACCOUNTS:
        Account.objects.get_or_create(code=code, defaults={"name": name, "reconcilable": reconcilable})
    for code, name in JOURNALS:
        Journal.objects.get_or_create(code=code, defaults={"name": name})

"""What each kind of import reads, and the column names of the files it knows (presets).

No Django here. A preset maps each field to the column names that carry it in one tool's export; a
file's columns are matched by `reading.normalize`d name, so case, accents, spaces and the « * » Dolibarr
puts on required columns do not matter. The generic Comptoir preset also accepts the field codes.

Where the names come from:
- Dolibarr: the export datasets of its modules, `export_fields_array` in
  htdocs/core/modules/modSociete.class.php (third parties: "Name", "CustomerCode", "ProfId1" (SIREN),
  "ProfId2" (SIRET), "VATIntraShort", "Address", "Zip", "Town", "CountryCode", "Phone", "Email",
  "PaymentConditions") and modProduct.class.php (products: "Ref", "Label", "UnitPriceHT", "VATRate",
  "CostPrice", "BarCode"); the CSV export writes these labels translated (French: « Nom », « Code
  client », « Réf. », « Libellé », « Prix unitaire HT », « Taux TVA »…) and the import assistant uses the
  table codes (s.nom, s.code_client, p.ref…): all three spellings are accepted.
- Odoo: the fields of res.partner (name, ref, vat, company_registry, email, phone, street, street2, zip,
  city, country_id, property_payment_term_id) and product.template (default_code, name, barcode, uom_id,
  list_price, standard_price, taxes_id, type) as written by « Export » with « I want to update data
  (import-compatible export) » (technical names), or their English labels without it (« Internal
  Reference », « Sales Price », « Cost », « Customer Taxes »…).
"""

from dataclasses import dataclass, field

from comptoir.imports.reading import normalize


def N_(text: str) -> str:
    """Marks a label for translation (gettext_noop) without importing Django."""
    return text


CUSTOMERS, PRODUCTS, STOCK = "customers", "products", "stock"
OPEN_INVOICES, OPENING_BALANCES = "open_invoices", "opening_balances"
SUPPLIERS, PRICE_LISTS, SUPPLIER_INVOICES = "suppliers", "price_lists", "supplier_invoices"
KINDS = (
    CUSTOMERS,
    SUPPLIERS,
    PRODUCTS,
    PRICE_LISTS,
    STOCK,
    OPEN_INVOICES,
    SUPPLIER_INVOICES,
    OPENING_BALANCES,
)


@dataclass(frozen=True)
class Column:
    field: str
    title: str  # the column of the Comptoir template (French)
    kind: str = "text"  # text, decimal, date, bool, vat, terms, country
    required: bool = False
    example: str = ""


COLUMNS: dict[str, tuple[Column, ...]] = {
    CUSTOMERS: (
        Column("code", "Code client", required=True, example="C-0042"),
        Column("name", "Raison sociale", required=True, example="Boulangerie Martin SARL"),
        Column("siren", "SIREN", example="732829320"),
        Column("siret", "SIRET", example="73282932000074"),
        Column("vat_number", "N° TVA intracommunautaire", example="FR44732829320"),
        Column("street", "Adresse", example="12 rue des Lilas"),
        Column("street2", "Complément d'adresse"),
        Column("postal_code", "Code postal", example="69003"),
        Column("city", "Ville", example="Lyon"),
        Column("country", "Pays", kind="country", example="FR"),
        Column("email", "E-mail", example="compta@martin.fr"),
        Column("phone", "Téléphone", example="04 72 00 00 00"),
        Column("payment_days", "Délai de paiement (jours)", kind="terms", example="30"),
        Column("payment_end_of_month", "Fin de mois", kind="bool", example="non"),
        Column("contact_name", "Contact", example="Claire Martin"),
        Column("contact_job_title", "Fonction du contact", example="Comptable"),
        Column("contact_email", "E-mail du contact", example="claire@martin.fr"),
        Column("contact_phone", "Téléphone du contact"),
    ),
    SUPPLIERS: (
        Column("code", "Code fournisseur", required=True, example="F-0007"),
        Column("name", "Raison sociale", required=True, example="Visserie Dupont SAS"),
        Column("siren", "SIREN", example="542107651"),
        Column("siret", "SIRET", example="54210765100011"),
        Column("vat_number", "N° TVA intracommunautaire", example="FR13542107651"),
        Column("iban", "IBAN", example="FR76 3000 6000 0112 3456 7890 189"),
        Column("bic", "BIC", example="AGRIFRPP"),
        Column("street", "Adresse", example="4 avenue de l'Industrie"),
        Column("street2", "Complément d'adresse"),
        Column("postal_code", "Code postal", example="42000"),
        Column("city", "Ville", example="Saint-Étienne"),
        Column("country", "Pays", kind="country", example="FR"),
        Column("email", "E-mail", example="compta@dupont-visserie.fr"),
        Column("phone", "Téléphone", example="04 77 00 00 00"),
        Column("payment_days", "Délai de paiement (jours)", kind="terms", example="45"),
        Column("payment_end_of_month", "Fin de mois", kind="bool", example="oui"),
        Column("account", "Compte auxiliaire", example="401DUPONT"),
    ),
    PRODUCTS: (
        Column("sku", "Référence", required=True, example="VIS-6X40"),
        Column("name", "Désignation", required=True, example="Vis inox 6 x 40 (boîte de 100)"),
        Column("ean", "EAN", example="3017620422003"),
        Column("unit", "Unité", example="boîte"),
        Column("kind", "Type", example="bien"),
        Column("sale_price", "Prix de vente HT", kind="decimal", required=True, example="12,50"),
        Column("purchase_cost", "Coût d'achat", kind="decimal", example="7,20"),
        Column("vat_rate", "Taux de TVA", kind="vat", example="20"),
        Column("vat_exemption_reason", "Motif d'exonération de TVA"),
        Column("customs_code", "Nomenclature NC8", example="84672151"),
        Column("net_mass_kg", "Masse nette (kg)", kind="decimal", example="1,6"),
        Column("origin_country", "Pays d'origine", kind="country", example="DE"),
    ),
    STOCK: (
        Column("sku", "Référence", required=True, example="VIS-6X40"),
        Column("quantity", "Quantité", kind="decimal", required=True, example="150"),
        Column("unit_cost", "Coût unitaire", kind="decimal", example="7,20"),
        Column("date", "Date", kind="date", example=""),
    ),
    PRICE_LISTS: (
        Column("price_list", "Liste de prix", required=True, example="Tarif installateurs 2026"),
        Column("customer", "Code client", example=""),
        Column("group", "Groupe de clients", example="INSTALL"),
        Column("sku", "Référence", required=True, example="VIS-6X40"),
        Column("min_quantity", "À partir de (quantité)", kind="decimal", example="10"),
        Column("price", "Prix HT", kind="decimal", example="11,20"),
        Column("percent_off", "Remise (%)", kind="decimal", example=""),
        Column("valid_from", "Valable du", kind="date", example="01/01/2026"),
        Column("valid_until", "Valable jusqu'au", kind="date", example="31/12/2026"),
    ),
    SUPPLIER_INVOICES: (
        Column("number", "N° de facture", required=True, example="DUP-25-1187"),
        Column("supplier", "Code fournisseur", required=True, example="F-0007"),
        Column("date", "Date de facture", kind="date", required=True, example="20/11/2025"),
        Column("due_date", "Échéance", kind="date", example="31/12/2025"),
        Column("total", "Montant TTC", kind="decimal", example="2 160,00"),
        Column("amount", "Reste à payer", kind="decimal", required=True, example="2 160,00"),
    ),
    OPEN_INVOICES: (
        Column("number", "N° de facture", required=True, example="FA2025-0412"),
        Column("customer", "Code client", required=True, example="C-0042"),
        Column("date", "Date de facture", kind="date", required=True, example="15/11/2025"),
        Column("due_date", "Échéance", kind="date", example="15/12/2025"),
        Column("total", "Montant TTC", kind="decimal", example="1 440,00"),
        Column("amount", "Reste à payer", kind="decimal", required=True, example="1 440,00"),
    ),
    OPENING_BALANCES: (
        Column("account", "Compte", required=True, example="411000"),
        Column("account_name", "Libellé du compte", example="Clients"),
        Column("partner", "Compte auxiliaire", example="C-0042"),
        Column("reference", "Pièce", example="FA2025-0412"),
        Column("date", "Date de pièce", kind="date", example="15/11/2025"),
        Column("label", "Libellé", example="Facture FA2025-0412"),
        Column("debit", "Débit", kind="decimal", example="1 440,00"),
        Column("credit", "Crédit", kind="decimal", example=""),
        Column("balance", "Solde", kind="decimal", example=""),
        Column("lettering", "Lettrage", example=""),
    ),
}

# The field that identifies a row. The opening balances have none: the lines of a balance or a FEC are
# summed (per account, per open item), not matched one by one (`imports.opening`).
# Price list lines and supplier invoices are identified by several fields (`key_of` of their rows, in
# `imports.price_lists` and `imports.opening`): the field named here is the column a duplicate points at.
KEY_FIELD = {
    CUSTOMERS: "code",
    SUPPLIERS: "code",
    PRODUCTS: "sku",
    PRICE_LISTS: "sku",
    STOCK: "sku",
    OPEN_INVOICES: "number",
    SUPPLIER_INVOICES: "number",
}


@dataclass(frozen=True)
class Preset:
    name: str
    label: str
    names: dict[str, dict[str, tuple[str, ...]]] = field(default_factory=dict)  # kind → field → columns

    def kinds(self) -> tuple[str, ...]:
        return tuple(self.names)


def _comptoir_names() -> dict[str, dict[str, tuple[str, ...]]]:
    return {kind: {c.field: (c.title, c.field) for c in columns} for kind, columns in COLUMNS.items()}


PRESETS: dict[str, Preset] = {
    "comptoir": Preset("comptoir", N_("Modèle Comptoir"), _comptoir_names()),
    "dolibarr": Preset(
        "dolibarr",
        N_("Export Dolibarr"),
        {
            CUSTOMERS: {
                "code": ("CustomerCode", "Code client", "s.code_client"),
                "name": ("Name", "Nom", "Nom tiers", "ThirdPartyName", "s.nom"),
                "siren": ("ProfId1", "Id. prof. 1", "Id. prof. 1 (SIREN)", "ProfId1FR", "s.siren"),
                "siret": ("ProfId2", "Id. prof. 2", "Id. prof. 2 (SIRET)", "ProfId2FR", "s.siret"),
                "vat_number": ("VATIntraShort", "Numéro de TVA", "N° TVA", "s.tva_intra"),
                "street": ("Address", "Adresse", "s.address"),
                "postal_code": ("Zip", "Code postal", "s.zip"),
                "city": ("Town", "Ville", "s.town"),
                "country": ("CountryCode", "Code pays", "c.code", "s.fk_pays"),
                "email": ("Email", "EMail", "s.email"),
                "phone": ("Phone", "Téléphone", "s.phone"),
                "payment_days": ("PaymentConditions", "Conditions de règlement", "payterm.libelle"),
            },
            # The third parties export filtered on suppliers (modSociete: "SupplierCode", the supplier's
            # accounting code "SupplierAccountancyCode"), with the bank account of modBanque's export.
            SUPPLIERS: {
                "code": ("SupplierCode", "Code fournisseur", "s.code_fournisseur"),
                "name": ("Name", "Nom", "Nom tiers", "ThirdPartyName", "s.nom"),
                "siren": ("ProfId1", "Id. prof. 1", "Id. prof. 1 (SIREN)", "ProfId1FR", "s.siren"),
                "siret": ("ProfId2", "Id. prof. 2", "Id. prof. 2 (SIRET)", "ProfId2FR", "s.siret"),
                "vat_number": ("VATIntraShort", "Numéro de TVA", "N° TVA", "s.tva_intra"),
                "iban": ("IBAN", "iban_prefix", "sr.iban_prefix"),
                "bic": ("BIC", "sr.bic"),
                "street": ("Address", "Adresse", "s.address"),
                "postal_code": ("Zip", "Code postal", "s.zip"),
                "city": ("Town", "Ville", "s.town"),
                "country": ("CountryCode", "Code pays", "c.code", "s.fk_pays"),
                "email": ("Email", "EMail", "s.email"),
                "phone": ("Phone", "Téléphone", "s.phone"),
                "payment_days": (
                    "SupplierPaymentConditions",
                    "Conditions de règlement fournisseur",
                    "PaymentConditions",
                    "Conditions de règlement",
                ),
                "account": (
                    "SupplierAccountancyCode",
                    "Compte comptable fournisseur",
                    "Code comptable fournisseur",
                    "s.code_compta_fournisseur",
                ),
            },
            # Products › Prices per customer (the export of product_customer_price).
            PRICE_LISTS: {
                "price_list": ("PriceList", "Liste de prix", "Tarif", "Niveau de prix"),
                "customer": ("CustomerCode", "Code client", "s.code_client"),
                "sku": ("ProductRef", "Réf. produit", "Ref", "Réf.", "p.ref"),
                "min_quantity": ("MinQty", "Qté min.", "Quantité minimum"),
                "price": ("PriceUnitHT", "Prix unitaire HT", "Prix HT", "pr.price"),
                "percent_off": ("Discount", "Remise", "Remise (%)", "pr.remise_percent"),
                "valid_from": ("DateStart", "Date début", "pr.date_begin"),
                "valid_until": ("DateEnd", "Date fin", "pr.date_end"),
            },
            # Facturation › Factures fournisseurs filtered on « impayées »: the supplier's own reference
            # ("RefSupplier") is the invoice's number, Dolibarr's "Ref" (SI2511-0042) when it has none.
            SUPPLIER_INVOICES: {
                "number": ("RefSupplier", "Réf. fournisseur", "f.ref_supplier", "Ref", "Réf.", "f.ref"),
                "supplier": ("SupplierCode", "Code fournisseur", "s.code_fournisseur"),
                "date": ("DateInvoice", "Date facturation", "Date facture", "f.datef"),
                "due_date": ("DateDue", "Date échéance", "Date limite règlement", "f.date_lim_reglement"),
                "total": ("AmountTTC", "Montant TTC", "f.total_ttc"),
                "amount": ("RemainderToPay", "Reste à payer", "Reste à régler"),
            },
            PRODUCTS: {
                "sku": ("Ref", "Réf.", "Réf", "p.ref"),
                "name": ("Label", "Libellé", "p.label"),
                "ean": ("BarCode", "Barcode", "Code-barres", "Code barre", "p.barcode"),
                "sale_price": (
                    "UnitPriceHT",
                    "SellingPriceHT",
                    "Prix unitaire HT",
                    "Prix de vente HT",
                    "p.price",
                ),
                "purchase_cost": ("CostPrice", "Prix de revient", "p.cost_price"),
                "vat_rate": ("VATRate", "VAT", "Taux TVA", "p.tva_tx"),
                "unit": ("Unit", "Unité", "p.fk_unit"),
            },
            STOCK: {
                "sku": ("Ref", "Réf.", "p.ref"),
                "quantity": ("Stock", "p.stock", "Qty", "Quantité"),
                "unit_cost": ("PMPValue", "PMP", "Valeur PMP", "p.pmp"),
                "date": ("Date", "DateInventory"),
            },
            # The customer invoices list (Facturation › Factures clients, filtered on « impayées »).
            OPEN_INVOICES: {
                "number": ("Ref", "Réf.", "Réf. facture", "f.ref"),
                "customer": ("CustomerCode", "Code client", "s.code_client"),
                "date": ("DateInvoice", "Date facturation", "Date facture", "f.datef"),
                "due_date": ("DateDue", "Date échéance", "Date limite règlement", "f.date_lim_reglement"),
                "total": ("AmountTTC", "Montant TTC", "f.total_ttc"),
                "amount": ("RemainderToPay", "Reste à payer", "Reste à encaisser"),
            },
            # Comptabilité › Balance (export CSV).
            OPENING_BALANCES: {
                "account": ("AccountAccounting", "Numéro de compte", "Compte", "numero_compte"),
                "account_name": ("Label", "Libellé", "Libellé du compte", "label_compte"),
                "partner": ("SubledgerAccount", "Compte auxiliaire", "subledger_account"),
                "reference": ("Piece", "Pièce", "doc_ref"),
                "date": ("Docdate", "Date", "doc_date"),
                "debit": ("Debit", "Débit", "debit"),
                "credit": ("Credit", "Crédit", "credit"),
                "balance": ("Balance", "Solde", "solde"),
                "lettering": ("LetteringCode", "Lettrage", "lettering_code"),
            },
        },
    ),
    "odoo": Preset(
        "odoo",
        N_("Export Odoo"),
        {
            CUSTOMERS: {
                "code": ("ref", "Reference", "Référence", "id", "External ID"),
                "name": ("name", "Name", "Display Name", "Nom"),
                "siren": ("company_registry", "Company ID", "Company Registry", "SIREN"),
                "siret": ("siret", "SIRET"),
                "vat_number": ("vat", "Tax ID", "N° TVA"),
                "street": ("street", "Street", "Rue"),
                "street2": ("street2", "Street2", "Rue 2"),
                "postal_code": ("zip", "Zip", "Code postal"),
                "city": ("city", "City", "Ville"),
                "country": ("country_id", "Country", "Pays", "country_id/code"),
                "email": ("email", "Email"),
                "phone": ("phone", "Phone", "Téléphone"),
                "payment_days": (
                    "property_payment_term_id",
                    "Customer Payment Terms",
                    "Conditions de paiement",
                ),
            },
            # res.partner of the vendors, with their first bank account (res.partner.bank).
            SUPPLIERS: {
                "code": ("ref", "Reference", "Référence", "id", "External ID"),
                "name": ("name", "Name", "Display Name", "Nom"),
                "siren": ("company_registry", "Company ID", "Company Registry", "SIREN"),
                "siret": ("siret", "SIRET"),
                "vat_number": ("vat", "Tax ID", "N° TVA"),
                "iban": ("bank_ids/acc_number", "Bank Accounts/Account Number", "IBAN"),
                "bic": ("bank_ids/bank_id/bic", "Bank Accounts/Bank/Bank Identifier Code", "BIC"),
                "street": ("street", "Street", "Rue"),
                "street2": ("street2", "Street2", "Rue 2"),
                "postal_code": ("zip", "Zip", "Code postal"),
                "city": ("city", "City", "Ville"),
                "country": ("country_id", "Country", "Pays", "country_id/code"),
                "email": ("email", "Email"),
                "phone": ("phone", "Phone", "Téléphone"),
                "payment_days": (
                    "property_supplier_payment_term_id",
                    "Vendor Payment Terms",
                    "Conditions de paiement fournisseur",
                ),
            },
            # product.pricelist.item (Sales › Pricelists › their rules): the list's name, the product,
            # the quantity break, a fixed price or a percentage, the dates.
            PRICE_LISTS: {
                "price_list": ("pricelist_id", "Pricelist", "Liste de prix"),
                "customer": ("partner_id/ref", "Customer Reference", "Référence client"),
                "group": ("group", "Customer Group", "Groupe de clients"),
                "sku": (
                    "product_tmpl_id/default_code",
                    "product_id/default_code",
                    "Product/Internal Reference",
                    "Internal Reference",
                ),
                "min_quantity": ("min_quantity", "Min. Quantity", "Quantité min."),
                "price": ("fixed_price", "Fixed Price", "Prix fixe"),
                "percent_off": ("percent_price", "Percentage Price", "Prix en pourcentage"),
                "valid_from": ("date_start", "Start Date", "Date de début"),
                "valid_until": ("date_end", "End Date", "Date de fin"),
            },
            # account.move of the vendor bills (« Amount Due » > 0): "ref" is the vendor's number.
            SUPPLIER_INVOICES: {
                "number": ("ref", "Bill Reference", "Référence de la facture", "name", "Number"),
                "supplier": (
                    "partner_id/ref",
                    "Partner/Reference",
                    "Vendor Reference",
                    "Référence fournisseur",
                ),
                "date": ("invoice_date", "Bill Date", "Invoice/Bill Date", "Date de facturation"),
                "due_date": ("invoice_date_due", "Due Date", "Date d'échéance"),
                # Not the *_signed amounts: a vendor bill's are negative there.
                "total": ("amount_total", "Total"),
                "amount": ("amount_residual", "Amount Due", "Montant dû"),
            },
            PRODUCTS: {
                "sku": ("default_code", "Internal Reference", "Référence interne"),
                "name": ("name", "Name", "Nom"),
                "ean": ("barcode", "Barcode", "Code-barres"),
                "unit": ("uom_id", "Unit of Measure", "Unité de mesure"),
                "kind": ("type", "detailed_type", "Product Type", "Type d'article"),
                "sale_price": ("list_price", "Sales Price", "Prix de vente"),
                "purchase_cost": ("standard_price", "Cost", "Coût"),
                "vat_rate": ("taxes_id", "Customer Taxes", "Taxes à la vente"),
            },
            STOCK: {
                "sku": ("product_id/default_code", "default_code", "Internal Reference"),
                "quantity": ("quantity", "inventory_quantity", "Quantity", "On Hand Quantity"),
                "unit_cost": ("standard_price", "Cost", "Unit Value"),
                "date": ("inventory_date", "Scheduled Date", "Date"),
            },
            # account.move (customer invoices, « Amount Due » > 0), import-compatible export or labels.
            OPEN_INVOICES: {
                "number": ("name", "Number", "Numéro"),
                "customer": ("partner_id/ref", "Partner/Reference", "Customer Reference", "Référence client"),
                "date": ("invoice_date", "Invoice/Bill Date", "Invoice Date", "Date de facturation"),
                "due_date": ("invoice_date_due", "Due Date", "Date d'échéance"),
                "total": ("amount_total", "Total", "amount_total_signed"),
                "amount": ("amount_residual", "Amount Due", "Montant dû", "amount_residual_signed"),
            },
            # Accounting › Reporting › Trial Balance, exported to XLSX: « 411100 Customers » in one column.
            OPENING_BALANCES: {
                "account": ("account_id", "Account", "Compte", "code"),
                "account_name": ("account_name", "Account Name"),
                "partner": ("partner_id/ref", "Partner Reference"),
                "debit": ("debit", "Debit", "Débit"),
                "credit": ("credit", "Credit", "Crédit"),
                "balance": ("balance", "End Balance", "Balance", "Solde de clôture", "Solde"),
            },
        },
    ),
    # The FEC (fichier des écritures comptables, article A47 A-1 of the LPF) every French accounting
    # tool writes: the lines of the closed year, summed into its closing balances.
    "fec": Preset(
        "fec",
        N_("Fichier des écritures comptables (FEC)"),
        {
            OPENING_BALANCES: {
                "account": ("CompteNum",),
                "account_name": ("CompteLib",),
                "partner": ("CompAuxNum",),
                "reference": ("PieceRef",),
                "date": ("PieceDate",),
                "label": ("EcritureLib",),
                "debit": ("Debit",),
                "credit": ("Credit",),
                "lettering": ("EcritureLet",),
            },
        },
    ),
}


def column(kind: str, name: str) -> Column:
    return next(c for c in COLUMNS[kind] if c.field == name)


def known_names(preset: Preset, kind: str) -> set[str]:
    return {normalize(name) for names in preset.names.get(kind, {}).values() for name in names}


def match_columns(preset: Preset, kind: str, header: list[str]) -> dict[str, int]:
    """field → index of its column in `header`; the first column that matches wins."""
    wanted = {}
    for name, columns in preset.names.get(kind, {}).items():
        for column_name in columns:
            wanted.setdefault(normalize(column_name), name)
    found: dict[str, int] = {}
    # A preset name listed first for a field wins over a later alias of the same field.
    priority = {name: [normalize(c) for c in columns] for name, columns in preset.names.get(kind, {}).items()}
    for index, title in enumerate(header):
        name = wanted.get(normalize(title))
        if name is None:
            continue
        if name not in found or priority[name].index(normalize(title)) < priority[name].index(
            normalize(header[found[name]])
        ):
            found[name] = index
    return found

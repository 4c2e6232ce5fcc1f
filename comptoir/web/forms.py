"""Forms of the web UI. They only parse and type the input; every business rule (SIREN checksum,
payment terms, stock, transitions) is checked by the service the view then calls.

Numbers are typed the French way (`1 234,50`) as well as with a dot (`core.money.parse_french`); the
fields refuse any other notation (`1_000`, full-width digits, `1e3`, NaN) and more digits than the database
holds, so nothing malformed reaches a service.
"""

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from comptoir.catalog.models import Product, VatRate
from comptoir.core import money
from comptoir.parties.models import VatRegime
from comptoir.payments.models import Payment
from comptoir.web import pickers
from comptoir.web.picker_fields import PickerField


class FrenchDecimalField(forms.DecimalField):
    """A decimal typed as text (`1 234,5` or `1234.5`) with a numeric keypad on phones."""

    def __init__(self, **kwargs):
        kwargs.setdefault("localize", True)
        super().__init__(**kwargs)
        self.widget.attrs.setdefault("inputmode", "decimal")
        self.widget.attrs.setdefault("autocomplete", "off")

    def to_python(self, value):
        # Thousands typed or pasted with any kind of space (1 234,5 / 1\u202f234,5 / 1\xa0234,5), a decimal
        # comma or a dot; not what Decimal() would also read (1_000, full-width digits, 1e3, NaN).
        if isinstance(value, str) and value.strip():
            try:
                return money.parse_french(value)
            except ValueError:
                raise ValidationError(self.error_messages["invalid"], code="invalid") from None
        return super().to_python(value)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def plain_decimal(value, min_places: int = 2) -> str:
    """Initial value for a form input: 120.0000 → "120,00", 2.500 → "2,5" (min_places=0)."""
    if value is None:
        return ""
    whole, _, frac = format(Decimal(value), "f").partition(".")
    frac = frac.rstrip("0").ljust(min_places, "0")
    return whole + ("," + frac if frac else "")


# --- Customers ----------------------------------------------------------------------------------


class CustomerForm(forms.Form):
    name = forms.CharField(label=_("Raison sociale"), max_length=200)
    siren = forms.CharField(
        label=_("SIREN"), max_length=11, required=False, help_text=_("9 chiffres, par exemple 542 107 651.")
    )
    siret = forms.CharField(label=_("SIRET"), max_length=17, required=False)
    vat_number = forms.CharField(
        label=_("N° de TVA"),
        max_length=20,
        required=False,
        help_text=_("Intracommunautaire dans l'UE ; hors UE, le numéro du pays du client (GB…, CHE…, NO…)."),
    )
    street = forms.CharField(label=_("Adresse"), max_length=200, required=False)
    street2 = forms.CharField(label=_("Complément d'adresse"), max_length=200, required=False)
    postal_code = forms.CharField(label=_("Code postal"), max_length=12, required=False)
    city = forms.CharField(label=_("Ville"), max_length=100, required=False)
    country = forms.CharField(
        label=_("Pays (code ISO)"),
        max_length=2,
        min_length=2,
        initial="FR",
        help_text=_("FR pour la France."),
    )
    email = forms.EmailField(label=_("E-mail de facturation"), required=False)
    phone = forms.CharField(label=_("Téléphone"), max_length=30, required=False)
    payment_days = forms.IntegerField(
        label=_("Délai de paiement (jours)"),
        min_value=0,
        max_value=365,
        initial=30,
        help_text=_("60 jours au plus, ou 45 jours fin de mois (art. L441-10 du Code de commerce)."),
    )
    payment_end_of_month = forms.BooleanField(label=_("Fin de mois"), required=False)
    vat_regime = forms.ChoiceField(
        label=_("Régime de TVA"),
        required=False,
        choices=[("", _("Déduit du pays"))] + list(VatRegime.choices),
        help_text=_("Un client de l'UE ou hors UE n'est pas facturé avec la TVA française."),
    )
    einvoice_address = forms.CharField(
        label=_("Adresse de facturation électronique"),
        max_length=125,
        required=False,
        help_text=_(
            "Laissez vide pour un client français (son SIREN sert d'adresse) ou de l'UE (son numéro de TVA). "
            "Sinon l'identifiant de réception de ses factures, par exemple l'IDE suisse CHE-123.456.789."
        ),
    )
    einvoice_scheme = forms.CharField(
        label=_("Schéma de l'adresse (code EAS)"),
        max_length=4,
        required=False,
        help_text=_("4 chiffres : 0225 annuaire français (par défaut), 0183 IDE suisse, 0088 GLN."),
    )

    field_order = [
        "name",
        "siren",
        "siret",
        "vat_number",
        "street",
        "street2",
        "postal_code",
        "city",
        "country",
        "vat_regime",
        "einvoice_address",
        "einvoice_scheme",
        "email",
        "phone",
        "payment_days",
        "payment_end_of_month",
    ]

    # Service error codes → the field they concern, to show the message next to it.
    ERROR_FIELDS = {
        "invalid_siren": "siren",
        "invalid_siret": "siret",
        "siret_siren_mismatch": "siret",
        "invalid_vat_number": "vat_number",
        "vat_siren_mismatch": "vat_number",
        "name_required": "name",
        "payment_terms_too_long": "payment_days",
        "eu_customer_needs_vat_number": "vat_number",
        "france_regime_abroad": "vat_regime",
        "invalid_einvoice_address": "einvoice_address",
        "invalid_einvoice_scheme": "einvoice_scheme",
    }

    def clean_country(self):
        return self.cleaned_data["country"].upper()


class CustomerEditForm(CustomerForm):
    is_active = forms.BooleanField(
        label=_("Client actif"),
        required=False,
        help_text=_("Un client archivé ne peut plus recevoir de devis."),
    )


class ContactForm(forms.Form):
    name = forms.CharField(label=_("Nom"), max_length=120)
    job_title = forms.CharField(label=_("Fonction"), max_length=80, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)
    phone = forms.CharField(label=_("Téléphone"), max_length=30, required=False)


class DeliveryAddressForm(forms.Form):
    label = forms.CharField(
        label=_("Libellé"), max_length=80, help_text=_("Par exemple « Chantier Lyon 7e ».")
    )
    street = forms.CharField(label=_("Adresse"), max_length=200)
    street2 = forms.CharField(label=_("Complément d'adresse"), max_length=200, required=False)
    postal_code = forms.CharField(label=_("Code postal"), max_length=12)
    city = forms.CharField(label=_("Ville"), max_length=100)


# --- Products -----------------------------------------------------------------------------------


class ProductForm(forms.Form):
    sku = forms.CharField(label=_("Référence"), max_length=40)
    name = forms.CharField(label=_("Désignation"), max_length=200)
    kind = forms.ChoiceField(label=_("Type"), choices=Product.Kind.choices, initial=Product.Kind.GOODS)
    unit = forms.CharField(label=_("Unité"), max_length=20, initial="pièce")
    sale_price = FrenchDecimalField(
        label=_("Prix de vente HT (€)"), max_digits=14, decimal_places=4, min_value=0
    )
    purchase_cost = FrenchDecimalField(
        label=_("Coût d'achat HT (€)"), max_digits=14, decimal_places=4, min_value=0, required=False
    )
    vat_rate = forms.ChoiceField(label=_("Taux de TVA"), choices=VatRate.choices, initial=VatRate.NORMAL)
    low_stock_threshold = FrenchDecimalField(
        label=_("Seuil d'alerte stock"),
        max_digits=14,
        decimal_places=3,
        min_value=0,
        required=False,
        help_text=_("Une alerte s'affiche quand le disponible descend à ce niveau."),
    )
    ean = forms.CharField(
        label=_("EAN"), max_length=14, required=False, help_text=_("Code-barres à 8 ou 13 chiffres.")
    )
    customs_code = forms.CharField(
        label=_("Nomenclature douanière (NC8)"),
        max_length=12,
        required=False,
        help_text=_("Pour les livraisons dans l'UE (EMEBI) : 8 chiffres."),
    )
    net_mass_kg = FrenchDecimalField(
        label=_("Masse nette unitaire (kg)"), max_digits=12, decimal_places=3, min_value=0, required=False
    )
    origin_country = forms.CharField(
        label=_("Pays d'origine"),
        max_length=2,
        required=False,
        help_text=_("Code à deux lettres : FR, DE, CN…"),
    )

    ERROR_FIELDS = {
        "sku_required": "sku",
        "duplicate_sku": "sku",
        "invalid_ean": "ean",
        "invalid_vat_rate": "vat_rate",
        "negative_price": "sale_price",
        "product_name_required": "name",
        "invalid_customs_code": "customs_code",
        "invalid_net_mass": "net_mass_kg",
        "invalid_origin_country": "origin_country",
    }

    def service_fields(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("sku", None)
        if data.get("purchase_cost") is None:
            data.pop("purchase_cost", None)
        if data.get("low_stock_threshold") is None:
            data.pop("low_stock_threshold", None)
        if data.get("vat_rate_from") is None:
            data.pop("vat_rate_from", None)
        return data


class ProductEditForm(ProductForm):
    is_active = forms.BooleanField(
        label=_("Produit actif"), required=False, help_text=_("Un produit inactif ne peut plus être vendu.")
    )
    vat_rate_from = forms.DateField(
        label=_("Nouveau taux applicable à partir du"),
        required=False,
        widget=DateInput,
        help_text=_(
            "Si le taux change : aujourd'hui par défaut. Ce qui a été livré avant garde l'ancien taux."
        ),
    )
    vat_rate_correction = forms.BooleanField(
        label=_("Correction de la fiche"),
        required=False,
        help_text=_("Le taux était faux : le nouveau vaut aussi pour ce qui n'est pas encore facturé."),
    )

    ERROR_FIELDS = {
        **ProductForm.ERROR_FIELDS,
        "vat_rate_from_in_future": "vat_rate_from",
        "vat_rate_from_before_last_change": "vat_rate_from",
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The reference identifies the product on every document: it is not edited.
        del self.fields["sku"]


# --- Rows typed in editable tables (sales lines, receipt lines, allocations) --------------------

QUANTITY = FrenchDecimalField(max_digits=14, decimal_places=3)
PRICE = FrenchDecimalField(max_digits=14, decimal_places=4)
PERCENT = FrenchDecimalField(max_digits=5, decimal_places=2)
AMOUNT = FrenchDecimalField(max_digits=14, decimal_places=2)


def parse_decimal(raw: str, field: forms.DecimalField = QUANTITY) -> Decimal | None:
    """None for a blank cell; raises ValidationError (French message) for anything not a number."""
    raw = (raw or "").strip()
    if not raw:
        return None
    return field.clean(raw)


class RowError(Exception):
    """A cell of an editable table could not be read; `message` is French and names the line."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _row_error(position: int, error: ValidationError) -> RowError:
    return RowError(
        gettext("Ligne %(position)s : %(error)s") % {"position": position, "error": " ".join(error.messages)}
    )


def sales_rows(data) -> list[dict]:
    """The rows of the line editor as typed: product id, quantity, unit price, discount, row id."""
    columns = (
        "row_id",
        "product",
        "product_texte",
        "quantity",
        "unit_price",
        "discount_percent",
        "discount_category",
        "quote_line",
    )
    lists = {c: data.getlist(c) for c in columns}
    count = max((len(v) for v in lists.values()), default=0)
    rows = []
    for i in range(count):
        rows.append({c: (lists[c][i] if i < len(lists[c]) else "").strip() for c in columns})
    return rows


def filled(rows: list[dict], keys=("product", "product_texte", "quantity")) -> list[dict]:
    return [row for row in rows if any(row.get(k) for k in keys)]


def _picked(row: dict, position: int, kind: str) -> str:
    """The product id of an editor row: the one the picker's list set, else what its text box designates
    (typed without the list, or JavaScript off); "" when neither. Raises RowError."""
    if not row["product"] and row.get("product_texte"):
        try:
            row["product"] = str(pickers.resolve(kind, row["product_texte"]) or "")
        except pickers.Unresolved as exc:
            raise RowError(
                gettext("Ligne %(position)s : %(error)s") % {"position": position, "error": exc.message}
            ) from None
    return row["product"]


def sales_lines(rows: list[dict]) -> list[dict]:
    """Turn filled editor rows into the `lines` the sales services take. Raises RowError."""
    lines = []
    for position, row in enumerate(filled(rows), start=1):
        if not _picked(row, position, "produits"):
            raise RowError(gettext("Ligne %(position)s : choisissez un produit.") % {"position": position})
        if not row["quantity"]:
            raise RowError(gettext("Ligne %(position)s : indiquez la quantité.") % {"position": position})
        try:
            line = {
                "product": row["product"],
                "quantity": parse_decimal(row["quantity"], QUANTITY),
                "unit_price": parse_decimal(row["unit_price"], PRICE),
                "discount_percent": parse_decimal(row["discount_percent"], PERCENT),
            }
        except ValidationError as exc:
            raise _row_error(position, exc) from None
        if line["discount_percent"] and not row.get("discount_category"):
            raise RowError(
                gettext("Ligne %(position)s : choisissez la catégorie de la remise.") % {"position": position}
            )
        if row.get("discount_category"):
            line["discount_category"] = row["discount_category"]
        if row.get("quote_line"):
            line["quote_line"] = row["quote_line"]
        lines.append({k: v for k, v in line.items() if v is not None})
    return lines


def receipt_rows(data) -> list[dict]:
    columns = ("product", "product_texte", "quantity", "unit_cost")
    lists = {c: data.getlist(c) for c in columns}
    count = max((len(v) for v in lists.values()), default=0)
    return [{c: (lists[c][i] if i < len(lists[c]) else "").strip() for c in columns} for i in range(count)]


def receipt_lines(rows: list[dict]) -> list[dict]:
    lines = []
    for position, row in enumerate(filled(rows), start=1):
        if not _picked(row, position, "marchandises"):
            raise RowError(gettext("Ligne %(position)s : choisissez un produit.") % {"position": position})
        if not row["quantity"]:
            raise RowError(gettext("Ligne %(position)s : indiquez la quantité.") % {"position": position})
        try:
            line = {
                "product": row["product"],
                "quantity": parse_decimal(row["quantity"], QUANTITY),
                "unit_cost": parse_decimal(row["unit_cost"], PRICE),
            }
        except ValidationError as exc:
            raise _row_error(position, exc) from None
        lines.append({k: v for k, v in line.items() if v is not None})
    return lines


class ReceiptForm(forms.Form):
    supplier_name = forms.CharField(label=_("Fournisseur"), max_length=200, required=False)
    date = forms.DateField(label=_("Date de réception"), required=False, widget=DateInput)


# --- Sales documents ----------------------------------------------------------------------------


class QuoteForm(forms.Form):
    customer = PickerField("clients", label=_("Client"), placeholder=_("Nom, code ou SIREN…"))
    date = forms.DateField(
        label=_("Date du devis"), required=False, widget=DateInput, help_text=_("Aujourd'hui si vide.")
    )
    valid_until = forms.DateField(
        label=_("Valable jusqu'au"), required=False, widget=DateInput, help_text=_("30 jours si vide.")
    )
    note = forms.CharField(
        label=_("Note pour le client"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    # The opportunity (crm) the quote answers, when it is created from the opportunity's page.
    opportunity = forms.IntegerField(widget=forms.HiddenInput, required=False)


class OrderForm(forms.Form):
    customer = PickerField("clients", label=_("Client"), placeholder=_("Nom, code ou SIREN…"))
    customer_reference = forms.CharField(
        label=_("Référence de commande du client"),
        max_length=60,
        required=False,
        help_text=_("Le numéro de bon de commande du client, repris sur la facture."),
    )
    date = forms.DateField(
        label=_("Date de commande"), required=False, widget=DateInput, help_text=_("Aujourd'hui si vide.")
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Motif"), max_length=200, required=False)


class IssueInvoiceForm(forms.Form):
    date = forms.DateField(label=_("Date de facture"), required=False, widget=DateInput)


# --- Payments -----------------------------------------------------------------------------------


class PaymentForm(forms.Form):
    date = forms.DateField(label=_("Date de réception"), widget=DateInput)
    method = forms.ChoiceField(label=_("Mode de règlement"), choices=Payment.Method.choices)
    reference = forms.CharField(
        label=_("Référence"), max_length=80, required=False, help_text=_("N° de chèque, libellé du virement…")
    )
    amount = FrenchDecimalField(label=_("Montant reçu (€)"), max_digits=14, decimal_places=2)


def allocations_from(data, invoice_ids) -> list[dict]:
    """Allocation amounts typed per open invoice (`alloc_<id>`); blank cells are skipped."""
    allocations = []
    for invoice_id in invoice_ids:
        raw = data.get(f"alloc_{invoice_id}", "")
        try:
            amount = parse_decimal(raw, AMOUNT)
        except ValidationError as exc:
            raise RowError(
                gettext("Affectation « %(value)s » : %(error)s")
                % {"value": raw, "error": " ".join(exc.messages)}
            ) from None
        if amount is not None:
            allocations.append({"invoice": invoice_id, "amount": amount})
    return allocations


# --- Accounting ---------------------------------------------------------------------------------


class PeriodForm(forms.Form):
    du = forms.DateField(label=_("Du"), required=False, widget=DateInput)
    au = forms.DateField(label=_("Au"), required=False, widget=DateInput)

    def period(self):
        if self.is_valid():
            return self.cleaned_data.get("du"), self.cleaned_data.get("au")
        return None, None


class VatPeriodForm(forms.Form):
    """The period of a VAT return: both dates required, the end not before the start."""

    du = forms.DateField(label=_("Du"), widget=DateInput, error_messages={"invalid": _("Date non valide.")})
    au = forms.DateField(label=_("Au"), widget=DateInput, error_messages={"invalid": _("Date non valide.")})

    def clean(self):
        data = super().clean()
        start, end = data.get("du"), data.get("au")
        if start and end and end < start:
            raise ValidationError(
                gettext("La fin de la période (%(end)s) précède son début (%(start)s).")
                % {"end": end.strftime("%d/%m/%Y"), "start": start.strftime("%d/%m/%Y")}
            )
        return data


FEC_ENCODINGS = [("utf-8", "UTF-8"), ("iso-8859-15", _("ISO 8859-15 (Latin-9, cité par l'article A47 A-1)"))]


class FecForm(forms.Form):
    """A fiscal year, named after the year it closes in, among those offered."""

    exercice = forms.TypedChoiceField(
        label=_("Exercice clos en"),
        coerce=int,
        error_messages={"invalid_choice": _("Choisissez un exercice de la liste (année de clôture).")},
    )
    codage = forms.ChoiceField(label=_("Codage"), choices=FEC_ENCODINGS, initial="utf-8", required=False)

    def __init__(self, *args, years=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["exercice"].choices = [(str(year), str(year)) for year in years]

    def encoding(self) -> str:
        return self.cleaned_data.get("codage") or "utf-8"


# --- Billing schedule of an order ---------------------------------------------------------------

SCHEDULE_COLUMNS = ("label", "kind", "trigger", "percent", "amount")
DEPOSIT, MILESTONE = "deposit", "milestone"


def schedule_rows(data) -> list[dict]:
    """The rows of the billing-schedule editor as typed."""
    lists = {c: data.getlist(c) for c in SCHEDULE_COLUMNS}
    count = min(max((len(v) for v in lists.values()), default=0), 50)
    return [
        {c: (lists[c][i] if i < len(lists[c]) else "").replace("\x00", "").strip() for c in SCHEDULE_COLUMNS}
        for i in range(count)
    ]


def schedule_steps(rows: list[dict]) -> list[dict]:
    """Filled editor rows → the `milestones` of `sales.services.set_billing_schedule`. Raises RowError.

    Label, trigger and the choice between percentage and amount are the service's rules; here only the
    numbers are read."""
    steps = []
    for position, row in enumerate(filled(rows, keys=("label", "percent", "amount")), start=1):
        try:
            percent = parse_decimal(row["percent"], PERCENT)
            amount = parse_decimal(row["amount"], AMOUNT)
        except ValidationError as exc:
            raise RowError(
                gettext("Échéance %(position)s : %(error)s")
                % {"position": position, "error": " ".join(exc.messages)}
            ) from None
        steps.append(
            {
                "label": row["label"][:120],
                "trigger": row["trigger"],
                "percent": percent,
                "amount": amount,
                "is_deposit": row["kind"] == DEPOSIT,
            }
        )
    return steps

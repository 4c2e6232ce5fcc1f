"""The supplier's card (Achats › Fournisseurs)."""

from django import forms
from django.utils.translation import gettext_lazy as _


class SupplierForm(forms.Form):
    code = forms.CharField(
        label=_("Code fournisseur"),
        max_length=20,
        required=False,
        help_text=_("Laissé vide : attribué automatiquement (F00001…)."),
    )
    name = forms.CharField(label=_("Raison sociale"), max_length=200)
    siren = forms.CharField(label=_("SIREN"), max_length=11, required=False)
    siret = forms.CharField(label=_("SIRET"), max_length=17, required=False)
    vat_number = forms.CharField(label=_("N° de TVA"), max_length=20, required=False)
    iban = forms.CharField(label=_("IBAN"), max_length=42, required=False)
    bic = forms.CharField(label=_("BIC"), max_length=11, required=False)
    street = forms.CharField(label=_("Adresse"), max_length=200, required=False)
    street2 = forms.CharField(label=_("Complément d'adresse"), max_length=200, required=False)
    postal_code = forms.CharField(label=_("Code postal"), max_length=12, required=False)
    city = forms.CharField(label=_("Ville"), max_length=100, required=False)
    country = forms.CharField(label=_("Pays (code ISO)"), max_length=2, min_length=2, initial="FR")
    email = forms.EmailField(label=_("E-mail"), required=False)
    phone = forms.CharField(label=_("Téléphone"), max_length=30, required=False)
    payment_days = forms.IntegerField(
        label=_("Délai de paiement (jours)"),
        min_value=0,
        max_value=365,
        initial=30,
        help_text=_("60 jours au plus, ou 45 jours fin de mois (art. L441-10 du Code de commerce)."),
    )
    payment_end_of_month = forms.BooleanField(label=_("Fin de mois"), required=False)
    account = forms.CharField(
        label=_("Compte auxiliaire"),
        max_length=20,
        required=False,
        help_text=_("Sous le 401 (401DUPONT). Laissé vide : 401 suivi du code fournisseur."),
    )
    is_active = forms.BooleanField(label=_("Actif"), required=False, initial=True)

    ERROR_FIELDS = {
        "invalid_siren": "siren",
        "invalid_siret": "siret",
        "siret_siren_mismatch": "siret",
        "invalid_vat_number": "vat_number",
        "vat_siren_mismatch": "vat_number",
        "invalid_iban": "iban",
        "invalid_bic": "bic",
        "name_required": "name",
        "payment_terms_too_long": "payment_days",
        "duplicate_supplier_code": "code",
        "supplier_account_invalid": "account",
        "supplier_account_taken": "account",
    }


class SupplierEditForm(SupplierForm):
    """The code names the supplier in the files imported: it does not change."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["code"]

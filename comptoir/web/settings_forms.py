"""Forms of the settings pages. Like every form of the web UI they only parse and type the input: the
identifiers' checksums, the legal ceiling of payment terms, who may change what and the self-lockout
rules are checked by the services the views call."""

from django import forms
from django.utils.translation import gettext_lazy as _

from comptoir.core import dates
from comptoir.core.errors import DomainError
from comptoir.core.permissions import ALL_ROLES, ROLE_LABELS
from comptoir.parties import errors as party_errors
from comptoir.parties import logos, series
from comptoir.returns.models import Reason
from comptoir.web.forms import DateInput, FrenchDecimalField

# --- Company ------------------------------------------------------------------------------------


class CompanyForm(forms.Form):
    """The company's identity, address and bank details, printed on every document.

    Payment conditions have their own page; the invoice series and the fiscal year's first month are
    shown read-only (changing them once documents exist would break the numbering or the fiscal years)."""

    legal_name = forms.CharField(label=_("Raison sociale"), max_length=200)
    legal_form = forms.CharField(
        label=_("Forme juridique"), max_length=40, required=False, help_text=_("SAS, SARL, SA…")
    )
    siren = forms.CharField(
        label=_("SIREN"), max_length=11, help_text=_("9 chiffres, par exemple 732 829 320.")
    )
    siret = forms.CharField(label=_("SIRET du siège"), max_length=17, required=False)
    vat_number = forms.CharField(label=_("N° de TVA intracommunautaire"), max_length=20, required=False)
    rcs_city = forms.CharField(label=_("Ville du RCS"), max_length=100, required=False)
    share_capital = FrenchDecimalField(
        label=_("Capital social (€)"), max_digits=14, decimal_places=2, min_value=0, required=False
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
    email = forms.EmailField(label=_("E-mail"), required=False)
    phone = forms.CharField(label=_("Téléphone"), max_length=30, required=False)
    iban = forms.CharField(label=_("IBAN"), max_length=42, required=False)
    bic = forms.CharField(label=_("BIC"), max_length=11, required=False)
    vat_on_debits = forms.BooleanField(
        label=_("TVA acquittée sur les débits"),
        required=False,
        help_text=_(
            "Option de l'article 269-2-c du CGI : la TVA des prestations de services est due dès la "
            "facturation, et non à l'encaissement. La mention est alors imprimée sur les factures."
        ),
    )

    logo = forms.FileField(
        label=_("Logo"),
        required=False,
        widget=forms.FileInput(attrs={"accept": "image/png,image/jpeg"}),
        help_text=_("Image PNG ou JPEG de 512 Ko au plus, imprimée sur les documents. Facultatif."),
    )

    backdating_days = forms.IntegerField(
        label=_("Délai pour antidater (jours)"),
        min_value=0,
        max_value=dates.MAX_BACKDATING_DAYS,
        help_text=_(
            "Jusqu'à combien de jours en arrière un devis, une livraison, une facture ou un règlement peut "
            "être daté : 31 par défaut, le temps de saisir les pièces de fin de mois. 0 interdit toute date "
            "passée. Les périodes verrouillées restent fermées quel que soit ce délai."
        ),
    )

    ERROR_FIELDS = {
        "backdating_days_out_of_range": "backdating_days",
        "name_required": "legal_name",
        "invalid_siren": "siren",
        "invalid_siret": "siret",
        "siret_siren_mismatch": "siret",
        "invalid_vat_number": "vat_number",
        "vat_siren_mismatch": "vat_number",
        "invalid_iban": "iban",
        "invalid_bic": "bic",
        "invalid_logo": "logo",
        "logo_too_large": "logo",
    }

    def clean_country(self):
        return self.cleaned_data["country"].upper()

    def clean_logo(self):
        """The image's bytes, or None when no file was sent (the logo in place stays)."""
        upload = self.cleaned_data.get("logo")
        if not upload:
            return None
        data = upload.read()
        if len(data) > logos.MAX_BYTES:
            raise forms.ValidationError(
                DomainError(*party_errors.LOGO_TOO_LARGE, max=logos.MAX_BYTES // 1024).message
            )
        if logos.media_type(data) is None:
            raise forms.ValidationError(DomainError(*party_errors.INVALID_LOGO).message)
        return data


class PaymentTermsForm(forms.Form):
    default_payment_days = forms.IntegerField(
        label=_("Délai de paiement par défaut (jours date de facture)"),
        min_value=0,
        max_value=365,
        help_text=_(
            "Proposé pour chaque nouveau client ; 60 jours au plus (art. L441-10 du Code de commerce)."
        ),
    )
    late_penalty_rate = FrenchDecimalField(
        label=_("Taux annuel des pénalités de retard (%)"),
        max_digits=5,
        decimal_places=2,
        min_value=0,
        help_text=_("Au moins trois fois le taux d'intérêt légal. Imprimé sur chaque facture."),
    )
    early_payment_discount = forms.CharField(
        label=_("Conditions d'escompte pour paiement anticipé"),
        max_length=200,
        help_text=_("Mention obligatoire, même sans escompte : « Pas d'escompte pour paiement anticipé. »"),
    )

    ERROR_FIELDS = {
        "payment_terms_too_long": "default_payment_days",
        "negative_penalty_rate": "late_penalty_rate",
        "penalty_rate_below_legal_floor": "late_penalty_rate",
    }


# --- Users and roles ----------------------------------------------------------------------------


def _role_choices():
    return [(role, ROLE_LABELS[role]) for role in ALL_ROLES]


class RolesForm(forms.Form):
    roles = forms.MultipleChoiceField(
        label=_("Rôles"),
        choices=_role_choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Un utilisateur peut cumuler plusieurs rôles ; ses droits s'additionnent."),
    )

    ERROR_FIELDS = {
        "role_required": "roles",
        "unknown_role": "roles",
        "cannot_remove_own_admin_role": "roles",
        "last_active_admin": "roles",
    }


class UserCreateForm(RolesForm):
    username = forms.CharField(
        label=_("Nom d'utilisateur"),
        max_length=150,
        help_text=_("Pour se connecter : lettres, chiffres et @ . + - _ seulement."),
    )
    first_name = forms.CharField(label=_("Prénom"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Nom"), max_length=150, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)
    password = forms.CharField(
        label=_("Mot de passe"),
        strip=False,
        max_length=128,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=_("8 caractères au moins. Communiquez-le à la personne, qui pourra le changer."),
    )

    field_order = ["username", "first_name", "last_name", "email", "password", "roles"]

    ERROR_FIELDS = RolesForm.ERROR_FIELDS | {
        "username_required": "username",
        "invalid_username": "username",
        "duplicate_username": "username",
        "invalid_email": "email",
        "weak_password": "password",
    }


# --- Return rules and thresholds ----------------------------------------------------------------


class ReturnPolicyForm(forms.Form):
    approval_threshold = FrenchDecimalField(
        label=_("Seuil d'approbation par la direction (€ HT)"),
        max_digits=14,
        decimal_places=2,
        min_value=0,
        help_text=_(
            "Au-delà de ce montant en jeu, cumulé avec les autres dossiers sur les mêmes lignes de livraison, "
            "seule la direction peut accepter ou rejeter un retour. Celui qui a ouvert un dossier ne l'approuve "
            "jamais lui-même."
        ),
    )
    gesture_approval_threshold = FrenchDecimalField(
        label=_("Geste commercial : double validation au-delà de (€ HT)"),
        max_digits=14,
        decimal_places=2,
        min_value=0,
        help_text=_(
            "Un avoir sans dossier de retour au-delà de ce montant (cumulé sur la facture) doit être approuvé "
            "par une autre personne habilitée avant son émission. En dessous, une seule personne suffit."
        ),
    )
    refund_approval_threshold = FrenchDecimalField(
        label=_("Remboursement : double validation au-delà de (€ TTC)"),
        max_digits=14,
        decimal_places=2,
        min_value=0,
        help_text=_(
            "Un remboursement au-delà de ce montant (cumulé sur l'avoir) doit être approuvé par une autre "
            "personne habilitée avant d'être payé. En dessous, une seule personne suffit."
        ),
    )
    answer_within_hours = forms.IntegerField(
        label=_("Délai de réponse au client (heures)"), min_value=1, max_value=10000
    )
    close_within_days = forms.IntegerField(
        label=_("Délai de clôture d'un dossier (jours)"), min_value=1, max_value=3650
    )
    require_validation = forms.BooleanField(
        label=_("Pas de retour sans validation interne"),
        required=False,
        help_text=_("Un dossier soumis doit être accepté avant toute réception ou résolution."),
    )
    require_receipt_before_credit = forms.BooleanField(
        label=_("Réception physique avant avoir"),
        required=False,
        help_text=_(
            "Pour les motifs avec retour de marchandise, rien n'est crédité au-delà de ce qui est reçu."
        ),
    )
    block_invoicing = forms.BooleanField(
        label=_("Bloquer la facturation d'une livraison en litige"),
        required=False,
        help_text=_("Pour les motifs cochés ci-dessous, tant que le dossier est ouvert."),
    )
    blocking_reasons = forms.MultipleChoiceField(
        label=_("Motifs qui bloquent la facturation"),
        choices=Reason.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    goods_back_reasons = forms.MultipleChoiceField(
        label=_("Motifs avec retour physique de la marchandise"),
        choices=Reason.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )


# --- Fiscal years -------------------------------------------------------------------------------


class LockPeriodForm(forms.Form):
    until = forms.DateField(
        label=_("Verrouiller jusqu'au (inclus)"),
        widget=DateInput,
        error_messages={"invalid": _("Date non valide.")},
        help_text=_(
            "Plus rien ne pourra être daté de ce jour ou d'avant (écriture, facture, règlement, livraison…), "
            "exercices précédents compris."
        ),
    )

    ERROR_FIELDS = {"lock_date_backwards": "until", "fiscal_year_not_open": "until"}


class UnlockPeriodForm(forms.Form):
    """Moving the lock date back: direction's decision, with the reason kept in the audit trail."""

    until = forms.DateField(
        label=_("Verrouillé désormais jusqu'au (inclus)"),
        widget=DateInput,
        required=False,
        error_messages={"invalid": _("Date non valide.")},
        help_text=_("Laissez vide pour tout déverrouiller."),
    )
    reason = forms.CharField(
        label=_("Motif"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=500,
        help_text=_(
            "Pourquoi rouvrir la période (erreur à corriger, accord de l'expert-comptable…) ; gardé au journal d'audit."
        ),
    )

    ERROR_FIELDS = {"unlock_reason_required": "reason", "unlock_not_backwards": "until"}


class OpenFiscalYearForm(forms.Form):
    containing = forms.DateField(widget=forms.HiddenInput)


_PREFIX_LABELS = {
    "invoice_series": _("Factures"),
    "credit_note_series": _("Avoirs"),
    "quote_series": _("Devis"),
    "order_series": _("Commandes"),
    "delivery_series": _("Bons de livraison"),
    "receipt_series": _("Réceptions de marchandises"),
    "return_series": _("Dossiers de retour"),
    "return_receipt_series": _("Réceptions de retours"),
    "payment_series": _("Règlements"),
    "refund_series": _("Remboursements"),
}


def prefix_field(name: str, *, required: bool = True) -> forms.RegexField:
    return forms.RegexField(
        label=_PREFIX_LABELS[name],
        required=required,
        regex=r"^[A-Za-z][A-Za-z0-9]{0,5}$",
        initial=series.DEFAULTS[name],
        max_length=6,
        error_messages={
            "invalid": _(
                "De 1 à 6 lettres majuscules ou chiffres, en commençant par une lettre (FA, F, FACT)."
            )
        },
    )


class NumberingForm(forms.Form):
    """The prefix of every numbered series; each may change only until its first number is taken."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in series.DEFAULTS:
            self.fields[name] = prefix_field(name)

    def clean(self):
        data = super().clean()
        return {name: value.upper() for name, value in data.items() if value}

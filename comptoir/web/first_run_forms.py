"""Forms of the first-run screen, one per step. They parse the input and check early what a person
mistypes most (SIREN, IBAN, BIC, the legal floor of the penalty rate) with the same checks and
messages as the services; everything is checked again by onboarding.set_up_company at the end."""

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.dates import MONTHS
from django.utils.translation import gettext_lazy as _

from comptoir.core import legal_interest
from comptoir.core import users as accounts
from comptoir.core.errors import DomainError
from comptoir.core.permissions import ALL_ROLES, ROLE_LABELS
from comptoir.parties import errors as party_errors
from comptoir.parties import identifiers, series
from comptoir.parties.models import Company
from comptoir.web.forms import DateInput
from comptoir.web.settings_forms import CompanyForm, PaymentTermsForm, prefix_field

VAT_REGIMES = [
    ("encaissements", _("TVA sur les encaissements (régime de droit commun des prestations de services)")),
    ("debits", _("TVA sur les débits (option de l'art. 269-2-c du CGI, mentionnée sur les factures)")),
]


def _refusal(error, **params) -> str:
    return DomainError(*error, **params).message


class IdentityForm(CompanyForm):
    """Step 1: who the company is, as printed on every document (CompanyForm without bank and VAT)."""

    iban = None
    bic = None
    vat_on_debits = None
    backdating_days = None

    def clean_siren(self):
        value = self.cleaned_data["siren"]
        return identifiers.clean_siren(value) or self._refuse(party_errors.INVALID_SIREN, value)

    @staticmethod
    def _refuse(error, value):
        raise forms.ValidationError(_refusal(error, value=value))


class BankForm(forms.Form):
    """Step 2: the account customers pay into, printed on invoices."""

    iban = forms.CharField(
        label=_("IBAN"), max_length=42, help_text=_("Par exemple FR76 3000 6000 0112 3456 7890 189.")
    )
    bic = forms.CharField(label=_("BIC"), max_length=11, required=False)

    ERROR_FIELDS = {"invalid_iban": "iban", "invalid_bic": "bic"}

    def clean_iban(self):
        value = self.cleaned_data["iban"]
        return identifiers.clean_iban(value) or IdentityForm._refuse(party_errors.INVALID_IBAN, value)

    def clean_bic(self):
        value = self.cleaned_data["bic"]
        if not value:
            return value
        return identifiers.clean_bic(value) or IdentityForm._refuse(party_errors.INVALID_BIC, value)


class VatAndYearForm(forms.Form):
    """Step 3: when VAT is due, and the fiscal year to open."""

    vat_regime = forms.ChoiceField(
        label=_("Régime de TVA"), choices=VAT_REGIMES, widget=forms.RadioSelect, initial="encaissements"
    )
    fiscal_year_start_month = forms.TypedChoiceField(
        label=_("Premier mois de l'exercice"),
        choices=[(number, name) for number, name in MONTHS.items()],
        coerce=int,
        initial=1,
        help_text=_(
            "Janvier pour un exercice calé sur l'année civile. Il ne pourra plus changer une fois la première facture émise."
        ),
    )
    open_year_containing = forms.DateField(
        label=_("Exercice à ouvrir : un jour qu'il contient"),
        widget=DateInput,
        required=False,
        error_messages={"invalid": _("Date non valide.")},
        help_text=_("Laissez vide pour ouvrir l'exercice en cours."),
    )

    ERROR_FIELDS = {
        "fiscal_year_too_early": "open_year_containing",
        "fiscal_year_already_open": "open_year_containing",
        "fiscal_year_overlaps": "open_year_containing",
    }


class NumberingAndTermsForm(PaymentTermsForm):
    """Step 4: the invoice prefix, the default payment terms and the penalty texts printed on invoices."""

    invoice_series = forms.RegexField(
        label=_("Préfixe des factures"),
        regex=r"^[A-Z][A-Z0-9]{0,5}$",
        initial="FA",
        error_messages={
            "invalid": _(
                "De 1 à 6 lettres majuscules ou chiffres, en commençant par une lettre (FA, F, FACT)."
            )
        },
        help_text=_("Les factures seront numérotées FA-2026-00001, FA-2026-00002… sans trou, par année."),
    )

    field_order = ["invoice_series", "default_payment_days", "late_penalty_rate", "early_payment_discount"]
    # A prefix refused by the service (taken by another series, a journal's code) is shown above the step.
    ERROR_FIELDS = getattr(PaymentTermsForm, "ERROR_FIELDS", {}) | {
        "invalid_series_prefix": None,
        "series_prefix_taken": None,
        "series_prefix_reserved": None,
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The other series' prefixes, after the terms: most companies keep the defaults (DEV, CMD, BL…).
        for name in series.DEFAULTS:
            if name != "invoice_series":
                self.fields[name] = prefix_field(name, required=False)
        # A new company starts from the defaults the settings pages would show (parties.Company).
        for name in ("default_payment_days", "late_penalty_rate", "early_payment_discount"):
            self.fields[name].initial = Company._meta.get_field(name).default
        floor = legal_interest.minimum_penalty_rate(timezone.localdate())
        self.fields["late_penalty_rate"].help_text = _(
            "Au moins trois fois le taux d'intérêt légal, soit %(floor)s %% aujourd'hui. Imprimé sur chaque facture, "
            "avec l'indemnité forfaitaire de 40 € pour frais de recouvrement."
        ) % {"floor": str(floor).replace(".", ",")}

    def clean_invoice_series(self):
        return self.cleaned_data["invoice_series"].upper()

    def clean(self):
        data = super().clean()
        for name in series.DEFAULTS:
            # Left empty, a series keeps its usual prefix (DEV, CMD…).
            if name in self.fields:
                data[name] = (data.get(name) or series.DEFAULTS[name]).upper()
        return data


def _other_roles():
    return [(role, ROLE_LABELS[role]) for role in ALL_ROLES]


class AdministratorForm(forms.Form):
    """Step 5: the first user, who receives the roles direction and administrator."""

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
        help_text=_("8 caractères au moins."),
    )

    def clean_password(self):
        """The password validators now, so a weak password is refused next to the right person."""
        password = self.cleaned_data["password"]
        user = get_user_model()(username=self.data.get(self.add_prefix("username"), ""))
        try:
            validate_password(password, user=user)
        except ValidationError as exc:
            raise forms.ValidationError(
                _refusal(accounts.WEAK_PASSWORD, reasons=" ".join(exc.messages))
            ) from None
        return password

    ERROR_FIELDS = {
        "username_required": "username",
        "invalid_username": "username",
        "duplicate_username": "username",
        "invalid_email": "email",
        "weak_password": "password",
        "first_user_refused": None,
    }


class ColleagueForm(AdministratorForm):
    """A colleague with their roles; a row left empty is skipped."""

    roles = forms.MultipleChoiceField(
        label=_("Rôles"), choices=_other_roles, widget=forms.CheckboxSelectMultiple, required=False
    )

    def clean(self):
        data = super().clean()
        if self.has_changed() and not data.get("roles") and not self.errors:
            self.add_error("roles", _("Choisissez au moins un rôle : sans rôle, l'utilisateur ne voit rien."))
        return data


ColleagueFormSet = forms.formset_factory(ColleagueForm, extra=2, max_num=2)

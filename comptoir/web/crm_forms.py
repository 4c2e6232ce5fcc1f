"""Forms of the CRM pages: they type what is typed; the rules are `comptoir.crm.services`'."""

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from comptoir.core.permissions import PERMISSIONS, Role
from comptoir.crm.models import Activity, Source
from comptoir.web.forms import DateInput, FrenchDecimalField
from comptoir.web.picker_fields import PickerField


def crm_people():
    """The people an activity may be given to: those whose role reads the pipeline."""
    roles = [role for role, perms in PERMISSIONS.items() if "crm.view" in perms and role != Role.ADMIN]
    return (
        get_user_model()
        .objects.filter(Q(groups__name__in=roles) | Q(is_superuser=True), is_active=True)
        .distinct()
        .order_by("username")
    )


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.get_full_name() or obj.get_username()


class LeadForm(forms.Form):
    company_name = forms.CharField(label=_("Société"), max_length=200)
    contact_name = forms.CharField(label=_("Contact"), max_length=120, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)
    phone = forms.CharField(label=_("Téléphone"), max_length=30, required=False)
    source = forms.ChoiceField(label=_("Origine"), choices=Source.choices, initial=Source.OTHER)
    note = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 3}), required=False)

    ERROR_FIELDS = {"lead_company_missing": "company_name", "unknown_source": "source"}


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Motif de la perte"), max_length=200)


class ConvertForm(forms.Form):
    opportunity_title = forms.CharField(
        label=_("Opportunité à ouvrir (facultatif)"),
        max_length=200,
        required=False,
        help_text=_("L'affaire en vue ; laissez vide pour ne créer que le client."),
    )
    amount = FrenchDecimalField(
        label=_("Montant HT estimé"), max_digits=14, decimal_places=2, min_value=0, required=False
    )


class OpportunityForm(forms.Form):
    customer = PickerField("clients", label=_("Client"), placeholder=_("Nom, code ou SIREN…"))
    title = forms.CharField(label=_("Intitulé"), max_length=200)
    amount = FrenchDecimalField(
        label=_("Montant HT estimé"), max_digits=14, decimal_places=2, min_value=0, required=False
    )
    probability = forms.IntegerField(
        label=_("Probabilité (%)"),
        min_value=0,
        max_value=100,
        required=False,
        help_text=_("Vide : celle de l'étape (10 % en qualification)."),
    )
    expected_close_date = forms.DateField(
        label=_("Date de conclusion prévue"), widget=DateInput, required=False
    )
    source = forms.ChoiceField(label=_("Origine"), choices=Source.choices, initial=Source.OTHER)

    ERROR_FIELDS = {
        "opportunity_title_missing": "title",
        "invalid_amount": "amount",
        "probability_out_of_range": "probability",
    }


class ActivityForm(forms.Form):
    kind = forms.ChoiceField(label=_("Type"), choices=Activity.Kind.choices, initial=Activity.Kind.CALL)
    subject = forms.CharField(label=_("Objet"), max_length=200)
    due_date = forms.DateField(label=_("Échéance"), widget=DateInput)
    assigned_to = PersonChoiceField(label=_("Pour"), queryset=None, empty_label=None)
    note = forms.CharField(label=_("Note"), max_length=2000, required=False)
    customer = forms.IntegerField(widget=forms.HiddenInput, required=False)
    opportunity = forms.IntegerField(widget=forms.HiddenInput, required=False)
    lead = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assigned_to"].queryset = crm_people()
        if user is not None and not self.is_bound:
            self.fields["assigned_to"].initial = user.pk


class CompleteForm(forms.Form):
    note = forms.CharField(label=_("Compte rendu (facultatif)"), max_length=2000, required=False)

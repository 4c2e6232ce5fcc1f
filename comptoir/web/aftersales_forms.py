"""Forms of the time and after-sales pages: they type what is typed; the rules are the services'
(`comptoir.aftersales.services`, `comptoir.stock.logistics`)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from comptoir.aftersales.models import Ticket, TimeEntry
from comptoir.web.forms import DateInput, FrenchDecimalField
from comptoir.web.picker_fields import PickerField


def _amount(label, **kwargs) -> FrenchDecimalField:
    return FrenchDecimalField(label=label, max_digits=12, decimal_places=2, min_value=0, **kwargs)


class TimeEntryForm(forms.Form):
    customer = PickerField("clients", label=_("Client"))
    date = forms.DateField(label=_("Date"), widget=DateInput, required=False)
    minutes = forms.IntegerField(label=_("Durée (minutes)"), min_value=1, max_value=24 * 60)
    activity = forms.ChoiceField(label=_("Activité"), choices=TimeEntry.Activity.choices)
    document = forms.CharField(
        label=_("Document (facultatif)"),
        max_length=35,
        required=False,
        help_text=_(
            "Numéro du devis, de la commande, du dossier de retour, du ticket ou de l'opportunité : DEV-…, CMD-…, RET-…, SAV-…, OPP-…"
        ),
    )
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


class TimeCorrectionForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=DateInput)
    minutes = forms.IntegerField(label=_("Durée (minutes)"), min_value=1, max_value=24 * 60)
    activity = forms.ChoiceField(label=_("Activité"), choices=TimeEntry.Activity.choices)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


class TicketForm(forms.Form):
    customer = PickerField("clients", label=_("Client"))
    kind = forms.ChoiceField(label=_("Type"), choices=Ticket.Kind.choices)
    title = forms.CharField(label=_("Objet"), max_length=200)
    order = forms.CharField(label=_("Commande d'origine (CMD-…)"), max_length=35, required=False)
    description = forms.CharField(
        label=_("Description"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    parts_cost = _amount(_("Pièces (coût HT)"), required=False)
    travel_cost = _amount(_("Déplacement (coût HT)"), required=False)


class TicketCostsForm(forms.Form):
    parts_cost = _amount(_("Pièces (coût HT)"))
    travel_cost = _amount(_("Déplacement (coût HT)"))


class TicketTimeForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=DateInput, required=False)
    minutes = forms.IntegerField(label=_("Durée (minutes)"), min_value=1, max_value=24 * 60)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


class LogisticsForm(forms.Form):
    carrier_cost = _amount(
        _("Coût transporteur HT"),
        required=False,
        help_text=_("Vide : le tarif de la zone et du poids s'applique."),
    )
    weight_kg = FrenchDecimalField(
        label=_("Poids (kg)"), max_digits=10, decimal_places=3, min_value=0, required=False
    )
    urgent_absorbed = forms.BooleanField(label=_("Urgence absorbée pour la relation"), required=False)
    urgent_reason = forms.CharField(label=_("Motif de l'urgence"), max_length=200, required=False)

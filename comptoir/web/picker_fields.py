"""A Django form field for a picker (`web/_picker.html`): the id the list set, or the text typed,
cleaned to the id of one record of its kind (`comptoir.web.pickers`)."""

from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from comptoir.web import pickers


class PickerWidget(forms.Widget):
    template_name = "web/widgets/picker.html"

    def __init__(self, kind: str, placeholder=None, attrs=None):
        super().__init__(attrs)
        self.kind = kind
        self.placeholder = placeholder

    def value_from_datadict(self, data, files, name):
        return {"id": data.get(name, ""), "text": data.get(f"{name}_texte", "")}

    def value_omitted_from_data(self, data, files, name):
        return name not in data and f"{name}_texte" not in data

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        if isinstance(value, dict):  # a posted form shown again: as typed
            pk, label = value.get("id", ""), value.get("text", "")
        else:  # an initial id
            pk, label = value or "", pickers.label_of(self.kind, value)
        context["picker"] = {
            "url": reverse("web:pick", args=[self.kind]),
            "value": pk,
            "label": label,
            "placeholder": self.placeholder or _("Code, nom ou EAN…"),
        }
        return context

    def format_value(self, value):
        return value


class PickerField(forms.Field):
    def __init__(self, kind: str, *, placeholder=None, **kwargs):
        self.kind = kind
        kwargs.setdefault("widget", PickerWidget(kind, placeholder=placeholder))
        super().__init__(**kwargs)

    def to_python(self, value):
        if isinstance(value, dict):
            try:
                return pickers.chosen(self.kind, value.get("id"), value.get("text"))
            except pickers.Unresolved as exc:
                raise forms.ValidationError(exc.message, code="many" if exc.many else "none") from None
        return int(value) if str(value or "").isdigit() else None

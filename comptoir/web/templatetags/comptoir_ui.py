"""Display helpers of the web pages: `{% load comptoir_ui %}`.

The audit trail stores stable codes (actions, field names, payment methods) and raw values; these
filters turn them into what a French reader expects, and link an event to its document.
"""

from django import template
from django.core.exceptions import FieldDoesNotExist
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _

from comptoir.catalog.models import Product
from comptoir.core.models import ApiToken
from comptoir.parties.models import Company, Customer
from comptoir.payments.models import Payment
from comptoir.web import labels, submissions
from comptoir.web.templatetags.comptoir_format import euros, percent

register = template.Library()


@register.filter
def audit_action(code: str) -> str:
    return str(labels.AUDIT_ACTIONS.get(code, code))


@register.filter
def audit_type(object_type: str) -> str:
    return str(labels.AUDIT_OBJECT_TYPES.get(object_type, object_type))


def field_label(name: str) -> str:
    """A model field's French name (for « fields changed » lists), or the code when unknown."""
    for model in (Customer, Company, Product):
        try:
            return str(model._meta.get_field(name).verbose_name)
        except FieldDoesNotExist:
            continue
    return name


def _plain(value) -> str:
    if value in (None, ""):
        return "—"
    if value is True:
        return _("oui")
    if value is False:
        return _("non")
    # Nested data (the lines of a return receipt, [sku, quantity] pairs): the values, in order.
    if isinstance(value, dict):
        return " · ".join(_plain(v) for v in value.values() if v not in (None, "")) or "—"
    if isinstance(value, list | tuple):
        return " ".join(_plain(v) for v in value) or "—"
    return str(value)


def _detail(action: str, key: str, value) -> tuple[str, str]:
    """(label, value) of one item of an event's data, read in the context of its action."""
    if key == "total":
        return (_("total TTC") if action == "invoice.issued" else _("total HT")), euros(value)
    if key == "vat":
        return _("TVA"), (percent(value) if action.startswith("product.") else euros(value))
    if key == "method":
        try:
            return _("mode"), str(Payment.Method(value).label)
        except ValueError:
            return _("mode"), _plain(value)
    if key == "reason" and action == "api_token.revoked":
        reasons = dict(ApiToken.RevokedReason.choices)
        return _("motif"), str(reasons.get(value, value))
    if key == "fields" and isinstance(value, list | tuple):
        return _("champs"), ", ".join(field_label(name) for name in value) or "—"
    if key == "changed" and isinstance(value, dict):
        return _("modifications"), ", ".join(
            f"{field_label(k)} : {_plain(v)}" for k, v in value.items()
        ) or "—"
    if key == "allocations" and isinstance(value, dict):
        return _("affectations"), ", ".join(
            f"{number} : {euros(amount)}" for number, amount in value.items()
        ) or "—"
    label = str(labels.AUDIT_KEYS.get(key, key.replace("_", " ")))
    if key in labels.AUDIT_AMOUNT_KEYS:
        return label, euros(value)
    if isinstance(value, dict):
        return label, ", ".join(f"{k} : {_plain(v)}" for k, v in value.items()) or "—"
    if isinstance(value, list | tuple):
        return label, ", ".join(_plain(v) for v in value) or "—"
    return label, _plain(value)


@register.filter
def audit_details(event) -> list[tuple[str, str]]:
    """The event's data as French (label, value) pairs."""
    data = event.data or {}
    return [_detail(event.action, key, value) for key, value in data.items()]


@register.filter
def audit_url(event) -> str:
    name = labels.AUDIT_OBJECT_URLS.get(event.object_type)
    if not name or not str(event.object_id).isdigit():
        return ""
    try:
        return reverse(name, args=[int(event.object_id)])
    except NoReverseMatch:
        return ""


@register.filter
def siren(value) -> str:
    """542107651 → « 542 107 651 »; a SIRET 54210765100012 → « 542 107 651 00012 »."""
    text = str(value or "")
    if len(text) == 9 and text.isdigit():
        return f"{text[:3]}\u00a0{text[3:6]}\u00a0{text[6:]}"
    if len(text) == 14 and text.isdigit():
        return f"{text[:3]}\u00a0{text[3:6]}\u00a0{text[6:9]}\u00a0{text[9:]}"
    return text


@register.filter
def neg(value):
    """The opposite of a number (a credit balance shown as a positive amount)."""
    try:
        return -value
    except TypeError:
        return value


@register.simple_tag
def submission_token() -> str:
    """The one-time token of a form that creates a document (web/submissions.py): a new one per render."""
    return format_html(
        '<input type="hidden" name="{}" value="{}">', submissions.FIELD, submissions.new_token()
    )

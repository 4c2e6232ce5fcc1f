"""Display helpers of the web pages: `{% load comptoir_ui %}`.

The audit trail stores stable codes (actions, field names, payment methods) and raw values; these
filters turn them into what a French reader expects, and link an event to its document.
"""

import re
from decimal import Decimal

from django import template
from django.core.exceptions import FieldDoesNotExist
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from comptoir.catalog.models import Product
from comptoir.core.models import ApiToken
from comptoir.core.permissions import ROLE_LABELS
from comptoir.parties.models import Company, Customer
from comptoir.payments.models import Payment
from comptoir.returns.models import Reason, Resolution, ReturnReceiptLine
from comptoir.sales.models import BillingMilestone
from comptoir.web import labels, submissions
from comptoir.web.templatetags.comptoir_format import euros, percent, qty

register = template.Library()


@register.filter
def audit_action(code: str) -> str:
    return str(labels.AUDIT_ACTIONS.get(code, code))


# The events of a credit note are recorded as an invoice's (the same document table, the same chain of
# numbers): on a credit note's page they read as an avoir's.
CREDIT_NOTE_ACTIONS = {
    "invoice.issued": _l("Avoir émis"),
    "invoice.drafted": _l("Brouillon d'avoir créé"),
    "invoice.cancelled": _l("Brouillon d'avoir annulé"),
}

# An e-mail's event names its recipients in its title, as the history reads it.
EMAIL_ACTIONS = {
    "document.emailed": _l("Document envoyé par e-mail à %(to)s"),
    "document.email_failed": _l("Échec de l'envoi par e-mail à %(to)s"),
}


@register.filter
def audit_title(event) -> str:
    """The event's French title, read for the kind of document it is about when the page says so
    (`event.document_kind`, set by the page of a credit note)."""
    if getattr(event, "document_kind", "") == "credit_note" and event.action in CREDIT_NOTE_ACTIONS:
        return str(CREDIT_NOTE_ACTIONS[event.action])
    recipients = (event.data or {}).get("to") if event.action in EMAIL_ACTIONS else ""
    if recipients:
        return str(EMAIL_ACTIONS[event.action]) % {"to": recipients}
    return audit_action(event.action)


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


# A number as the audit trail stores it (a Decimal written out by the JSON encoder: "87.0800000000000").
MACHINE_NUMBER = re.compile(r"-?\d+\.\d+")

# Codes some events carry, by the action's area and the key: their French labels.
CODED_VALUES = {
    ("return.", "reason"): dict(Reason.choices),
    ("return.", "kind"): dict(Resolution.Kind.choices),
    ("return.", "disposition"): dict(ReturnReceiptLine.Disposition.choices),
    ("order.", "trigger"): dict(BillingMilestone.Trigger.choices),
}


def _coded(action: str, key: str, value):
    """The label of a code, or None when the value is not one of the codes of this key (free text)."""
    for (prefix, name), choices in CODED_VALUES.items():
        if key == name and action.startswith(prefix) and isinstance(value, str) and value in choices:
            return str(choices[value])
    return None


def _goods_line(action: str, line) -> str:
    """One line of goods as an event stores it: [sku, quantity], or {sku, quantity, disposition,
    inspection} for a return receipt → "REF-88 × 2 — Mise au rebut (moteur grillé)"."""
    if isinstance(line, list | tuple) and len(line) == 2:
        return f"{line[0]} × {qty(line[1])}"
    if isinstance(line, dict) and "sku" in line:
        text = f"{line['sku']} × {qty(line.get('quantity'))}"
        disposition = _coded(action, "disposition", line.get("disposition"))
        if disposition:
            text += f" — {disposition}"
        if line.get("inspection"):
            text += f" ({line['inspection']})"
        return text
    return _plain(line)


def _plain(value) -> str:
    if value in (None, ""):
        return "—"
    if value is True:
        return _("oui")
    if value is False:
        return _("non")
    if isinstance(value, Decimal) or (isinstance(value, str) and MACHINE_NUMBER.fullmatch(value)):
        return qty(value)
    # Nested data (the lines of a return receipt, [sku, quantity] pairs): the values, in order.
    if isinstance(value, dict):
        return " · ".join(_plain(v) for v in value.values() if v not in (None, "")) or "—"
    if isinstance(value, list | tuple):
        return " ".join(_plain(v) for v in value) or "—"
    return str(value)


def _detail(action: str, key: str, value) -> tuple[str, str]:
    """(label, value) of one item of an event's data, read in the context of its action."""
    if key == "total":
        return (_("total TTC") if action in labels.AUDIT_TOTAL_INCL_VAT else _("total HT")), euros(value)
    coded = _coded(action, key, value)
    if coded is not None:
        return str(labels.AUDIT_KEYS.get(key, key)), coded
    if key == "roles" and isinstance(value, list | tuple):
        return _("rôles"), ", ".join(str(ROLE_LABELS.get(role, role)) for role in value) or "—"
    if (
        key == "lines"
        and isinstance(value, list | tuple)
        and value
        and isinstance(value[0], list | tuple | dict)
    ):
        return _("lignes"), ", ".join(_goods_line(action, line) for line in value)
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
    if key == "changes" and isinstance(value, list | tuple):  # a delivery note edited before it ships
        return _("quantités"), ", ".join(
            f"{change.get('sku')} : {qty(change.get('planned'))} → {qty(change.get('now'))}"
            for change in value
            if isinstance(change, dict)
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

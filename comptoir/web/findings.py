"""The assistant's findings as the invoice and order pages show them: severity chips, the evidence as
French labels and formatted values. Presentation only; the findings come from `assistant.services`."""

import datetime
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from comptoir.assistant.findings import Finding, Severity
from comptoir.web.templatetags.comptoir_format import euros, frdate, percent, qty

SEVERITY_CHIPS = {
    Severity.BLOCKING: ("overdue", _("Bloquant")),
    Severity.WARNING: ("partial", _("Attention")),
    Severity.INFO: ("open", _("Info")),
}

DOCUMENT_KINDS = {
    "quote": _("Devis"),
    "order": _("Commande"),
    "delivery": _("Livraison"),
    "invoice": _("Facture"),
    "credit_note": _("Avoir"),
    "return_case": _("Dossier de retour"),
    "payment": _("Règlement"),
    "customer": _("Client"),
    "product": _("Produit"),
}

VALUE_LABELS = {
    "amount": _("montant"),
    "balance_due": _("reste dû"),
    "city": _("ville"),
    "country": _("pays"),
    "credited": _("avoir"),
    "credited_before": _("déjà repris par avoir"),
    "date": _("date"),
    "delivered": _("livré"),
    "delivery_line": _("ligne de livraison"),
    "deposits_deducted": _("acomptes déduits"),
    "discount_percent": _("remise"),
    "invoiced": _("facturé"),
    "invoiced_in_all": _("facturé en tout"),
    "invoiced_on_this": _("facturé ici"),
    "justified_untaxed": _("montant HT justifié"),
    "left_to_deduct": _("reste à déduire"),
    "lines": _("lignes"),
    "ordered": _("commandé"),
    "planned": _("prévu"),
    "postal_code": _("code postal"),
    "product": _("article"),
    "products": _("articles"),
    "reason": _("motif"),
    "siren": _("SIREN"),
    "source_reference": _("référence d'origine"),
    "street": _("adresse"),
    "total": _("total TTC"),
    "total_untaxed": _("total HT"),
    "unallocated": _("non affecté"),
    "unit_price": _("prix unitaire HT"),
    "valid_until": _("valable jusqu'au"),
    "vat_category": _("catégorie de TVA"),
    "vat_exemption_reason": _("motif d'exonération"),
    "vat_number": _("n° TVA"),
    "vat_rate": _("taux de TVA"),
    "vat_regime": _("régime de TVA"),
}

_EUROS = {
    "amount",
    "balance_due",
    "deposits_deducted",
    "justified_untaxed",
    "left_to_deduct",
    "total",
    "total_untaxed",
    "unallocated",
    "unit_price",
}
_PERCENTS = {"discount_percent", "vat_rate"}


def _shown(key: str, value) -> str:
    if isinstance(value, datetime.date):
        return frdate(value)
    if isinstance(value, Decimal):
        if key in _EUROS:
            return euros(value)
        return percent(value) if key in _PERCENTS else qty(value)
    if isinstance(value, list | tuple):
        return ", ".join(_shown(key, item) for item in value)
    return "—" if value is None or value == "" else str(value)


def panel(findings: list[Finding]) -> list[dict]:
    """One row per finding, most serious first (the order the assistant returns them in)."""
    rows = []
    for finding in findings:
        chip, label = SEVERITY_CHIPS[finding.severity]
        rows.append(
            {
                "code": finding.code,
                "blocking": finding.is_blocking,
                "chip": chip,
                "severity": label,
                "message": finding.message,
                "evidence": [
                    {
                        "kind": DOCUMENT_KINDS.get(item.kind, item.kind),
                        "document": item.document,
                        "values": [
                            (VALUE_LABELS.get(key, key), _shown(key, value))
                            for key, value in item.values.items()
                        ],
                    }
                    for item in finding.evidence
                ],
                "rationale": finding.proposal.rationale if finding.proposal else "",
            }
        )
    return rows

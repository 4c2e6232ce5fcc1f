"""Checks of a draft's VAT against the product, the customer and the day the tax fell due. Pure."""

from decimal import Decimal

from django.utils.translation import gettext, gettext_lazy

from comptoir.assistant.chain import (
    Chain,
    Kind,
)
from comptoir.assistant.checks._common import (
    _invoice_ev,
    _label,
    _noun,
    _sentence,
)
from comptoir.assistant.findings import Evidence, Finding, Proposal, Severity, percent
from comptoir.core import vat

# --- VAT ------------------------------------------------------------------------------------------

_REGIME_LABELS = {
    vat.Regime.FRANCE: gettext_lazy("France"),
    vat.Regime.EU: gettext_lazy("entreprise de l'Union européenne"),
    vat.Regime.EXPORT: gettext_lazy("hors Union européenne"),
}
# The categories that need the buyer's VAT number (vat.NEED_BUYER_VAT), as a sentence names them.
_CATEGORY_IN_SENTENCE = {
    vat.Category.REVERSE_CHARGE: gettext_lazy("autoliquidation"),
    vat.Category.INTRA_EU_GOODS: gettext_lazy("livraison intracommunautaire exonérée"),
}


def _has_eu_vat_number(number: str) -> bool:
    return len(number) > 2 and number[:2].isalpha() and not number.upper().startswith("FR")


def check_reverse_charge_vat_number(chain: Chain) -> list[Finding]:
    """Reverse charge (AE) or an intra-EU supply (K) needs the buyer's VAT number in another member state."""
    findings = []
    customer = chain.customer
    for invoice in chain.subjects(Kind.INVOICE, Kind.DEPOSIT):
        if not invoice.is_draft:
            continue
        for line in invoice.lines:
            if line.vat_category in vat.NEED_BUYER_VAT and not _has_eu_vat_number(customer.vat_number):
                if customer.vat_number:
                    message = gettext(
                        "%(noun)s %(label)s applique %(category)s (%(code)s) à %(sku)s alors que le client "
                        "%(customer)s a le numéro %(vat_number)s : il faut un numéro de TVA d'un autre État "
                        "membre."
                    )
                else:
                    message = gettext(
                        "%(noun)s %(label)s applique %(category)s (%(code)s) à %(sku)s alors que le client "
                        "%(customer)s a aucun numéro de TVA : il faut un numéro de TVA d'un autre État membre."
                    )
                category = _CATEGORY_IN_SENTENCE.get(line.vat_category)
                findings.append(
                    Finding(
                        "reverse_charge_without_eu_vat_number",
                        Severity.BLOCKING,
                        _sentence(
                            message
                            % {
                                "noun": _noun(invoice),
                                "label": _label(invoice),
                                "category": category or vat.CATEGORY_LABELS[line.vat_category].lower(),
                                "code": line.vat_category,
                                "sku": line.product.sku,
                                "customer": customer.name,
                                "vat_number": customer.vat_number,
                            }
                        ),
                        (
                            _invoice_ev(
                                invoice, line, vat_category=line.vat_category, vat_rate=line.vat_rate
                            ),
                            Evidence(
                                "customer",
                                customer.name,
                                customer.id,
                                None,
                                {"vat_number": customer.vat_number, "vat_regime": customer.vat_regime},
                            ),
                        ),
                    )
                )
    return findings


def check_vat_follows_product_and_customer(chain: Chain) -> list[Finding]:
    """Each draft line's VAT category and rate are what the product and the customer's regime give, at
    the rate in force the day the tax fell due: the delivery for goods (CGI art. 269-2-a), the invoice for
    the rest. Goods delivered at 10 % before the product went to 20 % are rightly invoiced at 10 %."""
    findings = []
    customer = chain.customer
    delivered = chain.delivery_line_by_id
    for invoice in chain.subjects(Kind.INVOICE, Kind.DEPOSIT):
        if not invoice.is_draft:
            continue
        for line in invoice.lines:
            if line.vat_category in vat.NEED_BUYER_VAT and not _has_eu_vat_number(customer.vat_number):
                continue  # said by check_reverse_charge_vat_number
            product = line.product
            source = delivered.get(line.delivery_line_id) if line.delivery_line_id is not None else None
            tax_point = source[0].date if source is not None else invoice.date
            rate = product.rate_on(tax_point)
            expected = vat.treatment(
                regime=customer.vat_regime,
                is_service=product.is_service,
                rate=rate,
                exemption_reason=product.vat_exemption_reason,
                exemption_code=product.vat_exemption_code,
            )
            if (line.vat_category, line.vat_rate) == (expected.category, expected.rate):
                continue
            findings.append(
                Finding(
                    "invoice_vat_inconsistent",
                    Severity.BLOCKING,
                    _sentence(
                        gettext(
                            "%(noun)s %(label)s soumet %(sku)s à la TVA %(rate)s (%(category)s) alors que le "
                            "produit (TVA %(product_rate)s) vendu au client %(customer)s (régime %(regime)s) "
                            "appelle %(expected_rate)s (%(expected_category)s)."
                        )
                        % {
                            "noun": _noun(invoice),
                            "label": _label(invoice),
                            "sku": product.sku,
                            "rate": percent(line.vat_rate),
                            "category": line.vat_category,
                            "product_rate": percent(rate),
                            "customer": customer.name,
                            "regime": _REGIME_LABELS.get(customer.vat_regime, customer.vat_regime),
                            "expected_rate": percent(expected.rate),
                            "expected_category": expected.category,
                        }
                    ),
                    (
                        _invoice_ev(invoice, line, vat_category=line.vat_category, vat_rate=line.vat_rate),
                        Evidence(
                            "product",
                            product.sku,
                            product.id,
                            None,
                            {"vat_rate": rate, "tax_point": tax_point.isoformat()},
                        ),
                        Evidence(
                            "customer",
                            customer.name,
                            customer.id,
                            None,
                            {"vat_regime": customer.vat_regime, "vat_number": customer.vat_number},
                        ),
                    ),
                    Proposal(
                        "set_invoice_line_vat",
                        {
                            "invoice_id": invoice.id,
                            "invoice_line_id": line.id,
                            "vat_category": expected.category,
                            "vat_rate": expected.rate,
                        },
                        gettext(
                            "Appliquer la TVA %(rate)s (%(category)s) que donnent le produit et le régime du "
                            "client, ou corriger la fiche si c'est elle qui est fausse."
                        )
                        % {"rate": percent(expected.rate), "category": expected.category},
                        Decimal("0.8"),
                    ),
                )
            )
    return findings

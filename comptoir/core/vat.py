"""How VAT applies to a sales line: category code (EN 16931 BT-151), rate, legal mention. Pure.

France mainland rates are standard-rated (S) or zero-rated (Z); an exempt product (E) carries its
legal basis. Sales to EU businesses and exports are not taxed in France, with the mention the law
requires (CGI 262 ter I, 259/283-2, 262 I). See reference/fr-compliance.md §2.4 and §5.5.
"""

from dataclasses import dataclass
from decimal import Decimal

ZERO_RATE = Decimal("0.00")


class Category:
    STANDARD = "S"
    ZERO = "Z"
    EXEMPT = "E"
    REVERSE_CHARGE = "AE"
    INTRA_EU_GOODS = "K"
    EXPORT = "G"


class Regime:
    """The customer's VAT situation, chosen on the customer record."""

    FRANCE = "france"
    EU = "eu"
    EXPORT = "export"


CATEGORY_LABELS = {
    Category.STANDARD: "Taux normal ou réduit",
    Category.ZERO: "Taux zéro",
    Category.EXEMPT: "Exonéré",
    Category.REVERSE_CHARGE: "Autoliquidation",
    Category.INTRA_EU_GOODS: "Livraison intracommunautaire exonérée",
    Category.EXPORT: "Exportation exonérée",
}

# Categories whose invoices must carry the buyer's VAT number (BR-AE-02, BR-IC-02).
NEED_BUYER_VAT = {Category.REVERSE_CHARGE, Category.INTRA_EU_GOODS}


@dataclass(frozen=True)
class Treatment:
    category: str
    rate: Decimal
    reason: str = ""
    reason_code: str = ""


def treatment(
    *, regime: str, is_service: bool, rate: Decimal, exemption_reason: str = "", exemption_code: str = ""
) -> Treatment:
    """VAT treatment of one line sold to a customer of `regime`."""
    if regime == Regime.EU:
        if is_service:
            return Treatment(Category.REVERSE_CHARGE, ZERO_RATE, "Autoliquidation", "VATEX-EU-AE")
        return Treatment(
            Category.INTRA_EU_GOODS, ZERO_RATE, "Exonération de TVA, article 262 ter I du CGI", "VATEX-EU-IC"
        )
    if regime == Regime.EXPORT:
        return Treatment(Category.EXPORT, ZERO_RATE, "Exonération de TVA, article 262 I du CGI", "VATEX-EU-G")
    if exemption_reason:
        return Treatment(Category.EXEMPT, ZERO_RATE, exemption_reason, exemption_code)
    if rate == 0:
        return Treatment(Category.ZERO, ZERO_RATE)
    return Treatment(Category.STANDARD, rate)

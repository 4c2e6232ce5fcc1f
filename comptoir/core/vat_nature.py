"""What a sales line is for VAT and for the e-invoicing reform: where it goes on the CA3 return, whether
it goes on the European services statement (DES) or the goods statement (EMEBI), and how the reform
treats the sale (the BAR note, e-reporting). Pure: no Django.

The line's VAT category (EN 16931 BT-151, set by `core.vat.treatment` from the customer's VAT regime and
the product) says most of it; the buyer's country and identifiers say the rest:

- S, Z: an operation taxable in France → CA3 line A1 (sales and services), its VAT on 08/9B/09/T6;
- K: intra-EU supply of goods to a VAT-registered buyer (CGI art. 262 ter I) → F2, and the EMEBI;
- G: export outside the EU (CGI art. 262 I) → E1;
- AE to a buyer established in another EU member state: a service taxed at the buyer's place (CGI art.
  259-1), reverse charged → E2 and the DES;
- AE in France (subcontracting in construction, CGI art. 283-2 nonies) or outside the EU, and E (exempt,
  e.g. training under CGI art. 261-4-4°) → E2, "autres opérations non imposables";
- O (outside the scope of VAT: disbursements, indemnities) → no line: the CA3 does not declare them.

The reform's processing type (BT-21 note « BAR », BR-FR-20) is the one the e-invoice writes:
B2B for a French business buyer (e-invoiced through the platforms), B2BINT for a buyer abroad (reported
per invoice through e-reporting), B2C for a buyer with no business identifier (reported in daily
totals), OUTOFSCOPE for an invoice whose every line is outside the scope of VAT. See
reference/fr-compliance.md §1.7, §2.4 and §5.5.
"""

from dataclasses import dataclass

from comptoir.core.vat import Category

OUT_OF_SCOPE_CATEGORY = "O"

# EU member states other than France, as ISO 3166 codes (Greece is "GR" here; its VAT numbers start
# with "EL", see `vat_country`). Northern Ireland trades goods as a member state under the XI prefix.
EU_MEMBER_STATES = frozenset(
    "AT BE BG CY CZ DE DK EE ES FI GR HR HU IE IT LT LU LV MT NL PL PT RO SE SI SK".split()
)


class Operation:
    """The nature of a line for VAT."""

    DOMESTIC = "domestic"  # taxable in France
    INTRA_EU_GOODS = "intra_eu_goods"  # exempt supply of goods to an EU business (262 ter I)
    EXPORT = "export"  # exempt export outside the EU (262 I)
    INTRA_EU_SERVICES = "intra_eu_services"  # B2B service taxed at the EU buyer's place (259-1)
    OTHER_NON_TAXABLE = "other_non_taxable"  # exempt, domestic reverse charge, services outside the EU
    OUT_OF_SCOPE = "out_of_scope"  # not a VAT operation


class Ca3Line:
    """Lines of the operations section of form 3310-CA3-SD."""

    SALES = "A1"  # ventes, prestations de services
    EXPORTS = "E1"  # exportations hors UE
    OTHER_NON_TAXABLE = "E2"  # autres opérations non imposables
    INTRA_EU_SUPPLIES = "F2"  # livraisons intracommunautaires à destination d'un assujetti


class Processing:
    """The e-invoicing reform's processing type (note BAR, BR-FR-20)."""

    B2B = "B2B"
    B2BINT = "B2BINT"
    B2C = "B2C"
    OUT_OF_SCOPE = "OUTOFSCOPE"


CA3_LINES = {
    Operation.DOMESTIC: Ca3Line.SALES,
    Operation.INTRA_EU_GOODS: Ca3Line.INTRA_EU_SUPPLIES,
    Operation.EXPORT: Ca3Line.EXPORTS,
    Operation.INTRA_EU_SERVICES: Ca3Line.OTHER_NON_TAXABLE,
    Operation.OTHER_NON_TAXABLE: Ca3Line.OTHER_NON_TAXABLE,
    Operation.OUT_OF_SCOPE: "",
}


@dataclass(frozen=True)
class Buyer:
    """The buyer as the invoice froze it."""

    country: str = "FR"
    siren: str = ""
    vat_number: str = ""

    @property
    def in_eu(self) -> bool:
        """Established in another EU member state (by its address; by its VAT number's prefix when the
        address has no country)."""
        if not self.country:
            return vat_country(self.vat_number) in EU_MEMBER_STATES
        return self.country.upper() in EU_MEMBER_STATES

    @property
    def is_business(self) -> bool:
        return bool(self.siren or self.vat_number) or (self.country or "FR").upper() != "FR"


@dataclass(frozen=True)
class Classification:
    operation: str
    ca3_line: str
    in_des: bool  # on the European services statement
    in_emebi: bool  # on the intra-EU goods statement
    processing: str


def vat_country(vat_number: str) -> str:
    """The ISO country of an EU VAT number's prefix ("EL" is Greece, "GR")."""
    prefix = (vat_number or "")[:2].upper()
    return "GR" if prefix == "EL" else prefix


def operation(category: str, buyer: Buyer) -> str:
    """The VAT nature of a line of `category` sold to `buyer`."""
    if category == OUT_OF_SCOPE_CATEGORY:
        return Operation.OUT_OF_SCOPE
    if category == Category.INTRA_EU_GOODS:
        return Operation.INTRA_EU_GOODS
    if category == Category.EXPORT:
        return Operation.EXPORT
    if category == Category.REVERSE_CHARGE:
        # A service to an EU business is taxed where the buyer is (259-1) and goes on the DES; the
        # French reverse charge of subcontracting in construction (283-2 nonies) does not.
        return Operation.INTRA_EU_SERVICES if buyer.in_eu else Operation.OTHER_NON_TAXABLE
    if category == Category.EXEMPT:
        return Operation.OTHER_NON_TAXABLE
    return Operation.DOMESTIC


def processing_type(buyer: Buyer, categories) -> str:
    """The processing type of a whole invoice (its BAR note), from its buyer and its lines' categories."""
    categories = set(categories)
    if categories and categories == {OUT_OF_SCOPE_CATEGORY}:
        return Processing.OUT_OF_SCOPE
    if (buyer.country or "FR").upper() != "FR":
        return Processing.B2BINT
    return Processing.B2B if buyer.is_business else Processing.B2C


def classify(category: str, buyer: Buyer, *, invoice_categories=()) -> Classification:
    """Everything the returns need to know about one line (`invoice_categories`: the categories of the
    whole invoice, for its processing type; the line's own when not given)."""
    nature = operation(category, buyer)
    return Classification(
        operation=nature,
        ca3_line=CA3_LINES[nature],
        in_des=nature == Operation.INTRA_EU_SERVICES,
        in_emebi=nature == Operation.INTRA_EU_GOODS,
        processing=processing_type(buyer, invoice_categories or (category,)),
    )

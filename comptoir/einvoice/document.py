"""An invoice as the e-invoicing formats see it: frozen dataclasses over Decimal, no Django.

The names follow EN 16931 (the BT-/BG- ids are given in comments), so that the CII, UBL and PDF
writers read the same values. Amounts are already rounded when they get here: the adapter copies the
frozen totals of an issued invoice, or calls `summarize()` which applies fr-compliance §2.5.
`consistency_errors()` re-checks the arithmetic rules (BR-CO-10…17, BR-S-08/09) and the French
mandatory data before anything is generated.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

from comptoir.core.money import CENT, ZERO, amount, vat_on


class DocumentType(StrEnum):
    """BT-3, UNTDID 1001 (the subset Comptoir issues)."""

    INVOICE = "380"
    CREDIT_NOTE = "381"
    CORRECTED_INVOICE = "384"
    PREPAYMENT_INVOICE = "386"


class OperationNature(StrEnum):
    """First letter of BT-23: goods only, services only, or both (CGI ann. II 242 nonies A)."""

    GOODS = "B"
    SERVICES = "S"
    MIXED = "M"


class Framework(StrEnum):
    """Second character of BT-23 (fr-compliance §1.3): which invoicing framework applies."""

    STANDARD = "1"
    ALREADY_PAID = "2"
    FINAL_AFTER_DEPOSIT = "4"


class VatCategory(StrEnum):
    """BT-95/102/118/151, UNCL 5305 subset accepted in France (BR-FR-15)."""

    STANDARD = "S"
    ZERO_RATED = "Z"
    EXEMPT = "E"
    REVERSE_CHARGE = "AE"
    INTRA_EU_SUPPLY = "K"
    EXPORT = "G"
    OUT_OF_SCOPE = "O"


# Categories whose breakdown needs an exemption reason (BR-E-10, BR-AE-10, BR-IC-10, BR-G-10, BR-O-10).
CATEGORIES_WITH_EXEMPTION = frozenset(
    {
        VatCategory.EXEMPT,
        VatCategory.REVERSE_CHARGE,
        VatCategory.INTRA_EU_SUPPLY,
        VatCategory.EXPORT,
        VatCategory.OUT_OF_SCOPE,
    }
)

# The usual legal basis printed and sent for each zero-VAT category; E has no single default.
DEFAULT_EXEMPTIONS: dict[VatCategory, tuple[str, str]] = {
    VatCategory.REVERSE_CHARGE: ("Autoliquidation", "VATEX-EU-AE"),
    VatCategory.INTRA_EU_SUPPLY: ("Exonération de TVA, article 262 ter I du CGI", "VATEX-EU-IC"),
    VatCategory.EXPORT: ("Exonération de TVA, article 262 I du CGI", "VATEX-EU-G"),
    VatCategory.OUT_OF_SCOPE: ("Opération hors du champ d'application de la TVA", "VATEX-EU-O"),
}

# Subject codes of header notes (BT-21, UNTDID 4451) used in France (BR-FR-05/06/20).
NOTE_RECOVERY_INDEMNITY = "PMT"
NOTE_LATE_PENALTIES = "PMD"
NOTE_EARLY_PAYMENT_DISCOUNT = "AAB"
NOTE_TAX = "TXD"
NOTE_PROCESSING = "BAR"
MANDATORY_NOTE_SUBJECTS = (NOTE_RECOVERY_INDEMNITY, NOTE_LATE_PENALTIES, NOTE_EARLY_PAYMENT_DISCOUNT)

# BR-FR-16: the VAT rates the French platforms accept (mainland, Corsica, overseas, historical).
FRENCH_VAT_RATES = frozenset(
    Decimal(r)
    for r in (
        "0",
        "10",
        "13",
        "20",
        "8.5",
        "19.6",
        "2.1",
        "5.5",
        "7",
        "20.6",
        "1.05",
        "0.9",
        "1.75",
        "9.2",
        "9.6",
    )
)
DOCUMENT_NUMBER = re.compile(r"^[A-Za-z0-9+\-_/]{1,35}$")  # BR-FR-01/02
ELECTRONIC_ADDRESS = re.compile(r"^[A-Za-z0-9\-_.]{1,125}$")  # BR-FR-23/25
SIREN_SCHEME = "0225"  # EAS scheme of the French directory (annuaire): SIREN[_SIRET[_code]]


@dataclass(frozen=True)
class Address:
    """BG-5 / BG-8 / BG-15: up to three street lines (BT-35, BT-36, BT-162), postcode, city, country."""

    lines: tuple[str, ...] = ()
    postal_code: str = ""
    city: str = ""
    country_code: str = "FR"  # ISO 3166-1 alpha-2


@dataclass(frozen=True)
class Party:
    """Seller (BG-4) or buyer (BG-7)."""

    name: str  # BT-27 / BT-44
    address: Address
    siren: str = ""  # BT-30 / BT-47, scheme 0002
    siret: str = ""  # BT-29 / BT-46, scheme 0009
    vat_number: str = ""  # BT-31 / BT-48, with its country prefix (FR…, DE…)
    # BT-34 / BT-49. Empty means "the SIREN, scheme 0225" (the French directory default).
    electronic_address: str = ""
    electronic_address_scheme: str = SIREN_SCHEME
    legal_info: str = ""  # BT-33 (seller only): legal form, share capital, RCS
    contact_name: str = ""  # BT-41 / BT-56
    phone: str = ""  # BT-42 / BT-57
    email: str = ""  # BT-43 / BT-58

    @property
    def endpoint(self) -> tuple[str, str] | None:
        """(electronic address, scheme) or None when neither an address nor a SIREN is known."""
        if self.electronic_address:
            return self.electronic_address, self.electronic_address_scheme
        if self.siren:
            return self.siren, SIREN_SCHEME
        return None


@dataclass(frozen=True)
class DeliveryLocation:
    """BG-13 / BG-15: where the goods go, when it is not the buyer's address."""

    address: Address
    name: str = ""  # BT-70


@dataclass(frozen=True)
class LineAllowance:
    """BG-27: a discount on one line (for example Comptoir's "remise %")."""

    amount: Decimal  # BT-136
    reason: str = "Remise"  # BT-139
    reason_code: str = "95"  # BT-140, UNCL 5189: 95 = discount
    percent: Decimal | None = None  # BT-138
    base_amount: Decimal | None = None  # BT-137

    @property
    def sends_percent(self) -> bool:
        """Whether BT-138/BT-137 go to the XML: only when base × percent / 100 gives the amount to the cent."""
        if self.percent is None or self.base_amount is None:
            return False
        return amount(self.base_amount * self.percent / Decimal(100)) == self.amount


@dataclass(frozen=True)
class Line:
    """BG-25. `net_amount` (BT-131) = q2(quantity × net_price) − Σ allowances; checked, never recomputed."""

    id: str  # BT-126
    name: str  # BT-153
    quantity: Decimal  # BT-129 (at most 4 decimals, BR-FR-DEC-02)
    net_price: Decimal  # BT-146 (> 0, at most 6 decimals, BR-FR-DEC-03)
    net_amount: Decimal  # BT-131
    vat_category: VatCategory  # BT-151
    vat_rate: Decimal  # BT-152, in percent (ignored for category O)
    unit_code: str = "C62"  # BT-130, UN/ECE Rec 20: C62 one, H87 piece, HUR hour, KGM kilogram…
    sku: str = ""  # BT-155 seller's item id
    description: str = ""  # BT-154
    gross_price: Decimal | None = None  # BT-148, before the price discount
    price_discount: Decimal | None = None  # BT-147, per unit: net_price = gross_price − price_discount
    allowances: tuple[LineAllowance, ...] = ()
    order_line_reference: str = ""  # BT-132
    # Printed on the PDF next to the line; the XML carries the reason on the VAT breakdown (BG-23).
    exemption_reason: str = ""
    exemption_code: str = ""

    @property
    def allowance_total(self) -> Decimal:
        return sum((a.amount for a in self.allowances), ZERO)

    @property
    def gross_amount(self) -> Decimal:
        """q2(quantity × net price), before the line allowances."""
        return amount(self.quantity * self.net_price)


@dataclass(frozen=True)
class AllowanceCharge:
    """BG-20 (allowance) / BG-21 (charge) on the whole document, for one VAT category and rate."""

    is_charge: bool
    amount: Decimal  # BT-92 / BT-99
    vat_category: VatCategory  # BT-95 / BT-102
    vat_rate: Decimal  # BT-96 / BT-103
    reason: str  # BT-97 / BT-104
    reason_code: str = ""  # BT-98 (UNCL 5189) / BT-105 (UNCL 7161)
    percent: Decimal | None = None  # BT-94 / BT-101
    base_amount: Decimal | None = None  # BT-93 / BT-100

    @property
    def sends_percent(self) -> bool:
        """Whether BT-94/BT-93 go to the XML: only when base × percent / 100 gives the amount to the cent."""
        if self.percent is None or self.base_amount is None:
            return False
        return amount(self.base_amount * self.percent / Decimal(100)) == self.amount


@dataclass(frozen=True)
class Tax:
    """BG-23: one VAT breakdown per (category, rate)."""

    category: VatCategory  # BT-118
    rate: Decimal  # BT-119
    base: Decimal  # BT-116
    amount: Decimal  # BT-117 = q2(base × rate / 100)
    exemption_reason: str = ""  # BT-120
    exemption_code: str = ""  # BT-121, VATEX

    @property
    def key(self) -> tuple[str, Decimal]:
        return (str(self.category), _rate_key(self.category, self.rate))


@dataclass(frozen=True)
class Totals:
    """BG-22. Credit notes carry positive amounts: the sign is in the type code."""

    line_total: Decimal  # BT-106 = Σ BT-131
    tax_basis_total: Decimal  # BT-109 = BT-106 − BT-107 + BT-108
    tax_total: Decimal  # BT-110 = Σ BT-117
    grand_total: Decimal  # BT-112 = BT-109 + BT-110
    due_amount: Decimal  # BT-115 = BT-112 − BT-113 + BT-114
    allowance_total: Decimal = ZERO  # BT-107
    charge_total: Decimal = ZERO  # BT-108
    prepaid_amount: Decimal = ZERO  # BT-113: deposits already paid and deducted
    rounding_amount: Decimal = ZERO  # BT-114


@dataclass(frozen=True)
class InvoiceReference:
    """BG-3: the invoice a credit note or a final invoice refers to."""

    number: str  # BT-25
    issue_date: date | None = None  # BT-26 (required in France, BR-FR-CO-04/05)


@dataclass(frozen=True)
class PaymentMeans:
    """BG-16 / BG-17."""

    code: str = "58"  # BT-81, UNTDID 4461: 30 credit transfer, 58 SEPA credit transfer
    iban: str = ""  # BT-84
    bic: str = ""  # BT-86
    account_name: str = ""  # BT-85
    information: str = ""  # BT-82


@dataclass(frozen=True)
class Note:
    """BG-1: a header note; France requires PMT, PMD and AAB exactly once (BR-FR-05/06)."""

    text: str  # BT-22
    subject_code: str = ""  # BT-21


@dataclass(frozen=True)
class Invoice:
    number: str  # BT-1
    type_code: DocumentType  # BT-3
    issue_date: date  # BT-2
    seller: Party  # BG-4
    buyer: Party  # BG-7
    operation_nature: OperationNature  # BT-23, first letter
    lines: tuple[Line, ...]  # BG-25
    taxes: tuple[Tax, ...]  # BG-23
    totals: Totals  # BG-22
    notes: tuple[Note, ...] = ()  # BG-1, see french_payment_notes()
    framework: Framework = Framework.STANDARD  # BT-23, second character
    currency: str = "EUR"  # BT-5
    due_date: date | None = None  # BT-9
    delivery_date: date | None = None  # BT-72
    period_start: date | None = None  # BT-73
    period_end: date | None = None  # BT-74
    ship_to: DeliveryLocation | None = None  # BG-13, when it differs from the buyer's address
    buyer_reference: str = ""  # BT-10
    order_reference: str = ""  # BT-13, the customer's purchase order number
    contract_reference: str = ""  # BT-12
    despatch_reference: str = ""  # BT-16, delivery note number
    preceding_invoices: tuple[InvoiceReference, ...] = ()  # BG-3 (mandatory on 381 and 384)
    payment_terms: str = ""  # BT-20
    payment_means: PaymentMeans | None = None  # BG-16
    payment_reference: str = ""  # BT-83; the invoice number when empty
    vat_on_debits: bool = False  # seller opted to pay VAT on debits (BT-8 = 5 in CII, 3 in UBL)
    # BT-21 "BAR" note (BR-FR-20): B2B for a French business buyer, B2BINT abroad; "" = derive.
    processing_type: str = ""
    allowances_charges: tuple[AllowanceCharge, ...] = ()  # BG-20 / BG-21
    reason: str = ""  # why a credit note was issued: printed on the PDF

    @property
    def business_process(self) -> str:
        """BT-23, e.g. "B1" for a plain invoice of goods (BR-FR-08)."""
        return f"{self.operation_nature}{self.framework}"

    @property
    def processing(self) -> str:
        if self.processing_type:
            return self.processing_type
        return "B2B" if self.buyer.address.country_code == "FR" else "B2BINT"

    @property
    def is_credit_note(self) -> bool:
        return self.type_code == DocumentType.CREDIT_NOTE

    @property
    def effective_payment_reference(self) -> str:
        return self.payment_reference or self.number

    @property
    def categories(self) -> set[VatCategory]:
        return {VatCategory(t.category) for t in self.taxes}


def french_payment_notes(
    *, late_penalty_rate: Decimal | None = None, early_payment_discount: str = ""
) -> tuple[Note, ...]:
    """The three payment mentions of C. com. L441-9 / L441-10 / D441-5, as PMT, PMD and AAB notes.

    `late_penalty_rate` is the annual rate in percent agreed by the seller; without one, the legal
    default (ECB refinancing rate + 10 points) is stated.
    """
    if late_penalty_rate is None:
        penalties = (
            "En cas de retard de paiement, des pénalités de retard sont exigibles au taux de "
            "refinancement de la BCE majoré de 10 points (C. com. art. L441-10)."
        )
    else:
        penalties = (
            "En cas de retard de paiement, des pénalités de retard sont exigibles au taux annuel de "
            f"{format_percent_fr(late_penalty_rate)} (C. com. art. L441-10)."
        )
    return (
        Note(
            "Indemnité forfaitaire pour frais de recouvrement en cas de retard de paiement : 40 € "
            "(C. com. art. L441-10 et D441-5).",
            NOTE_RECOVERY_INDEMNITY,
        ),
        Note(penalties, NOTE_LATE_PENALTIES),
        Note(early_payment_discount or "Pas d'escompte pour paiement anticipé.", NOTE_EARLY_PAYMENT_DISCOUNT),
    )


def format_percent_fr(rate: Decimal) -> str:
    """12.00 → "12 %", 5.50 → "5,5 %" (no trailing zeros, French decimal comma)."""
    text = format(Decimal(rate).normalize(), "f")
    return f"{text.replace('.', ',')}\u00a0%"


def _rate_key(category: str, rate: Decimal) -> Decimal:
    # Category O has no rate (BR-O-05); normalising keeps 20, 20.0 and 20.00 in one breakdown.
    return ZERO if category == VatCategory.OUT_OF_SCOPE else Decimal(rate).quantize(CENT)


def line_with_discount(
    *,
    id: str,
    name: str,
    quantity: Decimal,
    unit_price: Decimal,
    vat_category: VatCategory,
    vat_rate: Decimal,
    discount_percent: Decimal = ZERO,
    net_amount: Decimal | None = None,
    **extra,
) -> Line:
    """A line priced like Comptoir's InvoiceLine: net = q2(qty × price × (1 − discount %)).

    The discount becomes a line allowance (BG-27) of q2(qty × price) − net, so that
    BT-131 = q2(BT-129 × BT-146) − BT-136 holds to the cent. Pass `net_amount` to keep a frozen value.
    """
    gross = amount(quantity * unit_price)
    net = amount(quantity * unit_price * (Decimal(100) - discount_percent) / Decimal(100))
    if net_amount is not None:
        net = net_amount
    allowances: tuple[LineAllowance, ...] = ()
    if gross != net:
        allowances = (
            LineAllowance(
                amount=gross - net,
                percent=discount_percent if discount_percent else None,
                base_amount=gross if discount_percent else None,
            ),
        )
    return Line(
        id=id,
        name=name,
        quantity=quantity,
        net_price=unit_price,
        net_amount=net,
        vat_category=vat_category,
        vat_rate=vat_rate,
        allowances=allowances,
        **extra,
    )


def summarize(
    lines: Iterable[Line],
    allowances_charges: Iterable[AllowanceCharge] = (),
    *,
    prepaid_amount: Decimal = ZERO,
    exemptions: dict[VatCategory, tuple[str, str]] | None = None,
) -> tuple[tuple[Tax, ...], Totals]:
    """VAT breakdown and totals by the algorithm of fr-compliance §2.5 (BR-CO-10…17, BR-S-08/09).

    The exemption reason of a zero-VAT breakdown comes from `exemptions`, else from the first line of
    that category, else from DEFAULT_EXEMPTIONS.
    """
    lines = tuple(lines)
    allowances_charges = tuple(allowances_charges)
    exemptions = exemptions or {}
    bases: dict[tuple[str, Decimal], Decimal] = {}
    reasons: dict[tuple[str, Decimal], tuple[str, str]] = {}
    for line in lines:
        key = (str(line.vat_category), _rate_key(line.vat_category, line.vat_rate))
        bases[key] = bases.get(key, ZERO) + line.net_amount
        if line.exemption_reason or line.exemption_code:
            reasons.setdefault(key, (line.exemption_reason, line.exemption_code))
    for item in allowances_charges:
        key = (str(item.vat_category), _rate_key(item.vat_category, item.vat_rate))
        signed = item.amount if item.is_charge else -item.amount
        bases[key] = bases.get(key, ZERO) + signed
    taxes = []
    for (category, rate), base in sorted(bases.items(), key=lambda kv: (-kv[0][1], kv[0][0])):
        category = VatCategory(category)
        reason, code = ("", "")
        if category in CATEGORIES_WITH_EXEMPTION:
            reason, code = (
                exemptions.get(category)
                or reasons.get((category, rate))
                or DEFAULT_EXEMPTIONS.get(category, ("", ""))
            )
        tax_amount = vat_on(base, rate) if category == VatCategory.STANDARD else ZERO
        taxes.append(Tax(category, rate, amount(base), tax_amount, reason, code))
    line_total = sum((line.net_amount for line in lines), ZERO)
    allowance_total = sum((i.amount for i in allowances_charges if not i.is_charge), ZERO)
    charge_total = sum((i.amount for i in allowances_charges if i.is_charge), ZERO)
    tax_basis = line_total - allowance_total + charge_total
    tax_total = sum((t.amount for t in taxes), ZERO)
    grand_total = tax_basis + tax_total
    totals = Totals(
        line_total=amount(line_total),
        tax_basis_total=amount(tax_basis),
        tax_total=amount(tax_total),
        grand_total=amount(grand_total),
        due_amount=amount(grand_total - prepaid_amount),
        allowance_total=amount(allowance_total),
        charge_total=amount(charge_total),
        prepaid_amount=amount(prepaid_amount),
    )
    return tuple(taxes), totals


def _of(role: str) -> str:
    """ "du vendeur", "de l'acheteur": French elides "de le" before a vowel."""
    return f"de l'{role}" if role[:1] in "aeiouyéè" else f"du {role}"


def consistency_errors(invoice: Invoice) -> list[str]:
    """What is wrong with the invoice data, before any XML is written (empty list: nothing).

    This repeats, in Python and with readable messages, the EN 16931 and BR-FR rules that depend
    on the adapter filling the data correctly; the Schematron run by validate.py stays the reference.
    """
    problems: list[str] = []
    add = problems.append
    totals = invoice.totals

    if not DOCUMENT_NUMBER.match(invoice.number):
        add(
            f"BR-FR-01 : le numéro {invoice.number!r} doit faire 1 à 35 caractères parmi A-Z a-z 0-9 + - _ /."
        )
    for ref in invoice.preceding_invoices:
        if not DOCUMENT_NUMBER.match(ref.number):
            add(f"BR-FR-02 : la référence de facture {ref.number!r} n'a pas un format de numéro valide.")
        if ref.issue_date is None:
            add(f"BR-FR-CO-05 : la date de la facture {ref.number} (BT-26) manque.")
    if invoice.type_code in (DocumentType.CREDIT_NOTE, DocumentType.CORRECTED_INVOICE):
        if not invoice.preceding_invoices:
            add(
                "BR-FR-CO-05 : un avoir ou une facture rectificative doit citer la facture d'origine (BT-25/26)."
            )
    if invoice.type_code == DocumentType.CORRECTED_INVOICE and len(invoice.preceding_invoices) > 1:
        add("BR-FR-CO-04 : une facture rectificative cite exactement une facture.")
    if (
        invoice.framework == Framework.FINAL_AFTER_DEPOSIT
        and invoice.type_code == DocumentType.PREPAYMENT_INVOICE
    ):
        add("BR-FR-CO-08 : une facture d'acompte ne peut pas être une facture définitive après acompte.")
    if (
        invoice.due_date
        and invoice.due_date < invoice.issue_date
        and invoice.type_code != DocumentType.PREPAYMENT_INVOICE
        and invoice.framework != Framework.ALREADY_PAID
    ):
        add("BR-FR-CO-07 : l'échéance (BT-9) précède la date de facture (BT-2).")
    if invoice.currency != "EUR":
        add("Seules les factures en euros sont prises en charge (BR-FR-CO-12 non géré).")

    subjects = [n.subject_code for n in invoice.notes if n.subject_code]
    for subject in MANDATORY_NOTE_SUBJECTS:
        if subjects.count(subject) != 1:
            add(f"BR-FR-05/06 : la note {subject} doit figurer exactement une fois.")
    if subjects.count(NOTE_PROCESSING):
        add("La note BAR est écrite par le générateur : ne la passez pas dans `notes`.")

    for role, party in (("vendeur", invoice.seller), ("acheteur", invoice.buyer)):
        if party.siren and not re.fullmatch(r"\d{9}", party.siren):
            add(f"BR-FR-32 : le SIREN {_of(role)} doit faire 9 chiffres.")
        if party.siret and not (re.fullmatch(r"\d{14}", party.siret) and party.siret.startswith(party.siren)):
            add(f"BR-FR-09 : le SIRET {_of(role)} doit faire 14 chiffres et commencer par son SIREN.")
        endpoint = party.endpoint
        if endpoint is None:
            # BR-FR-12 (buyer's BT-49) belongs to domestic B2B flows: an invoice to a buyer abroad
            # (B2BINT) is not routed by the French platforms but reported (e-reporting).
            if role == "vendeur" or invoice.processing == "B2B":
                add(f"BR-FR-12/13 : l'adresse électronique {_of(role)} (BT-34/BT-49) manque.")
        elif not ELECTRONIC_ADDRESS.match(endpoint[0]):
            add(f"BR-FR-23/25 : l'adresse électronique {_of(role)} {endpoint[0]!r} a un format invalide.")
        if not party.address.country_code:
            add(f"BR-09/11 : le pays de l'adresse {_of(role)} manque.")
    if not invoice.seller.siren:
        add("BR-FR-10 : le SIREN du vendeur (BT-30) est obligatoire.")
    if invoice.processing == "B2B":
        if not invoice.buyer.siren:
            add("BR-FR-11 : le SIREN de l'acheteur (BT-47) est obligatoire en B2B.")
        endpoint = invoice.buyer.endpoint
        if endpoint and (endpoint[1] != SIREN_SCHEME or not endpoint[0].startswith(invoice.buyer.siren)):
            add("BR-FR-21 : l'adresse électronique de l'acheteur doit commencer par son SIREN, schéma 0225.")

    categories = invoice.categories
    if VatCategory.OUT_OF_SCOPE in categories and len(categories) > 1:
        add("BR-O-11 : une facture hors champ (O) ne peut pas porter d'autre catégorie de TVA.")
    if categories - {VatCategory.OUT_OF_SCOPE} and not invoice.seller.vat_number:
        add("BR-S-02 et suivantes : le numéro de TVA du vendeur (BT-31) est obligatoire.")
    if (
        categories & {VatCategory.REVERSE_CHARGE, VatCategory.INTRA_EU_SUPPLY}
        and not invoice.buyer.vat_number
    ):
        add("BR-AE-02 / BR-IC-02 : le numéro de TVA de l'acheteur (BT-48) est obligatoire.")
    if VatCategory.INTRA_EU_SUPPLY in categories:
        if not (invoice.delivery_date or invoice.period_start):
            add("BR-IC-11 : une livraison intracommunautaire exige la date de livraison (BT-72).")
        if invoice.ship_to is None:
            add("BR-IC-12 : une livraison intracommunautaire exige le pays de livraison (BT-80).")

    if not invoice.lines:
        add("BR-16 : une facture a au moins une ligne.")
    line_ids = [line.id for line in invoice.lines]
    if len(set(line_ids)) != len(line_ids):
        add("BR-21 : les identifiants de ligne doivent être uniques.")
    for line in invoice.lines:
        if line.net_price <= ZERO:
            add(f"BR-FR-DEC-03 : ligne {line.id} : le prix net (BT-146) doit être strictement positif.")
        if -line.net_price.as_tuple().exponent > 6:
            add(f"BR-FR-DEC-03 : ligne {line.id} : le prix net a plus de 6 décimales.")
        if -line.quantity.as_tuple().exponent > 4:
            add(f"BR-FR-DEC-02 : ligne {line.id} : la quantité a plus de 4 décimales.")
        if line.vat_category != VatCategory.OUT_OF_SCOPE and Decimal(line.vat_rate) not in FRENCH_VAT_RATES:
            add(f"BR-FR-16 : ligne {line.id} : taux de TVA {line.vat_rate} non admis.")
        if line.vat_category == VatCategory.STANDARD and line.vat_rate <= ZERO:
            add(f"BR-S-05 : ligne {line.id} : le taux d'une ligne S doit être positif.")
        if line.vat_category != VatCategory.STANDARD and line.vat_rate != ZERO:
            add(f"BR-*-05 : ligne {line.id} : la catégorie {line.vat_category} impose un taux nul.")
        expected = line.gross_amount - line.allowance_total
        if line.net_amount != expected:
            add(
                f"Ligne {line.id} : montant net {line.net_amount} ≠ q2(quantité × prix net) − remises = {expected}."
            )
        if (
            line.gross_price is not None
            and line.gross_price - (line.price_discount or ZERO) != line.net_price
        ):
            add(f"Ligne {line.id} : prix net ≠ prix brut − remise sur prix (BT-146/147/148).")

    line_total = sum((line.net_amount for line in invoice.lines), ZERO)
    if totals.line_total != line_total:
        add(f"BR-CO-10 : total des lignes {totals.line_total} ≠ somme des lignes {line_total}.")
    allowances = sum((i.amount for i in invoice.allowances_charges if not i.is_charge), ZERO)
    charges = sum((i.amount for i in invoice.allowances_charges if i.is_charge), ZERO)
    if totals.allowance_total != allowances:
        add(f"BR-CO-11 : total des remises {totals.allowance_total} ≠ {allowances}.")
    if totals.charge_total != charges:
        add(f"BR-CO-12 : total des frais {totals.charge_total} ≠ {charges}.")
    if totals.tax_basis_total != totals.line_total - totals.allowance_total + totals.charge_total:
        add("BR-CO-13 : total HT (BT-109) ≠ lignes − remises + frais.")
    tax_sum = sum((t.amount for t in invoice.taxes), ZERO)
    if totals.tax_total != tax_sum:
        add(f"BR-CO-14 : total TVA {totals.tax_total} ≠ somme des ventilations {tax_sum}.")
    if totals.grand_total != totals.tax_basis_total + totals.tax_total:
        add("BR-CO-15 : total TTC (BT-112) ≠ total HT + TVA.")
    if totals.due_amount != totals.grand_total - totals.prepaid_amount + totals.rounding_amount:
        add("BR-CO-16 : net à payer (BT-115) ≠ TTC − acomptes + arrondi.")
    if invoice.framework == Framework.ALREADY_PAID and totals.due_amount != ZERO:
        add("BR-FR-CO-09 : une facture déjà payée a un net à payer nul.")

    expected_taxes, _ = summarize(invoice.lines, invoice.allowances_charges)
    expected_by_key = {t.key: t for t in expected_taxes}
    actual_keys = [t.key for t in invoice.taxes]
    if len(set(actual_keys)) != len(actual_keys):
        add("BR-CO-18 / BR-S-01 : une seule ventilation de TVA par catégorie et taux.")
    if set(actual_keys) != set(expected_by_key):
        add(
            f"BR-CO-18 : ventilations {sorted(actual_keys)} ≠ catégories des lignes {sorted(expected_by_key)}."
        )
    for tax in invoice.taxes:
        expected = expected_by_key.get(tax.key)
        if expected and tax.base != expected.base:
            add(f"BR-{tax.category}-08 : base {tax.key} = {tax.base}, attendu {expected.base}.")
        if tax.category == VatCategory.STANDARD:
            if tax.amount != vat_on(tax.base, tax.rate):
                add(
                    f"BR-CO-17 / BR-S-09 : TVA {tax.key} = {tax.amount}, attendu {vat_on(tax.base, tax.rate)}."
                )
        elif tax.amount != ZERO:
            add(f"BR-{tax.category}-09 : la TVA de la catégorie {tax.category} est nulle.")
        if tax.category in CATEGORIES_WITH_EXEMPTION and not (tax.exemption_reason or tax.exemption_code):
            add(f"BR-{tax.category}-10 : motif d'exonération (BT-120/121) obligatoire pour {tax.category}.")
        if tax.category in (VatCategory.STANDARD, VatCategory.ZERO_RATED) and (
            tax.exemption_reason or tax.exemption_code
        ):
            add(f"BR-{tax.category}-10 : pas de motif d'exonération pour la catégorie {tax.category}.")
    for name in ("line_total", "tax_basis_total", "tax_total", "grand_total", "due_amount", "prepaid_amount"):
        value = getattr(totals, name)
        if value != amount(value):
            add(f"BR-DEC : {name} a plus de 2 décimales.")
    return problems

"""Sample invoices covering what Comptoir issues: one builder per case, all through `make_invoice`."""

from datetime import date
from decimal import Decimal as D

from comptoir.einvoice.document import (
    Address,
    AllowanceCharge,
    DeliveryLocation,
    DocumentType,
    Framework,
    Invoice,
    InvoiceReference,
    Line,
    OperationNature,
    Party,
    PaymentMeans,
    VatCategory,
    french_payment_notes,
    line_with_discount,
    summarize,
)

S, E, AE, K, G = (
    VatCategory.STANDARD,
    VatCategory.EXEMPT,
    VatCategory.REVERSE_CHARGE,
    VatCategory.INTRA_EU_SUPPLY,
    VatCategory.EXPORT,
)

SELLER = Party(
    name="Atelier Dupont SAS",
    address=Address(("12 rue des Forges", "ZI des Trois Chênes"), "69007", "Lyon", "FR"),
    siren="552100554",
    siret="55210055400013",
    vat_number="FR96552100554",
    legal_info="SAS au capital de 50 000 € — RCS Lyon 552 100 554",
    email="compta@atelier-dupont.fr",
    phone="+33 4 78 00 00 00",
)
SELLER_LEGAL = {
    "legal_form": "SAS",
    "share_capital": D("50000"),
    "rcs_city": "Lyon",
    "late_penalty_rate": D("12"),
}
BUYER_FR = Party(
    name="Boulangeries Martin SARL",
    address=Address(("4 place du Marché",), "38000", "Grenoble", "FR"),
    siren="732829320",
    siret="73282932000074",
    vat_number="FR44732829320",
    contact_name="Claire Martin",
    email="factures@boulangeries-martin.fr",
)
BUYER_DE = Party(
    name="Müller Maschinenbau GmbH",
    address=Address(("Industriestraße 7",), "70173", "Stuttgart", "DE"),
    vat_number="DE136695976",
    electronic_address="DE136695976",
    electronic_address_scheme="9930",
)
BUYER_CH = Party(
    name="Horlogerie Favre SA",
    address=Address(("Rue du Rhône 40",), "1204", "Genève", "CH"),
    electronic_address="CHE-123.456.789",
    electronic_address_scheme="0183",
)
IBAN = PaymentMeans(
    code="58", iban="FR7630006000011234567890189", bic="AGRIFRPPXXX", account_name="Atelier Dupont"
)


def line(
    id="1", name="Vis inox M6 (boîte de 100)", qty="10", price="12.50", category=S, rate="20", **extra
) -> Line:
    return line_with_discount(
        id=id,
        name=name,
        quantity=D(qty),
        unit_price=D(price),
        vat_category=category,
        vat_rate=D(rate),
        discount_percent=D(extra.pop("discount", "0")),
        **extra,
    )


def make_invoice(
    lines, *, number="FA-2026-00042", prepaid=D("0"), allowances_charges=(), exemptions=None, **kw
):
    taxes, totals = summarize(lines, allowances_charges, prepaid_amount=prepaid, exemptions=exemptions)
    values = dict(
        number=number,
        type_code=DocumentType.INVOICE,
        issue_date=date(2026, 3, 16),
        seller=SELLER,
        buyer=BUYER_FR,
        operation_nature=OperationNature.GOODS,
        lines=tuple(lines),
        taxes=taxes,
        totals=totals,
        notes=french_payment_notes(late_penalty_rate=D("12")),
        due_date=date(2026, 4, 15),
        delivery_date=date(2026, 3, 12),
        order_reference="PO-2026-118",
        despatch_reference="BL-2026-00031",
        payment_terms="Paiement à 30 jours date de facture, par virement.",
        payment_means=IBAN,
        allowances_charges=tuple(allowances_charges),
    )
    values.update(kw)
    return Invoice(**values)


def single_rate() -> Invoice:
    return make_invoice([line(), line("2", "Écrou inox M6 (boîte de 100)", "4", "8.7500")])


def multi_rate() -> Invoice:
    lines = [
        line(
            "1",
            "Farine T65 — sac de 25 kg",
            "12",
            "18.4000",
            S,
            "5.5",
            discount="5",
            unit_code="H87",
            sku="FAR-T65",
        ),
        line("2", "Pétrin mécanique PX-40", "1", "2450.0000", S, "20", discount="12.5", sku="PX-40"),
        line("3", "Transport et installation", "3", "65.0000", S, "10", unit_code="HUR", sku="INST"),
        line("4", "Levure fraîche 500 g", "7", "3.3333", S, "5.5", discount="2.75", sku="LEV-500"),
    ]
    charges = (
        AllowanceCharge(
            is_charge=True,
            amount=D("35.00"),
            vat_category=S,
            vat_rate=D("20"),
            reason="Frais de port",
            reason_code="FC",
        ),
        AllowanceCharge(
            is_charge=False,
            amount=D("10.00"),
            vat_category=S,
            vat_rate=D("5.5"),
            reason="Remise fidélité",
            reason_code="95",
        ),
    )
    ship_to = DeliveryLocation(
        Address(("Fournil de la Bastille", "2 quai Perrière"), "38000", "Grenoble", "FR"), "Fournil"
    )
    return make_invoice(
        lines,
        number="FA-2026-00043",
        operation_nature=OperationNature.MIXED,
        allowances_charges=charges,
        ship_to=ship_to,
    )


def credit_note() -> Invoice:
    return make_invoice(
        [line("1", "Retour : vis inox M6 (boîte de 100)", "2", "12.50")],
        number="AV-2026-00007",
        type_code=DocumentType.CREDIT_NOTE,
        preceding_invoices=(InvoiceReference("FA-2026-00042", date(2026, 3, 16)),),
        issue_date=date(2026, 3, 20),
        due_date=None,
        payment_terms="Avoir à déduire de votre prochain règlement.",
        payment_means=None,
        despatch_reference="",
    )


def corrected_invoice() -> Invoice:
    return make_invoice(
        [line(), line("2", "Écrou inox M6 (boîte de 100)", "4", "8.7500")],
        number="FA-2026-00052",
        type_code=DocumentType.CORRECTED_INVOICE,
        preceding_invoices=(InvoiceReference("FA-2026-00042", date(2026, 3, 16)),),
        issue_date=date(2026, 3, 18),
        due_date=date(2026, 4, 17),
    )


def deposit_invoice() -> Invoice:
    return make_invoice(
        [line("1", "Acompte de 30 % sur la commande CMD-2026-00077", "1", "735.00")],
        number="FA-2026-00044",
        type_code=DocumentType.PREPAYMENT_INVOICE,
        delivery_date=None,
        despatch_reference="",
        order_reference="CMD-2026-00077",
        due_date=date(2026, 3, 16),
        payment_terms="Acompte payable à réception.",
        # The order's delivery site; without any delivery data the delivery block would be empty,
        # which the Factur-X Schematron reports as a warning (PEPPOL-EN16931-R008).
        ship_to=DeliveryLocation(
            Address(("Fournil de la Bastille", "2 quai Perrière"), "38000", "Grenoble"), "Fournil"
        ),
    )


def final_invoice_after_deposit() -> Invoice:
    return make_invoice(
        [line("1", "Pétrin mécanique PX-40", "1", "2450.00")],
        number="FA-2026-00050",
        framework=Framework.FINAL_AFTER_DEPOSIT,
        prepaid=D("882.00"),
        preceding_invoices=(InvoiceReference("FA-2026-00044", date(2026, 3, 16)),),
    )


def intra_eu_reverse_charge() -> Invoice:
    return make_invoice(
        [line("1", "Maintenance préventive sur site", "6", "95.00", AE, "0", unit_code="HUR")],
        number="FA-2026-00045",
        buyer=BUYER_DE,
        operation_nature=OperationNature.SERVICES,
        delivery_date=date(2026, 3, 10),
        despatch_reference="",
        order_reference="",
        exemptions={AE: ("Autoliquidation — article 196 de la directive 2006/112/CE", "VATEX-EU-AE")},
    )


def intra_eu_goods() -> Invoice:
    return make_invoice(
        [line("1", "Pétrin mécanique PX-40", "2", "2450.00", K, "0")],
        number="FA-2026-00049",
        buyer=BUYER_DE,
        ship_to=DeliveryLocation(BUYER_DE.address, BUYER_DE.name),
    )


def exempt_line() -> Invoice:
    return make_invoice(
        [
            line("1", "Formation sécurité machines (1 jour)", "1", "850.00", E, "0", unit_code="DAY"),
            line("2", "Support de cours imprimé", "8", "15.00", S, "20"),
        ],
        number="FA-2026-00046",
        operation_nature=OperationNature.MIXED,
        exemptions={E: ("Exonération de TVA, article 261-4-4° a du CGI", "VATEX-FR-CGI261-4")},
    )


def export() -> Invoice:
    return make_invoice(
        [line("1", "Pétrin mécanique PX-40", "1", "2450.00", G, "0")],
        number="FA-2026-00047",
        buyer=BUYER_CH,
    )


def services_only() -> Invoice:
    return make_invoice(
        [
            line("1", "Audit de la ligne de production", "7.5", "120.00", S, "20", unit_code="HUR"),
            line("2", "Rapport d'audit", "1", "300.00", S, "20"),
        ],
        number="FA-2026-00048",
        operation_nature=OperationNature.SERVICES,
        vat_on_debits=True,
        despatch_reference="",
        period_start=date(2026, 3, 2),
        period_end=date(2026, 3, 6),
    )


def mixed() -> Invoice:
    return make_invoice(
        [
            line("1", "Four à sole 4 étages", "1", "8900.00", S, "20", sku="FOUR-4"),
            line("2", "Mise en service du four", "4", "85.00", S, "20", unit_code="HUR"),
        ],
        number="FA-2026-00051",
        operation_nature=OperationNature.MIXED,
    )


ALL_CASES = {
    "single_rate": single_rate,
    "multi_rate": multi_rate,
    "credit_note": credit_note,
    "corrected_invoice": corrected_invoice,
    "deposit_invoice": deposit_invoice,
    "final_invoice_after_deposit": final_invoice_after_deposit,
    "intra_eu_reverse_charge": intra_eu_reverse_charge,
    "intra_eu_goods": intra_eu_goods,
    "exempt_line": exempt_line,
    "export": export,
    "services_only": services_only,
    "mixed": mixed,
}

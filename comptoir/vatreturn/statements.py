"""The two European statements of a month, read from the invoices and written as files.

DES (déclaration européenne de services, CGI art. 289 B-III): per customer VAT number, the services
taxed at the buyer's place in another member state (CGI art. 259-1, reverse charged: category AE to an
EU buyer, `core.vat_nature`), for the month of the invoice; a credit note subtracts from its customer.
The file: semicolons, UTF-8, one row per customer with the fields of the DES as form 13964 and the
pro.douane online form ask them, in that order — line number, amount in whole euros (the DES takes
no cents: rounded half up), the customer's VAT number (with its country prefix), the month and the
year of the period. Why this format: it is what the portal's file import reads
and what an accountant can also re-key by hand; the XML of the DTI+ channel needs a customs
declarant's certificate and identifiers Comptoir does not hold. Checked against the form's fields, not
against the portal itself (no access from here): try one import before relying on it.

Goods statement (EMEBI, the statistical survey that replaced the DEB in 2022, and the fiscal summary
statement of intra-EU supplies): per buyer VAT number and product, the value and quantity of goods
supplied to EU businesses (category K), with what the product card says of it: its CN8 code, its net
mass (the mass per unit × the quantity, in whole kilograms rounded half up, 1 for a positive mass under
half a kilogram: the survey takes no decimals and no zero for goods that weigh something) and its
country of origin; a product whose card lacks one of them gets an empty cell, listed in `missing` for
the declarant to complete. The nature of transaction (11, outright sale), the regime (21, dispatch)
and the delivery country (the buyer's) are filled in. The supplementary unit depends on the CN8 code
(pieces, litres, pairs…) and is left for the declarant.
"""

import csv
import datetime
import io
from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from comptoir.billing.einvoicing import buyer_of
from comptoir.billing.models import Invoice
from comptoir.core import vat_nature
from comptoir.vatreturn import declaration
from comptoir.vatreturn.selectors import issued_between

ZERO = Decimal("0")


@dataclass(frozen=True)
class DesRow:
    vat_number: str
    customer: str
    amount: Decimal
    invoices: tuple[str, ...]


@dataclass(frozen=True)
class GoodsRow:
    vat_number: str
    country: str
    customer: str
    sku: str
    product: str
    quantity: Decimal
    value: Decimal
    invoices: tuple[str, ...]
    customs_code: str = ""
    net_mass_kg: int | None = None
    origin_country: str = ""

    @property
    def missing(self) -> tuple[str, ...]:
        """What the product card lacks for the statement, in the words of the form."""
        return tuple(
            label
            for label, value in (
                ("nomenclature NC8", self.customs_code),
                ("masse nette", self.net_mass_kg),
                ("pays d'origine", self.origin_country),
            )
            if value in ("", None)
        )


def net_mass(per_unit: Decimal | None, quantity: Decimal) -> int | None:
    """The net mass of `quantity` units in whole kilograms (half up), at least 1 when there is any mass;
    None when the card has no mass."""
    if per_unit is None:
        return None
    total = abs(per_unit * quantity)
    if not total:
        return 0
    return max(1, int(total.quantize(Decimal("1"), rounding=ROUND_HALF_UP)))


def _eu_lines(date_from: datetime.date, date_to: datetime.date, wanted: str):
    """(invoice, line, its signed base, sign) of the period's lines of the operation `wanted`: the base
    net of the invoice's remises globales and frais (`declaration.line_bases`)."""
    for invoice in issued_between(date_from, date_to):
        if invoice.kind == Invoice.Kind.DEPOSIT:
            continue  # the invoice of the operation declares it whole
        buyer = buyer_of(invoice)
        sign = -1 if invoice.kind == Invoice.Kind.CREDIT_NOTE else 1
        lines = list(invoice.lines.all())
        bases = declaration.line_bases(lines, invoice.taxes.all())
        for line, base in zip(lines, bases, strict=True):
            if vat_nature.operation(line.vat_category, buyer) == wanted:
                yield invoice, line, sign * base, sign


def des_rows(date_from: datetime.date, date_to: datetime.date) -> list[DesRow]:
    amounts: dict[str, Decimal] = defaultdict(lambda: ZERO)
    names: dict[str, str] = {}
    numbers: dict[str, list[str]] = defaultdict(list)
    for invoice, _line, base, _sign in _eu_lines(date_from, date_to, vat_nature.Operation.INTRA_EU_SERVICES):
        key = invoice.buyer_vat_number.replace(" ", "").upper()
        amounts[key] += base
        names[key] = invoice.buyer_name
        if invoice.number not in numbers[key]:
            numbers[key].append(invoice.number)
    return [
        DesRow(key, names[key], amounts[key], tuple(numbers[key])) for key in sorted(amounts) if amounts[key]
    ]


def goods_rows(date_from: datetime.date, date_to: datetime.date) -> list[GoodsRow]:
    sums: dict[tuple[str, str], list] = {}
    for invoice, line, base, sign in _eu_lines(date_from, date_to, vat_nature.Operation.INTRA_EU_GOODS):
        key = (invoice.buyer_vat_number.replace(" ", "").upper(), line.product.sku)
        row = sums.setdefault(
            key,
            [buyer_of(invoice).country, invoice.buyer_name, line.product.name, ZERO, ZERO, [], line.product],
        )
        row[3] += sign * line.quantity
        row[4] += base
        if invoice.number not in row[5]:
            row[5].append(invoice.number)
    return [
        GoodsRow(
            vat,
            row[0],
            row[1],
            sku,
            row[2],
            row[3],
            row[4],
            tuple(row[5]),
            customs_code=row[6].customs_code,
            net_mass_kg=net_mass(row[6].net_mass_kg, row[3]),
            origin_country=row[6].origin_country,
        )
        for (vat, sku), row in sorted(sums.items())
        if row[3] or row[4]
    ]


def whole_euros(value: Decimal) -> int:
    return int(value.quantize(Decimal("1"), rounding=ROUND_HALF_UP))


DES_HEADER = ("numero_ligne", "montant_eur", "numero_tva_client", "mois", "annee")
GOODS_HEADER = (
    "numero_tva_acquereur",
    "pays_destination",
    "reference_produit",
    "designation",
    "nomenclature_nc8",
    "valeur_eur",
    "quantite",
    "unite_supplementaire",
    "masse_nette_kg",
    "pays_origine",
    "nature_transaction",
    "regime",
    "factures",
)


def _csv(header, rows) -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def des_csv(rows: list[DesRow], period_start: datetime.date) -> str:
    return _csv(
        DES_HEADER,
        (
            (number, whole_euros(row.amount), row.vat_number, f"{period_start.month:02d}", period_start.year)
            for number, row in enumerate(rows, start=1)
        ),
    )


def goods_csv(rows: list[GoodsRow]) -> str:
    return _csv(
        GOODS_HEADER,
        (
            (
                row.vat_number,
                row.country,
                row.sku,
                row.product,
                row.customs_code,
                whole_euros(row.value),
                f"{row.quantity.normalize():f}",
                "",  # supplementary unit: depends on the CN8 code, for the declarant
                "" if row.net_mass_kg is None else row.net_mass_kg,
                row.origin_country,
                "11",
                "21",
                " ".join(row.invoices),
            )
            for row in rows
        ),
    )

"""The CA3 return of a period (form 3310-CA3-SD) from the documents behind it. Pure: no Django.

Every figure is a sum of `Contribution`s, each naming the document it comes from (an invoice, a credit
note, the payment that made a service's VAT due), so that each line of the return drills down to its
invoices. The selectors (`vatreturn.selectors`) read the contributions; this module only adds them up.

- Operations section: A1 (sales and services taxable in France, the base declared in the period), E1
  (exports), E2 (other non-taxable operations: services to EU businesses, exempt sales, French reverse
  charge), F2 (intra-EU supplies of goods). A credit note lands on the line of the invoice it corrects,
  negative.
- Tax section: the gross VAT per rate (08, 9B, 09, T6; the annex 3310 A for another rate), 16 in total;
  the deductible VAT (20), the credit brought forward from the previous return (22), 23 in total, and
  TD (net due) or 25 (credit). The VAT of each rate is what reached
  44571 in the period (the ledger says it, `ledger_vat`): goods at their invoice, services on receipts
  when cashed; the contributions must add up to it, and `gaps` shows where they do not (an entry keyed
  by hand on 44571, say), so that nothing on the return is without its documents unnoticed.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from comptoir.accounting import ca3 as forms
from comptoir.core.money import amount
from comptoir.core.vat_nature import Ca3Line

ZERO = Decimal("0")

OPERATION_LINES = (Ca3Line.SALES, Ca3Line.EXPORTS, Ca3Line.OTHER_NON_TAXABLE, Ca3Line.INTRA_EU_SUPPLIES)


class Source:
    INVOICE = "invoice"  # the invoice (or credit note, deposit invoice) itself, on its date
    RECEIPT = "receipt"  # a payment (or a credit note applied) that made services' VAT due
    ENTRY = "entry"  # a ledger entry on a VAT account (deductible VAT, entries keyed by hand)


@dataclass(frozen=True)
class Contribution:
    """One document's part of one line of the return."""

    line: str  # "A1", "E1", "E2", "F2", or a tax line "08", "9B", …, "20"
    date: datetime.date
    document: str  # the invoice's number, or the entry's
    customer: str
    base: Decimal
    vat: Decimal = ZERO
    rate: Decimal | None = None
    source: str = Source.INVOICE
    reference: str = ""  # the payment or entry that made it due, when not the invoice
    invoice_id: int | None = None


@dataclass
class ReturnLine:
    code: str
    base: Decimal = ZERO
    vat: Decimal = ZERO
    rate: Decimal | None = None
    contributions: list[Contribution] = field(default_factory=list)


@dataclass
class Ca3Return:
    date_from: datetime.date
    date_to: datetime.date
    operations: dict[str, ReturnLine]
    gross: list[ReturnLine]  # one per rate, highest first
    deductible: ReturnLine
    ledger_vat: dict[Decimal, Decimal]  # VAT that reached 44571 per rate (the ledger)
    credit_brought_forward: Decimal = ZERO  # line 22: the previous return's credit (44567)
    settlement: object = None  # the settlement entry posted for the period, if any

    @property
    def total_gross(self) -> Decimal:
        return sum((line.vat for line in self.gross), ZERO)

    @property
    def total_deductible(self) -> Decimal:
        """Line 23: the deductible VAT (20) and the credit brought forward (22)."""
        return self.deductible.vat + self.credit_brought_forward

    @property
    def net_due(self) -> Decimal:
        return self.total_gross - self.total_deductible

    @property
    def balance_line(self) -> str:
        return forms.balance_line(self.net_due)

    @property
    def gaps(self) -> dict[Decimal, Decimal]:
        """Per rate, the VAT on 44571 that no document explains (ledger − contributions)."""
        found = {line.rate: line.vat for line in self.gross}
        rates = set(found) | set(self.ledger_vat)
        out = {rate: self.ledger_vat.get(rate, ZERO) - found.get(rate, ZERO) for rate in rates}
        return {rate: gap for rate, gap in out.items() if gap}

    def line(self, code: str) -> ReturnLine | None:
        """Any line of the return by its code ("A1", "08", "20" …)."""
        if code in self.operations:
            return self.operations[code]
        if code == forms.DEDUCTIBLE_OTHER:
            return self.deductible
        return next((line for line in self.gross if line.code == code), None)


def build(
    date_from: datetime.date,
    date_to: datetime.date,
    contributions: list[Contribution],
    *,
    ledger_vat: dict[Decimal, Decimal],
    credit_brought_forward: Decimal = ZERO,
) -> Ca3Return:
    """Add the contributions up, line by line."""
    operations = {code: ReturnLine(code) for code in OPERATION_LINES}
    gross: dict[Decimal, ReturnLine] = {}
    deductible = ReturnLine(forms.DEDUCTIBLE_OTHER)
    for item in sorted(contributions, key=lambda c: (c.date, c.document)):
        if item.line in operations:
            target = operations[item.line]
        elif item.line == forms.DEDUCTIBLE_OTHER:
            target = deductible
        else:
            target = gross.get(item.rate)
            if target is None:
                target = gross[item.rate] = ReturnLine(forms.gross_vat_line(item.rate), rate=item.rate)
        target.base += item.base
        target.vat += item.vat
        target.contributions.append(item)
    for rate in ledger_vat:
        if rate and rate > 0 and rate not in gross:
            gross[rate] = ReturnLine(forms.gross_vat_line(rate), rate=rate)
    return Ca3Return(
        date_from=date_from,
        date_to=date_to,
        operations=operations,
        gross=sorted(gross.values(), key=lambda line: line.rate, reverse=True),
        deductible=deductible,
        ledger_vat=dict(ledger_vat),
        credit_brought_forward=credit_brought_forward,
    )


def share(base: Decimal, part: Decimal, whole: Decimal) -> Decimal:
    """`base` × part ÷ whole, to the cent (the base of the share `part` of a VAT `whole`): exact when
    the part is the whole (or its opposite), so that goods invoiced keep their own base."""
    if whole == 0:
        return ZERO
    if part == whole:
        return base
    if part == -whole:
        return -base
    return amount(base * part / whole)


def line_bases(lines, taxes) -> list[Decimal]:
    """Each line's part of its VAT breakdown's base, in the order of `lines`.

    A breakdown's base (BT-116) is its lines less the remises globales plus the frais of that category
    and rate; what is declared per buyer or per product (DES, goods statement, B2C totals) is spread
    from it pro rata to the line nets, the last line of each breakdown taking the cents of rounding, so
    the parts add up to the base exactly. Without remise or frais a line's part is its own net."""
    groups: dict[tuple, list[int]] = {}
    for index, line in enumerate(lines):
        groups.setdefault((line.vat_category, line.vat_rate), []).append(index)
    base_of = {(tax.category, tax.vat_rate): tax.base for tax in taxes}
    parts = [ZERO] * len(lines)
    for key, members in groups.items():
        nets = sum((lines[i].net_amount for i in members), ZERO)
        left = base = base_of.get(key, nets)
        for i in members[:-1]:
            parts[i] = share(base, lines[i].net_amount, nets)
            left -= parts[i]
        parts[members[-1]] = left
    return parts

"""The letters about what a customer owes, as A4 PDFs: the payment reminder and the statement of account.

Drawn from the same pieces as the invoice and the commercial documents (`layout`: logo, company block,
footer with the legal identity), so they look like every other document. Plain dataclasses in, bytes
out; no Django. The caller (payments.letters) fills `Letter` from what it froze when the letter was made.

The reminder carries the mentions that let the seller claim late-payment penalties and the fixed recovery
indemnity (Code de commerce, art. L441-10 and D441-5); the statement lists every open item with its age.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, Spacer, Table

from comptoir.einvoice.document import Party
from comptoir.einvoice.formats import fr_date, fr_money, fr_number
from comptoir.einvoice.layout import (
    ACCENT,
    CONTENT_WIDTH,
    HALF_WIDTH,
    RULE,
    ZEBRA,
    build,
    buyer_lines,
    footer_lines,
    header,
    iban_text,
    key_value_box,
    lines_table,
    markup,
    para,
    party_box,
    side_by_side,
    styles,
    table_style,
)

RECOVERY_INDEMNITY = Decimal("40")


class Kind(StrEnum):
    REMINDER = "reminder"
    STATEMENT = "statement"


TITLES = {Kind.REMINDER: "RELANCE DE PAIEMENT", Kind.STATEMENT: "RELEVÉ DE COMPTE"}


@dataclass(frozen=True)
class LetterItem:
    """One open item: an invoice (of Comptoir or of the previous system) left to pay, or a credit."""

    label: str  # « Facture », « Facture reprise », « Avoir non imputé », « Règlement non affecté »
    number: str
    date: date
    due_date: date | None
    total: Decimal
    left: Decimal  # negative for a credit
    days_late: int = 0


@dataclass(frozen=True)
class Letter:
    kind: Kind
    number: str
    date: date
    seller: Party
    seller_legal: dict
    buyer: Party
    customer_code: str
    items: tuple[LetterItem, ...]
    # (label, amount) by age: « Non échu », « 1 à 30 jours »…
    ageing: tuple[tuple[str, Decimal], ...] = ()
    late_penalty_rate: Decimal | None = None
    iban: str = ""
    bic: str = ""

    @property
    def balance(self) -> Decimal:
        return sum((item.left for item in self.items), Decimal("0"))

    @property
    def overdue(self) -> Decimal:
        return sum((item.left for item in self.items if item.days_late > 0), Decimal("0"))


def _items_table(letter: Letter, st) -> Table:
    data = [
        [
            para("Pièce", st["head"]),
            para("N°", st["head"]),
            para("Date", st["head"]),
            para("Échéance", st["head"]),
            para("Montant", st["head_right"]),
            para("Reste dû", st["head_right"]),
            para("Retard", st["head_right"]),
        ]
    ]
    for item in letter.items:
        data.append(
            [
                para(markup(item.label), st["cell"]),
                para(markup(item.number), st["cell"]),
                para(fr_date(item.date), st["cell"]),
                para(fr_date(item.due_date) if item.due_date else "—", st["cell"]),
                para(fr_money(item.total), st["cell_right"]),
                para(fr_money(item.left), st["cell_right"]),
                para(f"{item.days_late} j" if item.days_late > 0 else "—", st["cell_right"]),
            ]
        )
    widths = [None, 34 * mm, 20 * mm, 20 * mm, 26 * mm, 26 * mm, 16 * mm]
    return lines_table(data, widths)


def _totals_table(letter: Letter, st) -> Table:
    rows = [("Échu", letter.overdue), ("Solde du compte", letter.balance)]
    data = [[para(label, st["base"]), para(fr_money(value), st["cell_right"])] for label, value in rows]
    table = Table(data, colWidths=[38 * mm, 32 * mm], hAlign="RIGHT")
    table.setStyle(
        table_style(
            [
                ("BOX", (0, 0), (-1, -1), 0.6, RULE),
                ("BACKGROUND", (0, -1), (-1, -1), ZEBRA),
                ("FONTNAME", (0, -1), (-1, -1), "ComptoirSans-Bold"),
            ]
        )
    )
    return table


def _ageing_table(letter: Letter, st) -> Table:
    head = [para(markup(label), st["head_right"]) for label, _amount in letter.ageing]
    values = [para(fr_money(amount), st["cell_right"]) for _label, amount in letter.ageing]
    width = CONTENT_WIDTH / max(len(letter.ageing), 1)
    table = Table([head, values], colWidths=[width] * len(letter.ageing))
    table.setStyle(
        table_style([("BACKGROUND", (0, 0), (-1, 0), ACCENT), ("BOX", (0, 0), (-1, -1), 0.6, RULE)])
    )
    return table


def legal_mentions(letter: Letter) -> list[str]:
    """Penalties and the recovery indemnity, as the law has them claimed (L441-10, D441-5)."""
    rate = (
        f"au taux annuel de {fr_number(letter.late_penalty_rate)} %"
        if letter.late_penalty_rate is not None
        else "au taux prévu par nos conditions générales"
    )
    return [
        f"Tout retard de paiement entraîne de plein droit, sans rappel préalable, des pénalités de retard {rate}, "
        "calculées sur le montant dû à compter du lendemain de l'échéance (art. L441-10 du Code de commerce).",
        f"Une indemnité forfaitaire pour frais de recouvrement de {fr_money(RECOVERY_INDEMNITY)} est due pour "
        "chaque facture payée en retard (art. D441-5 du Code de commerce) ; si les frais exposés sont "
        "supérieurs, une indemnisation complémentaire peut être demandée sur justification.",
    ]


def _intro(letter: Letter) -> list[str]:
    if letter.kind == Kind.STATEMENT:
        return [
            f"Voici l'état de votre compte client au {fr_date(letter.date)} : les factures restant à régler et "
            "les sommes à votre crédit non encore imputées."
        ]
    count = sum(1 for item in letter.items if item.days_late > 0)
    noun = (
        "la facture ci-dessous reste impayée"
        if count == 1
        else f"les {count} factures ci-dessous restent impayées"
    )
    return [
        "Madame, Monsieur,",
        f"Sauf erreur ou omission de notre part, {noun} à ce jour, alors que l'échéance en est passée. "
        f"Le montant échu s'élève à {fr_money(letter.overdue)}.",
        "Nous vous remercions de bien vouloir procéder à son règlement dans les meilleurs délais. Si votre "
        "paiement a croisé ce courrier, merci de ne pas en tenir compte.",
    ]


def render_letter_pdf(letter: Letter) -> bytes:
    """The reminder or the statement as an A4 PDF, byte-identical for identical input (dated by the letter)."""
    st = styles()
    legal = dict(letter.seller_legal or {})
    title = TITLES[letter.kind]
    rows = [("N°", letter.number), ("Date", fr_date(letter.date)), ("Code client", letter.customer_code)]
    story: list = [header(letter.seller, legal, title, key_value_box(rows, st), st), Spacer(1, 6 * mm)]
    story += [side_by_side(Spacer(1, 1), party_box("CLIENT", buyer_lines(letter.buyer), st, HALF_WIDTH))]
    story.append(Spacer(1, 5 * mm))
    story += [para(markup(text), st["base"]) for text in _intro(letter)]
    story.append(Spacer(1, 4 * mm))
    if letter.items:
        story += [_items_table(letter, st), Spacer(1, 4 * mm)]
    else:
        story += [para("Aucune pièce ouverte : votre compte est soldé.", st["base"]), Spacer(1, 4 * mm)]
    story += [KeepTogether([_totals_table(letter, st)]), Spacer(1, 5 * mm)]
    if letter.kind == Kind.STATEMENT and letter.ageing:
        story += [
            para("Ancienneté des sommes dues", st["section"]),
            _ageing_table(letter, st),
            Spacer(1, 5 * mm),
        ]
    if letter.iban:
        bank = f"Règlement par virement : IBAN {iban_text(letter.iban)}" + (
            f" — BIC {letter.bic}" if letter.bic else ""
        )
        story += [para(markup(bank), st["mention"]), Spacer(1, 3 * mm)]
    block = [para("Mentions légales", st["section"])]
    block += [para(markup(text), st["mention"]) for text in legal_mentions(letter)]
    story.append(KeepTogether(block))
    name = title.capitalize()
    return build(
        story,
        document_date=letter.date,
        footer=footer_lines(letter.seller, legal),
        running_title=f"{name} {letter.number} du {fr_date(letter.date)}",
        title=f"{name} {letter.number}",
        author=letter.seller.name,
        subject=f"{name} {letter.number} du {fr_date(letter.date)} — {letter.buyer.name}",
        keywords=[name, letter.number],
    )

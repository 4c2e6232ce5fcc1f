"""The picking list (liste de préparation) as an A4 PDF: what the warehouse takes off the shelves for one
or several prepared delivery notes, a box to tick per line and a column to write what was really taken.

Drawn with the shared layout (`layout`: fonts, header, footer with the company's legal identity) like the
delivery note. One delivery note per page (several pages when it is long), so each note's goods can be
packed apart. Lines come sorted by product reference: Comptoir has no storage locations yet, and the
reference is how the shelves are labelled in most small warehouses. Plain dataclasses in, bytes out;
no Django.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from reportlab.lib.units import mm
from reportlab.platypus import PageBreak, Spacer, Table

from comptoir.einvoice.document import Party
from comptoir.einvoice.formats import fr_date, fr_decimal
from comptoir.einvoice.layout import (
    ACCENT,
    CONTENT_WIDTH,
    HALF_WIDTH,
    RULE,
    ZEBRA,
    build,
    footer_lines,
    header,
    key_value_box,
    markup,
    para,
    party_box,
    side_by_side,
    styles,
    table_style,
)

TITLE = "LISTE DE PRÉPARATION"


@dataclass(frozen=True)
class PickingLine:
    sku: str
    name: str
    quantity: Decimal
    unit: str = ""
    ean: str = ""
    on_hand: Decimal | None = None  # stock on hand when printed, to see a shortage before walking


@dataclass(frozen=True)
class PickingNote:
    number: str  # the delivery note's
    date: date
    order_number: str
    customer_name: str
    ship_to: tuple[str, ...] = ()
    customer_reference: str = ""
    lines: tuple[PickingLine, ...] = ()


def _checkbox() -> Table:
    box = Table([[""]], colWidths=[4.2 * mm], rowHeights=[4.2 * mm])
    box.setStyle(table_style([("BOX", (0, 0), (-1, -1), 0.9, ACCENT)]))
    return box


def _lines_table(note: PickingNote, st) -> Table:
    data = [
        [
            para("Fait", st["head"]),
            para("Référence", st["head"]),
            para("Désignation", st["head"]),
            para("En stock", st["head_right"]),
            para("À prélever", st["head_right"]),
            para("Unité", st["head"]),
            para("Prélevé", st["head"]),
        ]
    ]
    for line in sorted(note.lines, key=lambda line: (line.sku, line.name)):
        name = f"<b>{markup(line.name)}</b>"
        if line.ean:
            name += f"<br/><font size=7 color='#52606D'>EAN {markup(line.ean)}</font>"
        short = line.on_hand is not None and line.on_hand < line.quantity
        on_hand = "" if line.on_hand is None else fr_decimal(line.on_hand)
        data.append(
            [
                _checkbox(),
                para(markup(line.sku), st["cell"]),
                para(name, st["cell"]),
                para(f"<b>{on_hand} !</b>" if short else on_hand, st["cell_right"]),
                para(f"<b>{fr_decimal(line.quantity)}</b>", st["cell_right"]),
                para(markup(line.unit), st["cell"]),
                "",
            ]
        )
    widths = [9 * mm, 30 * mm, None, 18 * mm, 20 * mm, 15 * mm, 22 * mm]
    widths[2] = CONTENT_WIDTH - sum(w for w in widths if w)
    table = Table(data, colWidths=widths, repeatRows=1)
    style = [
        ("BACKGROUND", (0, 0), (-1, 0), ACCENT),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LINEBELOW", (0, 1), (-1, -1), 0.3, RULE),
        ("TOPPADDING", (0, 0), (-1, -1), 4),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
        # The column to write in: a line to write on.
        ("LINEBELOW", (6, 1), (6, -1), 0.6, ACCENT),
    ]
    for row in range(2, len(data), 2):
        style.append(("BACKGROUND", (0, row), (5, row), ZEBRA))
    table.setStyle(table_style(style))
    return table


def _signature(st) -> Table:
    data = [
        [para("<b>Préparé par</b>", st["section"]), para("<b>Contrôlé par</b>", st["section"])],
        [para("Nom, date et heure", st["small"]), para("Nom, date ; colis et poids", st["small"])],
        ["", ""],
    ]
    table = Table(data, colWidths=[HALF_WIDTH, HALF_WIDTH], rowHeights=[None, None, 16 * mm])
    table.setStyle(
        table_style(
            [
                ("BOX", (0, 0), (0, -1), 0.8, ACCENT),
                ("BOX", (1, 0), (1, -1), 0.8, ACCENT),
                ("LEFTPADDING", (0, 0), (-1, -1), 6),
            ]
        )
    )
    return table


def render_picking_pdf(notes: list[PickingNote], *, seller: Party, legal: dict, printed_on: date) -> bytes:
    """The picking list of `notes` (one page or more each) as an A4 PDF."""
    st = styles()
    story: list = []
    for index, note in enumerate(notes):
        if index:
            story.append(PageBreak())
        rows = [
            ("Bon de livraison", note.number),
            ("Commande", note.order_number),
            ("Date prévue", fr_date(note.date)),
        ]
        if note.customer_reference:
            rows.append(("Réf. client", note.customer_reference))
        story += [header(seller, legal, TITLE, key_value_box(rows, st), st), Spacer(1, 5 * mm)]
        ship = party_box(
            "LIVRER À",
            [f"<b>{markup(note.customer_name)}</b>", *(markup(x) for x in note.ship_to)],
            st,
            HALF_WIDTH,
        )
        count = len(note.lines)
        summary = party_box(
            "À PRÉPARER",
            [f"{count} ligne{'s' if count > 1 else ''}", f"Imprimée le {fr_date(printed_on)}"],
            st,
            HALF_WIDTH,
        )
        story += [side_by_side(ship, summary), Spacer(1, 5 * mm), _lines_table(note, st), Spacer(1, 8 * mm)]
        story.append(_signature(st))
    numbers = ", ".join(note.number for note in notes)
    return build(
        story,
        document_date=printed_on,
        footer=footer_lines(seller, legal),
        running_title=f"Liste de préparation — {numbers}"[:120],
        title=f"Liste de préparation {numbers}"[:200],
        author=seller.name,
        subject=f"Liste de préparation du {fr_date(printed_on)}",
        keywords=["Liste de préparation", *(note.number for note in notes)],
    )

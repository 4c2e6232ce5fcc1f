"""A labelled corpus of customer purchase orders as PDF, and their scans: for the intake benchmark
(`bench/intake.py`) and the tests. No Django, no files kept: every order is drawn from a seed.

Each order is drawn by reportlab in one of LAYOUTS, which differ in what a reader has to cope with: column
order and header wording, French or English, table borders or none, labels beside or above their values
or in the title, number formats (« 1 234,50 », « 1.234,50 », « 1,234.50 »), date formats (« 03/12/2026 »,
« 3 décembre 2026 », « December 3, 2026 », « 2026-12-03 »), a unit column or the unit after the quantity,
descriptions wrapped on two lines, totals, a « REÇU » stamp, the supplier's own identifiers in its address
block, several pages with or without the table header repeated, fonts. The truth of each order (header
fields and lines, as a reader should return them) is kept beside its PDF.

TUNING layouts were looked at while writing the extraction rules; HELDOUT layouts were written after and
never used to tune anything: the benchmark's metrics count only them.

Scans: each PDF page rendered by pypdfium2 at 150, 200 or 300 dpi, turned by up to ±2°, blurred, with
noise, saved as JPEG, and put back into a PDF of images (what a copier sends).
"""

import datetime
import io
import random
from dataclasses import dataclass, field
from decimal import Decimal

from reportlab.lib.colors import Color, black, red
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

MONTHS_FR = "janvier février mars avril mai juin juillet août septembre octobre novembre décembre".split()
MONTHS_EN = "January February March April May June July August September October November December".split()

PRODUCTS = [
    ("VIS-M6-50", "Vis inox M6x50 boîte de 100", "Stainless screw M6x50 box of 100"),
    ("PERC-18V", "Perceuse sans fil 18 V", "Cordless drill 18 V"),
    ("GANT-T9", "Gants de protection cuir T9", "Leather safety gloves size 9"),
    ("CLE-DYN", "Clé dynamométrique 1/2", "Torque wrench 1/2"),
    ("CHEV-8", "Chevilles nylon 8 mm sachet de 50", "Nylon wall plugs 8 mm bag of 50"),
    ("FORET-6", "Foret béton 6 x 110 mm", "Masonry drill bit 6 x 110 mm"),
    ("SCIE-SAB", "Scie sabre 1100 W", "Reciprocating saw 1100 W"),
    ("MET-5M", "Mètre ruban 5 m", "Tape measure 5 m"),
    ("NIV-60", "Niveau à bulle 60 cm", "Spirit level 60 cm"),
    ("MART-500", "Marteau de coffreur 500 g", "Claw hammer 500 g"),
    ("TOUR-3", "Jeu de tournevis isolés 3 pièces", "Insulated screwdriver set 3 pieces"),
    ("PINCE-UNI", "Pince universelle 180 mm", "Combination pliers 180 mm"),
    ("LUN-PRO", "Lunettes de protection incolores", "Clear safety glasses"),
    ("CASQ-ANT", "Casque antibruit 30 dB", "Ear defenders 30 dB"),
    ("SILI-TR", "Mastic silicone translucide 310 ml", "Clear silicone sealant 310 ml"),
    ("COLL-PU", "Colle polyuréthane 750 g", "Polyurethane glue 750 g"),
    ("DISQ-125", "Disque à tronçonner métal 125 mm", "Metal cutting disc 125 mm"),
    ("MEUL-125", "Meuleuse d'angle 125 mm 900 W", "Angle grinder 125 mm 900 W"),
    ("ESCAB-5", "Escabeau aluminium 5 marches", "Aluminium step ladder 5 steps"),
    ("RALL-25", "Rallonge électrique 25 m", "Extension cable 25 m"),
    ("BROU-PRO", "Brouette de chantier 100 L", "Site wheelbarrow 100 L"),
    ("SEAU-12", "Seau de maçon 12 L", "Builder's bucket 12 L"),
    ("TRUEL-18", "Truelle de maçon 18 cm", "Bricklaying trowel 18 cm"),
    ("PEINT-BL", "Peinture acrylique blanche 10 L", "White acrylic paint 10 L"),
    ("ROUL-180", "Rouleau anti-goutte 180 mm", "Anti-drip paint roller 180 mm"),
    ("BACHE-4", "Bâche de protection 4 x 5 m", "Protective tarpaulin 4 x 5 m"),
    ("CABLE-3G", "Câble électrique 3G2,5 couronne 50 m", "Electric cable 3G2.5 reel 50 m"),
    ("GAINE-20", "Gaine ICTA 20 mm couronne 100 m", "Flexible conduit 20 mm reel 100 m"),
    ("DISJ-16", "Disjoncteur 16 A courbe C", "Circuit breaker 16 A curve C"),
    ("PRISE-2P", "Prise de courant 2P+T blanche", "White power socket 2P+E"),
]


def ean13(seed: int) -> str:
    body = f"376{seed:09d}"[:12]
    total = sum(int(c) * (3 if i % 2 else 1) for i, c in enumerate(body))
    return body + str((10 - total % 10) % 10)


CATALOGUE = [(sku, fr, en, ean13(1000 + i * 37)) for i, (sku, fr, en) in enumerate(PRODUCTS)]


def _luhn_complete(body: str) -> str:
    for key in range(10):
        candidate = body + str(key)
        total = 0
        for index, char in enumerate(reversed(candidate)):
            value = int(char) * (2 if index % 2 else 1)
            total += value - 9 if value > 9 else value
        if total % 10 == 0:
            return candidate
    raise AssertionError


def make_siren(rng) -> str:
    return _luhn_complete(str(rng.randint(10_000_000, 99_999_999)))


def make_siret(siren: str, rng) -> str:
    return _luhn_complete(siren + f"{rng.randint(1, 999):04d}")


def vat_of(siren: str) -> str:
    return f"FR{(12 + 3 * (int(siren) % 97)) % 97:02d}{siren}"


COMPANIES = [
    "Brasserie du Port SAS",
    "Menuiserie Martin SARL",
    "Bâtiments Leroy et Fils",
    "Atelier Dubois",
    "Électricité Bernard SAS",
    "Plomberie Petit SARL",
    "Rénovation Moreau",
    "Garage Fontaine SA",
    "Maçonnerie Girard",
    "Charpentes Lambert SAS",
]
STREETS = [
    "12 rue des Tanneurs",
    "4 avenue Jean Jaurès",
    "Zone artisanale des Prés, lot 7",
    "38 boulevard Gambetta",
    "1 place de la Mairie",
    "Parc d'activités du Moulin, bât. B",
    "27 quai de la Loire",
    "9 impasse des Lilas",
]
CITIES = ["69007 Lyon", "44000 Nantes", "33300 Bordeaux", "59000 Lille", "31000 Toulouse", "35000 Rennes"]


@dataclass(frozen=True)
class Layout:
    name: str
    lang: str = "fr"
    columns: tuple = ("customer_reference", "description", "quantity", "unit", "unit_price", "_amount")
    headers: dict = field(default_factory=dict)
    borders: bool = False
    label_style: str = "colon"  # colon (« Label : value »), beside (label, value in the next column), above
    numbers: str = "fr_space"  # fr_space, fr_point, en, plain
    dates: str = "dmy"  # dmy, long_fr, iso, long_en, dot, short_en
    totals: bool = True
    stamp: bool = False
    seller_ids: bool = False
    wrap: bool = False
    font: str = "Helvetica"
    max_lines: int = 8
    repeat_header: bool = True
    title_po: bool = False  # « BON DE COMMANDE N° X du date » in the title
    ids: tuple = ("siret", "vat")
    requested: bool = True
    address_right: bool = False
    labels: dict = field(default_factory=dict)  # the header labels' wording, over _labels(lang)


HEADERS_FR = {
    "customer_reference": "Réf.",
    "our_code": "Réf. fournisseur",
    "ean": "EAN",
    "description": "Désignation",
    "quantity": "Qté",
    "unit": "Unité",
    "unit_price": "P.U. HT",
    "_amount": "Montant HT",
    "_pos": "N°",
}
HEADERS_EN = {
    "customer_reference": "Item",
    "our_code": "Supplier ref.",
    "ean": "EAN",
    "description": "Description",
    "quantity": "Qty",
    "unit": "Unit",
    "unit_price": "Unit price",
    "_amount": "Amount",
    "_pos": "#",
}

TUNING = [
    Layout("t01-fr-plain"),
    Layout(
        "t02-fr-borders",
        borders=True,
        columns=("_pos", "customer_reference", "ean", "description", "quantity", "unit_price", "_amount"),
    ),
    Layout("t03-en", lang="en", numbers="en", dates="long_en", label_style="beside", ids=("vat",)),
    Layout("t04-fr-above", label_style="above", dates="long_fr", numbers="fr_point", stamp=True),
    Layout("t05-fr-multipage", max_lines=40, wrap=True, seller_ids=True, font="Times-Roman"),
    Layout(
        "t06-fr-title",
        title_po=True,
        columns=("description", "customer_reference", "our_code", "quantity", "unit_price"),
        totals=False,
        ids=("siren",),
    ),
    Layout(
        "t07-en-borders",
        lang="en",
        borders=True,
        numbers="plain",
        dates="iso",
        columns=(
            "customer_reference",
            "our_code",
            "description",
            "unit_price",
            "quantity",
            "unit",
            "_amount",
        ),
    ),
    Layout(
        "t08-fr-courier",
        font="Courier",
        dates="dot",
        address_right=True,
        columns=("ean", "description", "quantity", "unit", "unit_price"),
    ),
]
HELDOUT = [
    Layout(
        "h01-fr-ean-first",
        columns=("ean", "customer_reference", "description", "unit_price", "quantity", "_amount"),
        headers={
            "ean": "Code barre",
            "customer_reference": "Notre réf.",
            "quantity": "Quantité",
            "unit_price": "Prix unitaire",
        },
        dates="long_fr",
        stamp=True,
    ),
    Layout(
        "h02-en-above-multipage",
        lang="en",
        label_style="above",
        numbers="en",
        dates="short_en",
        max_lines=45,
        repeat_header=False,
        headers={
            "description": "Product description",
            "quantity": "Quantity",
            "customer_reference": "Part no.",
        },
    ),
    Layout(
        "h03-fr-borders-point",
        borders=True,
        numbers="fr_point",
        dates="iso",
        label_style="beside",
        seller_ids=True,
        wrap=True,
    ),
    Layout(
        "h04-fr-times-title",
        font="Times-Roman",
        title_po=True,
        columns=("_pos", "our_code", "description", "quantity", "unit", "unit_price", "_amount"),
        headers={"our_code": "Votre réf.", "unit_price": "Prix unit. HT", "unit": "U."},
        ids=("siret",),
    ),
    Layout(
        "h05-en-vat-only",
        lang="en",
        numbers="en",
        dates="iso",
        columns=("description", "quantity", "unit", "unit_price", "customer_reference"),
        headers={"customer_reference": "Our ref.", "unit_price": "Price"},
        stamp=True,
        address_right=True,
    ),
    Layout(
        "h06-fr-courier-multipage",
        font="Courier",
        max_lines=35,
        borders=True,
        dates="dot",
        headers={
            "customer_reference": "Code article",
            "description": "Libellé",
            "quantity": "Quantité",
            "unit_price": "PU HT",
        },
        ids=("siren", "vat"),
    ),
    Layout(
        "h07-fr-no-unit",
        columns=("customer_reference", "ean", "description", "quantity", "unit_price"),
        headers={"quantity": "Qté cde"},
        numbers="plain",
        requested=False,
        label_style="above",
    ),
    Layout(
        "h08-en-borders-wrap",
        lang="en",
        borders=True,
        wrap=True,
        numbers="en",
        dates="long_en",
        seller_ids=True,
        columns=(
            "_pos",
            "customer_reference",
            "our_code",
            "description",
            "quantity",
            "unit_price",
            "_amount",
        ),
        headers={"our_code": "Your ref."},
    ),
    Layout(
        "h09-fr-address-right",
        address_right=True,
        dates="long_fr",
        numbers="fr_space",
        columns=("description", "ean", "quantity", "unit", "unit_price", "_amount"),
        headers={"ean": "GTIN", "unit_price": "Prix HT"},
        totals=False,
    ),
    Layout(
        "h10-fr-times-beside-multipage",
        font="Times-Roman",
        label_style="beside",
        max_lines=30,
        repeat_header=False,
        numbers="fr_point",
        stamp=True,
    ),
    Layout(
        "h11-en-courier",
        lang="en",
        font="Courier",
        numbers="plain",
        dates="dot",
        columns=("customer_reference", "description", "unit", "quantity", "unit_price"),
        headers={"customer_reference": "Item code"},
        ids=("siret", "vat"),
    ),
    Layout(
        "h12-fr-title-borders",
        title_po=True,
        borders=True,
        dates="iso",
        columns=("our_code", "customer_reference", "description", "quantity", "unit_price", "_amount"),
        headers={"our_code": "Réf. fournisseur", "customer_reference": "Réf. client"},
        seller_ids=True,
    ),
]
# Written last, after the rules were done, and never run before the benchmark's final measurement.
HELDOUT += [
    Layout(
        "h13-fr-wording",
        labels={
            "po_number": "Commande n°",
            "po_date": "Date",
            "requested_date": "Livraison le",
            "delivery": "Livrer à",
            "vat": "TVA",
        },
        headers={
            "customer_reference": "Article",
            "description": "Libellé article",
            "quantity": "Quantité commandée",
            "unit_price": "Prix net",
        },
        dates="long_fr",
        numbers="fr_point",
    ),
    Layout(
        "h14-en-wording",
        lang="en",
        labels={
            "po_number": "PO #",
            "po_date": "Date",
            "requested_date": "Deliver by",
            "delivery": "Ship to",
            "vat": "VAT Reg. No.",
        },
        headers={
            "customer_reference": "Part number",
            "our_code": "Vendor code",
            "quantity": "Qty ordered",
            "unit_price": "Net price",
        },
        columns=(
            "customer_reference",
            "our_code",
            "description",
            "quantity",
            "unit",
            "unit_price",
            "_amount",
        ),
        numbers="en",
        dates="short_en",
        borders=True,
    ),
    Layout(
        "h15-fr-beside-siren",
        label_style="beside",
        labels={
            "po_number": "Référence commande",
            "requested_date": "Délai de livraison",
            "siren": "N° SIREN",
        },
        headers={"ean": "EAN 13", "description": "Produit", "unit": "Cond.", "unit_price": "PU HT"},
        columns=("ean", "description", "unit", "quantity", "unit_price", "_amount"),
        ids=("siren", "vat"),
        font="Times-Roman",
        stamp=True,
        max_lines=25,
    ),
    Layout(
        "h16-en-above-multipage",
        lang="en",
        label_style="above",
        labels={"po_number": "Purchase order", "po_date": "Date of order", "requested_date": "Required by"},
        headers={"description": "Item description", "customer_reference": "Our ref.", "unit_price": "Price"},
        columns=("customer_reference", "description", "quantity", "unit_price", "_amount"),
        numbers="plain",
        dates="dmy",
        max_lines=40,
        repeat_header=True,
        seller_ids=True,
    ),
]
LAYOUTS = TUNING + HELDOUT


@dataclass
class Order:
    layout: Layout
    pdf: bytes
    truth: dict  # {"header": {field: value}, "lines": [{field: value}]}
    pages: int


def fmt_number(value: Decimal, style: str, decimals: int = 2) -> str:
    text = f"{value:,.{decimals}f}"  # 1,234.50
    if style == "en":
        return text
    if style == "plain":
        return text.replace(",", "")
    integer, fraction = text.split(".") if "." in text else (text, "")
    if style == "fr_point":
        integer = integer.replace(",", ".")
    else:
        integer = integer.replace(",", "\u202f" if False else " ")
    return integer + ("," + fraction if fraction else "")


def fmt_quantity(value: Decimal, style: str) -> str:
    if value == value.to_integral():
        return str(int(value))
    return fmt_number(value, style, 1)


def fmt_date(day: datetime.date, style: str) -> str:
    if style == "dmy":
        return day.strftime("%d/%m/%Y")
    if style == "dot":
        return day.strftime("%d.%m.%Y")
    if style == "iso":
        return day.isoformat()
    if style == "long_fr":
        return f"{'1er' if day.day == 1 else day.day} {MONTHS_FR[day.month - 1]} {day.year}"
    if style == "long_en":
        return f"{MONTHS_EN[day.month - 1]} {day.day}, {day.year}"
    return f"{day.day} {MONTHS_EN[day.month - 1][:3]} {day.year}"  # short_en


WIDTHS = {
    "customer_reference": 72,
    "our_code": 78,
    "ean": 84,
    "description": 190,
    "quantity": 40,
    "unit": 36,
    "unit_price": 62,
    "_amount": 66,
    "_pos": 22,
}
NUMERIC = {"quantity", "unit_price", "_amount", "_pos"}


def _labels(lang: str) -> dict:
    if lang == "en":
        return {
            "title": "PURCHASE ORDER",
            "po_number": "Order number",
            "po_date": "Order date",
            "requested_date": "Requested delivery date",
            "siret": "SIRET",
            "siren": "SIREN",
            "vat": "VAT number",
            "delivery": "Delivery address",
            "supplier": "Supplier",
            "customer": "Customer",
            "total": "Total excl. VAT",
            "vat_total": "VAT 20%",
            "grand": "Total incl. VAT",
            "page": "Page",
            "notes": "Please confirm this order by return e-mail. Payment terms: 30 days net.",
            "stamp": "RECEIVED",
        }
    return {
        "title": "BON DE COMMANDE",
        "po_number": "N° de commande",
        "po_date": "Date de commande",
        "requested_date": "Date de livraison souhaitée",
        "siret": "SIRET",
        "siren": "SIREN",
        "vat": "N° TVA intracommunautaire",
        "delivery": "Adresse de livraison",
        "supplier": "Fournisseur",
        "customer": "Client",
        "total": "Total HT",
        "vat_total": "TVA 20 %",
        "grand": "Total TTC",
        "page": "Page",
        "notes": "Merci de nous confirmer la commande par retour de mail. Règlement à 30 jours.",
        "stamp": "REÇU",
    }


def _wrap(text: str, font: str, size: float, width: float) -> list[str]:
    from reportlab.pdfbase.pdfmetrics import stringWidth

    lines, current = [], ""
    for word in text.split():
        candidate = (current + " " + word).strip()
        if stringWidth(candidate, font, size) <= width - 6 or not current:
            current = candidate
        else:
            lines.append(current)
            current = word
    if current:
        lines.append(current)
    return lines


def make_order(
    index: int, layout: Layout, seed: int = 21, n_lines: int | None = None, small: bool = False
) -> Order:
    rng = random.Random(f"{seed}-{layout.name}-{index}")
    labels = {**_labels(layout.lang), **layout.labels}
    headers = {**(HEADERS_EN if layout.lang == "en" else HEADERS_FR), **layout.headers}
    siren = make_siren(rng)
    siret = make_siret(siren, rng)
    company = rng.choice(COMPANIES)
    po = rng.choice(["BC-{y}-{n:04d}", "PO{n:06d}", "CDE/{y}/{n}", "4500{n:06d}", "ACH-{n:05d}"]).format(
        y=2026, n=rng.randint(1, 99999)
    )
    po_date = datetime.date(2026, 1, 1) + datetime.timedelta(days=rng.randint(0, 360))
    requested = po_date + datetime.timedelta(days=rng.randint(5, 40))
    address = [
        company.replace(" SAS", "").replace(" SARL", "")
        + (" — dépôt" if layout.lang == "fr" else " - warehouse"),
        rng.choice(STREETS),
        rng.choice(CITIES),
    ]
    if n_lines is None:
        n_lines = (
            rng.randint(2, layout.max_lines) if layout.max_lines > 10 else rng.randint(1, layout.max_lines)
        )
        if layout.max_lines > 10:
            n_lines = rng.randint(layout.max_lines // 2, layout.max_lines)
    chosen = rng.sample(CATALOGUE, min(n_lines, len(CATALOGUE)))
    while len(chosen) < n_lines:
        chosen.append(rng.choice(CATALOGUE))
    lines = []
    for position, (sku, fr, en, ean) in enumerate(chosen, start=1):
        weight = rng.random() < 0.1
        quantity = Decimal(rng.randint(1, 40) * 5 + rng.randint(0, 4)) / (Decimal(2) if weight else 1)
        if rng.random() < 0.08:
            quantity = Decimal(rng.randint(1000, 2500))
        price = Decimal(rng.randint(50, 150000)) / 100
        description = en if layout.lang == "en" else fr
        if layout.wrap and rng.random() < 0.4:
            description += " — " + (
                "livraison sur palette, ne pas gerber"
                if layout.lang == "fr"
                else "deliver on pallet, do not stack"
            )
        unit = rng.choice(
            ["pce", "U", "kg", "bte", "lot"] if layout.lang == "fr" else ["pcs", "ea", "kg", "box", "set"]
        )
        if weight:
            unit = "kg"
        line = {
            "customer_reference": f"{company[:2].upper()}{rng.randint(1000, 99999)}",
            "our_code": sku,
            "ean": ean,
            "description": description,
            "quantity": quantity,
            "unit": unit,
            "unit_price": price,
            "_pos": str(position),
        }
        line["_amount"] = (quantity * price).quantize(Decimal("0.01"))
        lines.append(line)

    buffer = io.BytesIO()
    width, height = (A4[0], A4[1] / 2) if small else A4
    pdf = canvas.Canvas(buffer, pagesize=(width, height), invariant=1)
    pdf.setTitle(po)
    font, bold = (
        layout.font,
        {"Helvetica": "Helvetica-Bold", "Times-Roman": "Times-Bold", "Courier": "Courier-Bold"}[layout.font],
    )
    size = 9 if layout.font != "Courier" else 8
    margin = 40
    columns = [c for c in layout.columns]
    col_widths = [WIDTHS[c] for c in columns]
    scale = (width - 2 * margin) / sum(col_widths)
    col_widths = [w * scale for w in col_widths]
    xs = [margin]
    for w in col_widths:
        xs.append(xs[-1] + w)
    page_number = 1
    pages = 1

    def text(x, y, value, f=None, s=None, right=False, colour=black):
        pdf.setFillColor(colour)
        pdf.setFont(f or font, s or size)
        (pdf.drawRightString if right else pdf.drawString)(x, y, value)
        pdf.setFillColor(black)

    header_values = {
        "po_number": po,
        "po_date": fmt_date(po_date, layout.dates),
        "requested_date": fmt_date(requested, layout.dates),
    }
    truth_header = {"po_number": po, "po_date": po_date.isoformat()}
    if layout.requested:
        truth_header["requested_date"] = requested.isoformat()

    def draw_header() -> float:
        y = height - margin
        if layout.title_po:
            joiner = " du " if layout.lang == "fr" else " of "
            text(margin, y, f"{labels['title']} N° {po}{joiner}{fmt_date(po_date, layout.dates)}", bold, 13)
        else:
            text(margin, y, labels["title"], bold, 14)
        y -= 28
        # Customer block (left) or delivery block, and the supplier block (right).
        left_x, right_x = margin, width / 2 + 20
        cust_x, deliv_x = (left_x, right_x) if not layout.address_right else (left_x, right_x)
        text(cust_x, y, labels["customer"] + " :" if layout.lang == "fr" else labels["customer"] + ":", bold)
        text(cust_x, y - 12, company)
        yy = y - 24
        ids = []
        if "siret" in layout.ids:
            ids.append((labels["siret"], " ".join([siret[:3], siret[3:6], siret[6:9], siret[9:]])))
        if "siren" in layout.ids:
            ids.append((labels["siren"], " ".join([siren[:3], siren[3:6], siren[6:]])))
        if "vat" in layout.ids:
            ids.append((labels["vat"], vat_of(siren)))
        for label, value in ids:
            text(cust_x, yy, f"{label} : {value}" if layout.lang == "fr" else f"{label}: {value}")
            yy -= 12
        # Supplier block
        sx = right_x if not layout.address_right else right_x
        sy = y if not layout.address_right else yy - 14
        if layout.address_right:
            sx = left_x
        text(sx, sy, labels["supplier"] + (" :" if layout.lang == "fr" else ":"), bold)
        text(sx, sy - 12, "Comptoir Quincaillerie SAS")
        text(sx, sy - 24, "5 rue de l'Industrie, 69100 Villeurbanne")
        end_supplier = sy - 36
        if layout.seller_ids:
            text(
                sx,
                sy - 36,
                "SIRET : 732 829 320 00074" if layout.lang == "fr" else "SIRET: 732 829 320 00074",
            )
            text(sx, sy - 48, ("TVA : " if layout.lang == "fr" else "VAT: ") + "FR44732829320")
            end_supplier = sy - 60
        # Delivery block
        dx = right_x if layout.address_right else left_x
        dy = y if layout.address_right else min(yy, end_supplier) - 14
        text(dx, dy, labels["delivery"] + (" :" if layout.lang == "fr" else ":"), bold)
        for offset, part in enumerate(address, start=1):
            text(dx, dy - 12 * offset, part)
        y = min(yy, end_supplier, dy - 12 * len(address)) - 22
        if layout.stamp:
            pdf.saveState()
            pdf.translate(width - 150, height - 60)
            pdf.rotate(12)
            pdf.setStrokeColor(red)
            pdf.rect(-6, -8, 120, 26)
            text(
                0,
                0,
                f"{labels['stamp']} {fmt_date(po_date + datetime.timedelta(days=1), 'dmy')}",
                bold,
                11,
                colour=red,
            )
            pdf.restoreState()
        # Order fields
        fields = [] if layout.title_po else [("po_number", labels["po_number"])]
        if not layout.title_po:
            fields.append(("po_date", labels["po_date"]))
        if layout.requested:
            fields.append(("requested_date", labels["requested_date"]))
        if layout.label_style == "colon":
            for name, label in fields:
                text(
                    margin,
                    y,
                    f"{label} : {header_values[name]}"
                    if layout.lang == "fr"
                    else f"{label}: {header_values[name]}",
                )
                y -= 13
        elif layout.label_style == "beside":
            for name, label in fields:
                text(margin, y, label, bold)
                text(margin + 150, y, header_values[name])
                y -= 13
        else:  # above: labels in a row, values under them
            step = (width - 2 * margin) / max(len(fields), 1)
            for position, (name, label) in enumerate(fields):
                text(margin + position * step, y, label, bold)
                text(margin + position * step, y - 12, header_values[name])
            y -= 26
        return y - 14

    def draw_table_header(y: float) -> float:
        if layout.borders:
            pdf.setFillColor(Color(0.9, 0.9, 0.9))
            pdf.rect(margin, y - 4, xs[-1] - margin, 15, fill=1, stroke=1)
            pdf.setFillColor(black)
        for column, x0, x1 in zip(columns, xs, xs[1:], strict=False):
            label = headers[column]
            if column in NUMERIC:
                text(x1 - 3, y, label, bold, right=True)
            else:
                text(x0 + 3, y, label, bold)
        return y - 16

    def footer():
        text(margin, 25, f"{company} — {labels['page']} {page_number}", s=7)

    y = draw_header()
    y = draw_table_header(y)
    truth_lines = []
    habit_style = layout.numbers
    for line in lines:
        cells = {}
        for column in columns:
            value = line[column]
            if column == "quantity":
                cells[column] = fmt_quantity(value, habit_style) + (
                    "" if "unit" in columns else " " + line["unit"]
                )
            elif column in ("unit_price", "_amount"):
                cells[column] = fmt_number(value, habit_style)
            else:
                cells[column] = str(value)
        desc_index = columns.index("description") if "description" in columns else None
        desc_lines = [line["description"]]
        if desc_index is not None:
            desc_lines = _wrap(line["description"], font, size, col_widths[desc_index])
        row_height = 13 * len(desc_lines)
        if y - row_height < 70:
            footer()
            pdf.showPage()
            page_number += 1
            pages += 1
            y = height - margin
            text(margin, y, f"{labels['title']} {po} ({labels['page']} {page_number})", bold, 10)
            y -= 24
            if layout.repeat_header:
                y = draw_table_header(y)
        for column, x0, x1 in zip(columns, xs, xs[1:], strict=False):
            if column == "description":
                for offset, part in enumerate(desc_lines):
                    text(x0 + 3, y - 13 * offset, part)
            elif column in NUMERIC:
                text(x1 - 3, y, cells[column], right=True)
            else:
                text(x0 + 3, y, cells[column])
        if layout.borders:
            pdf.setLineWidth(0.5)
            pdf.line(margin, y - row_height + 9, xs[-1], y - row_height + 9)
            for x in xs:
                pdf.line(x, y + 11, x, y - row_height + 9)
        y -= row_height + (2 if layout.borders else 1)
        truth = {}
        for column in columns:
            if column.startswith("_"):
                continue
            value = line[column]
            truth[column] = str(value.normalize()) if isinstance(value, Decimal) else str(value)
            if column == "quantity" and "unit" not in columns:
                truth["unit"] = line["unit"]
        truth["quantity"] = format(line["quantity"].normalize(), "f")
        if "unit_price" in truth:
            truth["unit_price"] = format(line["unit_price"].normalize(), "f")
        truth_lines.append(truth)
    if layout.totals:
        total = sum(line["_amount"] for line in lines)
        y -= 8
        if y < 90:
            footer()
            pdf.showPage()
            page_number += 1
            pages += 1
            y = height - margin - 20
        x_label = xs[-3] if len(xs) > 3 else margin
        for label, amount in (
            (labels["total"], total),
            (labels["vat_total"], (total * Decimal("0.2")).quantize(Decimal("0.01"))),
            (labels["grand"], (total * Decimal("1.2")).quantize(Decimal("0.01"))),
        ):
            text(x_label - 60, y, label, bold)
            text(xs[-1] - 3, y, fmt_number(amount, habit_style), right=True)
            y -= 13
    y -= 12
    if y > 60:
        text(margin, y, labels["notes"], s=8)
    footer()
    pdf.showPage()
    pdf.save()

    if "siret" in layout.ids:
        truth_header["buyer_siret"] = siret
        truth_header["buyer_siren"] = siren
    if "siren" in layout.ids:
        truth_header["buyer_siren"] = siren
    if "vat" in layout.ids:
        truth_header["buyer_vat"] = vat_of(siren)
    truth_header["delivery_address"] = ", ".join(address)
    return Order(layout, buffer.getvalue(), {"header": truth_header, "lines": truth_lines}, pages)


def corpus(per_layout: int = 25, layouts=None, seed: int = 21):
    for layout in layouts or LAYOUTS:
        for index in range(per_layout):
            yield make_order(index, layout, seed)


def scan(pdf: bytes, *, dpi: int = 200, seed: int = 0, angle: float | None = None) -> bytes:
    """A PDF of images, as a copier makes it: each page rendered at `dpi`, turned, blurred, noisy, JPEG."""
    import numpy
    import pypdfium2 as pdfium
    from PIL import Image, ImageFilter

    rng = random.Random(seed)
    document = pdfium.PdfDocument(pdf)
    images = []
    try:
        for index in range(len(document)):
            image = document[index].render(scale=dpi / 72, grayscale=True).to_pil().convert("L")
            turn = rng.uniform(-2, 2) if angle is None else angle
            image = image.rotate(turn, resample=Image.BICUBIC, fillcolor=255, expand=False)
            image = image.filter(ImageFilter.GaussianBlur(rng.uniform(0.3, 0.9) * dpi / 200))
            pixels = numpy.asarray(image, dtype=numpy.int16)
            noise = numpy.random.default_rng(seed + index).normal(0, 10, pixels.shape)
            image = Image.fromarray(numpy.clip(pixels + noise, 0, 255).astype(numpy.uint8))
            jpeg = io.BytesIO()
            image.save(jpeg, "JPEG", quality=rng.randint(60, 85))
            images.append(Image.open(io.BytesIO(jpeg.getvalue())))
    finally:
        document.close()
    out = io.BytesIO()
    images[0].save(out, "PDF", resolution=float(dpi), save_all=True, append_images=images[1:])
    return out.getvalue()


def scan_image(pdf: bytes, *, dpi: int = 200, seed: int = 0, angle: float = 1.0) -> bytes:
    """The first page of `pdf` as a JPEG photo-like scan."""
    import pypdfium2 as pdfium
    from PIL import Image, ImageFilter

    document = pdfium.PdfDocument(pdf)
    try:
        image = document[0].render(scale=dpi / 72, grayscale=True).to_pil().convert("L")
    finally:
        document.close()
    image = image.rotate(angle, resample=Image.BICUBIC, fillcolor=255).filter(ImageFilter.GaussianBlur(0.5))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=80, dpi=(dpi, dpi))
    return out.getvalue()


def brasserie_order(po: str = "BC-2026-0917") -> bytes:
    """A small PDF order from the tests' customer (SIRET 552 032 534 00017) naming the tests' products:
    the screws by EAN, the gloves by the customer's own reference only, the drill by our code."""
    buffer = io.BytesIO()
    width, height = A4[0], A4[1] / 2.4
    pdf = canvas.Canvas(buffer, pagesize=(width, height), invariant=1)
    pdf.setFont("Helvetica-Bold", 13)
    pdf.drawString(40, height - 40, "BON DE COMMANDE")
    pdf.setFont("Helvetica", 9)
    y = height - 62
    for text in (
        "Client : Brasserie du Port SAS",
        "SIRET : 552 032 534 00017",
        f"N° de commande : {po}",
        "Date de commande : 03/12/2026",
        "Livraison souhaitée le : 15/12/2026",
    ):
        pdf.drawString(40, y, text)
        y -= 12
    pdf.setFont("Helvetica-Bold", 9)
    pdf.drawString(320, height - 62, "Adresse de livraison :")
    pdf.setFont("Helvetica", 9)
    for offset, text in enumerate(
        ("Brasserie du Port — quai Est", "2 quai de la Fosse", "44000 Nantes"), start=1
    ):
        pdf.drawString(320, height - 62 - 12 * offset, text)
    y -= 14
    columns = ((40, "Réf."), (110, "EAN"), (200, "Désignation"), (440, "Qté"), (500, "P.U. HT"))
    pdf.setFont("Helvetica-Bold", 9)
    for x, label in columns:
        pdf.drawString(x, y, label)
    pdf.setFont("Helvetica", 9)
    rows = (
        ("BP-VIS", "3012345678902", "Vis inox M6x50 boîte de 100", "10", "12,50"),
        ("BP-GANT", "", "Gants cuir taille 9", "40", "3,20"),
        ("PERC-18V", "", "Perceuse sans fil 18 V", "2", "149,00"),
    )
    for row in rows:
        y -= 14
        for (x, _label), value in zip(columns, row, strict=True):
            pdf.drawString(x, y, value)
    y -= 20
    pdf.setFont("Helvetica-Bold", 9)
    pdf.drawString(400, y, "Total HT")
    pdf.drawString(500, y, "551,00")
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()

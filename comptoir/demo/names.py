"""Believable French names for the demo: the company, customers, people, addresses and the catalogue.

Pure data and small pure helpers (no Django import), so the generator stays about the flow.
"""

import dataclasses
import random
import unicodedata
from dataclasses import dataclass
from decimal import Decimal

from stdnum import luhn
from stdnum.ch import uid as ch_uid
from stdnum.eu import vat as eu_vat
from stdnum.fr import siren as fr_siren
from stdnum.fr import siret as fr_siret
from stdnum.fr import tva as fr_tva

# --- Identifiers -----------------------------------------------------------------------------------


def siren_from(eight_digits: str) -> str:
    """A valid SIREN: eight digits and their Luhn check digit."""
    number = eight_digits + luhn.calc_check_digit(eight_digits)
    assert fr_siren.is_valid(number), number
    return number


def siret_from(siren: str, establishment: int = 1) -> str:
    """A valid SIRET of the establishment number `establishment` (NIC = 4 digits + Luhn check digit)."""
    stem = f"{siren}{establishment:04d}"
    number = stem + luhn.calc_check_digit(stem)
    assert fr_siret.is_valid(number), number
    return number


def vat_from(siren: str) -> str:
    number = "FR" + fr_siren.to_tva(siren)
    assert fr_tva.is_valid(number), number
    return number


def random_siren(rng: random.Random, taken: set[str]) -> str:
    while True:
        number = siren_from(str(rng.randint(3, 9)) + "".join(str(rng.randint(0, 9)) for _ in range(7)))
        if number not in taken:
            taken.add(number)
            return number


def slug(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    words = "".join(c if c.isalnum() else " " for c in plain).split()
    return "-".join(
        w
        for w in words
        if w not in {"sas", "sarl", "sa", "eurl", "sasu", "et", "de", "du", "des", "la", "le", "l", "d"}
    )


# --- The company -----------------------------------------------------------------------------------

COMPANY_SIREN = siren_from("85234167")
COMPANY = {
    "legal_name": "Comptoir Lyonnais de l'Outillage SAS",
    "legal_form": "SAS",
    "siren": COMPANY_SIREN,
    "siret": siret_from(COMPANY_SIREN, 1),
    "vat_number": vat_from(COMPANY_SIREN),
    "street": "27 rue du Dauphiné",
    "postal_code": "69003",
    "city": "Lyon",
    "rcs_city": "Lyon",
    "share_capital": Decimal("120000"),
    "iban": "FR7630006000011234567890189",
    "bic": "AGRIFRPP",
    "email": "contact@comptoir-lyonnais-outillage.fr",
    "phone": "04 78 60 12 34",
    "default_payment_days": 30,
}

# --- Customers -------------------------------------------------------------------------------------

CITIES = [
    ("Lyon", "69007", "04 72"),
    ("Villeurbanne", "69100", "04 78"),
    ("Vénissieux", "69200", "04 72"),
    ("Saint-Priest", "69800", "04 78"),
    ("Villefranche-sur-Saône", "69400", "04 74"),
    ("Givors", "69700", "04 78"),
    ("Saint-Étienne", "42000", "04 77"),
    ("Roanne", "42300", "04 77"),
    ("Grenoble", "38000", "04 76"),
    ("Vienne", "38200", "04 74"),
    ("Bourgoin-Jallieu", "38300", "04 74"),
    ("Bourg-en-Bresse", "01000", "04 74"),
    ("Oyonnax", "01100", "04 74"),
    ("Mâcon", "71000", "03 85"),
    ("Chambéry", "73000", "04 79"),
    ("Annecy", "74000", "04 50"),
    ("Valence", "26000", "04 75"),
    ("Annonay", "07100", "04 75"),
    ("Clermont-Ferrand", "63000", "04 73"),
    ("Dijon", "21000", "03 80"),
]

STREETS = [
    "rue de la République",
    "avenue Jean Jaurès",
    "rue Garibaldi",
    "boulevard des Belges",
    "rue Paul Bert",
    "chemin des Mûriers",
    "rue de l'Industrie",
    "ZI des Platières",
    "ZA du Chapotin",
    "avenue de la Gare",
    "rue des Artisans",
    "route de Grenoble",
    "rue Ampère",
    "allée des Tilleuls",
    "impasse des Forges",
    "rue Lavoisier",
    "avenue du Général de Gaulle",
    "ZAC des Ruires",
    "rue Pasteur",
    "quai Perrache",
]

TRADES = [
    "Menuiserie",
    "Charpentes",
    "Électricité Générale",
    "Plomberie Chauffage",
    "Serrurerie Métallerie",
    "Maçonnerie",
    "Couverture Zinguerie",
    "Carrelage",
    "Peinture et Décoration",
    "Ateliers Mécaniques",
    "Agencement",
    "Chaudronnerie",
    "Isolation",
    "Paysages et Jardins",
    "Travaux Publics",
]
SURNAMES = [
    "Martin",
    "Bernard",
    "Dubois",
    "Moreau",
    "Laurent",
    "Girard",
    "Roux",
    "Fournier",
    "Mercier",
    "Blanc",
    "Guerin",
    "Faure",
    "Chevalier",
    "Garnier",
    "Perrin",
    "Morel",
    "Gauthier",
    "Lambert",
    "Bonnet",
    "Rousseau",
    "Vincent",
    "Muller",
    "Lefèvre",
    "Fontaine",
    "Chauvin",
    "Brun",
    "Barbier",
    "Arnaud",
    "Giraud",
    "Picard",
]
FORMS = ["SARL", "SAS", "SAS", "SARL", "EURL", "SA"]

# Hand-written first: they read like real customers of a Lyon tool distributor. A city when the name
# says where the customer is.
CUSTOMER_NAMES = [
    ("Menuiserie Martin SARL", None),
    ("Charpentes du Vercors SAS", ("Villard-de-Lans", "38250", "04 76")),
    ("Électricité Générale Bernard SARL", None),
    ("BTP Rhône-Alpes SAS", None),
    ("Plomberie Chauffage Lefèvre SARL", None),
    ("Ateliers Mécaniques de Villeurbanne SAS", ("Villeurbanne", "69100", "04 78")),
    ("Serrurerie Moreau EURL", None),
    ("Couverture Zinguerie Perrin SARL", None),
    ("Maçonnerie Girard et Fils SARL", None),
    ("Agencement Dubois SAS", None),
    ("Métallerie des Monts du Lyonnais SARL", ("Saint-Symphorien-sur-Coise", "69590", "04 78")),
    ("Carrelages Fontaine SARL", None),
    ("Chaudronnerie Industrielle du Forez SAS", ("Montbrison", "42600", "04 77")),
    ("Isolation Confort Savoie SARL", ("Chambéry", "73000", "04 79")),
    ("Garage Poids Lourds Chauvin SAS", None),
    ("Serrurerie Lyonnaise Arnaud SAS", ("Lyon", "69008", "04 78")),
    ("Agencement de Magasins Picard SAS", None),
    ("Paysages et Jardins Rousseau SARL", None),
    ("Travaux Publics Giraud SA", None),
    ("Peinture Décoration Blanc EURL", None),
]

FIRST_NAMES = [
    "Sophie",
    "Nicolas",
    "Isabelle",
    "Julien",
    "Nathalie",
    "Stéphane",
    "Céline",
    "Laurent",
    "Aurélie",
    "Thomas",
    "Sandrine",
    "Mathieu",
    "Émilie",
    "Olivier",
    "Camille",
    "Frédéric",
    "Claire",
    "Pierre",
    "Élodie",
    "Antoine",
]
JOB_TITLES = [
    "Gérant",
    "Responsable achats",
    "Comptable",
    "Chef d'atelier",
    "Conducteur de travaux",
    "Assistante",
]


@dataclass(frozen=True)
class CustomerSeed:
    name: str
    city: str
    postal_code: str
    phone_prefix: str


def customer_names(rng: random.Random, count: int) -> list[CustomerSeed]:
    names = list(CUSTOMER_NAMES)
    seen = {name for name, _ in names}
    while len(names) < count:
        name = f"{rng.choice(TRADES)} {rng.choice(SURNAMES)} {rng.choice(FORMS)}"
        if name not in seen:
            seen.add(name)
            names.append((name, None))
    rng.shuffle(names)
    return [CustomerSeed(name, *(place or rng.choice(CITIES))) for name, place in names[:count]]


def phone(rng: random.Random, prefix: str) -> str:
    return f"{prefix} " + " ".join(f"{rng.randint(0, 99):02d}" for _ in range(3))


def street(rng: random.Random) -> str:
    return f"{rng.randint(1, 180)} {rng.choice(STREETS)}"


def person(rng: random.Random) -> str:
    return f"{rng.choice(FIRST_NAMES)} {rng.choice(SURNAMES)}"


# --- The catalogue ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProductSeed:
    sku: str
    name: str
    unit: str
    price: Decimal
    vat_rate: Decimal = Decimal("20.00")
    kind: str = "goods"
    # Typical quantity on one order line, and the stock kept on the shelf.
    order_qty: tuple[int, int] = (1, 5)
    shelf: int = 40
    # An exempt product (rate 0) carries the legal basis of its exemption and its VATEX code.
    exemption: str = ""
    exemption_code: str = ""


def _p(
    sku, name, unit, price, *, vat="20.00", kind="goods", qty=(1, 5), shelf=40, exemption=("", "")
) -> ProductSeed:
    return ProductSeed(sku, name, unit, Decimal(price), Decimal(vat), kind, qty, shelf, *exemption)


# Continuing vocational training by a declared training body is exempt (CGI art. 261-4-4° a).
TRAINING_EXEMPTION = (
    "Exonération de TVA, article 261-4-4° a du CGI (formation professionnelle continue)",
    "VATEX-FR-CGI261-4",
)


CATALOGUE: list[ProductSeed] = [
    # Power tools
    _p(
        "PER-1801",
        "Perceuse-visseuse sans fil 18 V, 2 batteries 2 Ah",
        "pièce",
        "189.00",
        qty=(1, 3),
        shelf=25,
    ),
    _p("PER-1802", "Perceuse à percussion sans fil 18 V brushless", "pièce", "249.00", qty=(1, 3), shelf=20),
    _p("PER-7101", "Perceuse à percussion filaire 710 W", "pièce", "89.90", qty=(1, 3), shelf=20),
    _p("PFR-0801", "Perforateur SDS-Plus 800 W, coffret", "pièce", "219.00", qty=(1, 2), shelf=15),
    _p("PFR-1501", "Perforateur-burineur SDS-Max 1 500 W", "pièce", "649.00", qty=(1, 1), shelf=6),
    _p("VIS-1201", "Visseuse à chocs 18 V, 180 Nm", "pièce", "179.00", qty=(1, 3), shelf=20),
    _p("VIS-1202", "Visseuse plaquiste 18 V à chargeur de vis", "pièce", "299.00", qty=(1, 2), shelf=10),
    _p("BOU-1801", 'Boulonneuse à chocs 1/2" 18 V, 600 Nm', "pièce", "329.00", qty=(1, 2), shelf=8),
    _p("MEU-1251", "Meuleuse d'angle Ø125 mm 1 100 W", "pièce", "119.00", qty=(1, 3), shelf=20),
    _p("MEU-2301", "Meuleuse d'angle Ø230 mm 2 200 W", "pièce", "169.00", qty=(1, 2), shelf=10),
    _p("SCI-1901", "Scie circulaire Ø190 mm 1 400 W", "pièce", "199.00", qty=(1, 2), shelf=10),
    _p("SCI-0701", "Scie sauteuse pendulaire 720 W", "pièce", "139.00", qty=(1, 2), shelf=12),
    _p("SCI-SAB1", "Scie sabre sans fil 18 V", "pièce", "229.00", qty=(1, 2), shelf=8),
    _p("PON-0301", "Ponceuse excentrique Ø125 mm 300 W", "pièce", "109.00", qty=(1, 2), shelf=12),
    _p("RAB-0801", "Rabot électrique 82 mm 850 W", "pièce", "159.00", qty=(1, 1), shelf=6),
    _p("DEF-0501", "Défonceuse 1 400 W, pinces 8 et 12 mm", "pièce", "279.00", qty=(1, 1), shelf=5),
    _p("BAT-1804", "Batterie 18 V Li-ion 4 Ah", "pièce", "89.00", qty=(1, 6), shelf=40),
    _p("BAT-CHR1", "Chargeur rapide 14,4–18 V", "pièce", "59.00", qty=(1, 4), shelf=25),
    _p("ASP-2501", "Aspirateur de chantier classe M 25 L", "pièce", "389.00", qty=(1, 1), shelf=6),
    _p("LAS-0301", "Niveau laser en croix, portée 30 m", "pièce", "249.00", qty=(1, 1), shelf=8),
    _p("CMP-0501", "Compresseur 50 L 2 CV, 8 bars", "pièce", "319.00", qty=(1, 1), shelf=5),
    _p("PCO-0501", "Perceuse à colonne 500 W, 16 vitesses", "pièce", "399.00", qty=(1, 1), shelf=4),
    _p("AGR-0101", "Agrafeuse pneumatique 90 mm", "pièce", "149.00", qty=(1, 2), shelf=8),
    _p("TRO-3001", "Découpeuse thermique Ø300 mm", "pièce", "1190.00", qty=(1, 1), shelf=3),
    # Drill bits, blades, discs
    _p("FOR-B060", "Foret béton SDS-Plus Ø6 × 110 mm", "pièce", "3.20", qty=(5, 30), shelf=400),
    _p("FOR-B080", "Foret béton SDS-Plus Ø8 × 160 mm", "pièce", "4.10", qty=(5, 30), shelf=400),
    _p("FOR-B100", "Foret béton SDS-Plus Ø10 × 210 mm", "pièce", "5.40", qty=(5, 20), shelf=300),
    _p("FOR-B120", "Foret béton SDS-Plus Ø12 × 260 mm", "pièce", "7.20", qty=(2, 15), shelf=200),
    _p("FOR-M019", "Coffret 19 forets métal HSS-G Ø1 à 10 mm", "coffret", "32.50", qty=(1, 4), shelf=60),
    _p("FOR-W008", "Foret à bois 3 pointes Ø8 mm", "pièce", "2.90", qty=(5, 20), shelf=300),
    _p("SCO-0681", "Scie cloche bi-métal Ø68 mm", "pièce", "14.90", qty=(1, 6), shelf=80),
    _p("EMB-0321", "Coffret 32 embouts de vissage", "coffret", "24.90", qty=(1, 5), shelf=80),
    _p("EMB-PZ25", "Embouts PZ2 25 mm (boîte de 25)", "boîte", "12.50", qty=(1, 6), shelf=120),
    _p(
        "DIS-1251",
        "Disque à tronçonner métal Ø125 × 1 mm (boîte de 25)",
        "boîte",
        "27.50",
        qty=(1, 8),
        shelf=150,
    ),
    _p("DIS-2301", "Disque diamant béton Ø230 mm", "pièce", "64.00", qty=(1, 4), shelf=40),
    _p("DIS-FLP1", "Disque à lamelles Ø125 mm grain 80 (lot de 10)", "lot", "29.90", qty=(1, 5), shelf=80),
    _p("LAM-SS05", "Lames de scie sauteuse bois T101B (lot de 5)", "lot", "8.90", qty=(1, 10), shelf=150),
    _p("LAM-CIR1", "Lame de scie circulaire Ø190 mm 48 dents", "pièce", "34.90", qty=(1, 4), shelf=50),
    _p(
        "ABR-P120",
        "Abrasifs auto-agrippants Ø125 mm grain 120 (boîte de 50)",
        "boîte",
        "19.90",
        qty=(1, 6),
        shelf=100,
    ),
    # Fasteners
    _p("VBO-4040", "Vis à bois tête fraisée 4 × 40 (boîte de 500)", "boîte", "14.90", qty=(1, 10), shelf=250),
    _p("VBO-5060", "Vis à bois tête fraisée 5 × 60 (boîte de 200)", "boîte", "13.50", qty=(1, 10), shelf=250),
    _p(
        "VPL-3535", "Vis plaque de plâtre 3,5 × 35 (boîte de 1 000)", "boîte", "17.80", qty=(1, 10), shelf=200
    ),
    _p("VTF-6100", "Tire-fond 6 × 100 (boîte de 100)", "boîte", "16.40", qty=(1, 6), shelf=120),
    _p("CHV-0840", "Chevilles nylon 8 × 40 (boîte de 100)", "boîte", "6.90", qty=(1, 12), shelf=250),
    _p("CHV-CHM1", "Chevilles à expansion M8 × 50 (boîte de 50)", "boîte", "18.90", qty=(1, 8), shelf=120),
    _p("TIG-M100", "Tige filetée M10 zinguée 1 m", "pièce", "3.60", qty=(2, 20), shelf=300),
    _p("ECR-M100", "Écrous hexagonaux M10 (boîte de 100)", "boîte", "7.40", qty=(1, 8), shelf=150),
    _p("RIV-4810", "Rivets aveugles alu 4,8 × 10 (boîte de 500)", "boîte", "21.00", qty=(1, 5), shelf=80),
    # Hand tools and storage
    _p("MAR-0501", "Marteau de coffreur 600 g manche fibre", "pièce", "24.90", qty=(1, 4), shelf=40),
    _p("TOU-SET6", "Jeu de 6 tournevis isolés 1 000 V", "jeu", "39.90", qty=(1, 4), shelf=40),
    _p("CLE-MOL1", "Clé à molette 250 mm", "pièce", "19.90", qty=(1, 4), shelf=40),
    _p(
        "CLE-PIP1",
        'Coffret clés à douilles 1/4" et 1/2", 94 pièces',
        "coffret",
        "119.00",
        qty=(1, 2),
        shelf=12,
    ),
    _p("PIN-MUL1", "Pince multiprise 250 mm", "pièce", "22.50", qty=(1, 4), shelf=40),
    _p("NIV-0801", "Niveau à bulle aluminium 80 cm", "pièce", "29.90", qty=(1, 3), shelf=30),
    _p("MET-0501", "Mètre ruban 5 m × 25 mm", "pièce", "9.90", qty=(1, 10), shelf=120),
    _p("CUT-0181", "Cutter à lame sécable 18 mm", "pièce", "6.50", qty=(1, 12), shelf=150),
    _p("SRV-ATL1", "Servante d'atelier 7 tiroirs, 196 outils", "pièce", "549.00", qty=(1, 1), shelf=4),
    _p("CAI-0501", "Caisse à outils métallique 5 compartiments", "pièce", "44.90", qty=(1, 3), shelf=20),
    _p("ETB-1201", "Établi d'atelier 120 cm plateau hêtre", "pièce", "289.00", qty=(1, 1), shelf=4),
    _p("ESC-0301", "Escabeau aluminium 5 marches", "pièce", "99.00", qty=(1, 2), shelf=10),
    _p("CLE-DYN1", 'Clé dynamométrique 1/2" 40–210 Nm', "pièce", "129.00", qty=(1, 2), shelf=12),
    _p("SCI-EGO1", "Scie égoïne coupe fine 500 mm", "pièce", "18.90", qty=(1, 5), shelf=50),
    _p("CIS-TOL1", "Cisaille à tôle coupe droite", "pièce", "27.90", qty=(1, 3), shelf=25),
    _p("LIM-SET5", "Jeu de 5 limes d'ajusteur", "jeu", "34.50", qty=(1, 3), shelf=20),
    _p("SER-3001", "Serre-joints à pompe 300 mm (lot de 2)", "lot", "36.00", qty=(1, 4), shelf=30),
    # Personal protective equipment (EPI)
    _p("EPI-GAN1", "Gants de manutention cuir, taille 9", "paire", "4.90", qty=(5, 30), shelf=500),
    _p("EPI-GAN2", "Gants anti-coupure niveau D, taille 9", "paire", "9.80", qty=(5, 20), shelf=300),
    _p("EPI-LUN1", "Lunettes de protection incolores EN 166", "pièce", "5.90", qty=(2, 20), shelf=200),
    _p("EPI-CAS1", "Casque de chantier ventilé EN 397", "pièce", "14.90", qty=(1, 10), shelf=80),
    _p("EPI-BOU1", "Bouchons d'oreille mousse (boîte de 200 paires)", "boîte", "32.00", qty=(1, 4), shelf=50),
    _p("EPI-FFP2", "Masques FFP2 à valve (boîte de 20)", "boîte", "27.90", qty=(1, 8), shelf=120),
    _p(
        "EPI-CHA1", "Chaussures de sécurité S3 montantes, pointure 42", "paire", "79.00", qty=(1, 4), shelf=30
    ),
    _p("EPI-GIL1", "Gilet haute visibilité classe 2", "pièce", "6.90", qty=(2, 20), shelf=150),
    _p("EPI-HAR1", "Harnais antichute 2 points EN 361", "pièce", "119.00", qty=(1, 2), shelf=10),
    _p("EPI-GEN1", "Genouillères de carreleur", "paire", "24.90", qty=(1, 5), shelf=40),
    # Consumables
    _p("CON-SIL1", "Mastic silicone sanitaire blanc 310 ml", "cartouche", "6.20", qty=(6, 24), shelf=400),
    _p("CON-MPU1", "Mousse expansive PU pistolable 750 ml", "aérosol", "9.40", qty=(6, 24), shelf=300),
    _p("CON-COL1", "Colle de montage fixation forte 290 ml", "cartouche", "8.90", qty=(6, 24), shelf=300),
    _p("CON-ADH1", "Ruban adhésif de masquage 50 mm × 50 m", "rouleau", "3.80", qty=(6, 36), shelf=400),
    _p("CON-DEG1", "Dégrippant multifonction 500 ml", "aérosol", "7.50", qty=(3, 12), shelf=200),
    _p("CON-PIS1", "Pistolet à mastic renforcé", "pièce", "12.90", qty=(1, 5), shelf=50),
    _p("CON-BAC1", "Bâche de protection polyane 4 × 5 m", "pièce", "8.50", qty=(2, 10), shelf=120),
    _p("CON-SAC1", "Sacs à gravats 50 L (lot de 10)", "lot", "11.90", qty=(2, 12), shelf=200),
    _p("CON-CRA1", "Crayons de charpentier (boîte de 12)", "boîte", "7.90", qty=(1, 6), shelf=100),
    _p("CON-TRA1", "Bombe de traçage fluo chantier 500 ml", "aérosol", "8.20", qty=(3, 12), shelf=150),
    _p(
        "CON-CBL1",
        "Colliers de serrage 4,8 × 300 mm (sachet de 100)",
        "sachet",
        "6.80",
        qty=(2, 12),
        shelf=200,
    ),
    _p("CON-LUB1", "Huile de coupe 1 L", "bidon", "13.90", qty=(1, 6), shelf=60),
    _p("ELE-RAL1", "Rallonge électrique de chantier 25 m 3G1,5", "pièce", "44.90", qty=(1, 4), shelf=30),
    _p("ELE-PRJ1", "Projecteur LED de chantier 50 W sur pied", "pièce", "59.90", qty=(1, 3), shelf=20),
    _p("ELE-ENR1", "Enrouleur électrique 40 m, 4 prises", "pièce", "89.00", qty=(1, 2), shelf=12),
    # Reduced VAT rates: firewood and pellets (10 %), drinking water for building sites (5.5 %), the
    # trade press sold at the counter (2.1 %, CGI art. 298 septies)
    _p("BOI-GRA1", "Granulés de bois (sac de 15 kg)", "sac", "7.90", vat="10.00", qty=(10, 60), shelf=600),
    _p("BOI-BUC1", "Bois de chauffage chêne 50 cm", "stère", "95.00", vat="10.00", qty=(1, 4), shelf=30),
    _p(
        "EAU-PAK6",
        "Eau minérale pack 6 × 1,5 L (chantier)",
        "pack",
        "3.40",
        vat="5.50",
        qty=(5, 40),
        shelf=300,
    ),
    _p(
        "PRE-MAG1",
        "Revue « Outillage & Chantier » (numéro du mois)",
        "numéro",
        "6.90",
        vat="2.10",
        qty=(1, 5),
        shelf=60,
    ),
    # Services (not stocked)
    _p(
        "SRV-INST",
        "Installation et mise en service sur site",
        "forfait",
        "450.00",
        kind="service",
        qty=(1, 1),
    ),
    _p(
        "SRV-FORM",
        "Formation professionnelle : sécurité et outils électroportatifs (1 jour)",
        "jour",
        "690.00",
        vat="0.00",
        kind="service",
        qty=(1, 2),
        exemption=TRAINING_EXEMPTION,
    ),
    _p(
        "SRV-MAIN",
        "Maintenance annuelle du parc d'outillage",
        "forfait",
        "1200.00",
        kind="service",
        qty=(1, 1),
    ),
    _p("SRV-REPA", "Réparation atelier (main-d'œuvre)", "heure", "58.00", kind="service", qty=(1, 4)),
    _p("SRV-ETAL", "Étalonnage de clé dynamométrique", "pièce", "45.00", kind="service", qty=(1, 4)),
    _p("SRV-LIVR", "Livraison express sur chantier", "forfait", "35.00", kind="service", qty=(1, 1)),
    _p(
        "SRV-RENO",
        "Pose d'équipement en rénovation de logement (plus de 2 ans)",
        "heure",
        "52.00",
        vat="10.00",
        kind="service",
        qty=(2, 8),
    ),
    _p(
        "SRV-ENER",
        "Pose de thermostat programmable (rénovation énergétique)",
        "forfait",
        "180.00",
        vat="5.50",
        kind="service",
        qty=(1, 2),
    ),
]

SUPPLIERS = {
    "EPI": "Protecsol Équipements de Protection SAS",
    "fixing": "Visserie et Fixations du Rhône SARL",
    "power": "Outillage Électroportatif Distribution SAS",
    "energy": "Bois Énergie de la Loire SARL",
    "press": "Messageries Lyonnaises de Presse SAS",
    "other": "Quincaillerie Centrale de Lyon SA",
}
_SUPPLIER_OF_PREFIX = {
    "EPI": "EPI",
    "VBO": "fixing",
    "VPL": "fixing",
    "VTF": "fixing",
    "CHV": "fixing",
    "TIG": "fixing",
    "ECR": "fixing",
    "RIV": "fixing",
    "CON": "fixing",
    "PER": "power",
    "PFR": "power",
    "VIS": "power",
    "BOU": "power",
    "MEU": "power",
    "SCI": "power",
    "PON": "power",
    "RAB": "power",
    "DEF": "power",
    "BAT": "power",
    "ASP": "power",
    "LAS": "power",
    "CMP": "power",
    "PCO": "power",
    "AGR": "power",
    "TRO": "power",
    "BOI": "energy",
    "EAU": "energy",
    "PRE": "press",
}


def supplier_for(sku: str) -> str:
    return SUPPLIERS[_SUPPLIER_OF_PREFIX.get(sku[:3], "other")]


_VARIANTS = [("PRO", "gamme pro", Decimal("1.25")), ("ECO", "gamme éco", Decimal("0.80"))]

# Always in the catalogue, whatever its size, so that even a small demo bills every VAT case: goods at
# 10 %, 5.5 % and 2.1 %, an exempt training day, and a service at 20 % (VAT due on receipts).
ESSENTIALS = ("BOI-GRA1", "EAU-PAK6", "PRE-MAG1", "SRV-FORM", "SRV-INST")


def catalogue(rng: random.Random, count: int) -> list[ProductSeed]:
    """`count` products: the essentials and a sample of the rest of the catalogue (always with a few
    services), or the catalogue plus « gamme pro / éco » variants of its goods when more are asked for."""
    services = [p for p in CATALOGUE if p.kind == "service"]
    goods = [p for p in CATALOGUE if p.kind == "goods"]
    if count <= len(CATALOGUE):
        essentials = [p for p in CATALOGUE if p.sku in ESSENTIALS][:count]
        taken = {p.sku for p in essentials}
        other_services = [p for p in services if p.sku not in taken]
        other_goods = [p for p in goods if p.sku not in taken]
        wanted_services = min(len(services), max(1, count // 12))
        n_services = min(
            len(other_services),
            max(0, wanted_services - sum(1 for p in essentials if p.kind == "service")),
            count - len(essentials),
        )
        chosen = (
            essentials
            + rng.sample(other_services, n_services)
            + rng.sample(other_goods, count - len(essentials) - n_services)
        )
        order = {p.sku: i for i, p in enumerate(CATALOGUE)}
        return sorted(chosen, key=lambda p: order[p.sku])
    products = list(CATALOGUE)
    round_no = 0
    while len(products) < count:
        code, label, factor = _VARIANTS[round_no % len(_VARIANTS)]
        suffix = f"{code}{round_no // len(_VARIANTS) + 1}" if round_no >= len(_VARIANTS) else code
        for base in goods:
            if len(products) == count:
                break
            price = (base.price * factor).quantize(Decimal("0.01"))
            products.append(
                dataclasses.replace(
                    base, sku=f"{base.sku}-{suffix}", name=f"{base.name} ({label})", price=price
                )
            )
        round_no += 1
    return products


# --- Customers abroad ------------------------------------------------------------------------------
#
# One business in another member state (sales without French VAT: reverse charge on services, exempt
# intra-EU supply of goods) and one outside the EU (exports). Their identifiers pass python-stdnum.


@dataclass(frozen=True)
class ForeignCustomerSeed:
    name: str
    street: str
    postal_code: str
    city: str
    country: str
    phone: str
    domain: str
    vat_number: str = ""
    # Where e-invoices go (BT-49) when there is no EU VAT number to route them by.
    einvoice_address: str = ""
    einvoice_scheme: str = ""


def belgian_vat(seven_digits: str) -> str:
    """A valid Belgian VAT number (BE0 + 7 digits + 2 check digits: 97 − the first 8 digits mod 97)."""
    stem = "0" + seven_digits
    number = f"BE{stem}{97 - int(stem) % 97:02d}"
    assert eu_vat.is_valid(number), number
    return number


def swiss_uid(eight_digits: str) -> str:
    """A valid Swiss business identification number (UID, CHE + 8 digits + a mod-11 check digit)."""
    number = "CHE" + eight_digits + ch_uid.calc_check_digit(eight_digits)
    assert ch_uid.is_valid(number), number
    return number


FOREIGN_CUSTOMERS = [
    ForeignCustomerSeed(
        "Menuiserie Lambert et Fils SRL",
        "Rue de la Station 42",
        "4020",
        "Liège",
        "BE",
        "+32 4 341 27 80",
        "menuiserie-lambert.be",
        belgian_vat("4567312"),
    ),
    ForeignCustomerSeed(
        "Ateliers Favre SA",
        "Route des Acacias 18",
        "1227",
        "Carouge",
        "CH",
        "+41 22 342 18 60",
        "ateliers-favre.ch",
        # EAS 0183: the Swiss UID register.
        einvoice_address=swiss_uid("11628170"),
        einvoice_scheme="0183",
    ),
]

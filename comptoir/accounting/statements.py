"""Simplified balance sheet (bilan, form 2033-A) and income statement (compte de résultat, 2033-B) from
account balances. Pure: no Django import; the reads are in `accounting.selectors`.

Every balance lands on exactly one line, so the balance sheet balances by construction: the balances of
a ledger sum to zero, the accounts of classes 1 to 5 go to the assets or the liabilities, and those of
classes 6 and 7 make the result (7 − 6), shown among the capital and reserves. Rules:

- An account is found by its longest prefix in `BALANCE_SHEET` or `INCOME_STATEMENT` (4191 before 41).
- Accounts that may hold either balance (classes 4 and 5, 40 suppliers, 41 customers, 44 the State,
  51 banks) go to the assets when their balance is a debit and to the liabilities when it is a credit,
  judged per partner where the ledger has one (a customer who paid twice is a debt to him, not a smaller
  receivable): a VAT credit is an asset, the VAT due a liability, an overdrawn bank account a debt.
- Depreciation and write-downs (28, 29, 39, 49, 59) are deducted from the asset they concern (net
  amounts, as the simplified form shows in its net column).
- An account no rule names falls to "other receivables" or "other debts" by its balance (classes 1 to 5),
  to "other charges" (class 6) or "other income" (class 7); never dropped.

Amounts are signed as the form shows them: assets debit − credit, liabilities credit − debit, income
credit − debit, charges debit − credit (a stock variation may be negative).
"""

from dataclasses import dataclass, field
from decimal import Decimal

ZERO = Decimal("0")


def N_(text: str) -> str:
    """Marks a label for translation (gettext_noop) without importing Django; shown through gettext."""
    return text


ASSETS, LIABILITIES, INCOME, CHARGES = "actif", "passif", "produits", "charges"


@dataclass(frozen=True)
class LineDef:
    key: str
    label: str
    side: str  # ASSETS, LIABILITIES, INCOME or CHARGES: how its amount is signed
    group: str  # the section it is summed in


# --- Balance sheet (2033-A) ------------------------------------------------------------------------

FIXED, CURRENT, EQUITY, PROVISIONS, DEBTS = (
    "actif_immobilise",
    "actif_circulant",
    "capitaux_propres",
    "provisions",
    "dettes",
)

BALANCE_SHEET_GROUPS = (
    (FIXED, N_("Actif immobilisé"), ASSETS),
    (CURRENT, N_("Actif circulant"), ASSETS),
    (EQUITY, N_("Capitaux propres"), LIABILITIES),
    (PROVISIONS, N_("Provisions"), LIABILITIES),
    (DEBTS, N_("Dettes"), LIABILITIES),
)

BALANCE_SHEET_LINES = (
    LineDef("immobilisations_incorporelles", N_("Immobilisations incorporelles"), ASSETS, FIXED),
    LineDef("immobilisations_corporelles", N_("Immobilisations corporelles"), ASSETS, FIXED),
    LineDef("immobilisations_financieres", N_("Immobilisations financières"), ASSETS, FIXED),
    LineDef("stocks", N_("Stocks et en-cours"), ASSETS, CURRENT),
    LineDef("creances_clients", N_("Créances clients et comptes rattachés"), ASSETS, CURRENT),
    LineDef("autres_creances", N_("Autres créances"), ASSETS, CURRENT),
    LineDef("valeurs_mobilieres", N_("Valeurs mobilières de placement"), ASSETS, CURRENT),
    LineDef("disponibilites", N_("Disponibilités"), ASSETS, CURRENT),
    LineDef("charges_constatees_avance", N_("Charges constatées d'avance"), ASSETS, CURRENT),
    LineDef("capital", N_("Capital"), LIABILITIES, EQUITY),
    LineDef("reserves", N_("Écarts de réévaluation et réserves"), LIABILITIES, EQUITY),
    LineDef(
        "report_a_nouveau", N_("Report à nouveau et résultats antérieurs non affectés"), LIABILITIES, EQUITY
    ),
    LineDef("resultat", N_("Résultat de l'exercice"), LIABILITIES, EQUITY),
    LineDef(
        "subventions_provisions_reglementees",
        N_("Subventions d'investissement et provisions réglementées"),
        LIABILITIES,
        EQUITY,
    ),
    LineDef("provisions", N_("Provisions pour risques et charges"), LIABILITIES, PROVISIONS),
    LineDef("emprunts", N_("Emprunts et dettes financières"), LIABILITIES, DEBTS),
    LineDef("avances_recues", N_("Avances et acomptes reçus sur commandes"), LIABILITIES, DEBTS),
    LineDef("dettes_fournisseurs", N_("Dettes fournisseurs et comptes rattachés"), LIABILITIES, DEBTS),
    LineDef("dettes_fiscales_sociales", N_("Dettes fiscales et sociales"), LIABILITIES, DEBTS),
    LineDef("autres_dettes", N_("Autres dettes"), LIABILITIES, DEBTS),
    LineDef("produits_constates_avance", N_("Produits constatés d'avance"), LIABILITIES, DEBTS),
)

RESULT = "resultat"
OTHER_RECEIVABLES, OTHER_DEBTS = "autres_creances", "autres_dettes"

# prefix: (line of a debit balance, line of a credit balance). One line for both: the account stays on
# its side whatever its balance (a negative capital, a depreciation deducted from its asset).
BALANCE_SHEET: dict[str, tuple[str, str]] = {
    "10": ("capital", "capital"),
    "105": ("reserves", "reserves"),
    "106": ("reserves", "reserves"),
    "107": ("reserves", "reserves"),
    "11": ("report_a_nouveau", "report_a_nouveau"),
    "12": ("report_a_nouveau", "report_a_nouveau"),
    "13": ("subventions_provisions_reglementees", "subventions_provisions_reglementees"),
    "14": ("subventions_provisions_reglementees", "subventions_provisions_reglementees"),
    "15": ("provisions", "provisions"),
    "16": ("emprunts", "emprunts"),
    "17": ("emprunts", "emprunts"),
    "18": (OTHER_RECEIVABLES, OTHER_DEBTS),
    "20": ("immobilisations_incorporelles", "immobilisations_incorporelles"),
    "21": ("immobilisations_corporelles", "immobilisations_corporelles"),
    "22": ("immobilisations_corporelles", "immobilisations_corporelles"),
    "23": ("immobilisations_corporelles", "immobilisations_corporelles"),
    "25": ("immobilisations_financieres", "immobilisations_financieres"),
    "26": ("immobilisations_financieres", "immobilisations_financieres"),
    "27": ("immobilisations_financieres", "immobilisations_financieres"),
    "280": ("immobilisations_incorporelles", "immobilisations_incorporelles"),
    "28": ("immobilisations_corporelles", "immobilisations_corporelles"),
    "290": ("immobilisations_incorporelles", "immobilisations_incorporelles"),
    "29": ("immobilisations_corporelles", "immobilisations_corporelles"),
    "296": ("immobilisations_financieres", "immobilisations_financieres"),
    "297": ("immobilisations_financieres", "immobilisations_financieres"),
    "3": ("stocks", "stocks"),
    "40": (OTHER_RECEIVABLES, "dettes_fournisseurs"),
    "41": ("creances_clients", OTHER_DEBTS),
    "4191": (OTHER_RECEIVABLES, "avances_recues"),
    "42": (OTHER_RECEIVABLES, "dettes_fiscales_sociales"),
    "43": (OTHER_RECEIVABLES, "dettes_fiscales_sociales"),
    "44": (OTHER_RECEIVABLES, "dettes_fiscales_sociales"),
    "455": (OTHER_RECEIVABLES, "emprunts"),
    "486": ("charges_constatees_avance", "charges_constatees_avance"),
    "487": ("produits_constates_avance", "produits_constates_avance"),
    "491": ("creances_clients", "creances_clients"),
    "49": (OTHER_RECEIVABLES, OTHER_RECEIVABLES),
    "50": ("valeurs_mobilieres", "valeurs_mobilieres"),
    "59": ("valeurs_mobilieres", "valeurs_mobilieres"),
    "51": ("disponibilites", "emprunts"),
    "519": ("emprunts", "emprunts"),
    "53": ("disponibilites", "disponibilites"),
    "54": ("disponibilites", "disponibilites"),
    "58": ("disponibilites", OTHER_DEBTS),
}

# --- Income statement (2033-B) ---------------------------------------------------------------------

OPERATING_INCOME, OPERATING_CHARGES, FINANCIAL, EXCEPTIONAL, TAX = (
    "produits_exploitation",
    "charges_exploitation",
    "financier",
    "exceptionnel",
    "impot",
)

INCOME_STATEMENT_GROUPS = (
    (OPERATING_INCOME, N_("Produits d'exploitation"), INCOME),
    (OPERATING_CHARGES, N_("Charges d'exploitation"), CHARGES),
    (FINANCIAL, N_("Produits et charges financiers"), INCOME),
    (EXCEPTIONAL, N_("Produits et charges exceptionnels"), INCOME),
    (TAX, N_("Participation et impôt sur les bénéfices"), CHARGES),
)

INCOME_STATEMENT_LINES = (
    LineDef("ventes_marchandises", N_("Ventes de marchandises"), INCOME, OPERATING_INCOME),
    LineDef("production_biens", N_("Production vendue — biens"), INCOME, OPERATING_INCOME),
    LineDef("production_services", N_("Production vendue — services"), INCOME, OPERATING_INCOME),
    LineDef("production_stockee", N_("Production stockée et immobilisée"), INCOME, OPERATING_INCOME),
    LineDef("subventions_exploitation", N_("Subventions d'exploitation"), INCOME, OPERATING_INCOME),
    LineDef(
        "autres_produits", N_("Reprises, transferts de charges et autres produits"), INCOME, OPERATING_INCOME
    ),
    LineDef("achats_marchandises", N_("Achats de marchandises"), CHARGES, OPERATING_CHARGES),
    LineDef("variation_marchandises", N_("Variation de stock (marchandises)"), CHARGES, OPERATING_CHARGES),
    LineDef(
        "achats_matieres",
        N_("Achats de matières premières et autres approvisionnements"),
        CHARGES,
        OPERATING_CHARGES,
    ),
    LineDef(
        "variation_matieres",
        N_("Variation de stock (matières premières et approvisionnements)"),
        CHARGES,
        OPERATING_CHARGES,
    ),
    LineDef("charges_externes", N_("Autres achats et charges externes"), CHARGES, OPERATING_CHARGES),
    LineDef("impots_taxes", N_("Impôts, taxes et versements assimilés"), CHARGES, OPERATING_CHARGES),
    LineDef("salaires", N_("Salaires et traitements"), CHARGES, OPERATING_CHARGES),
    LineDef("charges_sociales", N_("Charges sociales"), CHARGES, OPERATING_CHARGES),
    LineDef("dotations", N_("Dotations aux amortissements et provisions"), CHARGES, OPERATING_CHARGES),
    LineDef("autres_charges", N_("Autres charges"), CHARGES, OPERATING_CHARGES),
    LineDef("produits_financiers", N_("Produits financiers"), INCOME, FINANCIAL),
    LineDef("charges_financieres", N_("Charges financières"), CHARGES, FINANCIAL),
    LineDef("produits_exceptionnels", N_("Produits exceptionnels"), INCOME, EXCEPTIONAL),
    LineDef("charges_exceptionnelles", N_("Charges exceptionnelles"), CHARGES, EXCEPTIONAL),
    LineDef("participation", N_("Participation des salariés"), CHARGES, TAX),
    LineDef("impot_benefices", N_("Impôts sur les bénéfices"), CHARGES, TAX),
)

OTHER_INCOME, OTHER_CHARGES = "autres_produits", "autres_charges"

INCOME_STATEMENT: dict[str, str] = {
    "601": "achats_matieres",
    "602": "achats_matieres",
    "6081": "achats_matieres",
    "6082": "achats_matieres",
    "6091": "achats_matieres",
    "6092": "achats_matieres",
    "603": "variation_marchandises",
    "6031": "variation_matieres",
    "6032": "variation_matieres",
    "604": "charges_externes",
    "605": "charges_externes",
    "606": "charges_externes",
    "608": "charges_externes",
    "609": "charges_externes",
    "607": "achats_marchandises",
    "6087": "achats_marchandises",
    "6097": "achats_marchandises",
    "61": "charges_externes",
    "62": "charges_externes",
    "63": "impots_taxes",
    "641": "salaires",
    "644": "salaires",
    "64": "charges_sociales",
    "65": "autres_charges",
    "66": "charges_financieres",
    "67": "charges_exceptionnelles",
    "68": "dotations",
    "686": "charges_financieres",
    "687": "charges_exceptionnelles",
    "691": "participation",
    "69": "impot_benefices",
    "707": "ventes_marchandises",
    "709": "ventes_marchandises",
    "7091": "production_biens",
    "7092": "production_biens",
    "7093": "production_biens",
    "7094": "production_services",
    "7095": "production_services",
    "7096": "production_services",
    "7098": "production_services",
    "701": "production_biens",
    "702": "production_biens",
    "703": "production_biens",
    "704": "production_services",
    "705": "production_services",
    "706": "production_services",
    "708": "production_services",
    "71": "production_stockee",
    "72": "production_stockee",
    "74": "subventions_exploitation",
    "75": "autres_produits",
    "76": "produits_financiers",
    "77": "produits_exceptionnels",
    "78": "autres_produits",
    "786": "produits_financiers",
    "787": "produits_exceptionnels",
    "79": "autres_produits",
    "796": "produits_financiers",
    "797": "produits_exceptionnels",
}


def _longest(code: str, table: dict):
    for size in range(len(code), 0, -1):
        found = table.get(code[:size])
        if found is not None:
            return found
    return None


def balance_sheet_line(code: str, balance: Decimal) -> str:
    """The key of the balance-sheet line an account of classes 1 to 5 with this balance (debit − credit)
    goes to."""
    found = _longest(code, BALANCE_SHEET)
    if found is None:
        return OTHER_RECEIVABLES if balance >= 0 else OTHER_DEBTS
    on_debit, on_credit = found
    return on_debit if balance >= 0 else on_credit


def income_statement_line(code: str) -> str:
    """The key of the income-statement line of an account of class 6 or 7."""
    found = _longest(code, INCOME_STATEMENT)
    if found is not None:
        return found
    return OTHER_CHARGES if code.startswith("6") else OTHER_INCOME


# --- Computation ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AccountBalance:
    """What the ledger holds on an account (and partner, for accounts kept per partner) at a date or over
    a period."""

    code: str
    name: str
    debit: Decimal
    credit: Decimal
    partner: int | None = None

    @property
    def balance(self) -> Decimal:
        return self.debit - self.credit


@dataclass
class AccountAmount:
    code: str
    name: str
    amount: Decimal


@dataclass
class StatementLine:
    key: str
    label: str
    group: str
    side: str
    amount: Decimal = ZERO
    accounts: list[AccountAmount] = field(default_factory=list)


@dataclass
class Group:
    key: str
    label: str
    side: str
    lines: list[StatementLine]

    @property
    def total(self) -> Decimal:
        """The group's lines summed on its side: financial charges come off financial income."""
        return sum((line.amount if line.side == self.side else -line.amount for line in self.lines), ZERO)


@dataclass
class Statement:
    lines: dict[str, StatementLine]
    groups: list[Group]
    result: Decimal

    def amount(self, key: str) -> Decimal:
        return self.lines[key].amount

    def total(self, side: str) -> Decimal:
        return sum((group.total for group in self.groups if group.side == side), ZERO)


def _signed(side: str, balance: Decimal) -> Decimal:
    return balance if side in (ASSETS, CHARGES) else -balance


def _build(definitions, groups, placed: list[tuple[str, AccountBalance]], result: Decimal) -> Statement:
    lines = {d.key: StatementLine(d.key, d.label, d.group, d.side) for d in definitions}
    per_account: dict[tuple[str, str], AccountAmount] = {}
    for key, row in placed:
        amount = _signed(lines[key].side, row.balance)
        lines[key].amount += amount
        shown = per_account.get((key, row.code))
        if shown is None:
            per_account[(key, row.code)] = shown = AccountAmount(row.code, row.name, ZERO)
            lines[key].accounts.append(shown)
        shown.amount += amount
    for line in lines.values():
        line.accounts.sort(key=lambda account: account.code)
    built = [
        Group(key, label, side, [line for line in lines.values() if line.group == key])
        for key, label, side in groups
    ]
    return Statement(lines=lines, groups=built, result=result)


def result_of(balances) -> Decimal:
    """Income (class 7) less charges (class 6): credit − debit of both classes."""
    return -sum((row.balance for row in balances if row.code[:1] in ("6", "7")), ZERO)


def balance_sheet(balances: list[AccountBalance]) -> Statement:
    """The balance sheet of these balances (every account, from the first entry to its date): classes 1
    to 5 on their lines, classes 6 and 7 as the result of the year."""
    placed = []
    for row in balances:
        if row.code[:1] in ("6", "7"):
            placed.append((RESULT, row))
        elif row.balance:
            placed.append((balance_sheet_line(row.code, row.balance), row))
    result = result_of(balances)
    return _build(BALANCE_SHEET_LINES, BALANCE_SHEET_GROUPS, placed, result)


def income_statement(balances: list[AccountBalance]) -> Statement:
    """The income statement of these balances (the movements of a period); other classes are ignored."""
    placed = [
        (income_statement_line(row.code), row)
        for row in balances
        if row.code[:1] in ("6", "7") and row.balance
    ]
    return _build(INCOME_STATEMENT_LINES, INCOME_STATEMENT_GROUPS, placed, result_of(balances))


def subtotals(statement: Statement) -> dict[str, Decimal]:
    """The income statement's intermediate results: operating, financial, exceptional, and the profit
    or loss (positive: a profit)."""
    groups = {group.key: group for group in statement.groups}
    operating = groups[OPERATING_INCOME].total - groups[OPERATING_CHARGES].total
    financial = groups[FINANCIAL].total
    exceptional = groups[EXCEPTIONAL].total
    return {
        "exploitation": operating,
        "financier": financial,
        "exceptionnel": exceptional,
        "impot": groups[TAX].total,
        "resultat": operating + financial + exceptional - groups[TAX].total,
    }

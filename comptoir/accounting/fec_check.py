"""Structural checker of a FEC (Fichier des Écritures Comptables, LPF art. A47 A-1). No database, no
models: only Django's gettext, for the messages.

`check_fec(path)` reads the file once, line by line, and returns every breach of the format as a
`Violation` (line number, stable rule code, message in the active language, French first); it never
raises on bad content. Memory
stays flat: only the open entry, the per-journal number sets (a sparse bitmap) and a few caches are
kept, so a file of millions of lines is checked like a small one.

What is checked (fr-compliance.md §4.2): the file name `<SIREN>FEC<AAAAMMJJ>.txt`; the encoding (UTF-8
unless told otherwise) and consistent line ends (CR LF or LF); the 18 header names in the legal order,
tab-separated; 18 columns on every line; dates `AAAAMMJJ`, with every EcritureDate inside the fiscal
year closed on the date of the file name; amounts with a decimal comma, no sign and no thousands
separator; a debit or a credit on each line, not both; every entry (JournalCode + EcritureNum)
balanced and its lines contiguous; entry numbers ending in a counter, with no gap per journal and
number prefix; mandatory fields present; CompAuxNum with CompAuxLib, EcritureLet with DateLet,
Montantdevise with Idevise; CompteNum starting with three digits of the PCG (classes 1 to 8).
Past 100 violations of one rule, the others are only counted.
"""

import datetime
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.utils.translation import gettext
from django.utils.translation import gettext_noop as N_

COLUMNS = (
    "JournalCode",
    "JournalLib",
    "EcritureNum",
    "EcritureDate",
    "CompteNum",
    "CompteLib",
    "CompAuxNum",
    "CompAuxLib",
    "PieceRef",
    "PieceDate",
    "EcritureLib",
    "Debit",
    "Credit",
    "EcritureLet",
    "DateLet",
    "ValidDate",
    "Montantdevise",
    "Idevise",
)
SEPARATOR = "\t"
FILE_NAME = re.compile(r"^(\d{9})FEC(\d{8})\.txt$")

(
    JOURNAL_CODE,
    JOURNAL_LIB,
    ENTRY_NUM,
    ENTRY_DATE,
    ACCOUNT_NUM,
    ACCOUNT_LIB,
    AUX_NUM,
    AUX_LIB,
    PIECE_REF,
    PIECE_DATE,
    ENTRY_LIB,
    DEBIT,
    CREDIT,
    LETTER,
    LETTER_DATE,
    VALID_DATE,
    CURRENCY_AMOUNT,
    CURRENCY,
) = range(len(COLUMNS))

REQUIRED = (
    JOURNAL_CODE,
    JOURNAL_LIB,
    ENTRY_NUM,
    ENTRY_DATE,
    ACCOUNT_NUM,
    ACCOUNT_LIB,
    PIECE_REF,
    PIECE_DATE,
    ENTRY_LIB,
    DEBIT,
    CREDIT,
    VALID_DATE,
)

ZERO = Decimal("0")
_AMOUNT = re.compile(r"^-?\d+(?:,\d+)?$")
_COUNTER = re.compile(r"^(.*?)(\d+)$")
_DATE = re.compile(r"^\d{8}$")
_PCG_ACCOUNT = re.compile(r"^[1-8]\d\d")
_BOM = b"\xef\xbb\xbf"
# A run of missing numbers is reported once; past this many runs per journal, only a summary follows.
MAX_GAPS_REPORTED = 20
# Past this many violations of one rule, the others are only counted (a file with a dot decimal on
# every line must not fill the memory with millions of identical messages).
MAX_PER_RULE = 100


class Rule:
    """Stable violation codes (French, like the rest of the file format)."""

    FILE_NAME = "nom_fichier"
    ENCODING = "encodage"
    HEADER = "entete"
    EMPTY = "fichier_vide"
    COLUMNS = "nb_colonnes"
    FORBIDDEN_CHAR = "caractere_interdit"
    LINE_ENDINGS = "fins_de_ligne_mixtes"
    REQUIRED = "champ_vide"
    DATE = "date_invalide"
    OUT_OF_YEAR = "date_hors_exercice"
    AMOUNT = "montant_invalide"
    NEGATIVE = "montant_negatif"
    BOTH_SIDES = "debit_et_credit"
    ZERO_LINE = "ligne_a_zero"
    UNBALANCED = "ecriture_desequilibree"
    FILE_UNBALANCED = "fichier_desequilibre"
    ENTRY_DATES = "ecriture_dates_multiples"
    NOT_GROUPED = "ecriture_non_groupee"
    NUMBER = "numero_invalide"
    GAP = "numerotation_discontinue"
    ACCOUNT = "compte_non_pcg"
    AUXILIARY = "compte_auxiliaire_incomplet"
    LETTERING = "lettrage_incomplet"
    CURRENCY = "devise_incomplete"


MESSAGES = {
    Rule.FILE_NAME: N_(
        "Le nom du fichier « %(name)s » ne suit pas le modèle <SIREN>FEC<AAAAMMJJ>.txt "
        "(SIREN à 9 chiffres, date de clôture de l'exercice)."
    ),
    Rule.ENCODING: N_("La ligne n'est pas du texte %(encoding)s valide : %(detail)s."),
    Rule.HEADER: N_(
        "L'en-tête doit comporter les 18 zones dans l'ordre légal, séparées par des tabulations "
        "(zone %(position)s : « %(expected)s » attendu, « %(found)s » trouvé)."
    ),
    Rule.EMPTY: N_("Le fichier ne contient aucune écriture."),
    Rule.COLUMNS: N_("La ligne compte %(found)s zones au lieu de 18 (tabulation dans un libellé ?)."),
    Rule.FORBIDDEN_CHAR: N_("La ligne contient un retour chariot à l'intérieur d'une zone."),
    Rule.LINE_ENDINGS: N_("Les fins de ligne mélangent CR LF et LF ; utilisez la même partout."),
    Rule.REQUIRED: N_("La zone %(column)s est obligatoire et vide."),
    Rule.DATE: N_("La zone %(column)s contient « %(value)s » : date AAAAMMJJ attendue."),
    Rule.OUT_OF_YEAR: N_("La date d'écriture %(value)s est hors de l'exercice du %(start)s au %(end)s."),
    Rule.AMOUNT: N_(
        "La zone %(column)s contient « %(value)s » : montant attendu avec une virgule décimale, "
        "sans séparateur de milliers (ex. 1234,56)."
    ),
    Rule.NEGATIVE: N_("La zone %(column)s est négative (%(value)s) : portez le montant dans l'autre sens."),
    Rule.BOTH_SIDES: N_("La ligne porte à la fois un débit (%(debit)s) et un crédit (%(credit)s)."),
    Rule.ZERO_LINE: N_("La ligne n'a ni débit ni crédit."),
    Rule.UNBALANCED: N_(
        "L'écriture %(journal)s %(number)s n'est pas équilibrée : débit %(debit)s, crédit %(credit)s."
    ),
    Rule.FILE_UNBALANCED: N_(
        "Le fichier n'est pas équilibré : total débit %(debit)s, total crédit %(credit)s."
    ),
    Rule.ENTRY_DATES: N_(
        "L'écriture %(journal)s %(number)s porte plusieurs dates d'écriture (%(first)s, %(value)s)."
    ),
    Rule.NOT_GROUPED: N_(
        "Les lignes de l'écriture %(journal)s %(number)s ne se suivent pas (numéro déjà vu plus haut)."
    ),
    Rule.NUMBER: N_("Le numéro d'écriture « %(value)s » ne se termine pas par un compteur numérique."),
    Rule.GAP: N_("Numérotation discontinue dans le journal %(journal)s : %(missing)s manquant(s)."),
    Rule.ACCOUNT: N_(
        "Le compte « %(value)s » ne commence pas par trois chiffres du plan comptable général "
        "(classes 1 à 8)."
    ),
    Rule.AUXILIARY: N_("CompAuxNum et CompAuxLib vont ensemble : l'un est rempli, l'autre vide."),
    Rule.LETTERING: N_("EcritureLet et DateLet vont ensemble : l'un est rempli, l'autre vide."),
    Rule.CURRENCY: N_("Montantdevise et Idevise vont ensemble : l'un est rempli, l'autre vide."),
    "autres": N_("… et %(count)s autre(s) anomalie(s) « %(rule)s » non détaillée(s)."),
}


@dataclass(frozen=True)
class Violation:
    line: int | None  # 1 is the header; None concerns the whole file
    code: str
    message: str

    def __str__(self) -> str:
        where = (
            gettext("ligne %(line)s") % {"line": self.line} if self.line is not None else gettext("fichier")
        )
        return f"{where} [{self.code}] {self.message}"


def violation(line: int | None, code: str, **params) -> Violation:
    return Violation(line, code, gettext(MESSAGES[code]) % params)


@dataclass
class Report:
    """The outcome of one pass over a file: its violations, its line count (header excluded), its totals."""

    violations: list[Violation] = field(default_factory=list)
    lines: int = 0
    debit: Decimal = ZERO
    credit: Decimal = ZERO

    @property
    def ok(self) -> bool:
        return not self.violations


class _NumberSet:
    """The counters seen in one numbering series, as a sparse bitmap (64 Ki numbers per chunk)."""

    CHUNK = 1 << 16

    def __init__(self, width: int):
        self.chunks: dict[int, bytearray] = {}
        self.width = width  # digits of the first counter seen, to print missing numbers the same way

    def add(self, n: int) -> bool:
        """Record n; True when it was already there."""
        key, bit = divmod(n, self.CHUNK)
        chunk = self.chunks.get(key)
        if chunk is None:
            chunk = self.chunks[key] = bytearray(self.CHUNK // 8)
        byte, mask = bit >> 3, 1 << (bit & 7)
        if chunk[byte] & mask:
            return True
        chunk[byte] |= mask
        return False

    def __iter__(self):
        """The numbers seen, in increasing order."""
        for key in sorted(self.chunks):
            base = key * self.CHUNK
            for index, byte in enumerate(self.chunks[key]):
                if byte:
                    for bit in range(8):
                        if byte >> bit & 1:
                            yield base + index * 8 + bit

    def missing_runs(self):
        """(first, last) of each run of numbers missing between the smallest and the largest seen."""
        previous = None
        for n in self:
            if previous is not None and n != previous + 1:
                yield previous + 1, n - 1
            previous = n


def fiscal_year_of_closing(closing: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The twelve months ending on `closing` (the day after the same date one year earlier)."""
    after = closing + datetime.timedelta(days=1)
    try:
        start = after.replace(year=after.year - 1)
    except ValueError:  # 29 February
        start = datetime.date(after.year - 1, 3, 1)
    return start, closing


def parse_amount(text: str) -> Decimal | None:
    """`1234,56` → Decimal; None when the text is not a FEC amount (dot, thousands separator, sign +…)."""
    if not _AMOUNT.match(text):
        return None
    try:
        return Decimal(text.replace(",", "."))
    except InvalidOperation:
        return None


def _format(amount: Decimal) -> str:
    return f"{amount:.2f}".replace(".", ",")


class _Checker:
    def __init__(self, path: Path, *, allow_zero_lines: bool, encoding: str):
        self.path = path
        self.encoding = encoding
        self.allow_zero_lines = allow_zero_lines
        self.report = Report()
        self.per_rule: dict[str, int] = {}
        self.dates: dict[str, datetime.date | None] = {}
        self.year: tuple[datetime.date, datetime.date] | None = None
        self.min_date: datetime.date | None = None
        self.max_date: datetime.date | None = None
        self.series: dict[tuple[str, str], _NumberSet] = {}
        self.unnumbered: set[tuple[str, str]] = set()
        self.entry: tuple[str, str] | None = None
        self.entry_line = 0
        self.entry_date = ""
        self.entry_debit = ZERO
        self.entry_credit = ZERO

    def add(self, line: int | None, code: str, **params) -> None:
        count = self.per_rule[code] = self.per_rule.get(code, 0) + 1
        if count <= MAX_PER_RULE:
            self.report.violations.append(violation(line, code, **params))

    def date(self, text: str) -> datetime.date | None:
        try:
            return self.dates[text]
        except KeyError:
            pass
        value = None
        if _DATE.match(text):
            try:
                value = datetime.date(int(text[:4]), int(text[4:6]), int(text[6:]))
            except ValueError:
                value = None
        if len(self.dates) < 100_000:
            self.dates[text] = value
        return value

    def run(self) -> Report:
        name = self.path.name
        match = FILE_NAME.match(name)
        if not match:
            self.add(None, Rule.FILE_NAME, name=name)
        else:
            closing = self.date(match.group(2))
            if closing is None:
                self.add(None, Rule.FILE_NAME, name=name)
            else:
                self.year = fiscal_year_of_closing(closing)
        endings = {"crlf": 0, "lf": 0}
        with open(self.path, "rb") as raw:
            number = 0
            for number, data in enumerate(raw, start=1):
                if data.endswith(b"\r\n"):
                    endings["crlf"] += 1
                    data = data[:-2]
                elif data.endswith(b"\n"):
                    endings["lf"] += 1
                    data = data[:-1]
                if number == 1 and data.startswith(_BOM):
                    self.add(
                        1,
                        Rule.ENCODING,
                        encoding=self.encoding,
                        detail=gettext("marque d'ordre des octets (BOM) en tête de fichier"),
                    )
                    data = data[len(_BOM) :]
                try:
                    text = data.decode(self.encoding)
                except UnicodeDecodeError as exc:
                    self.add(number, Rule.ENCODING, encoding=self.encoding, detail=str(exc))
                    text = data.decode(self.encoding, errors="replace")
                if number == 1:
                    self.header(text)
                else:
                    self.line(number, text)
            if number == 0:
                self.add(1, Rule.HEADER, position=1, expected=COLUMNS[0], found="")
        self.close_entry()
        if endings["crlf"] and endings["lf"]:
            self.add(None, Rule.LINE_ENDINGS)
        self.finish()
        return self.report

    def header(self, text: str) -> None:
        found = text.split(SEPARATOR)
        for position, expected in enumerate(COLUMNS, start=1):
            got = found[position - 1] if position <= len(found) else ""
            if got != expected:
                self.add(1, Rule.HEADER, position=position, expected=expected, found=got)
                return
        if len(found) != len(COLUMNS):
            self.add(1, Rule.HEADER, position=len(COLUMNS) + 1, expected="", found=found[len(COLUMNS)])

    def line(self, number: int, text: str) -> None:
        report = self.report
        report.lines += 1
        fields = text.split(SEPARATOR)
        if len(fields) != len(COLUMNS):
            self.add(number, Rule.COLUMNS, found=len(fields))
            return
        if "\r" in text:
            self.add(number, Rule.FORBIDDEN_CHAR)
        for index in REQUIRED:
            if not fields[index].strip():
                self.add(number, Rule.REQUIRED, column=COLUMNS[index])
        for index in (ENTRY_DATE, PIECE_DATE, VALID_DATE, LETTER_DATE):
            value = fields[index]
            if value and self.date(value) is None:
                self.add(number, Rule.DATE, column=COLUMNS[index], value=value)
        entry_date = self.date(fields[ENTRY_DATE])
        if entry_date is not None:
            if self.year is not None and not self.year[0] <= entry_date <= self.year[1]:
                self.add(
                    number,
                    Rule.OUT_OF_YEAR,
                    value=fields[ENTRY_DATE],
                    start=self.year[0].strftime("%d/%m/%Y"),
                    end=self.year[1].strftime("%d/%m/%Y"),
                )
            if self.min_date is None or entry_date < self.min_date:
                self.min_date = entry_date
            if self.max_date is None or entry_date > self.max_date:
                self.max_date = entry_date
        debit = self.amount(number, fields, DEBIT)
        credit = self.amount(number, fields, CREDIT)
        if fields[CURRENCY_AMOUNT]:
            self.amount(number, fields, CURRENCY_AMOUNT, signed=True)
        if debit is not None and credit is not None:
            if debit and credit:
                self.add(number, Rule.BOTH_SIDES, debit=fields[DEBIT], credit=fields[CREDIT])
            elif not debit and not credit and not self.allow_zero_lines:
                self.add(number, Rule.ZERO_LINE)
        account = fields[ACCOUNT_NUM]
        if account and not _PCG_ACCOUNT.match(account):
            self.add(number, Rule.ACCOUNT, value=account)
        if bool(fields[AUX_NUM].strip()) != bool(fields[AUX_LIB].strip()):
            self.add(number, Rule.AUXILIARY)
        if bool(fields[LETTER].strip()) != bool(fields[LETTER_DATE].strip()):
            self.add(number, Rule.LETTERING)
        if bool(fields[CURRENCY_AMOUNT].strip()) != bool(fields[CURRENCY].strip()):
            self.add(number, Rule.CURRENCY)
        self.track_entry(number, fields, debit or ZERO, credit or ZERO)

    def amount(self, number: int, fields: list[str], index: int, *, signed: bool = False) -> Decimal | None:
        text = fields[index]
        if not text:
            return None  # already reported as an empty mandatory field
        value = parse_amount(text)
        if value is None:
            self.add(number, Rule.AMOUNT, column=COLUMNS[index], value=text)
            return None
        if value < 0 and not signed:
            self.add(number, Rule.NEGATIVE, column=COLUMNS[index], value=text)
        return value

    def track_entry(self, number: int, fields: list[str], debit: Decimal, credit: Decimal) -> None:
        report = self.report
        report.debit += debit
        report.credit += credit
        key = (fields[JOURNAL_CODE], fields[ENTRY_NUM])
        if key != self.entry:
            self.close_entry()
            self.open_entry(number, key, fields[ENTRY_DATE])
        elif fields[ENTRY_DATE] != self.entry_date:
            self.add(
                number,
                Rule.ENTRY_DATES,
                journal=key[0],
                number=key[1],
                first=self.entry_date,
                value=fields[ENTRY_DATE],
            )
        self.entry_debit += debit
        self.entry_credit += credit

    def open_entry(self, number: int, key: tuple[str, str], entry_date: str) -> None:
        journal, entry_num = key
        self.entry, self.entry_line, self.entry_date = key, number, entry_date
        self.entry_debit = self.entry_credit = ZERO
        if not entry_num:
            return
        match = _COUNTER.match(entry_num)
        if match is None:
            self.add(number, Rule.NUMBER, value=entry_num)
            seen = key in self.unnumbered
            self.unnumbered.add(key)
        else:
            prefix, counter = match.groups()
            numbers = self.series.get((journal, prefix))
            if numbers is None:
                numbers = self.series[(journal, prefix)] = _NumberSet(len(counter))
            seen = numbers.add(int(counter))
        if seen:
            self.add(number, Rule.NOT_GROUPED, journal=journal, number=entry_num)

    def close_entry(self) -> None:
        if self.entry is None:
            return
        if self.entry_debit != self.entry_credit:
            self.add(
                self.entry_line,
                Rule.UNBALANCED,
                journal=self.entry[0],
                number=self.entry[1],
                debit=_format(self.entry_debit),
                credit=_format(self.entry_credit),
            )
        self.entry = None

    def finish(self) -> None:
        report = self.report
        if report.lines == 0:
            self.add(None, Rule.EMPTY)
        if report.debit != report.credit:
            self.add(None, Rule.FILE_UNBALANCED, debit=_format(report.debit), credit=_format(report.credit))
        if self.year is None and self.min_date and self.max_date:
            # No closing date to go by: the entries must at least fit in twelve months.
            start, end = fiscal_year_of_closing(self.max_date)
            if self.min_date < start:
                self.add(
                    None,
                    Rule.OUT_OF_YEAR,
                    value=self.min_date.strftime("%Y%m%d"),
                    start=start.strftime("%d/%m/%Y"),
                    end=end.strftime("%d/%m/%Y"),
                )
        for (journal, prefix), numbers in sorted(self.series.items()):
            runs = list(_first_runs(numbers, MAX_GAPS_REPORTED + 1))
            for low, high in runs[:MAX_GAPS_REPORTED]:
                first, last = f"{prefix}{low:0{numbers.width}d}", f"{prefix}{high:0{numbers.width}d}"
                missing = (
                    first if low == high else gettext("%(first)s à %(last)s") % {"first": first, "last": last}
                )
                self.add(None, Rule.GAP, journal=journal, missing=missing)
            if len(runs) > MAX_GAPS_REPORTED:
                others = gettext("d'autres numéros de la série %(prefix)s") % {"prefix": prefix}
                self.add(None, Rule.GAP, journal=journal, missing=others)
        for code, count in list(self.per_rule.items()):
            if count > MAX_PER_RULE:
                report.violations.append(
                    Violation(
                        None,
                        code,
                        gettext(MESSAGES["autres"]) % {"count": count - MAX_PER_RULE, "rule": code},
                    )
                )


def _first_runs(numbers: _NumberSet, limit: int):
    for count, run in enumerate(numbers.missing_runs()):
        if count >= limit:
            return
        yield run


def inspect(path, *, allow_zero_lines: bool = False, encoding: str = "utf-8") -> Report:
    """Check the file and total it in one pass."""
    return _Checker(Path(path), allow_zero_lines=allow_zero_lines, encoding=encoding).run()


def check_fec(path, *, allow_zero_lines: bool = False, encoding: str = "utf-8") -> list[Violation]:
    """Every breach of the FEC format found in the file at `path` (an empty list when it conforms).

    A line that has neither debit nor credit is reported unless `allow_zero_lines` is set.
    """
    return inspect(path, allow_zero_lines=allow_zero_lines, encoding=encoding).violations


@dataclass(frozen=True)
class Totals:
    debit: Decimal
    credit: Decimal
    lines: int


def totals(path, *, encoding: str = "utf-8") -> Totals:
    """Total debit and credit of the file (amounts that do not parse count as zero)."""
    report = inspect(path, allow_zero_lines=True, encoding=encoding)
    return Totals(report.debit, report.credit, report.lines)

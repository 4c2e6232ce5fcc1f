"""A row of an imported file: the file opened and its header matched to the preset's columns, its rows
read in batches, each row's cells read into fields (numbers, dates, countries, payment terms), what became
of it (created, updated, unchanged, refused) and why a cell was refused. Shared by every kind of import
(`master_data`, `suppliers`, `price_lists`, `opening`); `services` runs them."""

import csv
import functools
import io
import re
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as N_

from comptoir.catalog.models import Product
from comptoir.core.errors import fail as _fail
from comptoir.imports import errors, presets, reading
from comptoir.parties.models import Contact, Customer, Supplier

BATCH = 500

CREATED, UPDATED, UNCHANGED, REFUSED = "created", "updated", "unchanged", "refused"
STATUS_LABELS = {
    CREATED: N_("créé"),
    UPDATED: N_("mis à jour"),
    UNCHANGED: N_("inchangé"),
    REFUSED: N_("refusé"),
}


@dataclass
class Refusal:
    row: int
    column: str
    value: str
    code: str
    message: str


@dataclass
class Report:
    kind: str
    preset: str
    file_name: str
    sha256: str
    dry_run: bool
    valid_only: bool
    imported: bool = False
    counts: dict = field(default_factory=lambda: {CREATED: 0, UPDATED: 0, UNCHANGED: 0, REFUSED: 0})
    rows: list = field(default_factory=list)  # (row number, status, external id)
    refusals: list[Refusal] = field(default_factory=list)
    header: list[str] = field(default_factory=list)
    refused_cells: list = field(default_factory=list)  # (row number, cells) of the refused rows
    run_id: int | None = None

    def add(self, row: int, status: str, key: str) -> None:
        self.counts[status] += 1
        self.rows.append((row, status, key))

    def refused_rows_csv(self) -> str:
        """The refused rows as they were in the file, each with its reasons in a last column: the file
        to correct and import again (semicolons, UTF-8 with the BOM Excel expects)."""
        reasons: dict[int, list[str]] = {}
        for refusal in self.refusals:
            where = f"{refusal.column} : " if refusal.column else ""
            reasons.setdefault(refusal.row, []).append(where + refusal.message)
        out = io.StringIO()
        writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
        writer.writerow([*self.header, _("Motif du refus")])
        for row, cells in self.refused_cells:
            cells = list(cells) + [""] * (len(self.header) - len(cells))
            writer.writerow([*cells[: len(self.header)], " | ".join(reasons.get(row, []))])
        return "\ufeff" + out.getvalue()


class RowRefused(Exception):
    def __init__(self, refusals: list[Refusal]):
        self.refusals = refusals


# --- Parsing a row ------------------------------------------------------------------------------

COUNTRY_NAMES = {
    "france": "FR",
    "belgique": "BE",
    "belgium": "BE",
    "allemagne": "DE",
    "germany": "DE",
    "espagne": "ES",
    "spain": "ES",
    "italie": "IT",
    "italy": "IT",
    "luxembourg": "LU",
    "pays-bas": "NL",
    "netherlands": "NL",
    "portugal": "PT",
    "suisse": "CH",
    "switzerland": "CH",
    "royaume-uni": "GB",
    "united kingdom": "GB",
    "autriche": "AT",
    "austria": "AT",
    "irlande": "IE",
    "ireland": "IE",
    "monaco": "MC",
    "etats-unis": "US",
    "united states": "US",
    "canada": "CA",
}

_NUMBER = re.compile(r"\d+(?:[.,]\d+)?")


def _parse_terms(text: str, record: dict) -> int | None:
    """« 30 », « 45 jours fin de mois », « 30 Days », « À réception », « Immediate Payment » → days."""
    value = reading.normalize(text)
    if not value:
        return None
    if "fin de mois" in value or "end of month" in value:
        record.setdefault("payment_end_of_month", True)
    if "reception" in value or "immediate" in value or "comptant" in value:
        return 0
    match = re.search(r"\d+", value)
    if not match:
        raise ValueError(text)
    return int(match.group())


def _parse_product_kind(text: str) -> str:
    value = reading.normalize(text)
    if value in ("service", "services", "1"):
        return Product.Kind.SERVICE
    if value in ("bien", "biens", "goods", "produit", "product", "consu", "stockable", "0", "storable"):
        return Product.Kind.GOODS
    raise ValueError(text)


_NORMALISED = {"siren", "siret", "vat_number", "ean", "customs_code", "iban", "bic", "account"}
_MODELS = {presets.CUSTOMERS: Customer, presets.SUPPLIERS: Supplier, presets.PRODUCTS: Product}


@functools.cache
def _max_length(kind: str, name: str) -> int | None:
    model = _MODELS.get(kind)
    if model is None:
        return None
    if name.startswith("contact_"):
        model, name = Contact, name.removeprefix("contact_")
    try:
        return model._meta.get_field(name).max_length
    except Exception:  # a column that is not a model field (kind, contact…)
        return None


def parse_row(kind: str, cells: list[str], columns: dict[str, int], row: int, header: list[str]):
    """The fields of one row, or RowRefused with one refusal per cell that cannot be read."""
    record: dict = {}
    refusals = []

    def refuse(name, error, cell, **params):
        code, message = error
        text = _(message) % params if params else _(message)
        refusals.append(Refusal(row, header[columns[name]], cell, code, text))

    for column in presets.COLUMNS[kind]:
        if column.field not in columns:
            continue
        index = columns[column.field]
        text = cells[index].strip() if index < len(cells) else ""
        if not text:
            if column.required:
                refuse(column.field, errors.REQUIRED, text)
            elif column.kind == "text":
                record[column.field] = ""
            continue
        try:
            if column.kind == "decimal":
                record[column.field] = reading.parse_decimal(text)
            elif column.kind == "date":
                record[column.field] = reading.parse_date(text)
            elif column.kind == "vat":
                # « 20 », « 5,5 », « 20 % », Odoo's « TVA 20% (vente) »: the rate is the number in it.
                match = _NUMBER.search(text)
                if not match:
                    raise ValueError(text)
                record[column.field] = reading.parse_decimal(match.group())
            elif column.kind == "bool":
                record[column.field] = reading.parse_bool(text)
            elif column.kind == "terms":
                record[column.field] = _parse_terms(text, record)
            elif column.kind == "country":
                code = text.upper() if len(text) == 2 else COUNTRY_NAMES.get(reading.normalize(text))
                if not code or not code.isalpha():
                    refuse(column.field, errors.UNKNOWN_COUNTRY, text, value=text)
                    continue
                record[column.field] = code
            elif column.field == "kind":
                record[column.field] = _parse_product_kind(text)
            else:
                # Identifiers are stripped of their spaces by the services, which check their length.
                limit = None if column.field in _NORMALISED else _max_length(kind, column.field)
                if limit and len(text) > limit:
                    refuse(column.field, errors.TOO_LONG, text, value=text[:60], max=limit)
                    continue
                record[column.field] = text
        except (ValueError, ArithmeticError):
            error = {
                "date": errors.NOT_A_DATE,
                "bool": errors.NOT_A_BOOLEAN,
                "terms": errors.NOT_AN_INTEGER,
            }.get(column.kind, errors.UNKNOWN_PRODUCT_KIND if column.field == "kind" else errors.NOT_A_NUMBER)
            refuse(column.field, error, text, value=text)
    if refusals:
        raise RowRefused(refusals)
    return record


# --- The file -----------------------------------------------------------------------------------


def open_file(kind: str, preset_name: str, content: bytes, file_name: str):
    if kind not in presets.KINDS:
        _fail(errors.UNKNOWN_KIND, value=kind)
    preset = presets.PRESETS.get(preset_name or "comptoir")
    if preset is None:
        _fail(errors.UNKNOWN_PRESET, value=preset_name)
    if kind not in preset.names:
        _fail(errors.PRESET_WITHOUT_KIND, preset=preset.label)
    if not content:
        _fail(errors.EMPTY_FILE)
    try:
        sheet = reading.read(content, file_name)
        number, header, after = reading.find_header(sheet.rows, presets.known_names(preset, kind))
    except reading.Unreadable:
        _fail(errors.UNREADABLE, name=file_name)
    columns = presets.match_columns(preset, kind, header)
    missing = [c for c in presets.COLUMNS[kind] if c.required and c.field not in columns]
    if missing:
        names = ", ".join(f"« {preset.names[kind][c.field][0]} »" for c in missing)
        found = ", ".join(f"« {h} »" for h in header if h) or "—"
        _fail(errors.MISSING_COLUMNS, columns=names, found=found[:300])
    return header, columns, after, sheet.rows


def batches(after, rest, file_name: str):
    batch = []
    for row in _chain(after, rest, file_name):
        if not any(row[1]):
            continue
        batch.append(row)
        if len(batch) >= BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def _chain(first, rest, file_name: str):
    yield from first
    try:
        yield from rest
    except reading.Unreadable:
        # A file that breaks past its first rows (a truncated workbook, a NUL byte in a CSV).
        _fail(errors.UNREADABLE, name=file_name)

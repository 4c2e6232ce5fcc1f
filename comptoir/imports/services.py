"""Importing a company's existing data: customers, products, opening stock (and, in `imports.opening`,
its open customer invoices and opening balances).

Every row goes through the service a user's form goes through (`parties.services.create_customer`,
`catalog.services.update_product`, `stock.services.receive_stock`…), each in its own savepoint: a row the
rules refuse is rolled back alone and reported with the column and the value at fault; nothing here
repeats a rule of those services. A test run (`dry_run`) does the same work and rolls the whole
transaction back, so its report is exactly what the import would do. A real import keeps everything or
nothing, or (`valid_only`) the valid rows only, the refused ones going into a file to fix and import again.

Rows are matched to what exists by their external id (customer code, product reference): importing the
same file twice updates, and creates nothing twice; an identifier twice in one file is refused.
"""

import csv
import datetime
import functools
import hashlib
import io
import re
from dataclasses import dataclass, field

from django.db import DatabaseError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as N_

from comptoir.catalog import services as catalog
from comptoir.catalog.models import Product
from comptoir.core import audit, permissions
from comptoir.core.errors import DomainError
from comptoir.core.errors import fail as _fail
from comptoir.imports import errors, presets, reading
from comptoir.imports.models import ImportRun, OpeningStock
from comptoir.parties import services as parties
from comptoir.parties.models import Contact, Customer, Supplier
from comptoir.stock import services as stock

BATCH = 500

CREATED, UPDATED, UNCHANGED, REFUSED = "created", "updated", "unchanged", "refused"
STATUS_LABELS = {
    CREATED: N_("créé"),
    UPDATED: N_("mis à jour"),
    UNCHANGED: N_("inchangé"),
    REFUSED: N_("refusé"),
}

# The column a service's refusal points at, by its error code.
ERROR_FIELDS = {
    "invalid_siren": "siren",
    "invalid_siret": "siret",
    "siret_siren_mismatch": "siret",
    "invalid_vat_number": "vat_number",
    "vat_siren_mismatch": "vat_number",
    "eu_customer_needs_vat_number": "vat_number",
    "france_regime_abroad": "country",
    "payment_terms_too_long": "payment_days",
    "name_required": "name",
    "duplicate_customer_code": "code",
    "sku_required": "sku",
    "duplicate_sku": "sku",
    "invalid_ean": "ean",
    "invalid_customs_code": "customs_code",
    "invalid_net_mass": "net_mass_kg",
    "invalid_origin_country": "origin_country",
    "invalid_vat_rate": "vat_rate",
    "exempt_product_with_vat_rate": "vat_rate",
    "zero_rate_needs_exemption_reason": "vat_rate",
    "vat_rate_from_before_last_change": "vat_rate",
    "negative_price": "sale_price",
    "product_name_required": "name",
    "product_not_stocked": "sku",
    "inactive_product": "sku",
    "unknown_product": "sku",
    "import_unknown_product": "sku",
    "import_opening_stock_exists": "quantity",
    "quantity_not_positive": "quantity",
    "cost_negative": "unit_cost",
    "date_in_future": "date",
    "date_beyond_backdating_window": "date",
    "period_locked": "date",
    "fiscal_year_not_open": "date",
    "opening_invoice_number_taken": "number",
    "opening_invoice_exists": "number",
    "opening_invoice_amount_not_positive": "amount",
    "opening_invoice_amount_above_total": "amount",
    "opening_invoice_after_opening": "date",
    "opening_invoice_due_before_date": "due_date",
    "opening_invoice_unknown_customer": "customer",
    "opening_invoice_after_balances": "number",
    "invalid_iban": "iban",
    "invalid_bic": "bic",
    "duplicate_supplier_code": "code",
    "supplier_account_invalid": "account",
    "supplier_account_taken": "account",
    "opening_supplier_invoice_unknown_supplier": "supplier",
    "opening_supplier_invoice_exists": "number",
    "opening_supplier_invoice_after_balances": "number",
    "price_list_name_missing": "price_list",
    "price_list_target": "customer",
    "price_list_dates": "valid_until",
    "price_list_line_price_xor_percent": "price",
    "price_list_line_price_negative": "price",
    "price_list_line_percent_range": "percent_off",
    "price_list_line_min_quantity": "min_quantity",
    "import_unknown_customer": "customer",
    "import_unknown_group": "group",
    "import_price_list_target_differs": "customer",
    "import_price_list_dates_differ": "valid_from",
    "import_price_list_overlap": "valid_from",
}

OPENING_STOCK_SUPPLIER = "Stock de départ (import)"


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


class _Rollback(Exception):
    """Leaves a savepoint whose work was only a check."""


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


# --- Applying a row -----------------------------------------------------------------------------


def _changed(obj, fields: dict) -> dict:
    return {name: value for name, value in fields.items() if getattr(obj, name) != value}


class CustomerRows:
    """New customers are checked by the rules of `create_customer` and written together by
    `create_customers`, a batch at a time; known ones go through `update_customer` one by one."""

    key = "code"

    def __init__(self, by, source: str):
        self.by, self.source = by, source
        self.pending: list = []
        self.default_days = parties.default_payment_days()

    def existing(self, keys):
        return Customer.objects.in_bulk(keys, field_name="code")

    @staticmethod
    def _contact(record: dict):
        contact = {
            name.removeprefix("contact_"): record.pop(name)
            for name in ("contact_name", "contact_job_title", "contact_email", "contact_phone")
            if name in record
        }
        return contact if contact.get("name") else None

    def prepare(self, record: dict) -> None:
        contact = self._contact(record)
        code = record.pop("code")
        fields = parties.clean_new_customer(default_days=self.default_days, **record)
        self.pending.append((code, fields, [contact] if contact else []))

    def update(self, record: dict, found: Customer) -> str:
        contact = self._contact(record)
        record.pop("code")
        status = UNCHANGED
        changed = _changed(found, record)
        if changed:
            parties.update_customer(found, by=self.by, **changed)
            status = UPDATED
        if contact and not found.contacts.filter(name=contact["name"]).exists():
            parties.add_contact(found, by=self.by, **contact)
            status = UPDATED
        return status

    def flush(self) -> None:
        parties.create_customers(self.pending, by=self.by, source=self.source)
        self.pending = []

    def finish(self) -> None:
        """Every batch was written by `flush`."""


class ProductRows:
    """New products are checked by the rules of `create_product` and written together by
    `create_products`, a batch at a time; known ones go through `update_product` one by one."""

    key = "sku"

    def __init__(self, by, source: str):
        self.by, self.source = by, source
        self.pending: list = []

    def existing(self, keys):
        return Product.objects.in_bulk(keys, field_name="sku")

    def prepare(self, record: dict) -> None:
        self.pending.append(catalog.clean_new_product(**record))

    def update(self, record: dict, found: Product) -> str:
        record.pop("sku")
        changed = _changed(found, record)
        if not changed:
            return UNCHANGED
        catalog.update_product(found, by=self.by, **changed)
        return UPDATED

    def flush(self) -> None:
        catalog.create_products(self.pending, by=self.by, source=self.source)
        self.pending = []

    def finish(self) -> None:
        """Every batch was written by `flush`."""


class StockRows:
    """Each row is checked by the receipt service alone (then rolled back); the valid rows are received
    together at the end, as one receipt dated today: the opening stock."""

    key = "sku"

    def __init__(self, by, source: str):
        self.by, self.source = by, source
        self.lines: dict = {}  # date (None: today) → receipt lines

    def existing(self, keys):
        products = Product.objects.in_bulk(keys, field_name="sku")
        opening = {o.product_id: o for o in OpeningStock.objects.filter(product__in=products.values())}
        return {sku: (product, opening.get(product.pk)) for sku, product in products.items()}

    def prepare(self, record: dict) -> None:
        _fail(errors.UNKNOWN_PRODUCT, value=record["sku"])

    def update(self, record: dict, found) -> str:
        product, opening = found
        line = {"product": product, "quantity": record["quantity"]}
        if "unit_cost" in record:
            line["unit_cost"] = record["unit_cost"]
        if opening is not None:
            cost = record.get("unit_cost", product.purchase_cost)
            if opening.quantity == record["quantity"] and opening.unit_cost == cost:
                return UNCHANGED
            raise DomainError(
                *errors.OPENING_STOCK_DIFFERS,
                sku=product.sku,
                quantity=format(opening.quantity.normalize(), "f").replace(".", ","),
                cost=format(opening.unit_cost.normalize(), "f").replace(".", ","),
            )
        date = record.get("date")
        try:
            with transaction.atomic():
                stock.create_receipt([line], by=self.by, supplier_name=OPENING_STOCK_SUPPLIER, date=date)
                raise _Rollback
        except _Rollback:
            pass
        self.lines.setdefault(date, []).append(line)
        return CREATED

    def flush(self) -> None:
        """Nothing to write batch by batch: the receipt is one, at the end (`finish`)."""

    def finish(self) -> None:
        """One receipt per date of the file (most files have one: the day of the inventory)."""
        for date, lines in sorted(self.lines.items(), key=lambda item: item[0] or datetime.date.max):
            try:
                receipt = stock.receive_stock(
                    lines, by=self.by, supplier_name=OPENING_STOCK_SUPPLIER, date=date
                )
            except DomainError as exc:
                raise DomainError(*errors.STOCK_REFUSED, reason=exc.message) from exc
            OpeningStock.objects.bulk_create(
                OpeningStock(
                    product_id=line.product_id,
                    quantity=line.quantity,
                    unit_cost=line.unit_cost,
                    receipt_number=receipt.number,
                )
                for line in receipt.lines.all()
            )


ROWS = {presets.CUSTOMERS: CustomerRows, presets.PRODUCTS: ProductRows, presets.STOCK: StockRows}


# --- The file -----------------------------------------------------------------------------------


def _open(kind: str, preset_name: str, content: bytes, file_name: str):
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


def _batches(after, rest, file_name: str):
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


def _rows_class(kind: str):
    if kind in ROWS:
        return ROWS[kind]
    # These build on this module (parse_row, the statuses): imported when used.
    if kind in (presets.OPEN_INVOICES, presets.SUPPLIER_INVOICES):
        from comptoir.imports import opening

        return opening.OpenInvoiceRows if kind == presets.OPEN_INVOICES else opening.SupplierInvoiceRows
    if kind == presets.SUPPLIERS:
        from comptoir.imports.suppliers import SupplierRows

        return SupplierRows
    from comptoir.imports.price_lists import PriceListRows

    return PriceListRows


def _execute(report: Report, kind: str, content: bytes, by, progress=None) -> None:
    if kind == presets.OPENING_BALANCES:
        from comptoir.imports import opening  # it builds on this module

        opening.execute_balances(report, content, by)
        return
    header, columns, after, rest = _open(kind, report.preset, content, report.file_name)
    report.header = header
    rows = _rows_class(kind)(by, report.file_name)
    key_field = presets.KEY_FIELD[kind]
    # A row's identity: one field, or several (a price list line: its list, product and quantity break).
    key_of = getattr(rows, "key_of", None) or (lambda record: record[key_field])
    first_seen: dict[str, int] = {}
    for batch in _batches(after, rest, report.file_name):
        parsed = []
        for number, cells in batch:
            try:
                record = parse_row(kind, cells, columns, number, header)
            except RowRefused as exc:
                parsed.append((number, cells, None, exc.refusals))
                continue
            key = key_of(record)
            if key in first_seen:
                refusal = Refusal(
                    number,
                    header[columns[key_field]],
                    record[key_field],
                    errors.DUPLICATE_KEY[0],
                    _(errors.DUPLICATE_KEY[1]) % {"value": key, "first": first_seen[key]},
                )
                parsed.append((number, cells, None, [refusal]))
                continue
            first_seen[key] = number
            parsed.append((number, cells, record, None))
        existing = rows.existing([key_of(record) for _n, _c, record, _r in parsed if record])
        for number, cells, record, refusals in parsed:
            if record is not None:
                key = key_of(record)
                found = existing.get(key)
                rows.row = number  # the row a refusal's message may name
                try:
                    if found is None:
                        rows.prepare(dict(record))  # checked now, written with the batch
                        status = CREATED
                    else:
                        with transaction.atomic():
                            status = rows.update(dict(record), found)
                    report.add(number, status, key)
                    continue
                except DomainError as exc:
                    name = ERROR_FIELDS.get(exc.code)
                    index = columns.get(name) if name else None
                    value = cells[index] if index is not None and index < len(cells) else ""
                    column = header[index] if index is not None else ""
                    refusals = [Refusal(number, column, value, exc.code, exc.message)]
                except DatabaseError:
                    refusals = [Refusal(number, "", "", "import_row_not_saved", _(errors.ROW_NOT_SAVED[1]))]
            report.add(number, REFUSED, key_of(record) if record else "")
            report.refusals.extend(refusals)
            report.refused_cells.append((number, cells))
        rows.flush()
        if progress is not None:
            progress(len(report.rows))
    if not report.rows:
        _fail(errors.NO_ROWS)
    if not report.dry_run and (report.valid_only or not report.counts[REFUSED]):
        rows.finish()


def _sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def _new_report(kind, preset, file_name, content, dry_run, valid_only) -> Report:
    return Report(
        kind=kind,
        preset=preset or "comptoir",
        file_name=file_name,
        sha256=_sha256(content),
        dry_run=dry_run,
        valid_only=valid_only,
    )


def _keep(report: Report, run: ImportRun | None, content: bytes, by) -> ImportRun:
    """Record the import that was kept: its run (counts, refused rows) and its audit event."""
    if run is None:
        run = ImportRun(
            kind=report.kind,
            preset=report.preset,
            file_name=report.file_name[:200],
            sha256=report.sha256,
            content=content,
            created_by=by if getattr(by, "pk", None) else None,
        )
    run.status = ImportRun.Status.IMPORTED
    run.valid_only = report.valid_only
    run.counts = dict(report.counts)
    run.refused_rows = report.refused_rows_csv() if report.refusals else ""
    run.save()
    report.imported, report.run_id = True, run.pk
    audit.record(
        "data.imported",
        by=by,
        obj=run,
        data={
            "kind": report.kind,
            "file": report.file_name,
            "sha256": report.sha256,
            "preset": report.preset,
            "valid_only": report.valid_only,
            **report.counts,
        },
    )
    return run


@transaction.atomic
def run_import(
    kind: str,
    content: bytes,
    *,
    file_name: str,
    by,
    preset: str = "comptoir",
    dry_run: bool = False,
    valid_only: bool = False,
    run: ImportRun | None = None,
    progress=None,
) -> Report:
    """Import (or, `dry_run`, test) one file of `kind`. All or nothing unless `valid_only`.

    `progress(rows_read)` is called after each batch (the background worker shows it, imports.background)."""
    permissions.require(by, "data.import")
    report = _new_report(kind, preset, file_name, content, dry_run, valid_only)
    _execute(report, kind, content, by, progress)
    if dry_run or (report.counts[REFUSED] and not valid_only):
        transaction.set_rollback(True)
    else:
        _keep(report, run, content, by)
    return report


@transaction.atomic
def upload(kind: str, content: bytes, *, file_name: str, by, preset: str = "comptoir") -> ImportRun:
    """Keep a file between its test run and its import (the web page's two steps)."""
    permissions.require(by, "data.import")
    if kind not in presets.KINDS:
        _fail(errors.UNKNOWN_KIND, value=kind)
    if preset not in presets.PRESETS:
        _fail(errors.UNKNOWN_PRESET, value=preset)
    if not content:
        _fail(errors.EMPTY_FILE)
    return ImportRun.objects.create(
        kind=kind,
        preset=preset,
        file_name=file_name[:200],
        sha256=_sha256(content),
        content=bytes(content),
        created_by=by if getattr(by, "pk", None) else None,
    )


def test_uploaded(run: ImportRun, *, by, progress=None) -> Report:
    return run_import(
        run.kind,
        bytes(run.content),
        file_name=run.file_name,
        by=by,
        preset=run.preset,
        dry_run=True,
        progress=progress,
    )


@transaction.atomic
def import_uploaded(run: ImportRun, *, by, valid_only: bool = False, progress=None) -> Report:
    permissions.require(by, "data.import")
    run = ImportRun.objects.select_for_update().get(pk=run.pk)
    if run.status == ImportRun.Status.IMPORTED:
        _fail(errors.ALREADY_IMPORTED)
    return run_import(
        run.kind,
        bytes(run.content),
        file_name=run.file_name,
        by=by,
        preset=run.preset,
        valid_only=valid_only,
        run=run,
        progress=progress,
    )

"""Importing a company's existing data: a file of one kind tested, then imported, row by row. The file and
its rows are read by `imports.rows`; each kind applies its rows through the services a user's form goes
through — customers, products and opening stock in `imports.master_data`, suppliers in
`imports.suppliers`, price lists in `imports.price_lists`, open customer and supplier invoices and the
opening balances in `imports.opening` — each row in its own savepoint: a row the rules refuse is rolled
back alone and reported with the column and the value at fault; nothing here repeats a rule of those
services. A test run (`dry_run`) does the same work and rolls the whole transaction back, so its report is
exactly what the import would do. A real import keeps everything or nothing, or (`valid_only`) the valid
rows only, the refused ones going into a file to fix and import again.

Rows are matched to what exists by their external id (customer code, product reference): importing the
same file twice updates, and creates nothing twice; an identifier twice in one file is refused.
"""

import hashlib

from django.db import DatabaseError, transaction
from django.utils.translation import gettext as _

from comptoir.core import audit, permissions
from comptoir.core.errors import DomainError
from comptoir.core.errors import fail as _fail
from comptoir.imports import errors, master_data, opening, presets
from comptoir.imports.models import ImportRun
from comptoir.imports.price_lists import PriceListRows
from comptoir.imports.rows import (
    CREATED,
    REFUSED,
    Refusal,
    Report,
    RowRefused,
    batches,
    open_file,
    parse_row,
)
from comptoir.imports.suppliers import SupplierRows

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


# Each kind of file, and the class that applies its rows.
ROWS = {
    **master_data.ROWS,
    presets.SUPPLIERS: SupplierRows,
    presets.PRICE_LISTS: PriceListRows,
    presets.OPEN_INVOICES: opening.OpenInvoiceRows,
    presets.SUPPLIER_INVOICES: opening.SupplierInvoiceRows,
}


def _execute(report: Report, kind: str, content: bytes, by, progress=None) -> None:
    if kind == presets.OPENING_BALANCES:
        opening.execute_balances(report, content, by)
        return
    header, columns, after, rest = open_file(kind, report.preset, content, report.file_name)
    report.header = header
    rows = ROWS[kind](by, report.file_name)
    key_field = presets.KEY_FIELD[kind]
    # A row's identity: one field, or several (a price list line: its list, product and quantity break).
    key_of = getattr(rows, "key_of", None) or (lambda record: record[key_field])
    first_seen: dict[str, int] = {}
    for batch in batches(after, rest, report.file_name):
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

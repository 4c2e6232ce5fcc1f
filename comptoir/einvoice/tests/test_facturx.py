"""Factur-X: the XML is embedded as a PDF/A-3 attachment, reads back with factur-x and drafthorse."""

import hashlib
import io
from dataclasses import replace

import pytest
from pypdf import PdfReader

from comptoir.einvoice.cii import amounts_from_cii, to_cii
from comptoir.einvoice.facturx import InvoiceDataError, make_facturx
from comptoir.einvoice.formats import fr_money
from comptoir.einvoice.tests import factories
from comptoir.einvoice.tests.factories import ALL_CASES, SELLER_LEGAL
from comptoir.einvoice.validate import read_back


@pytest.fixture(scope="module")
def pdfs():
    return {name: make_facturx(build(), SELLER_LEGAL) for name, build in ALL_CASES.items()}


@pytest.mark.parametrize("case", ALL_CASES)
def test_embedded_xml_reads_back_with_factur_x_and_drafthorse(pdfs, case):
    invoice = ALL_CASES[case]()
    back = read_back(pdfs[case])
    assert back.filename == "factur-x.xml"
    assert back.xml == to_cii(invoice)
    document = back.document
    assert document.header.id._text == invoice.number
    assert document.header.type_code._text == str(invoice.type_code)
    assert document.context.guideline_parameter.id._text == "urn:cen.eu:en16931:2017"
    assert document.context.business_parameter.id._text == invoice.business_process
    summation = document.trade.settlement.monetary_summation
    totals = invoice.totals
    assert summation.line_total._value == totals.line_total
    assert summation.tax_basis_total._amount == totals.tax_basis_total
    assert summation.grand_total._amount == totals.grand_total
    assert summation.prepaid_total._value == totals.prepaid_amount
    assert summation.due_amount._value == totals.due_amount
    assert len(document.trade.items.children) == len(invoice.lines)


@pytest.mark.parametrize("case", ALL_CASES)
def test_same_invoice_gives_the_same_factur_x_bytes(pdfs, case):
    again = make_facturx(ALL_CASES[case](), SELLER_LEGAL)
    assert hashlib.sha256(again).hexdigest() == hashlib.sha256(pdfs[case]).hexdigest()


def test_container_is_declared_pdf_a_3_factur_x_en16931(pdfs):
    reader = PdfReader(io.BytesIO(pdfs["single_rate"]))
    root = reader.trailer["/Root"]
    xmp = root["/Metadata"].get_object().get_data().decode("utf-8")
    assert "<pdfaid:part>3</pdfaid:part>" in xmp
    assert "<pdfaid:conformance>B</pdfaid:conformance>" in xmp
    assert "<fx:ConformanceLevel>EN 16931</fx:ConformanceLevel>" in xmp
    assert "<fx:DocumentFileName>factur-x.xml</fx:DocumentFileName>" in xmp
    (filespec,) = root["/AF"]
    filespec = filespec.get_object()
    assert filespec["/AFRelationship"] == "/Data"
    assert filespec["/F"] == filespec["/UF"] == "factur-x.xml"
    assert filespec["/EF"]["/F"].get_object()["/Subtype"] == "/text/xml"
    assert "/OutputIntents" in root
    assert reader.pdf_header == "%PDF-1.7"


def test_info_dictionary_and_xmp_agree_and_carry_the_invoice_date(pdfs):
    reader = PdfReader(io.BytesIO(pdfs["credit_note"]))
    info = reader.metadata
    xmp = reader.trailer["/Root"]["/Metadata"].get_object().get_data().decode("utf-8")
    assert info["/CreationDate"] == info["/ModDate"] == "D:20260320000000+00'00'"
    assert "<xmp:CreateDate>2026-03-20T00:00:00+00:00</xmp:CreateDate>" in xmp
    assert f"<pdf:Producer>{info['/Producer']}</pdf:Producer>" in xmp
    assert f"<pdf:Keywords>{info['/Keywords']}</pdf:Keywords>" in xmp
    assert info["/Title"] == "Atelier Dupont SAS : Avoir AV-2026-00007"
    attachment = reader.trailer["/Root"]["/AF"][0].get_object()["/EF"]["/F"].get_object()
    assert attachment["/Params"]["/ModDate"] == "D:20260320000000+00'00'"


@pytest.mark.parametrize("case", ALL_CASES)
def test_pdf_prints_the_totals_the_xml_carries(pdfs, case):
    reader = PdfReader(io.BytesIO(pdfs[case]))
    text = "\n".join(p.extract_text() for p in reader.pages).replace("\u00a0", " ")
    amounts = amounts_from_cii(read_back(pdfs[case]).xml)
    for bt in ("BT-109", "BT-110", "BT-112", "BT-115"):
        assert fr_money(amounts[bt]).replace("\u00a0", " ") in text, bt


def test_inconsistent_invoice_is_refused_before_generation():
    invoice = factories.single_rate()
    broken = replace(invoice, totals=replace(invoice.totals, grand_total=invoice.totals.grand_total + 1))
    with pytest.raises(InvoiceDataError) as error:
        make_facturx(broken, SELLER_LEGAL)
    assert any(p.startswith("BR-CO-15") for p in error.value.problems)


def test_read_back_refuses_a_pdf_without_factur_x():
    from comptoir.einvoice.pdf import render_pdf

    with pytest.raises(ValueError):
        read_back(render_pdf(factories.single_rate(), SELLER_LEGAL))

"""Each parser on its fixture, and detection by content: pure, no database.

Fixtures (comptoir/intake/tests/fixtures) were written by hand after the published samples: Order-X
(order-x.xml, the Order-X 1.0 BASIC example's structure), Peppol BIS Ordering 3 (ubl-order.xml), an EANCOM
ORDERS D96A message (orders-d96a.edi), a French order form (order-form.csv, Windows-style, semicolons).
No package installed here ships an order sample: drafthorse and factur-x ship only their code lists. The
invoices are the CII / UBL / Factur-X documents Comptoir itself produces (comptoir/einvoice), which the
reference validators accept (comptoir/einvoice/tests)."""

import io
from decimal import Decimal

import pytest

from comptoir.intake import detection, parsers
from comptoir.intake.extraction import ParseError
from comptoir.intake.tests.conftest import fixture


def values(line):
    return {name: field.value for name, field in line.fields.items()}


def test_order_x_reads_the_header_the_buyer_and_each_line_with_its_xpath():
    fmt, doc = parsers.parse(fixture("order-x.xml"))
    assert (fmt, doc.kind) == ("order_x", "order")
    assert doc.value("po_number") == "PO-2026-0412"
    assert (doc.value("po_date"), doc.value("requested_date")) == ("2026-12-01", "2026-12-15")
    assert (doc.value("buyer_siren"), doc.value("buyer_vat"), doc.value("buyer_gln")) == (
        "552032534",
        "FR27552032534",
        "3012345000010",
    )
    assert doc.fields["po_number"].source == "/SCRDMCCBDACIOMessageStructure/ExchangedDocument/ID"
    assert doc.fields["po_number"].confidence == Decimal("1")
    assert [values(line) for line in doc.lines] == [
        {
            "ean": "3012345678902",
            "customer_reference": "BP-VIS-6",
            "description": "Vis inox M6x50 (boîte de 100)",
            "unit_price": "12.50",
            "quantity": "10",
            "unit": "C62",
        },
        {
            "our_code": "PERC-18V",
            "customer_reference": "BP-PERC",
            "description": "Perceuse sans fil 18 V",
            "unit_price": "149.00",
            "quantity": "2",
            "unit": "C62",
        },
    ]
    assert (
        doc.lines[1]
        .fields["quantity"]
        .source.endswith("IncludedSupplyChainTradeLineItem[2]/SpecifiedLineTradeDelivery/RequestedQuantity")
    )


def test_ubl_order_reads_siret_vat_delivery_and_lines():
    fmt, doc = parsers.parse(fixture("ubl-order.xml"))
    assert fmt == "ubl_order"
    assert (doc.value("po_number"), doc.value("buyer_siret"), doc.value("buyer_siren")) == (
        "UBL-7781",
        "55203253400017",
        "552032534",
    )
    assert doc.value("requested_date") == "2026-12-16"
    assert doc.value("delivery_address") == "4 quai du Lazaret, 13002, Marseille"
    assert [
        (values(line).get("ean"), values(line).get("our_code"), values(line)["quantity"])
        for line in doc.lines
    ] == [
        ("3760000000017", None, "4"),
        (None, "PERC-18V", "1"),
    ]


def test_edifact_orders_d96a_reads_bgm_dtm_nad_and_each_lin_group():
    fmt, doc = parsers.parse(fixture("orders-d96a.edi"))
    assert fmt == "edifact_orders"
    assert (doc.value("po_number"), doc.value("po_date"), doc.value("requested_date")) == (
        "EDI-55120",
        "2026-12-03",
        "2026-12-17",
    )
    assert (doc.value("buyer_gln"), doc.value("buyer_vat")) == ("3012345000010", "FR27552032534")
    assert doc.fields["buyer_gln"].source == "NAD+BY (segment 6)"
    assert [
        (values(line)["ean"], values(line)["quantity"], values(line).get("unit_price")) for line in doc.lines
    ] == [
        ("3012345678902", "24", "12.5"),
        ("3760000000024", "50", None),
    ]
    assert doc.lines[0].value("customer_reference") == "BP-VIS-6"


def test_csv_order_form_finds_its_header_row_and_the_po_number_above_it():
    fmt, doc = parsers.parse(fixture("order-form.csv"))
    assert fmt == "csv"
    assert (doc.value("po_number"), doc.value("po_date"), doc.value("buyer_siret")) == (
        "BC-9001",
        "2026-12-02",
        "55203253400017",
    )
    assert doc.fields["po_number"].confidence < 1
    assert [
        (line.value("customer_reference"), line.value("quantity"), line.value("unit_price"))
        for line in doc.lines
    ] == [
        ("BP-VIS-6", "12", "12.50"),
        ("BP-GANT", "40", "3.20"),
        ("BP-PERC", "1", "149.00"),
    ]
    assert doc.lines[0].fields["quantity"].source == "ligne 8, colonne 4"


def test_xlsx_order_form_in_english_with_the_po_number_in_a_cell_beside_its_label():
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["Purchase order", "PO-77"])
    sheet.append(["VAT number", "FR27552032534"])
    sheet.append([])
    sheet.append(["Qty", "Item code", "Description", "Unit price"])
    sheet.append([3, "BP-VIS-6", "Screws", 12.5])
    sheet.append([1, "BP-PERC", "Drill", 149])
    sheet.append(["Total", None, None, 186.5])
    out = io.BytesIO()
    workbook.save(out)
    fmt, doc = parsers.parse(out.getvalue())
    assert fmt == "xlsx"
    assert (doc.value("po_number"), doc.value("buyer_vat")) == ("PO-77", "FR27552032534")
    assert doc.fields["po_number"].source == "A1"
    assert [(line.value("customer_reference"), line.value("quantity")) for line in doc.lines] == [
        ("BP-VIS-6", "3"),
        ("BP-PERC", "1"),
    ]
    assert doc.lines[0].fields["quantity"].source == "A5"


def test_cii_and_ubl_invoices_are_read_as_invoices():
    from comptoir.einvoice.cii import to_cii
    from comptoir.einvoice.tests.factories import single_rate
    from comptoir.einvoice.ubl import to_ubl

    invoice = single_rate()
    for content, fmt in ((to_cii(invoice), "cii_invoice"), (to_ubl(invoice), "ubl_invoice")):
        found, doc = parsers.parse(content)
        assert (found, doc.kind) == (fmt, "invoice")
        assert doc.value("po_number") == invoice.number
        assert doc.lines


def test_a_factur_x_pdf_is_read_through_its_embedded_xml():
    from comptoir.einvoice.facturx import make_facturx
    from comptoir.einvoice.tests.factories import SELLER_LEGAL, single_rate

    invoice = single_rate()
    fmt, doc = parsers.parse(make_facturx(invoice, SELLER_LEGAL))
    assert (fmt, doc.kind, doc.value("po_number")) == ("facturx_pdf", "invoice", invoice.number)
    assert doc.fields["po_number"].source.startswith("PDF › factur-x.xml")


@pytest.mark.parametrize(
    "content,fmt",
    [
        (fixture("order-x.xml"), "order_x"),
        (b"\xef\xbb\xbf  " + fixture("ubl-order.xml"), "ubl_order"),
        (fixture("orders-d96a.edi"), "edifact_orders"),
        (b"UNB+UNOC:3+1+2+261203:0930+1'UNH+1+INVOIC:D:96A:UN'", "unknown"),
        (b"\x89PNG\r\n\x1a\n....", "image"),
        (b"\xff\xd8\xff\xe0....", "image"),
        (b"%PDF-1.7\n....", "pdf"),
        (b"From: client@example.fr\nSubject: commande\n\nBonjour", "email"),
        (b"ref;qte\nA;1\n", "csv"),
    ],
)
def test_detection_reads_the_content_not_the_name(content, fmt):
    assert detection.detect(content) == fmt


def test_a_billion_laughs_is_refused_before_any_entity_is_expanded():
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        + b"".join(
            f'<!ENTITY lol{i} "{"&lol" + str(i - 1) + ";" if i > 1 else "&lol;"}'.encode() * 1 + b'">'
            for i in range(1, 10)
        )
        + b"]><lolz>&lol9;</lolz>"
    )
    with pytest.raises(ParseError) as refused:
        detection.detect(bomb)
    assert refused.value.code == "xml_dtd"

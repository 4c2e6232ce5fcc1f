"""Unstructured orders: a PDF with a text layer read at once, a scan or a photo read by OCR in the
background worker; every field with its confidence and where it was read (page and box)."""

import datetime

import pytest

from comptoir.intake import layout, services
from comptoir.intake.extraction import ParseError
from comptoir.intake.models import InboundDocument
from comptoir.intake.parsers import NeedsOcr, parse, parse_ocr
from comptoir.intake.tests import corpus
from comptoir.intake.tests.conftest import fixture

Status = InboundDocument.Status


def values(doc):
    return {name: f.value for name, f in doc.fields.items()}


def rows(doc, *names):
    return [tuple(line.value(name) for name in names) for line in doc.lines]


# --- Pure reading -----------------------------------------------------------------------------------


def test_a_digital_pdf_order_gives_its_header_fields_and_lines_with_page_and_box():
    fmt, doc = parse(fixture("order-digital.pdf"))
    assert fmt == "pdf"
    assert values(doc) == {
        "buyer_siret": "55203253400017",
        "buyer_siren": "552032534",
        "po_number": "BC-2026-0917",
        "po_date": "2026-12-03",
        "requested_date": "2026-12-15",
        "delivery_address": "Brasserie du Port — quai Est, 2 quai de la Fosse, 44000 Nantes",
    }
    assert rows(doc, "customer_reference", "ean", "quantity", "unit_price") == [
        ("BP-VIS", "3012345678902", "10", "12.5"),
        ("BP-GANT", "", "40", "3.2"),
        ("PERC-18V", "", "2", "149"),
    ]
    po = doc.fields["po_number"]
    assert po.source.startswith("page 1 [") and 0 < po.confidence <= 1


@pytest.mark.parametrize("layout_index", range(len(corpus.TUNING)))
def test_each_tuning_layout_is_read_as_labelled(layout_index):
    order = corpus.make_order(0, corpus.TUNING[layout_index])
    _fmt, doc = parse(order.pdf)
    header = order.truth["header"]
    assert {name: doc.value(name) for name in header} == header
    assert len(doc.lines) == len(order.truth["lines"])
    first, truth = doc.lines[0], order.truth["lines"][0]
    assert layout.parse_number(first.value("quantity")) == layout.parse_number(truth["quantity"])


def test_numbers_and_dates_in_french_and_english_forms():
    assert layout.parse_number("1 234,50") == layout.parse_number("1.234,50", ",")
    assert str(layout.parse_number("1,234.50", ".")) == "1234.50"
    assert str(layout.parse_number("1,500", ".")) == "1500"
    assert str(layout.parse_number("1,500", ",")) == "1.500"
    assert layout.find_date("Livraison le 1er décembre 2026")[0] == datetime.date(2026, 12, 1)
    assert layout.find_date("December 3, 2026")[0] == datetime.date(2026, 12, 3)
    assert layout.find_date("3 Dec 2026")[0] == datetime.date(2026, 12, 3)
    assert layout.find_date("03.12.2026")[0] == datetime.date(2026, 12, 3)


def test_a_scanned_pdf_and_an_image_wait_for_ocr_and_a_broken_pdf_is_refused():
    with pytest.raises(NeedsOcr) as scanned:
        parse(corpus.scan(fixture("order-digital.pdf"), dpi=100))
    assert scanned.value.format == "pdf_scan"
    with pytest.raises(NeedsOcr) as image:
        parse(fixture("order-scan.png"))
    assert image.value.format == "image"
    with pytest.raises(ParseError) as broken:
        parse(b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF")
    assert broken.value.code == "pdf_unreadable"


def test_ocr_of_a_tilted_scan_reads_the_same_order():
    """RapidOCR for real, offline, on a 150 dpi picture turned by 1°."""
    doc = parse_ocr(fixture("order-scan.png"), "image")
    assert doc.value("po_number") == "BC-2026-0917"
    assert doc.value("buyer_siret") == "55203253400017"
    assert doc.value("requested_date") == "2026-12-15"
    assert rows(doc, "customer_reference", "quantity", "unit_price") == [
        ("BP-VIS", "10", "12.5"),
        ("BP-GANT", "40", "3.2"),
        ("PERC-18V", "2", "149"),
    ]
    assert all(0 < f.confidence < 1 for f in doc.fields.values())  # OCR scores, not certainty


def test_an_image_without_text_is_refused_with_its_reason():
    import io

    from PIL import Image

    blank = io.BytesIO()
    Image.new("L", (400, 300), 255).save(blank, "PNG")
    with pytest.raises(ParseError) as refused:
        parse_ocr(blank.getvalue(), "image")
    assert refused.value.code == "ocr_no_text"


# --- Through the services ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_digital_pdf_order_is_matched_and_waits_for_review(boss, brasserie, catalogue):
    document, _ = services.receive(fixture("order-digital.pdf"), name="bc.pdf", channel="upload", by=boss)
    assert (document.status, document.format, document.customer) == (Status.TO_REVIEW, "pdf", brasserie)
    assert document.po_number == "BC-2026-0917"
    lines = list(document.extracted.lines.all())
    assert [(line.product, line.match_method) for line in lines][0] == (catalogue["screws"], "ean")
    assert lines[2].product == catalogue["drill"]
    assert lines[0].fields["quantity"]["source"].startswith("page 1 [")
    assert str(document.extracted.requested_date) == "2026-12-15"


@pytest.mark.django_db
def test_a_scan_is_kept_received_then_read_by_the_worker(boss, brasserie, catalogue):
    document, _ = services.receive(fixture("order-scan.png"), name="scan.png", channel="upload", by=boss)
    assert (document.status, document.format) == (Status.RECEIVED, "image")
    assert (
        not hasattr(document, "extracted")
        or not InboundDocument.objects.filter(extracted__isnull=False).exists()
    )

    read = services.read_received(document.pk)

    assert (read.status, read.customer, read.po_number) == (Status.TO_REVIEW, brasserie, "BC-2026-0917")
    assert [line.quantity for line in read.extracted.lines.all()] == [10, 40, 2]
    assert services.read_received(document.pk).status == Status.TO_REVIEW  # twice: left as it is

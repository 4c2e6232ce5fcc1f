"""Receiving a file: kept once in the archive, read by its content, matched, checked, left to review; a
file that cannot be read is kept and quarantined with its French reason."""

import pytest
from django.test import override_settings

from comptoir.archive.models import ArchivedFile
from comptoir.core.errors import DomainError, PermissionDenied
from comptoir.core.models import AuditEvent
from comptoir.core.testing import make_user
from comptoir.intake import services
from comptoir.intake.models import InboundDocument
from comptoir.intake.tests.conftest import fixture

pytestmark = pytest.mark.django_db
Status = InboundDocument.Status


def receive(content, by, name="commande.bin"):
    return services.receive(content, name=name, channel="upload", by=by)


def test_an_order_x_order_is_archived_read_matched_and_waits_for_review(boss, brasserie, catalogue):
    document, created = receive(fixture("order-x.xml"), boss, "commande.xml")
    assert created
    assert document.status == Status.TO_REVIEW
    assert (document.format, document.kind) == ("order_x", "order")
    assert (document.customer, document.customer_match, document.po_number) == (
        brasserie,
        "siren",
        "PO-2026-0412",
    )
    lines = list(document.extracted.lines.all())
    assert [(line.product, line.match_method) for line in lines] == [
        (catalogue["screws"], "ean"),
        (catalogue["drill"], "code"),
    ]
    assert str(document.extracted.requested_date) == "2026-12-15"
    archived = document.archived_file
    assert archived.is_received and archived.sha256 == document.sha256
    assert (archived.document_app, archived.document_model, archived.document_pk) == (
        "intake",
        "inbounddocument",
        str(document.pk),
    )
    assert AuditEvent.objects.filter(action="intake.received", object_id=str(document.pk)).exists()


def test_the_same_file_twice_is_the_document_already_received(boss, brasserie, catalogue):
    first, _ = receive(fixture("order-x.xml"), boss)
    second, created = receive(fixture("order-x.xml"), boss, "autre-nom.xml")
    assert (second, created) == (first, False)
    assert InboundDocument.objects.count() == 1
    assert ArchivedFile.objects.filter(direction="in").count() == 1


def test_a_po_number_already_received_from_the_customer_is_a_duplicate(boss, brasserie, catalogue):
    first, _ = receive(fixture("order-x.xml"), boss)
    again = fixture("order-x.xml").replace(b"<ram:Name>Vis inox", b"<ram:Name>Vis  inox")
    second, created = receive(again, boss)
    assert created and second.status == Status.DUPLICATE
    assert second.duplicate_of == first
    assert "déjà reçue" in second.reason


@pytest.mark.parametrize(
    "name,status,fmt",
    [
        ("ubl-order.xml", Status.TO_REVIEW, "ubl_order"),
        ("orders-d96a.edi", Status.TO_REVIEW, "edifact_orders"),
        ("order-form.csv", Status.TO_REVIEW, "csv"),
    ],
)
def test_each_structured_format_reaches_review_with_its_customer(
    boss, brasserie, catalogue, name, status, fmt
):
    document, _ = receive(fixture(name), boss, name)
    assert (document.status, document.format, document.customer) == (status, fmt, brasserie)


def test_an_unknown_product_and_a_price_difference_are_shown_as_checks(boss, brasserie, catalogue):
    document, _ = receive(fixture("order-form.csv"), boss)
    codes = {(check["code"], check["line"]) for check in document.checks}
    # BP-GANT is described « Gants de protection taille 9 »: too far from « Gants de protection cuir T9 ».
    assert ("product_unknown", 2) in codes or document.extracted.lines.get(position=2).product is not None
    assert ("stock_short", 1) in codes  # nothing in stock
    assert all(check["severity"] in ("error", "warning") for check in document.checks)


@pytest.mark.parametrize(
    "content,code",
    [
        (b"%PDF-1.4\n%garbage without structure", "pdf_unreadable"),
        (b"PK\x03\x04 this zip is cut short", "corrupt_archive"),
        (
            b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]>'
            b"<lolz>&lol2;</lolz>",
            "xml_dtd",
        ),
        (
            b'<?xml version="1.0"?><!DOCTYPE foo [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><Order>&xxe;</Order>',
            "xml_dtd",
        ),
        (b"<Order><unclosed></Order>", "xml_invalid"),
        (b"<Something xmlns='urn:x'/>", "unknown_type"),
        (b"\x00\x01\x02\x03binary", "unknown_type"),
        (b"a;b;c\n1;2;3\n", "sheet_no_header"),
    ],
)
def test_bad_input_is_kept_and_quarantined_with_a_french_reason(boss, content, code):
    document, created = receive(content, boss)
    assert created
    assert document.status == Status.QUARANTINED
    assert document.reason_code == code
    assert document.reason
    assert bytes(document.archived_file.content.content) == content


def test_a_zip_bomb_is_quarantined_without_being_unpacked(boss):
    import io
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as bomb:
        bomb.writestr("xl/workbook.xml", b"<workbook/>")
        bomb.writestr("xl/worksheets/sheet1.xml", b"0" * (20 * 1024 * 1024))
    document, _ = receive(out.getvalue(), boss)
    assert (document.status, document.reason_code) == (Status.QUARANTINED, "archive_bomb")


def test_a_nul_character_past_the_sniffed_start_is_dropped_not_a_crash(boss, brasserie, catalogue):
    """PostgreSQL refuses NUL in text and JSON: one hidden deep in a form must not make the insert fail."""
    padding = b"Bon de commande;" + b"x" * 9000 + b"\n"
    form = padding + b"Votre r\xc3\xa9f\xc3\xa9rence;D\xc3\xa9signation;Quantit\xc3\xa9\nBP-X;Vis\x00 bis;3\n"
    document, _ = receive(form, boss)
    assert document.status == Status.TO_REVIEW
    line = document.extracted.lines.get()
    assert line.description == "Vis bis"
    assert line.fields["description"]["value"] == "Vis bis"


def test_an_invoice_is_recognised_and_kept_not_taken_for_an_order(boss):
    from comptoir.einvoice.cii import to_cii
    from comptoir.einvoice.tests.factories import single_rate

    document, _ = receive(to_cii(single_rate()), boss, "facture.xml")
    assert (document.kind, document.status, document.format) == ("invoice", Status.EXTRACTED, "cii_invoice")
    assert "Facture reçue" in document.reason


def test_an_empty_file_is_refused_and_nothing_is_written(boss):
    with pytest.raises(DomainError) as refused:
        receive(b"", boss)
    assert refused.value.code == "intake_empty_file"
    assert not InboundDocument.objects.exists()


@override_settings(COMPTOIR_INTAKE_MAX_FILE_SIZE=1000)
def test_a_file_past_the_limit_is_refused_and_not_stored(boss):
    with pytest.raises(DomainError) as refused:
        receive(b"x" * 1001, boss)
    assert refused.value.code == "intake_file_too_large"
    assert not ArchivedFile.objects.exists()


def test_a_warehouse_clerk_may_not_drop_orders(db):
    clerk = make_user("magasin", "logistique")
    with pytest.raises(PermissionDenied):
        receive(fixture("order-x.xml"), clerk)

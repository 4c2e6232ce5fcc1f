"""The story of #21 on its structured half: an order form arrives from a customer, is read, one line is
corrected by the ADV assistant, the document is accepted into a draft order; the next order from the same
customer names the same reference, and that line is matched by itself.

(The issue's story starts from a scanned order in an e-mail: the mailbox is another session's; the
second test starts from the scan itself.)"""

import pytest

from comptoir.core.permissions import Role
from comptoir.core.testing import make_customer, make_product, make_user
from comptoir.intake import services
from comptoir.intake.models import InboundDocument
from comptoir.intake.tests.conftest import fixture
from comptoir.sales.models import Order

pytestmark = pytest.mark.django_db


def test_a_corrected_line_is_remembered_for_the_next_order_of_the_customer(boss, company):
    claire = make_user("claire", Role.ADV)
    brasserie = make_customer(boss, name="Brasserie du Port SAS", siren="552032534")
    make_product(
        boss, sku="VIS-M6-50", name="Vis inox M6x50 boîte de 100", ean="3012345678902", sale_price="12.50"
    )
    make_product(boss, sku="PERC-18V", name="Perceuse sans fil 18 V", sale_price="149.00")
    gloves = make_product(boss, sku="GANT-T9", name="Gants de protection cuir T9", sale_price="3.20")

    # The order form of the Brasserie arrives.
    document, _ = services.receive(fixture("order-form.csv"), name="BC-9001.csv", channel="upload", by=claire)
    assert (document.status, document.customer) == (InboundDocument.Status.TO_REVIEW, brasserie)

    # Two of its three lines are matched; « BP-GANT, Gants de protection taille 9 » is not.
    lines = list(document.extracted.lines.order_by("position"))
    assert [line.product is not None for line in lines] == [True, False, True]

    # Claire picks the gloves for it and accepts.
    chosen = [
        {
            "line": line.pk,
            "product": line.product_id or gloves.pk,
            "quantity": line.quantity,
            "unit_price": line.unit_price,
        }
        for line in lines
    ]
    order = services.accept(document, by=claire, lines=chosen)
    assert (order.status, order.customer_reference) == (Order.Status.DRAFT, "BC-9001")
    assert order.lines.filter(product=gloves).exists()

    # The next order from the Brasserie names BP-GANT again: matched by itself, nothing to pick.
    next_form = fixture("order-form.csv").replace(b"BC-9001", b"BC-9014")
    following, _ = services.receive(next_form, name="BC-9014.csv", channel="upload", by=claire)
    assert [line.product is not None for line in following.extracted.lines.order_by("position")] == [
        True,
        True,
        True,
    ]
    assert services.accept(following, by=claire).lines.count() == 3


def test_a_scanned_order_read_by_ocr_then_corrected_teaches_the_next_pdf_order(boss, company):
    """The unstructured half: a scanned order (a picture) is read by OCR in the worker's service, one line
    is corrected, the order accepted; the next order, a PDF with a text layer, matches that line by
    itself. (The mailbox that brings the scan is another session's.)"""
    from comptoir.intake.tests import corpus

    claire = make_user("claire", Role.ADV)
    brasserie = make_customer(boss, name="Brasserie du Port SAS", siren="552032534")
    make_product(
        boss, sku="VIS-M6-50", name="Vis inox M6x50 boîte de 100", ean="3012345678902", sale_price="12.50"
    )
    make_product(boss, sku="PERC-18V", name="Perceuse sans fil 18 V", sale_price="149.00")
    gloves = make_product(boss, sku="GANT-T9", name="Gants de protection cuir T9", sale_price="3.20")

    scan, _ = services.receive(fixture("order-scan.png"), name="scan.png", channel="upload", by=claire)
    assert scan.status == InboundDocument.Status.RECEIVED
    scan = services.read_received(scan.pk)  # what `comptoir db-worker` runs
    assert (scan.status, scan.customer, scan.po_number) == (
        InboundDocument.Status.TO_REVIEW,
        brasserie,
        "BC-2026-0917",
    )
    lines = list(scan.extracted.lines.order_by("position"))
    assert [line.product is not None for line in lines] == [True, False, True]

    chosen = [
        {"line": line.pk, "product": line.product_id or gloves.pk, "quantity": line.quantity}
        for line in lines
    ]
    order = services.accept(scan, by=claire, lines=chosen)
    assert (order.status, order.customer_reference) == (Order.Status.DRAFT, "BC-2026-0917")

    following, _ = services.receive(
        corpus.brasserie_order("BC-2026-0988"), name="BC-2026-0988.pdf", channel="upload", by=claire
    )
    assert following.status == InboundDocument.Status.TO_REVIEW
    matched = [(line.product, line.match_method) for line in following.extracted.lines.order_by("position")]
    assert matched[1] == (gloves, "reference")
    assert services.accept(following, by=claire).lines.count() == 3

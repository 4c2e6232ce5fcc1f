"""Deciding on a document under review: accepting creates the draft order through the sales services and
teaches the customer's references; rejecting asks for a reason."""

import pytest

from comptoir.core.errors import DomainError
from comptoir.core.models import AuditEvent
from comptoir.intake import services
from comptoir.intake.models import CustomerProductReference, InboundDocument
from comptoir.intake.tests.conftest import fixture
from comptoir.sales.models import Order

pytestmark = pytest.mark.django_db
Status = InboundDocument.Status


def receive(content, by):
    return services.receive(content, name="commande.csv", channel="upload", by=by)[0]


def corrected_lines(document, product_for_line_2):
    lines = []
    for line in document.extracted.lines.all():
        product = product_for_line_2.pk if line.position == 2 else line.product_id
        lines.append(
            {"line": line.pk, "product": product, "quantity": line.quantity, "unit_price": line.unit_price}
        )
    return lines


def test_accepting_creates_a_draft_order_linked_to_its_document(boss, brasserie, catalogue):
    document = receive(fixture("order-x.xml"), boss)
    order = services.accept(document, by=boss)
    document.refresh_from_db()
    assert (document.status, document.order) == (Status.ACCEPTED, order)
    assert (order.status, order.customer, order.customer_reference) == (
        Order.Status.DRAFT,
        brasserie,
        "PO-2026-0412",
    )
    assert order.channel == Order.Channel.EDI  # an Order-X file: EDI, whatever carried it
    assert [
        (line.product.sku, line.quantity, line.unit_price) for line in order.lines.order_by("position")
    ] == [
        ("VIS-M6-50", 10, 12.5),
        ("PERC-18V", 2, 149),
    ]
    assert AuditEvent.objects.filter(action="intake.accepted", object_id=str(document.pk)).exists()
    assert AuditEvent.objects.filter(action="order.created", object_id=str(order.pk)).exists()


def test_a_corrected_line_teaches_the_customer_reference_and_the_next_order_matches_by_itself(
    boss, brasserie, catalogue
):
    first = receive(fixture("order-form.csv"), boss)
    gloves_line = first.extracted.lines.get(position=2)
    assert gloves_line.customer_reference == "BP-GANT"
    assert gloves_line.product is None  # « taille 9 » is too far from « cuir T9 » for the catalogue alone

    services.accept(first, by=boss, lines=corrected_lines(first, catalogue["gloves"]))
    learnt = CustomerProductReference.objects.get(customer=brasserie, reference="BP-GANT")
    assert learnt.product == catalogue["gloves"]

    following = fixture("order-form.csv").replace(b"BC-9001", b"BC-9002")
    second = receive(following, boss)
    line = second.extracted.lines.get(position=2)
    assert (line.product, line.match_method) == (catalogue["gloves"], "reference")
    assert "product_unknown" not in {check["code"] for check in second.checks}


def test_a_line_without_product_must_be_chosen_before_accepting(boss, brasserie, catalogue):
    document = receive(fixture("order-form.csv"), boss)
    with pytest.raises(DomainError) as refused:
        services.accept(document, by=boss)
    assert refused.value.code == "intake_product_required"
    document.refresh_from_db()
    assert document.status == Status.TO_REVIEW and document.order is None
    assert not Order.objects.exists()


def test_a_line_with_quantity_zero_is_left_out_of_the_order(boss, brasserie, catalogue):
    document = receive(fixture("order-form.csv"), boss)
    lines = corrected_lines(document, catalogue["gloves"])
    lines[1]["quantity"] = "0"
    order = services.accept(document, by=boss, lines=lines)
    assert order.lines.count() == 2


def test_an_unknown_customer_must_be_named_on_acceptance(boss, company, catalogue):
    document = receive(fixture("order-x.xml"), boss)
    assert document.customer is None
    assert "customer_unknown" in {check["code"] for check in document.checks}
    with pytest.raises(DomainError) as refused:
        services.accept(document, by=boss)
    assert refused.value.code == "intake_customer_required"


def test_rejecting_needs_a_reason_and_is_audited(boss, brasserie, catalogue):
    document = receive(fixture("order-x.xml"), boss)
    with pytest.raises(DomainError):
        services.reject(document, by=boss, reason=" ")
    services.reject(document, by=boss, reason="Commande annulée par téléphone")
    document.refresh_from_db()
    assert (document.status, document.decision_note) == (Status.REJECTED, "Commande annulée par téléphone")
    assert AuditEvent.objects.filter(action="intake.rejected", object_id=str(document.pk)).exists()


def test_a_rejected_document_cannot_be_accepted(boss, brasserie, catalogue):
    document = receive(fixture("order-x.xml"), boss)
    services.reject(document, by=boss, reason="Erreur")
    with pytest.raises(DomainError) as refused:
        services.accept(document, by=boss)
    assert refused.value.code == "intake_not_in_review"


def test_a_quarantined_image_can_be_rejected(boss):
    document = receive(b"\xff\xd8\xff\xe0 a photo of a cat", boss)
    assert document.status == Status.RECEIVED  # read by OCR in the background
    document = services.read_received(document.pk)
    assert (document.status, document.reason_code) == (Status.QUARANTINED, "image_unreadable")
    services.reject(document, by=boss, reason="Photo d'un chat")
    document.refresh_from_db()
    assert document.status == Status.REJECTED

"""Sending documents by e-mail through a real SMTP server (aiosmtpd), and what stays of each attempt."""

import pytest
from django.db import IntegrityError, transaction

from comptoir.archive import selectors as archive
from comptoir.archive.models import ArchivedFile, StoredContent
from comptoir.billing import einvoicing
from comptoir.billing.services import create_invoice_from_order, issue_invoice
from comptoir.core.errors import DomainError, PermissionDenied
from comptoir.core.models import AuditEvent, ImmutableError
from comptoir.core.permissions import Role
from comptoir.core.testing import make_user
from comptoir.mailing.models import OutgoingEmail
from comptoir.mailing.services import send_document
from comptoir.sales.services import confirm_order, create_order, create_quote

pytestmark = pytest.mark.django_db


@pytest.fixture
def quote(boss, customer, product):
    return create_quote(customer, [{"product": product, "quantity": "3"}], by=boss)


def send(document, by, **fields):
    values = {"to": "achats@menuiserie-martin.fr", "subject": "Votre devis", "body": "Bonjour,\nci-joint."}
    return send_document(document, **(values | fields), by=by)


def test_a_quote_reaches_the_server_with_its_pdf_and_the_archive_keeps_the_same_bytes(
    smtp_server, boss, quote
):
    attempt = send(quote, boss, cc="compta@menuiserie-martin.fr", bcc="direction@outillage-durand.fr")

    assert attempt.status == OutgoingEmail.Status.SENT
    (received,) = smtp_server.messages
    assert sorted(received.recipients) == [
        "achats@menuiserie-martin.fr",
        "compta@menuiserie-martin.fr",
        "direction@outillage-durand.fr",
    ]
    assert received.message["Subject"] == "Votre devis"
    assert received.message["Cc"] == "compta@menuiserie-martin.fr"
    assert "Bcc" not in received.message  # a blind copy stays blind
    attachments = received.attachments()
    assert list(attachments) == [f"{quote.number}.pdf"]
    assert attachments[f"{quote.number}.pdf"] == archive.content_of(attempt.attachment)
    assert attempt.attachment.sha256 == attempt.attachment.content.sha256 and attempt.attachment.size > 1000
    # The .eml archived is the message the server received, byte for byte.
    assert archive.content_of(attempt.message) == received.raw
    assert attempt.message.media_type == "message/rfc822"
    assert [f.original_name for f in archive.files_of(quote)] == [
        f"{quote.number}.eml",
        f"{quote.number}.pdf",
    ]


def test_the_send_is_in_the_documents_history(smtp_server, boss, quote):
    send(quote, boss)
    event = AuditEvent.objects.get(action="document.emailed", object_id=str(quote.pk))
    assert event.object_type == "sales.quote"
    assert event.data["to"] == "achats@menuiserie-martin.fr"
    assert event.data["attachment"] == f"{quote.number}.pdf"


def test_an_invoice_goes_with_its_factur_x_pdf(smtp_server, boss, customer, service_product):
    order = confirm_order(
        create_order(customer, [{"product": service_product, "quantity": "1"}], by=boss), by=boss
    )
    invoice = issue_invoice(create_invoice_from_order(order, by=boss), by=boss)
    attempt = send(invoice, boss, subject=f"Facture {invoice.number}")
    (received,) = smtp_server.messages
    pdf = received.attachments()[f"{invoice.number}.pdf"]
    assert pdf == einvoicing.facturx_pdf(invoice) == archive.content_of(attempt.attachment)
    assert b"factur-x.xml" in pdf


def test_a_draft_invoice_is_not_sent_and_nothing_is_recorded(smtp_server, boss, customer, service_product):
    order = confirm_order(
        create_order(customer, [{"product": service_product, "quantity": "1"}], by=boss), by=boss
    )
    draft = create_invoice_from_order(order, by=boss)
    with pytest.raises(DomainError) as exc:
        send(draft, boss)
    assert exc.value.code == "invoice_not_issued"
    assert smtp_server.messages == [] and not OutgoingEmail.objects.exists()


def test_a_refused_recipient_is_recorded_in_french_and_a_retry_goes_through(smtp_server, boss, quote):
    smtp_server.refuse.add("achats@menuiserie-martin.fr")
    failed = send(quote, boss)

    assert failed.status == OutgoingEmail.Status.FAILED
    assert failed.failure_code == "email_recipient_refused"
    assert "a refusé le destinataire achats@menuiserie-martin.fr" in failed.failure_reason
    assert "550" in failed.failure_reason
    assert smtp_server.messages == []
    assert not ArchivedFile.objects.exists()  # nothing left Comptoir, nothing archived
    event = AuditEvent.objects.get(action="document.email_failed", object_id=str(quote.pk))
    assert event.data["reason"] == failed.failure_reason

    smtp_server.refuse.clear()
    retried = send(quote, boss)
    assert retried.status == OutgoingEmail.Status.SENT and retried.pk != failed.pk
    assert len(smtp_server.messages) == 1
    failed.refresh_from_db()
    assert failed.status == OutgoingEmail.Status.FAILED  # the failed attempt stays as it was


def test_a_recipient_refused_among_several_is_said_while_the_others_received_it(smtp_server, boss, quote):
    """The server took the message for some recipients and refused one: it left Comptoir (sent,
    archived), and the attempt says who did not get it, so nobody believes the copy arrived."""
    smtp_server.refuse.add("ancien@menuiserie-martin.fr")
    attempt = send_document(
        quote,
        to="achats@menuiserie-martin.fr",
        cc="ancien@menuiserie-martin.fr",
        subject="Devis",
        body="Bonjour",
        by=boss,
    )

    (received,) = smtp_server.messages
    assert received.recipients == ["achats@menuiserie-martin.fr"]
    assert attempt.status == OutgoingEmail.Status.SENT and attempt.message_id is not None
    assert attempt.failure_code == "email_recipient_partly_refused"
    assert "ancien@menuiserie-martin.fr" in attempt.failure_reason and "550" in attempt.failure_reason
    event = AuditEvent.objects.get(action="document.emailed", object_id=str(quote.pk))
    assert event.data["refused"] == "ancien@menuiserie-martin.fr"


def test_a_server_that_does_not_answer_is_a_failure_said_in_french(no_smtp_server, boss, quote):
    failed = send(quote, boss)
    assert failed.status == OutgoingEmail.Status.FAILED
    assert failed.failure_code == "email_server_unreachable"
    assert "ne répond pas" in failed.failure_reason and "COMPTOIR_EMAIL_HOST" in failed.failure_reason
    assert not ArchivedFile.objects.exists()


@pytest.mark.parametrize(
    "fields, code",
    [
        ({"to": ""}, "email_no_recipient"),
        ({"to": "achats@menuiserie-martin"}, "email_invalid_address"),
        ({"cc": "pas une adresse"}, "email_invalid_address"),
        ({"subject": "  "}, "email_subject_missing"),
    ],
)
def test_bad_fields_are_refused_before_anything_is_sent(smtp_server, boss, quote, fields, code):
    with pytest.raises(DomainError) as exc:
        send(quote, boss, **fields)
    assert exc.value.code == code
    assert smtp_server.messages == [] and not OutgoingEmail.objects.exists()


def test_only_those_who_may_send_the_document_can_e_mail_it(smtp_server, quote):
    with pytest.raises(PermissionDenied):
        send(quote, make_user("lea", Role.LOGISTIQUE))
    assert smtp_server.messages == []


def test_the_same_pdf_sent_twice_is_stored_once(smtp_server, boss, quote):
    first, second = send(quote, boss), send(quote, boss)
    assert first.attachment.pk != second.attachment.pk
    assert first.attachment.content_id == second.attachment.content_id
    assert StoredContent.objects.count() == 3  # one PDF, two different .eml


def test_the_archive_is_never_changed_nor_deleted(smtp_server, boss, quote):
    archived = send(quote, boss).attachment
    with pytest.raises(ImmutableError):
        archived.delete()
    with pytest.raises(IntegrityError), transaction.atomic():
        ArchivedFile.objects.filter(pk=archived.pk).update(original_name="autre.pdf")
    with pytest.raises(IntegrityError), transaction.atomic():
        StoredContent.objects.filter(pk=archived.content_id).delete()
    assert archive.content_of(ArchivedFile.objects.get(pk=archived.pk))[:5] == b"%PDF-"

"""The mailbox channel against a real IMAP server (dovecot, started by the fixtures): each message's
attachments, and its body when it carries an order, become documents; the message goes to the processed
folder, never deleted; a message already processed is not taken twice; a message that fails goes to the
error folder with its reason; the job runs it on a schedule."""

import uuid
from email.message import EmailMessage

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from comptoir.archive.models import ArchivedFile
from comptoir.core.testing import make_customer
from comptoir.intake import mailbox as intake_mailbox
from comptoir.intake.models import InboundDocument, MailMessage
from comptoir.intake.tests.conftest import fixture
from comptoir.scheduling import registry

pytestmark = pytest.mark.django_db
Status = InboundDocument.Status

PROCESSED, ERRORS = "Comptoir-traites", "Comptoir-erreurs"


def message(
    *,
    sender="achats@brasserie-du-port.fr",
    subject="Commande",
    body="Bonjour,\nci-joint notre commande.",
    html=None,
    attachments=(),
    message_id=None,
) -> bytes:
    mail = EmailMessage()
    mail["From"] = f"Service achats <{sender}>"
    mail["To"] = "commandes@comptoir.example"
    mail["Subject"] = subject
    mail["Date"] = "Mon, 07 Dec 2026 09:30:00 +0100"
    mail["Message-ID"] = message_id or f"<{uuid.uuid4().hex}@brasserie.example>"
    mail.set_content(body)
    if html:
        mail.add_alternative(html, subtype="html")
    for name, content, maintype, subtype in attachments:
        mail.add_attachment(content, maintype=maintype, subtype=subtype, filename=name)
    return mail.as_bytes()


def as_stored(raw: bytes) -> bytes:
    """An IMAP server keeps a message with CRLF line ends, as the protocol carries it."""
    return raw.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")


def order_x_attachment(name="PO-2026-0412.xml"):
    return (name, fixture("order-x.xml"), "application", "xml")


def test_attachments_become_documents_and_the_message_moves_to_the_processed_folder(
    dovecot, mailbox, boss, brasserie, catalogue
):
    raw = message(
        attachments=[order_x_attachment(), ("commande.csv", fixture("order-form.csv"), "text", "csv")]
    )
    dovecot.deliver(mailbox, raw)

    report = intake_mailbox.fetch_mail()

    assert (report.read, report.documents, report.failed) == (1, 2, 0)
    documents = list(InboundDocument.objects.order_by("id"))
    assert [d.file_name for d in documents] == ["PO-2026-0412.xml", "commande.csv"]
    assert {d.channel for d in documents} == {"mail"}
    assert {d.sender for d in documents} == {"achats@brasserie-du-port.fr"}
    assert documents[0].status == Status.TO_REVIEW and documents[0].customer == brasserie
    # The body only says « ci-joint »: it is not a document of its own, but the message is kept beside each.
    assert not InboundDocument.objects.filter(format="email").exists()
    kept = MailMessage.objects.get()
    assert (kept.status, kept.subject, kept.attachments) == ("processed", "Commande", 2)
    assert {d.mail_message for d in documents} == {kept}
    emls = ArchivedFile.objects.filter(media_type="message/rfc822")
    assert emls.count() == 2 and {bytes(f.content.content) for f in emls} == {as_stored(raw)}
    # Moved, never deleted: the inbox is empty and the processed folder holds the message as it came.
    assert dovecot.messages(mailbox) == []
    assert dovecot.messages(mailbox, PROCESSED) == [as_stored(raw)]


def test_an_order_typed_in_the_body_is_read_and_its_sender_names_the_customer(
    dovecot, mailbox, boss, company, catalogue
):
    customer = make_customer(boss, name="Café des Halles", email="chef@cafe-halles.fr")
    html = (
        "<html><body><p>Bonjour,</p><p>Notre commande n° CH-2026-88 :</p>"
        "<table><tr><th>Référence</th><th>Désignation</th><th>Quantité</th></tr>"
        "<tr><td>VIS-M6-50</td><td>Vis inox</td><td>10</td></tr>"
        "<tr><td>GANT-T9</td><td>Gants cuir</td><td>24</td></tr></table>"
        "<p>Merci</p></body></html>"
    )
    dovecot.deliver(mailbox, message(sender="chef@cafe-halles.fr", body="voir HTML", html=html))

    intake_mailbox.fetch_mail()

    document = InboundDocument.objects.get()
    assert (document.format, document.status, document.channel) == ("email", Status.TO_REVIEW, "mail")
    assert (document.customer, document.customer_match, document.po_number) == (
        customer,
        "email",
        "CH-2026-88",
    )
    lines = list(document.extracted.lines.all())
    assert [(line.product, line.quantity) for line in lines] == [
        (catalogue["screws"], 10),
        (catalogue["gloves"], 24),
    ]
    assert lines[0].fields["quantity"]["source"].startswith("corps, ligne")
    # The .eml is the document's own file.
    assert document.archived_file.media_type == "message/rfc822"


def test_a_message_already_processed_is_not_taken_twice(dovecot, mailbox, boss, brasserie, catalogue):
    raw = message(attachments=[order_x_attachment()], message_id="<po-0412@brasserie.example>")
    dovecot.deliver(mailbox, raw)
    intake_mailbox.fetch_mail()
    # The same message again (a server that delivered it twice adds its own header: other bytes).
    dovecot.deliver(mailbox, b"X-Delivered-Again: yes\r\n" + raw)

    report = intake_mailbox.fetch_mail()

    assert (report.read, report.already, report.documents) == (1, 1, 0)
    assert InboundDocument.objects.count() == 1 and MailMessage.objects.count() == 1
    assert dovecot.messages(mailbox) == [] and len(dovecot.messages(mailbox, PROCESSED)) == 2


def test_a_message_that_fails_goes_to_the_error_folder_with_its_reason_and_is_read_again_when_put_back(
    dovecot, mailbox, boss, brasserie, catalogue, settings
):
    settings.COMPTOIR_INTAKE_MAX_FILE_SIZE = 1000
    raw = message(attachments=[order_x_attachment()])
    dovecot.deliver(mailbox, raw)

    report = intake_mailbox.fetch_mail()

    assert (report.read, report.failed, report.documents) == (1, 1, 0)
    assert not InboundDocument.objects.exists()  # nothing half-written
    failed = MailMessage.objects.get()
    assert failed.status == "failed" and "intake_file_too_large" in failed.reason
    assert "dépasse" in failed.reason
    assert dovecot.messages(mailbox) == [] and len(dovecot.messages(mailbox, ERRORS)) == 1

    # Someone raises the limit and puts the message back in the inbox: it is read this time.
    settings.COMPTOIR_INTAKE_MAX_FILE_SIZE = 20 * 1024 * 1024
    dovecot.deliver(mailbox, dovecot.messages(mailbox, ERRORS)[0])
    report = intake_mailbox.fetch_mail()
    assert (report.documents, report.failed) == (1, 0)
    failed.refresh_from_db()
    assert (failed.status, failed.reason) == ("processed", "")


def test_an_empty_message_is_kept_and_quarantined_with_a_french_reason(dovecot, mailbox, boss, company):
    dovecot.deliver(mailbox, message(subject="Bonjour", body="Pouvez-vous me rappeler ?"))

    intake_mailbox.fetch_mail()

    document = InboundDocument.objects.get()
    assert (document.status, document.format, document.reason_code) == (
        Status.QUARANTINED,
        "email",
        "email_no_order",
    )
    assert "Message sans commande lisible" in document.reason
    assert len(dovecot.messages(mailbox, PROCESSED)) == 1


@pytest.mark.parametrize("security", ["starttls", "tls"])
def test_the_mailbox_is_read_over_tls(dovecot, mailbox, settings, boss, brasserie, catalogue, security):
    port = dovecot.tls_port if security == "tls" else dovecot.port
    settings.COMPTOIR_INTAKE_IMAP = dovecot.config(mailbox, security=security, port=port)
    dovecot.deliver(mailbox, message(attachments=[order_x_attachment()]))

    assert intake_mailbox.fetch_mail().documents == 1


def test_a_server_certificate_not_trusted_is_refused(dovecot, mailbox, settings):
    settings.COMPTOIR_INTAKE_IMAP = dovecot.config(mailbox, security="tls", port=dovecot.tls_port, ca_file="")
    with pytest.raises(intake_mailbox.MailboxError, match="injoignable ou refusé"):
        intake_mailbox.fetch_mail()


def test_fetch_mail_command_says_what_became_of_each_message(
    dovecot, mailbox, boss, brasserie, catalogue, capsys
):
    dovecot.deliver(mailbox, message(attachments=[order_x_attachment()]))
    call_command("intake", "fetch-mail")
    out = capsys.readouterr().out
    assert "achats@brasserie-du-port.fr" in out and "À vérifier" in out
    assert "1 message(s) lu(s) : 1 document(s) reçu(s)" in out
    # Received under the mailbox's own account (role ADV).
    assert InboundDocument.objects.get().received_by.username == "boite-aux-lettres"


def test_a_wrong_password_is_a_clear_error_and_exit_code_1(dovecot, mailbox, settings, db):
    settings.COMPTOIR_INTAKE_IMAP = dovecot.config(mailbox, password="wrong")
    with pytest.raises(CommandError) as failed:
        call_command("intake", "fetch-mail")
    assert failed.value.returncode == 1
    assert "Connexion refusée" in str(failed.value)


def test_the_mailbox_job_is_scheduled_and_reads_the_mailbox(dovecot, mailbox, boss, brasserie, catalogue):
    spec = registry.JOBS["intake_mail"]
    assert spec.path == "comptoir.intake.mailbox.scheduled" and spec.default.interval == 300
    dovecot.deliver(mailbox, message(attachments=[order_x_attachment()]))

    from comptoir.scheduling import services as scheduling

    scheduling.sync_jobs()
    scheduling.execute("intake_mail")

    assert InboundDocument.objects.get().channel == "mail"


def test_the_job_does_nothing_while_no_mailbox_is_configured(settings, db):
    settings.COMPTOIR_INTAKE_IMAP = {"host": ""}
    assert "non configurée" in intake_mailbox.scheduled()

"""An .eml file takes the mailbox's path wherever it is dropped: `comptoir intake import` and the intake
page receive its attachments and the order written in its text, with its sender."""

from email.message import EmailMessage

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from comptoir.archive.models import ArchivedFile
from comptoir.core.permissions import Role
from comptoir.core.testing import make_customer, make_user
from comptoir.intake.models import InboundDocument, MailMessage
from comptoir.intake.tests.conftest import fixture
from comptoir.web.tests.clients import client_for, text_of

pytestmark = pytest.mark.django_db


def eml(*, body="Bonjour,\nci-joint notre commande.", sender="achats@brasserie-du-port.fr", attach=True):
    mail = EmailMessage()
    mail["From"] = sender
    mail["To"] = "commandes@comptoir.example"
    mail["Subject"] = "Commande PO-2026-0412"
    mail["Message-ID"] = "<po-0412@brasserie.example>"
    mail.set_content(body)
    if attach:
        mail.add_attachment(fixture("order-x.xml"), maintype="application", subtype="xml", filename="po.xml")
    return mail.as_bytes()


def test_import_of_an_eml_receives_its_attachment_and_keeps_the_message(
    boss, brasserie, catalogue, tmp_path, capsys
):
    path = tmp_path / "commande.eml"
    path.write_bytes(eml())

    call_command("intake", "import", str(path), "--user", boss.username)

    out = capsys.readouterr().out
    assert "commande.eml › po.xml : REC-" in out and "À vérifier" in out and "PO-2026-0412" in out
    document = InboundDocument.objects.get()
    assert (document.channel, document.sender, document.file_name) == (
        "cli",
        "achats@brasserie-du-port.fr",
        "po.xml",
    )
    assert document.mail_message == MailMessage.objects.get()
    assert ArchivedFile.objects.filter(original_name="commande.eml", media_type="message/rfc822").count() == 1

    call_command("intake", "import", str(path), "--user", boss.username)
    assert "message déjà reçu" in capsys.readouterr().out
    assert InboundDocument.objects.count() == 1


def test_an_eml_dropped_on_the_page_whose_text_is_the_order_is_read(boss, company, catalogue):
    adv = make_user("claire", Role.ADV)
    customer = make_customer(boss, name="Café des Halles", email="chef@cafe-halles.fr")
    body = "Bonjour,\nMerci de livrer :\n- 10 x VIS-M6-50 vis inox\n- 2 x PERC-18V perceuse\nCordialement\n"
    page = client_for(adv).post(
        "/commandes-recues/deposer/",
        {
            "files": [
                SimpleUploadedFile("message.eml", eml(body=body, sender="chef@cafe-halles.fr", attach=False))
            ]
        },
        follow=True,
    )
    document = InboundDocument.objects.get()
    assert page.redirect_chain[-1][0] == f"/commandes-recues/{document.pk}/"
    assert (document.format, document.status, document.customer) == ("email", "to_review", customer)
    assert [(line.customer_reference, line.quantity) for line in document.extracted.lines.all()] == [
        ("VIS-M6-50", 10),
        ("PERC-18V", 2),
    ]
    text = text_of(page)
    assert "chef@cafe-halles.fr" in text and "adresse de l'expéditeur" in text

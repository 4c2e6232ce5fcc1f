"""The intake pages: drop several files, the queue by status with counts, the review screen, accept with a
corrected line, reject with a reason, the original file, the card on the ADV home."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from comptoir.core.permissions import Role
from comptoir.core.testing import make_user
from comptoir.intake.models import CustomerProductReference, InboundDocument
from comptoir.intake.tests.conftest import fixture
from comptoir.web.tests.clients import client_for, text_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def adv(db):
    return make_user("claire", Role.ADV)


def drop(client, *files):
    return client.post(
        "/commandes-recues/deposer/",
        {"files": [SimpleUploadedFile(name, content) for name, content in files]},
        follow=True,
    )


def test_several_files_dropped_at_once_land_in_the_queue_oldest_first_with_counts(adv, brasserie, catalogue):
    client = client_for(adv)
    page = drop(client, ("a.xml", fixture("order-x.xml")), ("chat.jpg", b"\xff\xd8\xff\xe0 miaou"))
    text = text_of(page)
    assert "« a.xml » reçu" in text and "« chat.jpg » reçu" in text
    assert "lecture (OCR) en cours en arrière-plan" in text
    queue = client.get("/commandes-recues/?etat=to_review")
    assert "PO-2026-0412" in text_of(queue) and "chat.jpg" not in text_of(queue)
    assert 'id="tab-to_review">À vérifier <span class="count">1</span>' in text_of(
        client.get("/commandes-recues/")
    )
    home = text_of(client.get("/"))
    # The picture waits for its OCR in the background: nobody has anything to do with it yet.
    assert 'Commandes reçues à traiter <span class="count">1</span>' in home


def test_the_review_screen_shows_fields_with_confidence_and_source_then_accept_learns_the_line(
    adv, brasserie, catalogue
):
    client = client_for(adv)
    page = drop(client, ("bon.csv", fixture("order-form.csv")))
    document = InboundDocument.objects.get()
    assert page.redirect_chain[-1][0] == f"/commandes-recues/{document.pk}/"
    text = text_of(page)
    assert "N° de commande du client" in text and "BC-9001" in text and "ligne 2, colonne 1" in text
    assert "produit non reconnu" in text
    form = {}
    for line in document.extracted.lines.all():
        product = line.product_id or catalogue["gloves"].pk
        form |= {
            f"line-{line.pk}-product": product,
            f"line-{line.pk}-quantity": str(line.quantity).replace(".", ","),
            f"line-{line.pk}-price": "",
        }
    accepted = client.post(f"/commandes-recues/{document.pk}/accepter/", form, follow=True)
    document.refresh_from_db()
    assert document.order is not None
    assert accepted.redirect_chain[-1][0] == f"/commandes/{document.order.pk}/"
    assert CustomerProductReference.objects.get(reference="BP-GANT").product == catalogue["gloves"]


def test_reject_needs_a_reason(adv, brasserie, catalogue):
    client = client_for(adv)
    drop(client, ("a.xml", fixture("order-x.xml")))
    document = InboundDocument.objects.get()
    refused = client.post(f"/commandes-recues/{document.pk}/rejeter/", {"reason": ""}, follow=True)
    assert "Indiquez le motif du rejet." in text_of(refused)
    client.post(f"/commandes-recues/{document.pk}/rejeter/", {"reason": "Passée par téléphone"})
    document.refresh_from_db()
    assert document.status == "rejected"


def test_the_original_file_is_downloaded_as_an_attachment_never_rendered(adv, brasserie, catalogue):
    client = client_for(adv)
    drop(client, ("a.xml", fixture("order-x.xml")))
    document = InboundDocument.objects.get()
    response = client.get(f"/commandes-recues/{document.pk}/fichier/")
    assert response.content == fixture("order-x.xml")
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment")


def test_the_queue_exports_as_csv(adv, brasserie, catalogue):
    client = client_for(adv)
    drop(client, ("a.xml", fixture("order-x.xml")))
    response = client.get("/commandes-recues/export.csv")
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "PO-2026-0412" in body


def test_a_received_file_shows_in_the_archive_and_downloads_as_bytes_only(boss, brasserie, catalogue):
    client = client_for(boss)
    drop(client, ("a.xml", fixture("order-x.xml")))
    document = InboundDocument.objects.get()
    assert "reçu de" in text_of(client.get("/archives/"))
    response = client.get(f"/archives/{document.archived_file.pk}/")
    assert response.content == fixture("order-x.xml")
    assert response["Content-Type"] == "application/octet-stream"

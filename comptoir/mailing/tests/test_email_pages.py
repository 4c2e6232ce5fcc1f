"""« Envoyer par e-mail » from the document pages and « Envoyer un e-mail de test » from the settings."""

import pytest

from comptoir.core.permissions import Role
from comptoir.core.testing import make_user
from comptoir.mailing.models import OutgoingEmail
from comptoir.sales.services import confirm_order, create_order, create_quote
from comptoir.stock.services import create_delivery, receive_stock
from comptoir.web.tests.clients import client_for, text_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def quote(boss, customer, product):
    customer.email = "achats@menuiserie-martin.fr"
    customer.save()
    return create_quote(customer, [{"product": product, "quantity": "3"}], by=boss, valid_until=None)


def test_the_form_is_filled_with_the_billing_address_and_the_quote_template(boss, quote):
    client = client_for(boss)
    assert "Envoyer par e-mail" in text_of(client.get(f"/devis/{quote.pk}/"))
    page = text_of(client.get(f"/devis/{quote.pk}/e-mail/"))
    assert 'value="achats@menuiserie-martin.fr"' in page
    assert f"Devis {quote.number} — Outillage Durand SAS" in page
    assert "Bon pour accord" in page  # the body tells how to accept
    assert f"Pièce jointe : {quote.number}.pdf" in page


def test_sending_from_the_page_lands_on_the_quote_with_the_send_in_its_history(smtp_server, boss, quote):
    client = client_for(boss)
    form = {"to": "achats@menuiserie-martin.fr", "cc": "", "bcc": "", "subject": "Devis", "body": "Bonjour"}
    response = client.post(f"/devis/{quote.pk}/e-mail/", form, follow=True)
    page = text_of(response)
    assert response.redirect_chain[-1][0] == f"/devis/{quote.pk}/"
    assert f"{quote.number} envoyé par e-mail à achats@menuiserie-martin.fr." in page
    assert "Document envoyé par e-mail à achats@menuiserie-martin.fr" in page
    assert [m.recipients for m in smtp_server.messages] == [["achats@menuiserie-martin.fr"]]


def test_a_refusal_is_shown_in_french_and_the_form_comes_back_to_retry(smtp_server, boss, quote):
    smtp_server.refuse.add("inconnu@menuiserie-martin.fr")
    client = client_for(boss)
    form = {"to": "inconnu@menuiserie-martin.fr", "subject": "Devis urgent", "body": "Bonjour"}
    response = client.post(f"/devis/{quote.pk}/e-mail/", form, follow=True)
    page = text_of(response)
    failed = OutgoingEmail.objects.get()
    assert response.redirect_chain[-1][0] == f"/devis/{quote.pk}/e-mail/?reprendre={failed.pk}"
    assert "Le serveur de messagerie a refusé le destinataire inconnu@menuiserie-martin.fr" in page
    assert 'value="inconnu@menuiserie-martin.fr"' in page and 'value="Devis urgent"' in page
    assert "Réessayer" in page
    history = text_of(client.get(f"/devis/{quote.pk}/"))
    assert "Échec de l'envoi par e-mail à inconnu@menuiserie-martin.fr" in history


def test_an_invalid_address_is_shown_next_to_the_form_and_nothing_is_sent(smtp_server, boss, quote):
    form = {"to": "achats@", "subject": "Devis", "body": ""}
    page = text_of(client_for(boss).post(f"/devis/{quote.pk}/e-mail/", form))
    assert "« achats@ » n'est pas une adresse e-mail valide" in page
    assert smtp_server.messages == [] and not OutgoingEmail.objects.exists()


def test_every_document_page_offers_the_e_mail(boss, customer, product):
    receive_stock([{"product": product, "quantity": "5", "unit_cost": "70"}], by=boss)
    order = confirm_order(create_order(customer, [{"product": product, "quantity": "2"}], by=boss), by=boss)
    delivery = create_delivery(order, by=boss)
    client = client_for(boss)
    for path in (f"/commandes/{order.pk}/", f"/livraisons/{delivery.pk}/"):
        assert "Envoyer par e-mail" in text_of(client.get(path)), path
        assert client.get(path + "e-mail/").status_code == 200, path


def test_only_sendable_documents_have_an_e_mail_page(boss, customer):
    assert client_for(boss).get(f"/clients/{customer.pk}/e-mail/").status_code == 404


def test_logistics_cannot_e_mail_a_quote(quote):
    client = client_for(make_user("lea", Role.LOGISTIQUE))
    assert "Envoyer par e-mail" not in text_of(client.get(f"/devis/{quote.pk}/"))
    assert client.get(f"/devis/{quote.pk}/e-mail/").status_code == 403


def test_direction_sends_itself_a_test_email(smtp_server, boss):
    client = client_for(boss)
    assert "Envoyer un e-mail de test" in text_of(client.get("/parametres/"))
    page = text_of(client.post("/parametres/e-mail-test/", follow=True))
    assert f"E-mail de test envoyé à {boss.email}." in page
    (received,) = smtp_server.messages
    assert received.recipients == [boss.email]
    assert received.message["Subject"] == "Comptoir : e-mail de test"


def test_the_test_email_shows_the_smtp_error(no_smtp_server, boss):
    page = text_of(client_for(boss).post("/parametres/e-mail-test/", follow=True))
    assert "Le serveur de messagerie 127.0.0.1:" in page and "ne répond pas" in page


def test_accounting_has_no_test_email_button(db):
    accountant = make_user("claire", Role.COMPTABILITE)
    client = client_for(accountant)
    assert "Envoyer un e-mail de test" not in text_of(client.get("/parametres/"))
    assert client.post("/parametres/e-mail-test/").status_code == 403


def test_the_archive_page_finds_the_sent_files_and_hands_them_out_as_they_left(smtp_server, boss, quote):
    client = client_for(boss)
    form = {"to": "achats@menuiserie-martin.fr", "subject": "Devis", "body": "Bonjour"}
    client.post(f"/devis/{quote.pk}/e-mail/", form)
    attempt = OutgoingEmail.objects.get()
    page = text_of(client.get("/archives/", {"q": quote.number}))
    assert f"{quote.number}.pdf" in page and f"{quote.number}.eml" in page
    response = client.get(f"/archives/{attempt.attachment.pk}/")
    assert response["Content-Type"] == "application/pdf"
    assert response.content == smtp_server.messages[0].attachments()[f"{quote.number}.pdf"]


def test_the_archive_is_for_those_who_read_the_audit_log(quote):
    assert client_for(make_user("paul", Role.COMMERCIAL)).get("/archives/").status_code == 403

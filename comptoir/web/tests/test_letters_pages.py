"""« Relances et relevés »: the overdue customers chosen, each sent its letter; a letter made from the
customer page, printed and e-mailed."""

import datetime

import pytest

from comptoir.billing.models import Invoice
from comptoir.core.testing import make_customer
from comptoir.mailing.tests.smtp import smtp_server  # noqa: F401 (fixture)
from comptoir.payments.models import CustomerLetter
from comptoir.payments.tests.test_payments import _issued_invoice
from comptoir.web.tests.clients import client_for, text_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def overdue(boss, company, service_product):
    """Two customers, each with an invoice whose due date has passed."""
    customers = [
        make_customer(boss, name="Atelier Bleu SAS", email="compta@atelier-bleu.fr"),
        make_customer(boss, name="Garage Rouge SARL", email="factures@garage-rouge.fr"),
    ]
    for customer in customers:
        _issued_invoice(boss, customer, service_product)
    return customers


def test_the_mass_page_sends_each_chosen_customer_its_reminder(smtp_server, boss, overdue, monkeypatch):  # noqa: F811
    # The invoices' due date is what their terms make it: the test moves the day past it instead.
    due = Invoice.objects.order_by("due_date").first().due_date
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a, **k: due + datetime.timedelta(days=5))
    client = client_for(boss)
    page = text_of(client.get("/relances/"))
    assert "Atelier Bleu SAS" in page and "Garage Rouge SARL" in page
    smtp_server.refuse.add("factures@garage-rouge.fr")
    page = text_of(
        client.post("/relances/", {"clients": [c.pk for c in overdue], "nature": "relance"}, follow=True)
    )
    assert "1 courrier(s) envoyé(s) sur 2." in page
    assert "Envois en échec" in page and "factures@garage-rouge.fr" in page
    assert [m.recipients for m in smtp_server.messages] == [["compta@atelier-bleu.fr"]]
    smtp_server.refuse.clear()
    failed = CustomerLetter.objects.get(customer=overdue[1])
    page = text_of(client.post(f"/relances/{failed.pk}/reessayer/", follow=True))
    assert f"{failed.number} envoyé à factures@garage-rouge.fr." in page
    assert "Envois en échec" not in page


def test_a_statement_is_made_from_the_customer_page_and_printed(boss, overdue):
    client = client_for(boss)
    customer = overdue[0]
    response = client.post(f"/clients/{customer.pk}/courrier/", {"nature": "releve"}, follow=True)
    letter = CustomerLetter.objects.get(customer=customer)
    assert letter.kind == "statement" and letter.number in text_of(response)
    pdf = client.get(f"/courriers/{letter.pk}/pdf")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    form = text_of(client.get(f"/courriers/{letter.pk}/e-mail/"))
    assert "compta@atelier-bleu.fr" in form and "Relevé de compte au" in form

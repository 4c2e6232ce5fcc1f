"""Payment reminders and statements of account: their PDF, their e-mail, and mass sending to several
customers through a real SMTP server, each customer its own attempt."""

import datetime
import io

import pytest
from pypdf import PdfReader

from comptoir.archive import selectors as archive
from comptoir.core.errors import DomainError
from comptoir.core.testing import make_customer
from comptoir.imports import services as imports
from comptoir.imports.tests.files import csv_bytes
from comptoir.imports.tests.test_opening import OPEN_INVOICES
from comptoir.mailing import bulk
from comptoir.mailing.models import OutgoingEmail
from comptoir.payments import letters
from comptoir.payments.tests.test_payments import _issued_invoice

pytestmark = pytest.mark.django_db


def text_of(pdf: bytes) -> str:
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    return text.replace("\u202f", " ").replace("\xa0", " ")


@pytest.fixture
def late(boss, customer, service_product):
    """An invoice of 540,00 € left unpaid, and a day 40 days past its due date."""
    invoice = _issued_invoice(boss, customer, service_product)
    invoice.refresh_from_db()
    return invoice, invoice.due_date + datetime.timedelta(days=40)


def test_a_reminder_letter_lists_the_overdue_invoices_with_the_legal_mentions(boss, customer, late):
    invoice, today = late
    letter = letters.make_letter(customer, kind="reminder", by=boss, today=today)
    text = text_of(letters.letter_pdf(letter).body)
    assert "RELANCE DE PAIEMENT" in text and letter.number in text
    assert invoice.number in text and "540,00 €" in text and "40 j" in text
    assert "pénalités de retard au taux annuel de" in text and "L441-10" in text
    assert "indemnité forfaitaire pour frais de recouvrement de 40,00 €" in text and "D441-5" in text


def test_a_statement_shows_every_open_item_and_its_age(boss, customer, late, service_product):
    invoice, today = late
    recent = _issued_invoice(boss, customer, service_product, "2")  # 1 080,00 € not yet due
    letter = letters.make_letter(customer, kind="statement", by=boss, today=today)
    text = text_of(letters.letter_pdf(letter).body)
    assert "RELEVÉ DE COMPTE" in text
    assert invoice.number in text and recent.number in text
    assert "Ancienneté des sommes dues" in text and "31 à 60 jours" in text
    assert "1 620,00 €" in text  # the balance of the account
    assert [label for label, _amount in letter.ageing][:2] == ["Non échu", "1 à 30 jours"]


def test_a_letter_keeps_what_was_owed_on_its_day(boss, customer, late):
    from comptoir.payments.services import register_payment

    invoice, today = late
    letter = letters.make_letter(customer, kind="reminder", by=boss, today=today)
    before = letters.letter_pdf(letter).body
    register_payment(
        customer,
        amount="540",
        method="transfer",
        allocations=[{"invoice": invoice, "amount": "540"}],
        by=boss,
    )
    letter.refresh_from_db()
    assert letters.letter_pdf(letter).body == before


def test_no_reminder_when_nothing_is_overdue(boss, customer, service_product):
    _issued_invoice(boss, customer, service_product)
    with pytest.raises(DomainError) as refused:
        letters.make_letter(customer, kind="reminder", by=boss)
    assert refused.value.code == "letter_nothing_overdue"


def test_the_invoices_taken_over_from_the_previous_system_are_reminded_too(boss, admin_user):
    from comptoir.core.testing import make_company

    make_company(admin_user)
    customer = make_customer(boss, code="C-001", name="Boulangerie Martin SARL", email="compta@martin.fr")
    make_customer(boss, code="C-002", name="Garage Petit SAS")
    imports.run_import("open_invoices", csv_bytes(OPEN_INVOICES), file_name="ouvertes.csv", by=boss)
    assert "C-001" in [row.customer_code for row in letters.customers_overdue()]
    letter = letters.make_letter(customer, kind="reminder", by=boss)
    text = text_of(letters.letter_pdf(letter).body)
    assert "Facture reprise" in text and "FA2025-0412" in text and "1 440,00 €" in text


def test_mass_sending_writes_to_each_customer_and_keeps_each_failure_to_retry(
    smtp_server, boss, customer, service_product
):
    customer_ok = make_customer(boss, name="Atelier Bleu SAS", email="compta@atelier-bleu.fr")
    customer_refused = make_customer(boss, name="Garage Rouge SARL", email="factures@garage-rouge.fr")
    customer_silent = make_customer(boss, name="Scierie Verte SA", email="")
    dues = [
        _issued_invoice(boss, c, service_product) for c in (customer_ok, customer_refused, customer_silent)
    ]
    dues[0].refresh_from_db()
    today = dues[0].due_date + datetime.timedelta(days=10)
    smtp_server.refuse.add("factures@garage-rouge.fr")

    outcomes = bulk.send_letters(
        [customer_ok, customer_refused, customer_silent, customer], kind="reminder", by=boss, today=today
    )

    by_name = {o.customer.name: o for o in outcomes}
    assert by_name["Atelier Bleu SAS"].status == bulk.SENT
    assert by_name["Garage Rouge SARL"].status == bulk.FAILED
    assert "factures@garage-rouge.fr" in by_name["Garage Rouge SARL"].reason
    assert by_name["Scierie Verte SA"].status == bulk.REFUSED
    assert "n'a pas d'adresse e-mail" in by_name["Scierie Verte SA"].reason
    assert by_name[customer.name].status == bulk.REFUSED  # nothing of theirs is overdue
    (received,) = smtp_server.messages
    assert received.recipients == ["compta@atelier-bleu.fr"]
    letter = by_name["Atelier Bleu SAS"].letter
    assert received.attachments() == {
        f"{letter.number}.pdf": archive.content_of(by_name["Atelier Bleu SAS"].attempt.attachment)
    }
    assert "RELANCE DE PAIEMENT" in text_of(received.attachments()[f"{letter.number}.pdf"])

    failed_letter = by_name["Garage Rouge SARL"].letter
    assert [pair[0] for pair in bulk.failed_letters()] == [failed_letter]
    smtp_server.refuse.clear()
    retried = bulk.retry_letter(failed_letter, by=boss)
    assert retried.status == OutgoingEmail.Status.SENT
    assert smtp_server.messages[-1].recipients == ["factures@garage-rouge.fr"]
    assert bulk.failed_letters() == []
    assert OutgoingEmail.objects.filter(document_pk=str(failed_letter.pk)).count() == 2

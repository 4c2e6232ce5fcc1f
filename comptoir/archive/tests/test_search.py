"""The archive's search: full text over the number, the party, the names and the words of each file (XML,
e-mails, PDFs) — SQLite FTS5 here, PostgreSQL's French full-text search under DATABASE_URL —, by party,
type, document date and tag; the retention period stored per type; `verify-archive` naming what is missing
or altered."""

import datetime

import pytest
from django.core.management import call_command
from django.db import connection

from comptoir.archive import selectors, services
from comptoir.archive.models import ArchivedFile, ArchiveEntry, StoredContent
from comptoir.archive.store import archive_file
from comptoir.core.errors import DomainError, PermissionDenied
from comptoir.core.guards import suspended
from comptoir.core.models import AuditEvent
from comptoir.core.permissions import Role
from comptoir.core.testing import make_user
from comptoir.intake import services as intake
from comptoir.intake.tests.conftest import fixture
from comptoir.sales.services import create_quote
from comptoir.web.tests.clients import client_for, text_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def quote(boss, customer, product):
    return create_quote(customer, [{"product": product, "quantity": "1"}], by=boss)


def found(q="", **filters):
    return list(selectors.search(q, **filters))


def test_words_inside_a_received_order_find_it_with_its_party_and_kind(boss, brasserie, catalogue, quote):
    document, _ = intake.receive(fixture("order-x.xml"), name="commande.xml", channel="upload", by=boss)
    received = document.archived_file
    sent = archive_file(
        b"%PDF-1.4 devis", name="devis.pdf", media_type="application/pdf", document=quote, by=boss
    )

    # Words of the XML (a line's description, the PO number), accents and case aside, word beginnings too.
    assert found("perceuse sans fil") == [received]
    assert found("VIS INOX") == [received]
    assert found("PO-2026-0412") == [received]
    assert found("boite") == [received]  # « boîte » in the file
    assert found("perceuse tournevis") == []  # every word must be there
    entry = ArchiveEntry.objects.get(file=received)  # completed once the customer was matched
    assert (entry.kind, entry.party) == ("order_received", "Brasserie du Port SAS")
    assert found(party="brasserie") == [received]
    assert found(kind="quote") == [sent] and found(kind="order_received") == [received]


def test_an_email_body_and_its_subject_are_searchable(boss, quote):
    raw = (
        b"From: achats@menuiserie-martin.fr\r\nSubject: Relance livraison\r\n"
        b"Content-Type: text/plain; charset=utf-8\r\n\r\nLe chantier de Villeurbanne attend les charni\xc3\xa8res.\r\n"
    )
    mail = archive_file(raw, name="message.eml", media_type="message/rfc822", document=quote, by=boss)
    assert found("villeurbanne charnieres") == [mail]
    assert found("relance") == [mail]
    assert mail.entry.kind == "email"


def test_by_document_date_and_tag(boss, quote):
    a = archive_file(b"a", name="a.pdf", media_type="application/pdf", document=quote, by=boss)
    b = archive_file(b"b", name="b.pdf", media_type="application/pdf", document=quote, by=boss)
    ArchiveEntry.objects.filter(file=a).update(document_date=datetime.date(2025, 3, 1))
    assert found(date_from=datetime.date(2025, 1, 1), date_to=datetime.date(2025, 12, 31)) == [a]
    assert found(date_from=datetime.date(2026, 1, 1)) == [b]

    services.tag_file(b, " contrôle  fiscal ", by=boss)
    services.tag_file(b, "contrôle fiscal", by=boss)  # the same tag twice is one tag, one event
    assert found(tag="contrôle fiscal") == [b]
    assert AuditEvent.objects.filter(action="archive.tagged").count() == 1
    with pytest.raises(DomainError) as refused:
        services.tag_file(a, "  ", by=boss)
    assert refused.value.code == "archive_tag_empty"
    with pytest.raises(PermissionDenied):
        services.tag_file(a, "litige", by=make_user("vendeur", Role.COMMERCIAL))


def test_the_retention_period_is_stored_per_type(boss, quote, company):
    from comptoir.billing.models import Invoice

    pdf = archive_file(b"q", name="devis.pdf", media_type="application/pdf", document=quote, by=boss)
    invoice = Invoice(pk=987654, number="FA-2026-00001", date=datetime.date(2026, 3, 10))
    facture = archive_file(b"f", name="facture.pdf", media_type="application/pdf", document=invoice, by=boss)
    invoice.kind = "credit_note"
    avoir = archive_file(b"c", name="avoir.pdf", media_type="application/pdf", document=invoice, by=boss)
    assert (facture.entry.kind, facture.entry.retention_years, facture.entry.retain_until) == (
        "invoice",
        10,
        datetime.date(2036, 12, 31),
    )
    assert (avoir.entry.kind, avoir.entry.retention_years) == ("credit_note", 10)
    assert (pdf.entry.kind, pdf.entry.retention_years) == ("quote", 5)


def test_the_archive_page_searches_and_filters(boss, brasserie, catalogue):
    intake.receive(fixture("order-x.xml"), name="commande.xml", channel="upload", by=boss)
    intake.receive(fixture("orders-d96a.edi"), name="edi.txt", channel="upload", by=boss)
    client = client_for(boss)
    page = text_of(client.get("/archives/", {"q": "perceuse"}))
    assert "commande.xml" in page and "edi.txt" not in page
    assert "Commande reçue" in page and "Brasserie du Port SAS" in page and "31/12/2036" in page
    archived = ArchivedFile.objects.get(original_name="edi.txt")
    client.post(f"/archives/{archived.pk}/etiquette/", {"tag": "EDI", "next": "/archives/"})
    page = text_of(client.get("/archives/", {"etiquette": "EDI"}))
    assert "edi.txt" in page and "commande.xml" not in page


def test_verify_archive_names_missing_and_altered_files_with_exit_code_1(boss, quote, capsys):
    good = archive_file(b"intact", name="bon.pdf", media_type="application/pdf", document=quote, by=boss)
    altered = archive_file(
        b"original", name="modifie.pdf", media_type="application/pdf", document=quote, by=boss
    )
    emptied = archive_file(b"disparu", name="vide.pdf", media_type="application/pdf", document=quote, by=boss)
    call_command("verify_archive")
    assert "Archive intègre : 3 contenu(s) vérifié(s) pour 3 fichier(s)." in capsys.readouterr().out

    table = StoredContent._meta.db_table
    with suspended(table), connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET content = %s WHERE id = %s", [b"falsifie", altered.content_id])
        cursor.execute(f"UPDATE {table} SET content = %s WHERE id = %s", [b"", emptied.content_id])
    with pytest.raises(SystemExit) as failed:
        call_command("verify_archive")
    assert failed.value.code == 1
    err = capsys.readouterr().err
    assert "1 fichier(s) absent(s), 1 modifié(s)" in err
    assert f"modifie.pdf (n° {altered.pk})" in err and f"vide.pdf (n° {emptied.pk})" in err
    assert "bon.pdf" not in err and good.sha256 not in err

"""The archive keeps each file once per content, finds it by document, number, name or fingerprint."""

import hashlib

import pytest

from comptoir.archive import selectors
from comptoir.archive.models import ArchivedFile, StoredContent
from comptoir.archive.store import archive_file
from comptoir.core.models import ImmutableError
from comptoir.sales.services import create_quote

pytestmark = pytest.mark.django_db


@pytest.fixture
def quotes(boss, customer, product):
    return [create_quote(customer, [{"product": product, "quantity": "1"}], by=boss) for _ in range(2)]


def test_a_file_is_kept_with_its_fingerprint_size_type_name_author_and_document(boss, quotes):
    quote = quotes[0]
    archived = archive_file(
        b"%PDF-1.4 devis", name="DEV.pdf", media_type="application/pdf", document=quote, by=boss
    )
    assert archived.sha256 == hashlib.sha256(b"%PDF-1.4 devis").hexdigest()
    assert archived.size == len(b"%PDF-1.4 devis")
    assert (archived.media_type, archived.original_name, archived.created_by) == (
        "application/pdf",
        "DEV.pdf",
        boss,
    )
    assert (archived.document_app, archived.document_model, archived.document_pk) == (
        "sales",
        "quote",
        str(quote.pk),
    )
    assert archived.document_number == quote.number
    assert list(selectors.files_of(quote)) == [archived]
    assert list(selectors.files_of(quotes[1])) == []


def test_the_same_bytes_for_two_documents_are_stored_once(boss, quotes):
    for quote in quotes:
        archive_file(
            b"conditions generales", name="cgv.pdf", media_type="application/pdf", document=quote, by=boss
        )
    assert ArchivedFile.objects.count() == 2 and StoredContent.objects.count() == 1


def test_search_by_number_name_or_fingerprint(boss, quotes):
    first = archive_file(b"un", name="DEV-a.pdf", media_type="application/pdf", document=quotes[0], by=boss)
    second = archive_file(
        b"deux", name="message.eml", media_type="message/rfc822", document=quotes[1], by=boss
    )
    assert list(selectors.search(quotes[1].number)) == [second]
    assert list(selectors.search("message")) == [second]
    assert list(selectors.search(first.sha256[:12].upper())) == [first]
    assert list(selectors.search("")) == [second, first]


def test_an_archived_file_is_never_changed(boss, quotes):
    archived = archive_file(b"x", name="x.pdf", media_type="application/pdf", document=quotes[0], by=boss)
    archived.original_name = "y.pdf"
    with pytest.raises(ImmutableError):
        archived.save()
    with pytest.raises(ImmutableError):
        archived.content.delete()

"""Reading the archive: a document's files, the search (full text, party, type, date, tag), a file's
bytes."""

import re
import unicodedata

from django.db import connection
from django.db.models import Q
from django.db.models.expressions import RawSQL

from comptoir.archive.models import ArchivedFile, ArchiveTag
from comptoir.archive.store import document_key

MAX_TERMS = 12


def files_of(document):
    return ArchivedFile.objects.filter(**document_key(document)).select_related("content").order_by("id")


def terms(q: str) -> list[str]:
    """The words of a search, as both engines' tokenizers cut them (letters and digits)."""
    return re.findall(r"[^\W_]+", q or "", flags=re.UNICODE)[:MAX_TERMS]


def fold(word: str) -> str:
    """Accents off (« boîte » → « boite »), as the PostgreSQL column and SQLite's tokenizer fold them."""
    return "".join(c for c in unicodedata.normalize("NFKD", word) if not unicodedata.combining(c))


def _full_text(q: str):
    """The ids of the files whose entry holds every word of `q` (each word also as a prefix)."""
    words = terms(q)
    if not words:
        return None
    if connection.vendor == "postgresql":
        query = " & ".join(f"{fold(word).lower()}:*" for word in words)
        return RawSQL(
            "SELECT file_id FROM archive_archiveentry WHERE search @@ to_tsquery('french'::regconfig, %s)",
            (query,),
        )
    if connection.vendor == "sqlite":
        query = " ".join('"' + word.replace('"', '""') + '"*' for word in words)
        return RawSQL("SELECT rowid FROM archive_fts WHERE archive_fts MATCH %s", (query,))
    return None


def search(q: str = "", *, party: str = "", kind: str = "", date_from=None, date_to=None, tag: str = ""):
    """Archived files, newest first: `q` finds the words of the file (number, party, names, the text of
    XML files, e-mails and PDFs; full text), or a number, a name or a SHA-256 prefix as typed; then by
    party, type, document date and tag."""
    qs = ArchivedFile.objects.select_related("content", "created_by", "entry").order_by("-id")
    q = (q or "").strip()
    if q:
        matches = (
            Q(document_number__icontains=q)
            | Q(original_name__icontains=q)
            | Q(content__sha256__startswith=q.lower())
        )
        found = _full_text(q)
        if found is not None:
            matches |= Q(pk__in=found)
        qs = qs.filter(matches)
    if party.strip():
        qs = qs.filter(entry__party__icontains=party.strip())
    if kind:
        qs = qs.filter(entry__kind=kind)
    if date_from:
        qs = qs.filter(entry__document_date__gte=date_from)
    if date_to:
        qs = qs.filter(entry__document_date__lte=date_to)
    if tag.strip():
        qs = qs.filter(tags__tag=tag.strip())
    return qs.prefetch_related("tags")


def tags_in_use() -> list[str]:
    return list(ArchiveTag.objects.values_list("tag", flat=True).distinct().order_by("tag"))


def content_of(archived: ArchivedFile) -> bytes:
    return bytes(archived.content.content)

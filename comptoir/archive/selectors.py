"""Reading the archive: a document's files, a search, a file's bytes."""

from django.db.models import Q

from comptoir.archive.models import ArchivedFile
from comptoir.archive.store import document_key


def files_of(document):
    return ArchivedFile.objects.filter(**document_key(document)).select_related("content").order_by("id")


def search(q: str = ""):
    """Files whose document number, name or fingerprint contains `q` (newest first)."""
    qs = ArchivedFile.objects.select_related("content", "created_by").order_by("-id")
    q = (q or "").strip()
    if q:
        qs = qs.filter(
            Q(document_number__icontains=q)
            | Q(original_name__icontains=q)
            | Q(content__sha256__startswith=q.lower())
        )
    return qs


def content_of(archived: ArchivedFile) -> bytes:
    return bytes(archived.content.content)

"""`comptoir verify-archive`: every archived content read back and hashed again.

A content whose bytes no longer hash to its SHA-256 (or no longer have its size) is altered; one whose
bytes are gone (emptied) is missing; a file whose content row is gone is missing too. Each is named by
the files that point to it (document number, file name, archived id), so a person knows which document
to get back from a backup. Reading is streamed, a few contents at a time.
"""

import hashlib
from dataclasses import dataclass, field

from comptoir.archive.models import ArchivedFile, StoredContent

CHUNK = 20


@dataclass
class Report:
    checked: int = 0
    files: int = 0
    missing: list[str] = field(default_factory=list)
    altered: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not (self.missing or self.altered)


def _named(content_id: int) -> str:
    files = ArchivedFile.objects.filter(content_id=content_id).order_by("id")
    names = [
        f"{f.document_number or f.document_model + ' ' + f.document_pk} — {f.original_name} (n° {f.pk})"
        for f in files
    ]
    return "; ".join(names) or "aucun fichier"


def verify() -> Report:
    report = Report(files=ArchivedFile.objects.count())
    rows = (
        StoredContent.objects.only("id", "sha256", "size", "content")
        .order_by("id")
        .iterator(chunk_size=CHUNK)
    )
    for stored in rows:
        report.checked += 1
        content = bytes(stored.content or b"")
        if not content and stored.size:
            report.missing.append(f"{stored.sha256} : contenu absent — {_named(stored.pk)}")
        elif hashlib.sha256(content).hexdigest() != stored.sha256 or len(content) != stored.size:
            report.altered.append(
                f"{stored.sha256} : contenu modifié (empreinte {hashlib.sha256(content).hexdigest()}, "
                f"{len(content)} octets au lieu de {stored.size}) — {_named(stored.pk)}"
            )
    orphans = ArchivedFile.objects.exclude(content_id__in=StoredContent.objects.values("id")).order_by("id")
    for archived in orphans:
        report.missing.append(
            f"{archived.document_number or archived.document_pk} — {archived.original_name} (n° {archived.pk}) : "
            "contenu introuvable"
        )
    return report


def reindex() -> int:
    """Write the search entry of every archived file that has none (files archived before entries)."""
    from comptoir.archive import store

    written = 0
    for archived in ArchivedFile.objects.filter(entry__isnull=True).select_related("content").iterator(CHUNK):
        store._index(archived, bytes(archived.content.content), _Document(archived))
        written += 1
    return written


class _Document:
    """A document known only by what its archived file says of it."""

    def __init__(self, archived: ArchivedFile):
        self.number = archived.document_number
        self.received_at = archived.received_at or archived.created_at

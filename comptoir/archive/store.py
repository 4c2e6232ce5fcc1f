"""Putting a file in the archive: called by the services that send a document, inside their transaction.

Not a business action of its own (no permission, no audit event): the caller checked who may send and
records the event that says what left; this only keeps the bytes.
"""

import datetime
import hashlib

from django.db import IntegrityError, transaction
from django.utils import timezone

from comptoir.archive import retention, text
from comptoir.archive.models import ArchivedFile, ArchiveEntry, ArchiveTag, StoredContent


def document_key(document) -> dict:
    meta = document._meta
    return {
        "document_app": meta.app_label,
        "document_model": meta.model_name,
        "document_pk": str(document.pk),
    }


def sha256_of(content: bytes) -> str:
    return hashlib.sha256(bytes(content)).hexdigest()


def _stored(content: bytes) -> StoredContent:
    digest = sha256_of(content)
    stored = StoredContent.objects.filter(sha256=digest).first()
    if stored is None:
        try:
            with transaction.atomic():
                stored = StoredContent.objects.create(sha256=digest, size=len(content), content=content)
        except IntegrityError:
            # Two senders storing the same bytes at once: the other one's row is as good.
            stored = StoredContent.objects.get(sha256=digest)
    return stored


def _party(document) -> str:
    for name in ("customer", "supplier"):
        party = getattr(document, name, None)
        if party is not None and getattr(party, "name", ""):
            return str(party.name)[:254]
    return ""


def _date(document) -> datetime.date | None:
    for name in ("date", "received_at", "created_at"):
        value = getattr(document, name, None)
        if isinstance(value, datetime.datetime):
            return timezone.localdate(value) if timezone.is_aware(value) else value.date()
        if isinstance(value, datetime.date):
            return value
    return None


def _kind(archived: ArchivedFile, document) -> str:
    return retention.kind_of(
        archived.document_app,
        archived.document_model,
        media_type=archived.media_type,
        subkind=str(getattr(document, "kind", "") or ""),
    )


def _index(archived: ArchivedFile, content: bytes, document, tags=()) -> ArchiveEntry:
    """The search entry of a file just archived (kind, party, date, words, retention) and its tags."""
    kind = _kind(archived, document)
    day = _date(document) or timezone.localdate()
    entry = ArchiveEntry.objects.create(
        file=archived,
        kind=kind,
        number=archived.document_number,
        party=_party(document) or (archived.sender or ""),
        names=" ".join(filter(None, [archived.original_name, archived.sender or ""])),
        text=text.extract(content, archived.media_type),
        document_date=day,
        retention_years=retention.years_for(kind),
        retain_until=retention.retain_until(kind, day),
    )
    ArchiveTag.objects.bulk_create(
        [ArchiveTag(file=archived, tag=tag[:40]) for tag in dict.fromkeys(t.strip() for t in tags) if tag],
        ignore_conflicts=True,
    )
    return entry


def describe(document) -> None:
    """Bring the search entries of a document's files up to date with what it now knows (a received
    order's customer, once matched; its kind, once read)."""
    for archived in ArchivedFile.objects.filter(**document_key(document)).select_related("entry"):
        entry = getattr(archived, "entry", None)
        if entry is None:
            continue
        kind = _kind(archived, document)
        party = _party(document) or entry.party
        if (entry.kind, entry.party) != (kind, party):
            entry.kind, entry.party = kind, party
            entry.retention_years = retention.years_for(kind)
            entry.retain_until = retention.retain_until(kind, entry.document_date or timezone.localdate())
            entry.save(update_fields=["kind", "party", "retention_years", "retain_until"])


def archive_file(content: bytes, *, name: str, media_type: str, document, by, tags=()) -> ArchivedFile:
    """Keep `content` for `document` (sent): stored once per SHA-256, one ArchivedFile per call."""
    content = bytes(content)
    with transaction.atomic():
        archived = ArchivedFile.objects.create(
            content=_stored(content),
            original_name=name[:255],
            media_type=media_type,
            document_number=str(getattr(document, "number", "") or "")[:60],
            created_by=by if getattr(by, "pk", None) else None,
            direction=ArchivedFile.Direction.SENT,
            **document_key(document),
        )
        _index(archived, content, document, tags)
        return archived


def archive_received(
    content: bytes, *, name: str, media_type: str, document, by, sender: str = "", received_at=None, tags=()
) -> ArchivedFile:
    """Keep a file received for `document` (an inbound document of intake), with who sent it and when."""
    content = bytes(content)
    with transaction.atomic():
        archived = ArchivedFile.objects.create(
            content=_stored(content),
            original_name=name[:255],
            media_type=media_type,
            document_number=str(getattr(document, "number", "") or "")[:60],
            created_by=by if getattr(by, "pk", None) else None,
            direction=ArchivedFile.Direction.RECEIVED,
            sender=(sender or "")[:254],
            received_at=received_at or timezone.now(),
            **document_key(document),
        )
        _index(archived, content, document, tags)
        return archived

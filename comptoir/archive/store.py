"""Putting a file in the archive: called by the services that send a document, inside their transaction.

Not a business action of its own (no permission, no audit event): the caller checked who may send and
records the event that says what left; this only keeps the bytes.
"""

import hashlib

from django.db import IntegrityError, transaction

from comptoir.archive.models import ArchivedFile, StoredContent


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


def archive_file(content: bytes, *, name: str, media_type: str, document, by) -> ArchivedFile:
    """Keep `content` for `document` (sent): stored once per SHA-256, one ArchivedFile per call."""
    content = bytes(content)
    with transaction.atomic():
        return ArchivedFile.objects.create(
            content=_stored(content),
            original_name=name[:255],
            media_type=media_type,
            document_number=str(getattr(document, "number", "") or "")[:60],
            created_by=by if getattr(by, "pk", None) else None,
            direction=ArchivedFile.Direction.SENT,
            **document_key(document),
        )


def archive_received(
    content: bytes, *, name: str, media_type: str, document, by, sender: str = "", received_at=None
) -> ArchivedFile:
    """Keep a file received for `document` (an inbound document of intake), with who sent it and when."""
    from django.utils import timezone

    content = bytes(content)
    with transaction.atomic():
        return ArchivedFile.objects.create(
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

"""The one thing a person does to the archive: put a tag on a file to find it again. The file itself never
changes; a tag is a note beside it (audited)."""

from django.db import transaction

from comptoir.archive import errors
from comptoir.archive.models import ArchivedFile, ArchiveTag
from comptoir.core import audit, permissions
from comptoir.core.errors import fail


@transaction.atomic
def tag_file(archived: ArchivedFile, tag: str, *, by) -> ArchiveTag:
    permissions.require(by, "audit.view")
    tag = " ".join((tag or "").replace("\x00", "").split())[:40]
    if not tag:
        fail(errors.TAG_EMPTY)
    found, created = ArchiveTag.objects.get_or_create(
        file=archived, tag=tag, defaults={"created_by": by if getattr(by, "pk", None) else None}
    )
    if created:
        audit.record(
            "archive.tagged",
            by=by,
            obj=archived,
            data={"tag": tag, "file": archived.original_name, "document": archived.document_number},
        )
    return found

"""The archive of documents that left Comptoir: every file kept as it was, found by the document it
belongs to, by name or by fingerprint.

Two tables. `StoredContent` holds bytes addressed by their SHA-256: the same bytes are stored once, how
many times they are sent. `ArchivedFile` is one file as it belongs to a document: its original name,
media type, when and by whom, and which document.

The document is named generically (app label, model, primary key, and its number for search) rather
than by one foreign key per kind: the archive sits under every area that sends documents (sales, stock,
billing and whatever comes next: purchase orders, statements, intake), so it must import none of them,
and a new kind of document must not need a new column. The price is that the database does not check
the link; the services that archive pass the document object itself, and documents that were sent are
never deleted (issued invoices are immutable, quotes, orders and delivery notes are cancelled, not
deleted: their foreign keys are PROTECT).

Files received (customer orders, supplier invoices: intake) are archived the same way, with their
direction, who sent them and when they arrived; the same bytes received twice are one StoredContent, which
is how intake recognises a file it already has. The three columns were added to a table whose rows are
never updated, so they are nullable: a NULL direction is a file archived before directions existed, all
of them sent (`is_received` says which).

Both tables are append-only: rows are never updated nor deleted (model guard and database triggers).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from comptoir.core.models import AppendOnlyModel


class StoredContent(AppendOnlyModel):
    sha256 = models.CharField(_("empreinte SHA-256"), max_length=64, unique=True)
    size = models.PositiveBigIntegerField(_("taille (octets)"))
    content = models.BinaryField()
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return self.sha256


class ArchivedFile(AppendOnlyModel):
    class Direction(models.TextChoices):
        SENT = "out", _("Envoyé")
        RECEIVED = "in", _("Reçu")

    content = models.ForeignKey(StoredContent, on_delete=models.PROTECT, related_name="files")
    original_name = models.CharField(_("nom du fichier"), max_length=255)
    media_type = models.CharField(_("type de média"), max_length=100)
    document_app = models.CharField(max_length=40)
    document_model = models.CharField(max_length=60)
    document_pk = models.CharField(max_length=40)
    document_number = models.CharField(_("document"), max_length=60, blank=True)
    created_at = models.DateTimeField(_("archivé le"), auto_now_add=True)
    direction = models.CharField(_("sens"), max_length=3, choices=Direction.choices, null=True, blank=True)
    sender = models.CharField(_("expéditeur"), max_length=254, null=True, blank=True)
    received_at = models.DateTimeField(_("reçu le"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        indexes = [
            models.Index(
                fields=["document_app", "document_model", "document_pk"], name="archive_document_idx"
            ),
            models.Index(fields=["document_number"], name="archive_number_idx"),
        ]

    def __str__(self):
        return f"{self.document_number or self.document_pk} — {self.original_name}"

    @property
    def is_received(self) -> bool:
        return self.direction == self.Direction.RECEIVED

    @property
    def sha256(self) -> str:
        return self.content.sha256

    @property
    def size(self) -> int:
        return self.content.size


class ArchiveEntry(models.Model):
    """What the search reads for one archived file: its kind, party, date, names and words, and how long
    it is kept. Derived from the file and its document (the file itself never changes): written when the
    file is archived, completed when its document learns more (a received order's customer), rebuilt by
    `comptoir verify-archive --reindex`.

    Full-text search: on SQLite an FTS5 table (`archive_fts`, external content, kept by triggers on this
    table); on PostgreSQL a generated `tsvector` column under the French configuration with a GIN index
    (migration 0004)."""

    file = models.OneToOneField(
        ArchivedFile, primary_key=True, on_delete=models.CASCADE, related_name="entry"
    )
    kind = models.CharField(_("type"), max_length=20)
    number = models.CharField(_("document"), max_length=60, blank=True)
    party = models.CharField(_("tiers"), max_length=254, blank=True)
    names = models.TextField(_("noms"), blank=True)  # file name, sender
    text = models.TextField(_("texte"), blank=True)
    document_date = models.DateField(_("date du document"), null=True, blank=True)
    retention_years = models.PositiveSmallIntegerField(_("durée de conservation (ans)"))
    retain_until = models.DateField(_("à conserver jusqu'au"))

    class Meta:
        verbose_name = _("fiche d'archive")
        indexes = [
            models.Index(fields=["kind", "document_date"], name="archive_entry_kind_date"),
            models.Index(fields=["document_date"], name="archive_entry_date"),
        ]


class ArchiveTag(models.Model):
    """A word put on an archived file to find it again (« litige », « contrôle fiscal 2026 »…)."""

    file = models.ForeignKey(ArchivedFile, on_delete=models.CASCADE, related_name="tags")
    tag = models.CharField(_("étiquette"), max_length=40)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["tag"]
        constraints = [models.UniqueConstraint(fields=["file", "tag"], name="archive_tag_unique")]
        indexes = [models.Index(fields=["tag"], name="archive_tag_idx")]

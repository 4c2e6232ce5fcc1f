"""Every e-mail a user sent from a document, whether the server took it or not.

One row per attempt, never changed: a failed attempt stays as it failed (with the server's reason in
French) and a retry is a new row. A sent message links to the archived .eml (exactly the bytes handed to
the server) and to the archived attachment.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from comptoir.archive.models import ArchivedFile
from comptoir.core.models import AppendOnlyModel


class OutgoingEmail(AppendOnlyModel):
    class Status(models.TextChoices):
        SENT = "sent", _("Envoyé")
        FAILED = "failed", _("Échec")

    document_app = models.CharField(max_length=40)
    document_model = models.CharField(max_length=60)
    document_pk = models.CharField(max_length=40)
    document_number = models.CharField(_("document"), max_length=60, blank=True)
    to = models.JSONField(_("destinataires"), default=list)
    cc = models.JSONField(_("copie"), default=list)
    bcc = models.JSONField(_("copie cachée"), default=list)
    subject = models.CharField(_("objet"), max_length=255)
    body = models.TextField(_("message"))
    status = models.CharField(_("état"), max_length=10, choices=Status.choices)
    failure_code = models.CharField(max_length=40, blank=True)
    failure_reason = models.TextField(_("motif de l'échec"), blank=True)
    message = models.ForeignKey(ArchivedFile, null=True, on_delete=models.PROTECT, related_name="+")
    attachment = models.ForeignKey(ArchivedFile, null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("envoyé le"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        indexes = [
            models.Index(
                fields=["document_app", "document_model", "document_pk"], name="mailing_document_idx"
            )
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status="failed")
                | models.Q(message__isnull=False, attachment__isnull=False),
                name="mailing_sent_is_archived",
                violation_error_code="sent_email_not_archived",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="failed") | ~models.Q(failure_reason=""),
                name="mailing_failure_has_reason",
                violation_error_code="failed_email_without_reason",
            ),
        ]

    def __str__(self):
        return f"{self.document_number} → {', '.join(self.to)}"

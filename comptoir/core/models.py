import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ImmutableError(Exception):
    """Raised when code tries to change a row that the law or the audit trail freezes."""


class NumberSequence(models.Model):
    """One gap-free counter per series and year; locked while a number is taken (see numbering.py)."""

    series = models.CharField(max_length=10)
    year = models.PositiveIntegerField()
    last_value = models.PositiveIntegerField(default=0)
    # The date of the last number taken, for series whose numbers must follow their dates (invoices):
    # checked and moved under the counter's lock, so two concurrent issues cannot cross.
    last_date = models.DateField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["series", "year"], name="uniq_sequence_series_year")]

    def __str__(self):
        return f"{self.series}-{self.year}: {self.last_value}"


class AuditChainHead(models.Model):
    """A single row holding the last sequence number of the audit chain; locking it orders the events.

    The previous hash is read from the event itself (audit.py), so the head cannot disagree with the log.
    """

    last_seq = models.PositiveBigIntegerField(default=0)


class AuditEvent(models.Model):
    """Append-only, hash-chained record of every business action (who, what, when, which document)."""

    seq = models.PositiveBigIntegerField(unique=True)
    at = models.DateTimeField()
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    actor_name = models.CharField(max_length=150)
    action = models.CharField(max_length=60)
    object_type = models.CharField(max_length=60)
    object_id = models.CharField(max_length=40)
    object_repr = models.CharField(max_length=80)
    data = models.JSONField(default=dict)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["seq"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ImmutableError("audit events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ImmutableError("audit events are append-only")


class ApiToken(models.Model):
    """A bearer token for API clients. Only its SHA-256 is stored; the clear token is shown once."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("nom"), max_length=80, blank=True)
    key_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    @staticmethod
    def hash_key(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()

    @classmethod
    def new_key(cls) -> str:
        return "cpt_" + secrets.token_urlsafe(32)


class IdempotencyKey(models.Model):
    """A request its user named with a key of their own (the API's `Idempotency-Key` header, the one-time
    token of a web form), with the first answer to it.

    The row is inserted in the same transaction as the business action it guards, before it: a second
    request with the same key waits on that insert until the first one ends, then finds its answer (see
    idempotency.py). Kept for `idempotency.KEEP_FOR`, then purged.
    """

    # Indexed by the unique constraint, which starts with it.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    key = models.CharField(max_length=255)
    # SHA-256 of the method, path and body: the same key with another request is refused.
    fingerprint = models.CharField(max_length=64)
    status = models.PositiveSmallIntegerField(default=0)
    # The API's JSON answer, or the page a web form led to.
    body = models.TextField(blank=True)
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="uniq_idempotency_user_key")]

    def __str__(self):
        return f"{self.user_id}: {self.key}"

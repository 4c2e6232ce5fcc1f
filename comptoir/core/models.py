import hashlib
import secrets
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ImmutableError(Exception):
    """Raised when code tries to change a row that the law or the audit trail freezes."""


class AppendOnlyModel(models.Model):
    """A row written once and kept as it is (money documents, lettering, stock moves, the e-invoice
    archive): a correction is a new row. The database refuses changes too (the apps' guard migrations)."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ImmutableError(f"{self._meta.label} rows are append-only: record a new one")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ImmutableError(f"{self._meta.label} rows are append-only: record a new one")


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

    # A counter moves only through numbering.next_value (one UPDATE that adds one); the database
    # refuses a counter going back or deleted (core migration 0005).
    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ImmutableError("a number counter moves only by taking a number (numbering.next_value)")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ImmutableError("a number counter is never deleted")


class AuditChainHead(models.Model):
    """A single row holding the end of the audit chain: the last sequence number and hash, and the hash
    before it. Moving it takes the next number and locks it until the business transaction ends, which
    orders concurrent events; the new event's hash is computed from the row's latest committed version
    (audit.py), never from a snapshot of the log that may miss an event committed a moment before."""

    last_seq = models.PositiveBigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="0" * 64)
    prev_hash = models.CharField(max_length=64, default="0" * 64)


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
    # Which secret key sealed the event (HMAC-SHA256); "" for the events written before the chain was
    # keyed (plain SHA-256). The key itself never enters the database (audit_key.py).
    key_id = models.CharField(max_length=16, blank=True, default="")

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
    """A bearer token for API clients. Only its SHA-256 is stored; the clear token is shown once.

    A token works until `expires_at` (chosen at creation, settings.API_TOKEN_DAYS by default) unless it
    is revoked first: by its owner or an administrator, or by `core.users` when the owner changes
    password or is deactivated. Revocation is for good (core/tokens.py).
    """

    class RevokedReason(models.TextChoices):
        MANUAL = "manual", _("révoqué")
        PASSWORD_CHANGED = "password_changed", _("mot de passe changé")
        USER_DEACTIVATED = "user_deactivated", _("utilisateur désactivé")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("nom"), max_length=80, blank=True)
    key_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8)
    # Set by core.tokens with the same instant as `expires_at` is counted from.
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_reason = models.CharField(max_length=20, choices=RevokedReason.choices, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(expires_at__gt=models.F("created_at")),
                name="api_token_expires_after_creation",
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(revoked_at__isnull=True, revoked_reason="")
                    | (models.Q(revoked_at__isnull=False) & ~models.Q(revoked_reason=""))
                ),
                name="api_token_revocation_has_reason",
            ),
        ]

    def __str__(self):
        return f"{self.prefix}…"

    @staticmethod
    def hash_key(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()

    @classmethod
    def new_key(cls) -> str:
        return "cpt_" + secrets.token_urlsafe(32)

    def status(self, now=None) -> str:
        """ "active", "expired" or "revoked"."""
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at <= (now or timezone.now()):
            return "expired"
        return "active"


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


class ApprovalPolicy(models.Model):
    """The company's four-eyes thresholds (a single row, pk=1), beside the return rules in the settings.
    Read with `ApprovalPolicy.current()`; changed only through `core.approvals.set_thresholds`, which the
    settings service owning the form calls after its own permission check."""

    gesture_threshold = models.DecimalField(
        _("avoir commercial : double validation au-delà de (€ HT)"),
        max_digits=14,
        decimal_places=2,
        default=Decimal("500.00"),
        help_text=_(
            "Un geste commercial (avoir sans dossier de retour) au-delà de ce montant, cumulé sur la facture, "
            "doit être approuvé par une autre personne habilitée avant d'être émis."
        ),
    )
    refund_threshold = models.DecimalField(
        _("remboursement : double validation au-delà de (€ TTC)"),
        max_digits=14,
        decimal_places=2,
        default=Decimal("1000.00"),
        help_text=_(
            "Un remboursement au-delà de ce montant, cumulé sur l'avoir, doit être approuvé par une autre "
            "personne habilitée avant d'être payé."
        ),
    )
    manual_entry_threshold = models.DecimalField(
        _("écriture manuelle : double validation au-delà de (€)"),
        max_digits=14,
        decimal_places=2,
        default=Decimal("10000.00"),
        help_text=_(
            "Une écriture manuelle (OD) dont le total au débit dépasse ce montant doit être approuvée par une "
            "autre personne habilitée avant d'être comptabilisée."
        ),
    )
    # Not a four-eyes threshold: the largest payment gap one person may write off (payments.writing_off).
    write_off_threshold = models.DecimalField(
        _("écart de règlement : passage en perte ou profit jusqu'à (€ TTC)"),
        max_digits=14,
        decimal_places=2,
        default=Decimal("5.00"),
        help_text=_(
            "Un écart entre un règlement et la facture qu'il paie (frais bancaires, arrondi) peut être passé "
            "en perte (658) ou en profit (758) jusqu'à ce montant ; au-delà, il se réclame au client ou se "
            "régularise par un avoir."
        ),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("seuils de double validation")
        constraints = [
            models.CheckConstraint(condition=models.Q(pk=1), name="approval_policy_single_row"),
            models.CheckConstraint(
                condition=models.Q(gesture_threshold__gte=0) & models.Q(refund_threshold__gte=0),
                name="approval_policy_thresholds_not_negative",
            ),
        ]

    @classmethod
    def current(cls) -> "ApprovalPolicy":
        """The stored thresholds, or the defaults when none were ever saved (reading never writes)."""
        return cls.objects.filter(pk=1).first() or cls(pk=1)

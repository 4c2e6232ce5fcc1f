"""What the assistant keeps: the written decisions to issue an invoice despite blocking findings, the
proposals it makes and what people decided about them, the agent's runs and the company's policy.

Findings themselves are computed from the documents each time (checks are pure and cheap), so they can
never drift from the documents they describe.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class FindingOverride(models.Model):
    """Someone allowed decided to issue a draft invoice despite its blocking findings, and said why.

    Written only by `assistant.services.override_blocking` (with its audit event); never changed. The
    gate at issue lets the invoice through when an override covers every blocking code it finds then.
    """

    invoice = models.ForeignKey("billing.Invoice", on_delete=models.PROTECT, related_name="finding_overrides")
    codes = models.JSONField(_("constats levés"), default=list)
    # The findings as they read when the decision was taken, for whoever reviews it later.
    findings = models.JSONField(_("constats"), default=list)
    reason = models.TextField(_("motif"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("le"), default=timezone.now)

    class Meta:
        verbose_name = _("levée de blocage")
        ordering = ["-at", "-id"]
        constraints = [models.CheckConstraint(condition=~Q(reason=""), name="finding_override_has_reason")]

    def __str__(self):
        return f"{self.invoice_id}: {', '.join(self.codes)}"


class AssistantPolicy(models.Model):
    """The written policy the assistant follows (one row). Off by default: the agent only prepares
    drafts and proposes; issuing on its own is a decision the company takes here, and each use of it
    is audited."""

    auto_issue_enabled = models.BooleanField(
        _("émettre seul les petites factures sans constat"), default=False
    )
    auto_issue_limit = models.DecimalField(
        _("plafond d'émission automatique (HT)"), max_digits=14, decimal_places=2, default=Decimal("5000.00")
    )
    prepare_drafts = models.BooleanField(_("préparer les brouillons de facture"), default=True)
    reminder_polite_days = models.PositiveSmallIntegerField(
        _("relance courtoise (jours après échéance)"), default=7
    )
    reminder_firm_days = models.PositiveSmallIntegerField(
        _("relance ferme (jours après échéance)"), default=30
    )
    reminder_formal_days = models.PositiveSmallIntegerField(
        _("mise en demeure (jours après échéance)"), default=45
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("politique de l'assistant")
        constraints = [
            models.CheckConstraint(
                condition=Q(auto_issue_limit__gte=0), name="assistant_policy_limit_positive"
            ),
            models.CheckConstraint(
                condition=Q(reminder_polite_days__lt=models.F("reminder_firm_days"))
                & Q(reminder_firm_days__lt=models.F("reminder_formal_days")),
                name="assistant_policy_reminders_in_order",
            ),
        ]

    @classmethod
    def current(cls) -> "AssistantPolicy":
        """The stored policy, or the defaults when none was ever saved (reading never writes)."""
        return cls.objects.filter(pk=1).first() or cls(pk=1)


class AgentRun(models.Model):
    """One pass of the billing agent: what it prepared, proposed, retired and (under the policy) did."""

    class Status(models.TextChoices):
        RUNNING = "running", _("En cours")
        DONE = "done", _("Terminé")
        FAILED = "failed", _("Échec")

    started_at = models.DateTimeField(_("début"), default=timezone.now)
    finished_at = models.DateTimeField(_("fin"), null=True, blank=True)
    status = models.CharField(_("état"), max_length=10, choices=Status.choices, default=Status.RUNNING)
    TRIGGERS = {
        "cli": _("ligne de commande"),
        "task": _("tâche planifiée"),
        "web": _("page de l'agent"),
        "api": _("API"),
        "demo": _("données de démo"),
        "bench": _("mesure"),
    }
    trigger = models.CharField(_("déclenchement"), max_length=10)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    stats = models.JSONField(_("bilan"), default=dict)
    # Documents the agent could not prepare, with the service's French message (e.g. a blocked delivery).
    problems = models.JSONField(_("difficultés"), default=list)

    class Meta:
        verbose_name = _("passage de l'agent")
        ordering = ["-started_at", "-id"]

    def __str__(self):
        return f"{self.started_at:%Y-%m-%d %H:%M} {self.status}"

    @property
    def trigger_label(self) -> str:
        return str(self.TRIGGERS.get(self.trigger, self.trigger))


class Proposal(models.Model):
    """An action the assistant proposes, for a human to approve (as is or edited) or reject.

    `payload` is exactly what approving passes to the service a human would call; `original_payload`
    keeps what the assistant proposed when someone edited it. `key` identifies the situation (kind and
    the documents concerned) so a run never proposes twice what is open or what someone already decided.
    """

    class Status(models.TextChoices):
        OPEN = "open", _("À décider")
        APPROVED = "approved", _("Approuvée")
        REJECTED = "rejected", _("Rejetée")
        OBSOLETE = "obsolete", _("Dépassée")

    key = models.CharField(max_length=64, unique=True)
    kind = models.CharField(_("type"), max_length=40, db_index=True)
    source = models.CharField(_("origine"), max_length=60)
    title = models.CharField(_("objet"), max_length=400)
    rationale = models.TextField(_("justification"))
    evidence = models.JSONField(_("éléments"), default=list)
    confidence = models.DecimalField(_("confiance"), max_digits=3, decimal_places=2)
    payload = models.JSONField(_("contenu"))
    original_payload = models.JSONField(null=True, blank=True)
    customer = models.ForeignKey(
        "parties.Customer", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    order = models.ForeignKey(
        "sales.Order", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    invoice = models.ForeignKey(
        "billing.Invoice", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    run = models.ForeignKey(
        AgentRun, null=True, blank=True, on_delete=models.PROTECT, related_name="proposals"
    )
    status = models.CharField(_("état"), max_length=10, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(_("proposée le"), default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("décidée le"), null=True, blank=True)
    decision_note = models.TextField(_("motif de la décision"), blank=True)
    # Set when a written policy, not a person, approved it.
    automatic = models.BooleanField(default=False)
    # What approving produced: {"kind": "invoice", "id": 12, "label": "FA-2026-00012"}.
    result = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("proposition")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "kind"])]
        constraints = [
            models.CheckConstraint(condition=~Q(rationale=""), name="proposal_has_rationale"),
            models.CheckConstraint(
                condition=Q(confidence__gte=0) & Q(confidence__lte=1), name="proposal_confidence_range"
            ),
        ]

    def __str__(self):
        return f"{self.kind} #{self.pk}"

    @property
    def edited(self) -> bool:
        return self.original_payload is not None

"""What the assistant keeps: the written decisions to issue an invoice despite blocking findings.

Findings themselves are computed from the documents each time (checks are pure and cheap), so they can
never drift from the documents they describe.
"""

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

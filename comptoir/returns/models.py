"""Return cases (dossiers de retour): a delivery discrepancy or a return, from declaration to resolution.

Every request opens one case (`RET-2026-00042`) on one delivery note and its lines; nothing happens
outside a case. The case's `status` is the lifecycle users drive (TRANSITIONS below); what was received,
credited, replaced or re-invoiced is read from its receipts and resolutions, never stored twice.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from comptoir.accounting.models import JournalEntry
from comptoir.billing.models import Invoice, InvoiceLine
from comptoir.catalog.models import Product
from comptoir.parties.models import Customer
from comptoir.stock.models import Delivery, DeliveryLine


class Reason(models.TextChoices):
    SHORT_SHIPMENT = "short_shipment", _("Manquant")
    SURPLUS = "surplus", _("Excédent")
    DAMAGED = "damaged", _("Endommagé")
    WRONG_REFERENCE = "wrong_reference", _("Erreur de référence")
    WRONG_PRICE = "wrong_price", _("Erreur de prix")
    QUALITY = "quality", _("Problème de qualité")
    LATE_DELIVERY = "late_delivery", _("Livraison en retard")


def default_blocking_reasons() -> list[str]:
    # A surplus or a late delivery does not make the delivered quantities wrong: the delivery note can be
    # invoiced as it stands. The other reasons question what (or at what price) would be invoiced.
    return [Reason.SHORT_SHIPMENT, Reason.DAMAGED, Reason.WRONG_REFERENCE, Reason.WRONG_PRICE, Reason.QUALITY]


def default_goods_back_reasons() -> list[str]:
    return [Reason.DAMAGED, Reason.WRONG_REFERENCE, Reason.QUALITY]


class ReturnPolicy(models.Model):
    """The company's return rules (a single row, pk=1). Read with `ReturnPolicy.current()`; changed only
    through `returns.services.update_policy`. Every rule is on by default."""

    approval_threshold = models.DecimalField(
        _("seuil d'approbation par la direction (€ HT)"),
        max_digits=14,
        decimal_places=2,
        default=Decimal("1000.00"),
        help_text=_("Au-delà de ce montant en jeu, seule la direction peut décider."),
    )
    answer_within_hours = models.PositiveIntegerField(_("délai de réponse (heures)"), default=48)
    close_within_days = models.PositiveIntegerField(_("délai de clôture (jours)"), default=10)
    blocking_reasons = models.JSONField(
        _("motifs qui bloquent la facturation"), default=default_blocking_reasons
    )
    goods_back_reasons = models.JSONField(
        _("motifs avec retour physique"), default=default_goods_back_reasons
    )
    block_invoicing = models.BooleanField(_("bloquer la facturation d'une livraison en litige"), default=True)
    require_validation = models.BooleanField(_("pas de retour sans validation interne"), default=True)
    require_receipt_before_credit = models.BooleanField(
        _("réception physique avant avoir (motifs avec retour)"), default=True
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("règles de retour")
        constraints = [
            models.CheckConstraint(condition=Q(pk=1), name="return_policy_single_row"),
            models.CheckConstraint(
                condition=Q(approval_threshold__gte=0), name="return_policy_threshold_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(answer_within_hours__gt=0), name="return_policy_answer_delay_positive"
            ),
            models.CheckConstraint(
                condition=Q(close_within_days__gt=0), name="return_policy_close_delay_positive"
            ),
        ]

    @classmethod
    def current(cls) -> "ReturnPolicy":
        """The stored policy, or the defaults when none was ever saved (reading never writes)."""
        return cls.objects.filter(pk=1).first() or cls(pk=1)

    def blocks_invoicing(self, reason: str) -> bool:
        return self.block_invoicing and reason in self.blocking_reasons

    def expects_goods_back(self, reason: str) -> bool:
        return reason in self.goods_back_reasons


class ReturnCase(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Brouillon")
        SUBMITTED = "submitted", _("Soumis")
        APPROVED = "approved", _("Approuvé")
        REJECTED = "rejected", _("Rejeté")
        GOODS_RECEIVED = "goods_received", _("Marchandise reçue")
        RESOLVED = "resolved", _("Résolu")
        CLOSED = "closed", _("Clos")

    # SUBMITTED → GOODS_RECEIVED / RESOLVED is only taken when the policy's "no return without
    # validation" rule is switched off (services check it).
    TRANSITIONS = {
        Status.DRAFT: {Status.SUBMITTED},
        Status.SUBMITTED: {Status.APPROVED, Status.REJECTED, Status.GOODS_RECEIVED, Status.RESOLVED},
        Status.APPROVED: {Status.GOODS_RECEIVED, Status.RESOLVED},
        Status.GOODS_RECEIVED: {Status.RESOLVED},
        Status.RESOLVED: {Status.CLOSED},
        Status.REJECTED: {Status.CLOSED},
    }
    # Cases still waiting for something: they count on the board and may block invoicing.
    OPEN_STATUSES = (Status.DRAFT, Status.SUBMITTED, Status.APPROVED, Status.GOODS_RECEIVED)
    # Awaiting the internal decision (the 48 h answer timer runs).
    UNDECIDED_STATUSES = (Status.DRAFT, Status.SUBMITTED)

    number = models.CharField(_("numéro"), max_length=35, unique=True)
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="return_cases")
    delivery = models.ForeignKey(Delivery, on_delete=models.PROTECT, related_name="return_cases")
    reason = models.CharField(_("motif"), max_length=20, choices=Reason.choices)
    status = models.CharField(_("état"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    customer_statement = models.TextField(_("déclaration du client"), blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="return_cases",
        verbose_name=_("responsable"),
    )
    amount_at_stake = models.DecimalField(
        _("montant en jeu HT"), max_digits=14, decimal_places=2, default=Decimal("0")
    )
    opened_at = models.DateTimeField(_("ouvert le"), default=timezone.now)
    submitted_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    decision_reason = models.TextField(_("motif de la décision"), blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # SLA deadlines, fixed at opening from the policy then in force.
    answer_due_at = models.DateTimeField(_("réponse attendue avant"))
    close_due_at = models.DateTimeField(_("clôture attendue avant"))
    # An authorised person may let the delivery be invoiced while the case is still open.
    block_lifted_at = models.DateTimeField(null=True, blank=True)
    block_lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    block_lift_reason = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("dossier de retour")
        ordering = ["-opened_at", "-id"]
        indexes = [
            models.Index(fields=["status", "opened_at"]),
            models.Index(fields=["customer", "opened_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount_at_stake__gte=0), name="return_case_amount_not_negative"
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["approved", "rejected"]) | Q(decided_at__isnull=False),
                name="decided_return_case_has_decision_time",
            ),
            models.CheckConstraint(
                condition=~Q(status="closed") | Q(closed_at__isnull=False),
                name="closed_return_case_has_close_time",
            ),
        ]

    def __str__(self):
        return self.number

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    def answer_overdue(self, now=None) -> bool:
        return self.status in self.UNDECIDED_STATUSES and (now or timezone.now()) > self.answer_due_at

    def close_overdue(self, now=None) -> bool:
        return self.status != self.Status.CLOSED and (now or timezone.now()) > self.close_due_at

    def age(self, now=None):
        return (self.closed_at or now or timezone.now()) - self.opened_at


class ReturnLine(models.Model):
    """What the case is about on one delivery line: the quantity and its price when it was sold."""

    case = models.ForeignKey(ReturnCase, on_delete=models.CASCADE, related_name="lines")
    delivery_line = models.ForeignKey(DeliveryLine, on_delete=models.PROTECT, related_name="return_lines")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+")
    quantity = models.DecimalField(_("quantité"), max_digits=14, decimal_places=3)
    # Invoiced price when the delivery line was invoiced, ordered price otherwise (snapshot at opening).
    unit_price = models.DecimalField(_("prix unitaire HT"), max_digits=14, decimal_places=4)
    discount_percent = models.DecimalField(
        _("remise %"), max_digits=5, decimal_places=2, default=Decimal("0")
    )
    net_amount = models.DecimalField(_("montant HT"), max_digits=14, decimal_places=2)
    note = models.CharField(_("note"), max_length=250, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="return_line_quantity_positive"),
            models.UniqueConstraint(
                fields=["case", "delivery_line"], name="uniq_return_line_per_delivery_line"
            ),
        ]


class Attachment(models.Model):
    """A photo or document the customer sent (kept under MEDIA_ROOT/returns/)."""

    case = models.ForeignKey(ReturnCase, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("fichier"), upload_to="returns/%Y/%m/")
    name = models.CharField(_("nom"), max_length=200)
    uploaded_at = models.DateTimeField(default=timezone.now)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["id"]


class ReturnReceipt(models.Model):
    """Goods received back for a case, inspected line by line."""

    number = models.CharField(_("numéro"), max_length=35, unique=True)
    case = models.ForeignKey(ReturnCase, on_delete=models.PROTECT, related_name="receipts")
    date = models.DateField(_("date"))
    # The OD entry booking the cost of scrapped goods as a loss (658 / 603), when there are any.
    loss_entry = models.OneToOneField(
        JournalEntry, null=True, blank=True, on_delete=models.PROTECT, related_name="return_receipt"
    )
    received_at = models.DateTimeField(default=timezone.now)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["date", "id"]

    def __str__(self):
        return self.number


class ReturnReceiptLine(models.Model):
    class Disposition(models.TextChoices):
        BACK_TO_STOCK = "back_to_stock", _("Remise en stock")
        SCRAP = "scrap", _("Mise au rebut")
        REPAIR = "repair", _("En réparation")

    receipt = models.ForeignKey(ReturnReceipt, on_delete=models.CASCADE, related_name="lines")
    return_line = models.ForeignKey(ReturnLine, on_delete=models.PROTECT, related_name="receipt_lines")
    quantity = models.DecimalField(_("quantité"), max_digits=14, decimal_places=3)
    inspection = models.TextField(_("résultat du contrôle"), blank=True)
    disposition = models.CharField(_("destination"), max_length=14, choices=Disposition.choices)
    # The cost the goods left at (delivery line's unit cost): what re-enters stock, or what is lost.
    unit_cost = models.DecimalField(max_digits=14, decimal_places=4)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="return_receipt_line_quantity_positive")
        ]


class Resolution(models.Model):
    """One outcome of a case; several may combine (e.g. a partial credit note and a replacement)."""

    class Kind(models.TextChoices):
        CREDIT_NOTE = "credit_note", _("Avoir")
        REPLACEMENT = "replacement", _("Remplacement")
        REINVOICE = "reinvoice", _("Refacturation")
        REFUSAL = "refusal", _("Refus")

    case = models.ForeignKey(ReturnCase, on_delete=models.PROTECT, related_name="resolutions")
    kind = models.CharField(_("type"), max_length=12, choices=Kind.choices)
    credit_note = models.ForeignKey(
        Invoice, null=True, blank=True, on_delete=models.PROTECT, related_name="return_resolutions"
    )
    invoice = models.ForeignKey(
        Invoice, null=True, blank=True, on_delete=models.PROTECT, related_name="reinvoice_resolutions"
    )
    replacement = models.ForeignKey(
        Delivery, null=True, blank=True, on_delete=models.PROTECT, related_name="replacement_resolutions"
    )
    # Credit note or re-invoice: untaxed total of the document; replacement: value at the sale price.
    amount = models.DecimalField(_("montant HT"), max_digits=14, decimal_places=2, default=Decimal("0"))
    reason = models.TextField(_("motif"), blank=True)
    at = models.DateTimeField(default=timezone.now)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(kind="credit_note")
                    & Q(credit_note__isnull=False)
                    & Q(invoice__isnull=True)
                    & Q(replacement__isnull=True)
                )
                | (
                    Q(kind="replacement")
                    & Q(replacement__isnull=False)
                    & Q(credit_note__isnull=True)
                    & Q(invoice__isnull=True)
                )
                | (
                    Q(kind="reinvoice")
                    & Q(invoice__isnull=False)
                    & Q(credit_note__isnull=True)
                    & Q(replacement__isnull=True)
                )
                | (
                    Q(kind="refusal")
                    & Q(credit_note__isnull=True)
                    & Q(invoice__isnull=True)
                    & Q(replacement__isnull=True)
                ),
                name="resolution_links_the_document_of_its_kind",
            ),
        ]


class ResolutionLine(models.Model):
    """How much of a case line a resolution settled, and the document line that did it."""

    resolution = models.ForeignKey(Resolution, on_delete=models.CASCADE, related_name="lines")
    return_line = models.ForeignKey(ReturnLine, on_delete=models.PROTECT, related_name="resolution_lines")
    quantity = models.DecimalField(_("quantité"), max_digits=14, decimal_places=3)
    amount = models.DecimalField(_("montant HT"), max_digits=14, decimal_places=2, default=Decimal("0"))
    # Credit note or re-invoice line.
    invoice_line = models.ForeignKey(
        InvoiceLine, null=True, blank=True, on_delete=models.PROTECT, related_name="return_resolution_lines"
    )
    # Replacement delivery line.
    delivery_line = models.ForeignKey(
        DeliveryLine, null=True, blank=True, on_delete=models.PROTECT, related_name="return_resolution_lines"
    )
    # Re-invoice of a surplus the customer keeps: the average cost the units left the stock at (the cost
    # of goods sold of that sale, as `DeliveryLine.unit_cost` is for a delivery).
    unit_cost = models.DecimalField(max_digits=14, decimal_places=4, null=True, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="resolution_line_quantity_positive")
        ]

import datetime
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from comptoir.catalog.models import Product
from comptoir.core.models import AppendOnlyModel
from comptoir.crm.models import Opportunity
from comptoir.parties.models import Customer, DeliveryAddress
from comptoir.pricing.models import DiscountCategory


class SalesLine(models.Model):
    """Fields shared by quote and order lines; the net amount is computed by sales.pricing."""

    position = models.PositiveIntegerField(default=0)
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+")
    description = models.CharField(_("désignation"), max_length=250)
    quantity = models.DecimalField(_("quantité"), max_digits=14, decimal_places=3)
    unit_price = models.DecimalField(_("prix unitaire HT"), max_digits=14, decimal_places=4)
    discount_percent = models.DecimalField(
        _("remise %"), max_digits=5, decimal_places=2, default=Decimal("0")
    )
    vat_rate = models.DecimalField(_("TVA %"), max_digits=5, decimal_places=2)
    vat_category = models.CharField(_("catégorie de TVA"), max_length=2, default="S")
    vat_exemption_reason = models.CharField(max_length=200, blank=True)
    net_amount = models.DecimalField(_("montant HT"), max_digits=14, decimal_places=2)
    # Why the discount was granted (empty without a discount); carried quote → order → invoice.
    discount_category = models.CharField(
        _("catégorie de remise"), max_length=20, choices=DiscountCategory.choices, blank=True
    )
    # Where the unit price came from, in words ("liste Grossistes 2026, palier ≥ 50", "prix saisi").
    price_explanation = models.CharField(_("origine du prix"), max_length=200, blank=True)

    class Meta:
        abstract = True
        ordering = ["position", "id"]


class Quote(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Brouillon")
        SENT = "sent", _("Envoyé")
        ACCEPTED = "accepted", _("Accepté")
        REFUSED = "refused", _("Refusé")
        CANCELLED = "cancelled", _("Annulé")
        # A later version replaced it (sales.revising): frozen, it can no longer be accepted.
        SUPERSEDED = "superseded", _("Remplacé par une version suivante")

    TRANSITIONS = {
        Status.DRAFT: {Status.SENT, Status.CANCELLED},
        Status.SENT: {Status.ACCEPTED, Status.REFUSED, Status.CANCELLED, Status.SUPERSEDED},
    }

    number = models.CharField(_("numéro"), max_length=35, unique=True)
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="quotes")
    status = models.CharField(_("état"), max_length=12, choices=Status.choices, default=Status.DRAFT)
    date = models.DateField(_("date"))
    valid_until = models.DateField(_("valable jusqu'au"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    # The quote this one renews (an expired offer made again), so the history of an offer can be followed.
    renewed_from = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="renewals",
        verbose_name=_("renouvelle le devis"),
    )
    # Versions of one offer (sales.revising): v1 is the quote as first numbered; v2, v3… are rows of
    # their own numbered "<v1 number>-v<n>", each pointing at the version it revises.
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    previous_version = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="next_version",
        verbose_name=_("révise la version"),
    )
    first_version = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="later_versions",
        verbose_name=_("première version"),
    )
    # The deal it answers (crm): accepting the quote wins the opportunity (`crm.services.win_from_quote`).
    opportunity = models.ForeignKey(
        Opportunity,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="quotes",
        verbose_name=_("opportunité"),
    )
    total_untaxed = models.DecimalField(_("total HT"), max_digits=14, decimal_places=2, default=Decimal("0"))
    total_vat = models.DecimalField(_("TVA"), max_digits=14, decimal_places=2, default=Decimal("0"))
    total = models.DecimalField(_("total TTC"), max_digits=14, decimal_places=2, default=Decimal("0"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Discounts above the threshold of the person who granted them (`sales.discounts`): who granted the
    # lines' discounts, and who approved them (another person whose threshold covers them), up to which %.
    discount_granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    discount_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    discount_approved_at = models.DateTimeField(null=True, blank=True)
    discount_approved_percent = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("devis")
        ordering = ["-date", "-id"]
        indexes = [
            models.Index(fields=["status", "date"]),
            # The list's order, newest first: read backwards, no sort of the whole table.
            models.Index(fields=["date", "id"], name="quote_date_id"),
        ]

    def __str__(self):
        return self.number

    def is_expired(self, today: datetime.date) -> bool:
        """Sent, not answered, and past its validity: the customer can no longer accept it.

        Derived, not stored: the quote stays "sent" (that is what happened to it), and nothing has to
        run at midnight for the lists to be right."""
        return self.status == self.Status.SENT and self.valid_until is not None and self.valid_until < today


class QuoteLine(SalesLine):
    quote = models.ForeignKey(Quote, on_delete=models.CASCADE, related_name="lines")

    class Meta(SalesLine.Meta):
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="quote_line_quantity_positive")
        ]


class Order(models.Model):
    """A sales order. `status` is the lifecycle users drive; delivery and invoicing progress are
    derived from line quantities (see `progress.py`)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Brouillon")
        CONFIRMED = "confirmed", _("Confirmée")
        CANCELLED = "cancelled", _("Annulée")

    class Channel(models.TextChoices):
        """How the order came in, set once by the service that creates it."""

        MANUAL = "manual", _("Saisie")
        API = "api", _("API")
        EMAIL = "email", _("E-mail reçu")
        DOCUMENT = "document", _("PDF ou scan déposé")
        EDI = "edi", _("EDI (Order-X, UBL, EDIFACT)")

    TRANSITIONS = {
        Status.DRAFT: {Status.CONFIRMED, Status.CANCELLED},
        Status.CONFIRMED: {Status.CANCELLED},
    }

    number = models.CharField(_("numéro"), max_length=35, unique=True)
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="orders")
    channel = models.CharField(_("canal"), max_length=10, choices=Channel.choices, default=Channel.MANUAL)
    quote = models.OneToOneField(Quote, null=True, blank=True, on_delete=models.PROTECT, related_name="order")
    status = models.CharField(_("état"), max_length=12, choices=Status.choices, default=Status.DRAFT)
    date = models.DateField(_("date"))
    customer_reference = models.CharField(_("référence client"), max_length=60, blank=True)
    delivery_address = models.ForeignKey(
        DeliveryAddress, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)
    # The delivery date the customer asks for; an amendment may move it (sales.amending).
    requested_date = models.DateField(_("livraison souhaitée"), null=True, blank=True)
    total_untaxed = models.DecimalField(_("total HT"), max_digits=14, decimal_places=2, default=Decimal("0"))
    total_vat = models.DecimalField(_("TVA"), max_digits=14, decimal_places=2, default=Decimal("0"))
    total = models.DecimalField(_("total TTC"), max_digits=14, decimal_places=2, default=Decimal("0"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Discounts above the threshold of the person who granted them (`sales.discounts`): who granted the
    # lines' discounts, and who approved them (another person whose threshold covers them), up to which %.
    discount_granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    discount_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    discount_approved_at = models.DateTimeField(null=True, blank=True)
    discount_approved_percent = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("commande")
        ordering = ["-date", "-id"]
        indexes = [
            models.Index(fields=["status", "date"]),
            models.Index(fields=["date", "id"], name="order_date_id"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="confirmed") | Q(confirmed_at__isnull=False),
                name="confirmed_order_has_confirmation_time",
            )
        ]

    def __str__(self):
        return self.number


# Order lines still in progress: goods not all delivered, quantities not all invoiced. They are few at
# any time among all the lines ever ordered, so each condition has a partial index of its own; a query
# that states the same condition reads that index instead of every line.
TO_DELIVER = Q(quantity_delivered__lt=F("quantity"))
TO_INVOICE = Q(quantity_invoiced__lt=F("quantity"))


class OrderLine(SalesLine):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    quote_line = models.OneToOneField(
        QuoteLine, null=True, blank=True, on_delete=models.PROTECT, related_name="order_line"
    )
    # Progress counters, written only by the stock and billing services inside their transactions;
    # property tests check them against the delivery and invoice lines they summarise.
    quantity_delivered = models.DecimalField(max_digits=14, decimal_places=3, default=Decimal("0"))
    quantity_invoiced = models.DecimalField(max_digits=14, decimal_places=3, default=Decimal("0"))

    class Meta(SalesLine.Meta):
        indexes = [
            models.Index(fields=["product"], condition=TO_DELIVER, name="orderline_to_deliver"),
            models.Index(fields=["order"], condition=TO_INVOICE, name="orderline_to_invoice"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="order_line_quantity_positive"),
            models.CheckConstraint(
                condition=Q(quantity_delivered__gte=0) & Q(quantity_delivered__lte=F("quantity")),
                name="order_line_delivered_within_ordered",
            ),
        ]

    @property
    def quantity_to_deliver(self):
        return self.quantity - self.quantity_delivered


class BillingMilestone(models.Model):
    """One step of an order's billing schedule: a deposit at confirmation, or a milestone billed when
    an event happens (e.g. 30 % at order, 40 % on delivery, 30 % at acceptance)."""

    class Trigger(models.TextChoices):
        CONFIRMATION = "confirmation", _("À la confirmation")
        DELIVERY = "delivery", _("À la livraison")
        ACCEPTANCE = "acceptance", _("À la réception par le client")
        MANUAL = "manual", _("Sur décision")

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="milestones")
    position = models.PositiveIntegerField(default=0)
    label = models.CharField(_("libellé"), max_length=120)
    trigger = models.CharField(_("déclencheur"), max_length=14, choices=Trigger.choices)
    percent = models.DecimalField(_("pourcentage"), max_digits=5, decimal_places=2, null=True, blank=True)
    amount = models.DecimalField(_("montant HT"), max_digits=14, decimal_places=2, null=True, blank=True)
    # A deposit is billed before the goods or services are supplied (invoice type 386); it is deducted
    # from the final invoice.
    is_deposit = models.BooleanField(_("acompte"), default=False)
    reached_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(percent__isnull=False) & Q(amount__isnull=True))
                | (Q(percent__isnull=True) & Q(amount__isnull=False)),
                name="milestone_percent_xor_amount",
            ),
            models.CheckConstraint(
                condition=Q(percent__isnull=True) | (Q(percent__gt=0) & Q(percent__lte=100)),
                name="milestone_percent_range",
            ),
            models.CheckConstraint(
                condition=Q(amount__isnull=True) | Q(amount__gt=0), name="milestone_amount_positive"
            ),
        ]

    def __str__(self):
        return self.label


# --- Order amendments (sales.amending) -----------------------------------------------------------


class OrderAmendment(AppendOnlyModel):
    """One amendment of a confirmed order (avenant): who, when, why, and what it found downstream.

    Append-only, like its changes: the trail of an order is never rewritten."""

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="amendments")
    sequence = models.PositiveIntegerField(_("numéro d'avenant"))
    reason = models.TextField(_("motif"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    total_untaxed_before = models.DecimalField(max_digits=14, decimal_places=2)
    total_untaxed_after = models.DecimalField(max_digits=14, decimal_places=2)
    # What the amendment found downstream, in French sentences (a prepared delivery note that no longer
    # fits, a draft invoice to redo), kept as they were said at the time.
    effects = models.JSONField(default=list, blank=True)

    class Meta:
        verbose_name = _("avenant de commande")
        ordering = ["order", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["order", "sequence"], name="order_amendment_sequence_unique"),
            models.CheckConstraint(condition=~Q(reason=""), name="order_amendment_reason_required"),
        ]

    def __str__(self):
        return f"{self.order.number} — avenant {self.sequence}"


class OrderAmendmentChange(AppendOnlyModel):
    """One field changed by an amendment: before and after, as text (French formatting is the page's)."""

    class Field(models.TextChoices):
        LINE_ADDED = "line_added", _("Ligne ajoutée")
        LINE_REMOVED = "line_removed", _("Ligne retirée")
        QUANTITY = "quantity", _("Quantité")
        UNIT_PRICE = "unit_price", _("Prix unitaire HT")
        DISCOUNT = "discount_percent", _("Remise %")
        REQUESTED_DATE = "requested_date", _("Livraison souhaitée")

    amendment = models.ForeignKey(OrderAmendment, on_delete=models.PROTECT, related_name="changes")
    # The line as it was named then; the id without a constraint, since a removed line is deleted.
    order_line = models.ForeignKey(
        OrderLine,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    position = models.PositiveIntegerField(null=True, blank=True)
    line_label = models.CharField(max_length=300, blank=True)
    field = models.CharField(max_length=20, choices=Field.choices)
    before = models.CharField(max_length=100, blank=True)
    after = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["amendment", "id"]

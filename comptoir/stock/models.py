from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from comptoir.catalog.models import Product
from comptoir.core.models import AppendOnlyModel
from comptoir.sales.models import Order, OrderLine


class StockLevel(models.Model):
    """On-hand quantity and weighted average cost of a stocked product (one warehouse).

    Locked (SELECT … FOR UPDATE, in product order) by every service that moves stock. Reserved and
    incoming quantities are derived from open orders and draft receipts (selectors.stock_levels).
    """

    product = models.OneToOneField(Product, on_delete=models.PROTECT, related_name="stock_level")
    on_hand = models.DecimalField(max_digits=14, decimal_places=3, default=Decimal("0"))
    average_cost = models.DecimalField(max_digits=14, decimal_places=4, default=Decimal("0"))

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(on_hand__gte=0), name="stock_on_hand_not_negative")]


class StockMove(AppendOnlyModel):
    """One immutable movement of stock; on hand is always the sum of the moves."""

    class Kind(models.TextChoices):
        RECEIPT = "receipt", _("Réception")
        DELIVERY = "delivery", _("Livraison")
        # Goods a customer sent back, put back on the shelf at the cost they left at.
        RETURN = "return", _("Retour client")
        # Goods that left beyond the delivery note and that the customer keeps, re-invoiced by a return case:
        # out at the average cost, the cost of goods sold of that sale (document: the case number).
        SURPLUS = "surplus", _("Excédent conservé par le client")

    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="stock_moves")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    quantity = models.DecimalField(max_digits=14, decimal_places=3, help_text="positive in, negative out")
    unit_cost = models.DecimalField(max_digits=14, decimal_places=4)
    date = models.DateField()
    document = models.CharField(max_length=35)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-date", "-id"]
        indexes = [models.Index(fields=["product", "date"])]


class Receipt(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Prévue")
        VALIDATED = "validated", _("Réceptionnée")
        CANCELLED = "cancelled", _("Annulée")

    TRANSITIONS = {Status.DRAFT: {Status.VALIDATED, Status.CANCELLED}}

    number = models.CharField(_("numéro"), max_length=35, unique=True)
    supplier_name = models.CharField(_("fournisseur"), max_length=200, blank=True)
    status = models.CharField(_("état"), max_length=12, choices=Status.choices, default=Status.DRAFT)
    date = models.DateField(_("date"))
    validated_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-date", "-id"]

    def __str__(self):
        return self.number


class ReceiptLine(models.Model):
    receipt = models.ForeignKey(Receipt, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+")
    quantity = models.DecimalField(_("quantité"), max_digits=14, decimal_places=3)
    unit_cost = models.DecimalField(_("coût unitaire"), max_digits=14, decimal_places=4)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="receipt_line_quantity_positive")
        ]


class Delivery(models.Model):
    """A delivery note (bon de livraison, BL) for all or part of an order."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("À préparer")
        VALIDATED = "validated", _("Expédiée")
        CANCELLED = "cancelled", _("Annulée")

    class Kind(models.TextChoices):
        SALE = "sale", _("Livraison")
        REPLACEMENT = "replacement", _("Livraison de remplacement")

    TRANSITIONS = {Status.DRAFT: {Status.VALIDATED, Status.CANCELLED}}

    number = models.CharField(_("numéro"), max_length=35, unique=True)
    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="deliveries")
    status = models.CharField(_("état"), max_length=12, choices=Status.choices, default=Status.DRAFT)
    date = models.DateField(_("date"))
    validated_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # A replacement (goods sent again for what a return case found missing or faulty) is never invoiced:
    # the customer already paid for them on the original delivery.
    kind = models.CharField(_("type"), max_length=12, choices=Kind.choices, default=Kind.SALE)
    # Set and cleared only by returns.services: an open discrepancy (or a replacement) keeps the delivery
    # out of what billing offers to invoice.
    invoicing_blocked = models.BooleanField(_("facturation bloquée"), default=False)
    blocked_reason = models.CharField(_("motif du blocage"), max_length=200, blank=True)
    # Logistics cost (set only by stock.logistics.set_logistics): what the carrier charged, when known; else
    # insights prices the note by the zone/weight rates of aftersales.ShippingRate from its weight.
    carrier_cost = models.DecimalField(
        _("coût transporteur HT"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    weight_kg = models.DecimalField(_("poids (kg)"), max_digits=10, decimal_places=3, null=True, blank=True)
    # An urgent delivery the company paid for and did not charge, « pour la relation » — recorded as such.
    urgent_absorbed = models.BooleanField(_("urgence absorbée"), default=False)
    urgent_reason = models.CharField(_("motif de l'urgence absorbée"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("bon de livraison")
        ordering = ["-date", "-id"]
        indexes = [
            # The notes to prepare, a handful: a partial index. An index on the status alone would lead
            # the lists of validated notes (nearly all of them) through it row by row.
            models.Index(fields=["date", "id"], condition=Q(status="draft"), name="delivery_drafts"),
            models.Index(fields=["date", "id"], name="delivery_date_id"),
        ]

    def __str__(self):
        return self.number

    @property
    def customer(self):
        return self.order.customer


class DeliveryLine(models.Model):
    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="lines")
    order_line = models.ForeignKey(OrderLine, on_delete=models.PROTECT, related_name="delivery_lines")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+")
    quantity = models.DecimalField(_("quantité"), max_digits=14, decimal_places=3)
    # Average cost at the moment the goods left: the cost of goods sold used for margins.
    unit_cost = models.DecimalField(max_digits=14, decimal_places=4, null=True, blank=True)
    quantity_invoiced = models.DecimalField(max_digits=14, decimal_places=3, default=Decimal("0"))

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="delivery_line_quantity_positive"),
        ]

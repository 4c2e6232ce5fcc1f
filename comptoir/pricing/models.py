"""Price lists, customer prices, customer groups, discount categories and the discount thresholds per role.

Pricing sits between the catalog and sales: sales asks it for a line's price (`selectors.price_for`) and
for the discount threshold of a person (`selectors.discount_threshold_of`); pricing imports nothing of
sales, so the documents that carry the price (quote, order and invoice lines) keep their own fields.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from comptoir.catalog.models import Product
from comptoir.parties.models import Customer


class DiscountCategory(models.TextChoices):
    """Why a discount was granted, chosen when it is granted; carried quote → order → invoice.

    UNCATEGORISED is what the rows older than the categories received, and what a discount given through
    the API without a category records: visible as such in every sum, never guessed."""

    VOLUME = "volume", _("Remise volume")
    NEGOTIATED = "negotiated", _("Remise négociée")
    GESTURE = "gesture", _("Geste commercial")
    PROMOTION = "promotion", _("Promotion")
    EARLY_PAYMENT = "early_payment", _("Escompte")
    YEAR_END_REBATE = "year_end_rebate", _("RFA (remise de fin d'année)")
    OTHER = "other", _("Autre")
    UNCATEGORISED = "uncategorised", _("Non catégorisé")


class CustomerGroup(models.Model):
    """Customers priced alike (wholesalers, installers, public bodies…); a customer is in at most one."""

    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("nom"), max_length=120)

    class Meta:
        verbose_name = _("groupe de clients")
        ordering = ["name"]

    def __str__(self):
        return self.name


class CustomerGroupMember(models.Model):
    customer = models.OneToOneField(Customer, on_delete=models.CASCADE, related_name="price_group_membership")
    group = models.ForeignKey(CustomerGroup, on_delete=models.CASCADE, related_name="members")

    class Meta:
        verbose_name = _("membre d'un groupe de clients")


class PriceList(models.Model):
    """A list of prices for one customer or one group, valid between two dates (both optional)."""

    name = models.CharField(_("nom"), max_length=120)
    customer = models.ForeignKey(
        Customer, null=True, blank=True, on_delete=models.PROTECT, related_name="price_lists"
    )
    group = models.ForeignKey(
        CustomerGroup, null=True, blank=True, on_delete=models.PROTECT, related_name="price_lists"
    )
    valid_from = models.DateField(_("valable à partir du"), null=True, blank=True)
    valid_until = models.DateField(_("valable jusqu'au"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("liste de prix")
        ordering = ["name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(customer__isnull=False) & Q(group__isnull=True))
                | (Q(customer__isnull=True) & Q(group__isnull=False)),
                name="price_list_customer_xor_group",
            ),
            models.CheckConstraint(
                condition=Q(valid_from__isnull=True)
                | Q(valid_until__isnull=True)
                | Q(valid_until__gte=models.F("valid_from")),
                name="price_list_valid_until_after_from",
            ),
        ]

    def __str__(self):
        return self.name


class PriceListLine(models.Model):
    """One product's price in a list from a quantity on: a fixed price, or a percentage off the catalogue."""

    price_list = models.ForeignKey(PriceList, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+")
    min_quantity = models.DecimalField(
        _("à partir de (quantité)"), max_digits=14, decimal_places=3, default=1
    )
    price = models.DecimalField(_("prix HT"), max_digits=14, decimal_places=4, null=True, blank=True)
    percent_off = models.DecimalField(
        _("% de remise sur le prix catalogue"), max_digits=5, decimal_places=2, null=True, blank=True
    )

    class Meta:
        verbose_name = _("ligne de liste de prix")
        ordering = ["product_id", "min_quantity"]
        constraints = [
            models.UniqueConstraint(
                fields=["price_list", "product", "min_quantity"], name="price_list_line_one_break"
            ),
            models.CheckConstraint(
                condition=(Q(price__isnull=False) & Q(percent_off__isnull=True))
                | (Q(price__isnull=True) & Q(percent_off__isnull=False)),
                name="price_list_line_price_xor_percent",
            ),
            models.CheckConstraint(condition=Q(min_quantity__gt=0), name="price_list_line_min_qty_positive"),
            models.CheckConstraint(
                condition=Q(price__isnull=True) | Q(price__gte=0), name="price_list_line_price_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(percent_off__isnull=True) | (Q(percent_off__gt=0) & Q(percent_off__lte=100)),
                name="price_list_line_percent_range",
            ),
        ]


class CustomerPrice(models.Model):
    """A price agreed with one customer for one product: it wins over every list."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="specific_prices")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+")
    price = models.DecimalField(_("prix HT"), max_digits=14, decimal_places=4)
    valid_from = models.DateField(_("valable à partir du"), null=True, blank=True)
    valid_until = models.DateField(_("valable jusqu'au"), null=True, blank=True)

    class Meta:
        verbose_name = _("prix spécifique client")
        ordering = ["customer_id", "product_id", "valid_from"]
        indexes = [models.Index(fields=["customer", "product"])]
        constraints = [
            models.CheckConstraint(condition=Q(price__gte=0), name="customer_price_not_negative"),
        ]


class DiscountThreshold(models.Model):
    """The highest line discount a role grants alone; `max_percent` None is unlimited. A role without a
    row grants none alone. Set by direction in Paramètres (`services.set_discount_thresholds`)."""

    role = models.CharField(_("rôle"), max_length=20, unique=True)
    max_percent = models.DecimalField(
        _("remise maximale sans approbation (%)"), max_digits=5, decimal_places=2, null=True, blank=True
    )

    class Meta:
        verbose_name = _("seuil de remise par rôle")
        constraints = [
            models.CheckConstraint(
                condition=Q(max_percent__isnull=True) | (Q(max_percent__gte=0) & Q(max_percent__lte=100)),
                name="discount_threshold_range",
            )
        ]


DEFAULT_THRESHOLDS = {"commercial": Decimal("10"), "adv": Decimal("5"), "direction": None, "admin": None}


class PriceReview(models.Model):
    """A commercial follow-up of one customer: call them, review their price list or renegotiate their
    payment terms, by a due date, assigned to someone; open until it is done (with what came out of it).

    Opened by a person or by approving an assistant proposal (`proposal_id`: its number; a number, not a
    foreign key, because the assistant sits above pricing)."""

    class Kind(models.TextChoices):
        CALL = "call", _("Appeler le client")
        PRICE_LIST = "price_list", _("Revoir la liste de prix")
        PAYMENT_TERMS = "payment_terms", _("Renégocier les conditions de paiement")

    class Status(models.TextChoices):
        OPEN = "open", _("À faire")
        DONE = "done", _("Fait")

    TRANSITIONS = {Status.OPEN: {Status.DONE}}

    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="price_reviews")
    kind = models.CharField(_("action"), max_length=20, choices=Kind.choices)
    reason = models.TextField(_("motif"))
    due_date = models.DateField(_("échéance"))
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("confiée à"),
    )
    status = models.CharField(_("état"), max_length=10, choices=Status.choices, default=Status.OPEN)
    proposal_id = models.PositiveIntegerField(_("proposition de l'assistant"), null=True, blank=True)
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    opened_at = models.DateTimeField(_("ouverte le"), default=timezone.now)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    closed_at = models.DateTimeField(_("close le"), null=True, blank=True)
    outcome = models.TextField(_("résultat"), blank=True)

    class Meta:
        verbose_name = _("suivi commercial")
        ordering = ["status", "due_date", "id"]
        indexes = [models.Index(fields=["customer", "status"], name="price_review_customer_status")]
        constraints = [
            models.CheckConstraint(condition=~Q(reason=""), name="price_review_has_reason"),
            models.CheckConstraint(
                condition=Q(status="open", closed_at__isnull=True)
                | Q(status="done", closed_at__isnull=False),
                name="price_review_closed_when_done",
            ),
            # One open follow-up of a kind per customer: a second would split the work.
            models.UniqueConstraint(
                fields=["customer", "kind"], condition=Q(status="open"), name="price_review_one_open_per_kind"
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} — {self.customer}"

"""The costs of serving a customer that no sales document carries: time spent (valued at a standard hourly
cost per profile), after-sales tickets with their parts and travel, the carrier rates per zone and weight used
when a delivery note has no carrier cost, exceptional adjustments, and the financing rate that prices a late
payment. Insights reads them into the customer's real margin (docs/architecture.md, « Real profitability »)."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from comptoir.crm.models import Opportunity
from comptoir.parties.models import Customer
from comptoir.returns.models import ReturnCase
from comptoir.sales.models import Order, Quote

ZERO = Decimal("0")


class CostProfile(models.Model):
    """A kind of work and what an hour of it costs the company (salary and charges): « Chef de projet »
    65 €/h, « Technicien SAV » 48 €/h. Each user has one (`UserCostProfile`)."""

    name = models.CharField(_("profil"), max_length=80, unique=True)
    hourly_cost = models.DecimalField(_("coût horaire standard"), max_digits=10, decimal_places=2)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(hourly_cost__gte=0), name="cost_profile_hourly_cost_not_negative"
            )
        ]

    def __str__(self):
        return self.name


class UserCostProfile(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="cost_profile"
    )
    profile = models.ForeignKey(CostProfile, on_delete=models.PROTECT, related_name="users")


class Ticket(models.Model):
    """An after-sales request that is not a return of goods: support, an on-site intervention, a rework."""

    class Kind(models.TextChoices):
        SUPPORT = "support", _("Assistance")
        INTERVENTION = "intervention", _("Intervention sur site")
        REWORK = "rework", _("Reprise")

    class Status(models.TextChoices):
        OPEN = "open", _("Ouvert")
        IN_PROGRESS = "in_progress", _("En cours")
        RESOLVED = "resolved", _("Résolu")
        CLOSED = "closed", _("Clos")

    TRANSITIONS = {
        Status.OPEN: {Status.IN_PROGRESS, Status.RESOLVED},
        Status.IN_PROGRESS: {Status.RESOLVED},
        Status.RESOLVED: {Status.CLOSED, Status.IN_PROGRESS},
    }

    number = models.CharField(_("numéro"), max_length=35, unique=True)
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="tickets")
    order = models.ForeignKey(
        Order,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tickets",
        verbose_name=_("commande"),
    )
    kind = models.CharField(_("type"), max_length=14, choices=Kind.choices, default=Kind.SUPPORT)
    status = models.CharField(_("état"), max_length=12, choices=Status.choices, default=Status.OPEN)
    title = models.CharField(_("objet"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    opened_on = models.DateField(_("ouvert le"))
    resolved_on = models.DateField(_("résolu le"), null=True, blank=True)
    parts_cost = models.DecimalField(_("pièces (coût HT)"), max_digits=14, decimal_places=2, default=ZERO)
    travel_cost = models.DecimalField(
        _("déplacement (coût HT)"), max_digits=14, decimal_places=2, default=ZERO
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("ticket SAV")
        ordering = ["-opened_on", "-id"]
        indexes = [models.Index(fields=["customer", "opened_on"], name="ticket_customer_opened")]
        constraints = [
            models.CheckConstraint(
                condition=Q(parts_cost__gte=0) & Q(travel_cost__gte=0), name="ticket_costs_not_negative"
            )
        ]

    def __str__(self):
        return self.number

    @property
    def expenses(self) -> Decimal:
        return self.parts_cost + self.travel_cost


class TimeEntry(models.Model):
    """Time someone spent for a customer, valued at the hourly cost of their profile on the day it was entered
    (frozen in `hourly_cost` and `cost`, taken again when the entry is corrected)."""

    class Activity(models.TextChoices):
        PRESALES = "presales", _("Avant-vente")
        PROJECT = "project", _("Gestion de projet")
        AFTERSALES = "aftersales", _("Après-vente")
        ADMIN = "admin", _("Administratif")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="time_entries")
    date = models.DateField(_("date"))
    minutes = models.PositiveIntegerField(_("durée (minutes)"))
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="time_entries")
    activity = models.CharField(_("activité"), max_length=12, choices=Activity.choices)
    quote = models.ForeignKey(Quote, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    order = models.ForeignKey(Order, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    return_case = models.ForeignKey(
        ReturnCase, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    ticket = models.ForeignKey(
        Ticket, null=True, blank=True, on_delete=models.PROTECT, related_name="time_entries"
    )
    # Pre-sales time on a deal (crm): still the customer's time, so the real margin counts it like any other.
    opportunity = models.ForeignKey(
        Opportunity, null=True, blank=True, on_delete=models.PROTECT, related_name="time_entries"
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    hourly_cost = models.DecimalField(_("coût horaire"), max_digits=10, decimal_places=2)
    cost = models.DecimalField(_("coût"), max_digits=14, decimal_places=2)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    corrected_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("saisie de temps")
        ordering = ["-date", "-id"]
        indexes = [models.Index(fields=["customer", "date"], name="time_entry_customer_date")]
        constraints = [
            models.CheckConstraint(
                condition=Q(minutes__gt=0) & Q(minutes__lte=24 * 60), name="time_entry_minutes_in_a_day"
            ),
            models.CheckConstraint(condition=Q(cost__gte=0), name="time_entry_cost_not_negative"),
        ]

    @property
    def hours(self) -> Decimal:
        return (Decimal(self.minutes) / 60).quantize(Decimal("0.01"))


class ShippingRate(models.Model):
    """What a carrier charges to deliver to a zone up to a weight: the cost of a delivery note whose carrier
    cost was not entered. A zone is a country, narrowed by the start of the postal code (« 20 » Corsica,
    « 97 » overseas); the longest matching prefix wins, then the lightest bracket that holds the weight."""

    country = models.CharField(_("pays (code ISO)"), max_length=2, default="FR")
    postal_prefix = models.CharField(_("début du code postal"), max_length=5, blank=True)
    max_weight_kg = models.DecimalField(
        _("poids jusqu'à (kg)"), max_digits=10, decimal_places=3, null=True, blank=True
    )
    cost = models.DecimalField(_("coût HT"), max_digits=10, decimal_places=2)

    class Meta:
        ordering = ["country", "postal_prefix", "max_weight_kg"]
        constraints = [
            models.CheckConstraint(condition=Q(cost__gte=0), name="shipping_rate_cost_not_negative")
        ]


class Adjustment(models.Model):
    """An exceptional cost (positive) or gain (negative) of a customer that no document carries: a penalty
    paid, a bad debt written off outside Comptoir, a one-off settlement."""

    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="profit_adjustments")
    date = models.DateField(_("date"))
    amount = models.DecimalField(_("montant HT (coût positif)"), max_digits=14, decimal_places=2)
    reason = models.CharField(_("motif"), max_length=200)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-date", "-id"]
        indexes = [models.Index(fields=["customer", "date"], name="adjustment_customer_date")]


class ProfitabilitySettings(models.Model):
    """One row: the yearly rate at which money owed late costs the company (its overdraft or what the cash
    would earn)."""

    financing_rate = models.DecimalField(
        _("taux de financement annuel (%)"), max_digits=5, decimal_places=2, default=Decimal("5.00")
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(financing_rate__gte=0) & Q(financing_rate__lte=100),
                name="financing_rate_in_range",
            )
        ]

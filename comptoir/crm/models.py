"""The commercial pipeline before a quote: leads (a company not yet a customer), opportunities (a deal with a
customer, its stage, amount and probability) and activities (calls, meetings, tasks, e-mails planned for
someone). Quotes point at their opportunity (`sales.Quote.opportunity`), pre-sales time too
(`aftersales.TimeEntry.opportunity`): crm sits below sales and aftersales and imports neither."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from comptoir.parties.models import Customer

ZERO = Decimal("0")


class Source(models.TextChoices):
    WEBSITE = "website", _("Site web")
    TRADE_SHOW = "trade_show", _("Salon")
    REFERRAL = "referral", _("Recommandation")
    PROSPECTING = "prospecting", _("Prospection")
    INBOUND_CALL = "inbound_call", _("Appel entrant")
    OTHER = "other", _("Autre")


class Lead(models.Model):
    """A company that showed interest and is not a customer yet. Qualified, it is converted into a customer
    (parties' rules) and, if a deal is in view, an opportunity."""

    class Status(models.TextChoices):
        NEW = "new", _("Nouveau")
        QUALIFIED = "qualified", _("Qualifié")
        CONVERTED = "converted", _("Converti")
        LOST = "lost", _("Perdu")

    TRANSITIONS = {
        Status.NEW: {Status.QUALIFIED, Status.LOST},
        Status.QUALIFIED: {Status.CONVERTED, Status.LOST},
        Status.LOST: {Status.NEW},
    }

    company_name = models.CharField(_("société"), max_length=200)
    contact_name = models.CharField(_("contact"), max_length=120, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("téléphone"), max_length=30, blank=True)
    source = models.CharField(_("origine"), max_length=14, choices=Source.choices, default=Source.OTHER)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="leads",
        verbose_name=_("responsable"),
    )
    status = models.CharField(_("état"), max_length=10, choices=Status.choices, default=Status.NEW)
    lost_reason = models.CharField(_("motif de perte"), max_length=200, blank=True)
    customer = models.ForeignKey(
        Customer,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="leads",
        verbose_name=_("client créé"),
    )
    note = models.TextField(_("note"), blank=True)
    converted_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("piste")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "owner"], name="lead_status_owner")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="converted") | Q(customer__isnull=False),
                name="lead_converted_has_customer",
            ),
            models.CheckConstraint(
                condition=~Q(status="lost") | ~Q(lost_reason=""), name="lead_lost_has_reason"
            ),
        ]

    def __str__(self):
        return self.company_name


class Opportunity(models.Model):
    """A deal in view with a customer: what it may bring (amount, probability), when, who follows it.
    Its stage moves along `TRANSITIONS`; a quote attached to it and accepted wins it."""

    class Stage(models.TextChoices):
        QUALIFICATION = "qualification", _("Qualification")
        PROPOSAL = "proposal", _("Proposition")
        NEGOTIATION = "negotiation", _("Négociation")
        WON = "won", _("Gagnée")
        LOST = "lost", _("Perdue")

    OPEN_STAGES = (Stage.QUALIFICATION, Stage.PROPOSAL, Stage.NEGOTIATION)
    CLOSED_STAGES = (Stage.WON, Stage.LOST)

    # The moves a person makes. Won is final; a lost deal can be taken up again from qualification.
    TRANSITIONS = {
        Stage.QUALIFICATION: {Stage.PROPOSAL, Stage.LOST},
        Stage.PROPOSAL: {Stage.QUALIFICATION, Stage.NEGOTIATION, Stage.WON, Stage.LOST},
        Stage.NEGOTIATION: {Stage.PROPOSAL, Stage.WON, Stage.LOST},
        Stage.LOST: {Stage.QUALIFICATION},
    }
    # A quote of the opportunity accepted by the customer wins it from any stage but won: the customer's
    # signature outranks the pipeline's bookkeeping (`services.win_from_quote`).
    WON_BY_QUOTE_FROM = {Stage.QUALIFICATION, Stage.PROPOSAL, Stage.NEGOTIATION, Stage.LOST}

    # The probability a stage stands for, unless the owner states another.
    STAGE_PROBABILITY = {
        Stage.QUALIFICATION: 10,
        Stage.PROPOSAL: 40,
        Stage.NEGOTIATION: 70,
        Stage.WON: 100,
        Stage.LOST: 0,
    }

    number = models.CharField(_("numéro"), max_length=35, unique=True)
    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, related_name="opportunities", verbose_name=_("client")
    )
    title = models.CharField(_("intitulé"), max_length=200)
    stage = models.CharField(_("étape"), max_length=14, choices=Stage.choices, default=Stage.QUALIFICATION)
    amount = models.DecimalField(_("montant HT estimé"), max_digits=14, decimal_places=2, default=ZERO)
    probability = models.PositiveSmallIntegerField(_("probabilité (%)"), default=10)
    expected_close_date = models.DateField(_("date de conclusion prévue"), null=True, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="opportunities",
        verbose_name=_("responsable"),
    )
    source = models.CharField(_("origine"), max_length=14, choices=Source.choices, default=Source.OTHER)
    lead = models.ForeignKey(
        Lead, null=True, blank=True, on_delete=models.PROTECT, related_name="opportunities"
    )
    lost_reason = models.CharField(_("motif de perte"), max_length=200, blank=True)
    closed_on = models.DateField(_("gagnée ou perdue le"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_on = models.DateField(_("créée le"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("opportunité")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["stage", "owner"], name="opportunity_stage_owner"),
            models.Index(fields=["customer", "stage"], name="opportunity_customer_stage"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="opportunity_amount_not_negative"),
            models.CheckConstraint(condition=Q(probability__lte=100), name="opportunity_probability_le_100"),
            models.CheckConstraint(
                condition=Q(stage__in=["won", "lost"], closed_on__isnull=False)
                | (~Q(stage__in=["won", "lost"]) & Q(closed_on__isnull=True)),
                name="opportunity_closed_on_iff_closed",
            ),
            models.CheckConstraint(
                condition=~Q(stage="lost") | ~Q(lost_reason=""), name="opportunity_lost_has_reason"
            ),
        ]

    def __str__(self):
        return f"{self.number} — {self.title}"

    @property
    def is_open(self) -> bool:
        return self.stage in self.OPEN_STAGES


class Activity(models.Model):
    """Something to do for a customer, an opportunity or a lead: a call, a meeting, a task, an e-mail, due on
    a day, assigned to someone; done when `done_at` is set."""

    class Kind(models.TextChoices):
        CALL = "call", _("Appel")
        MEETING = "meeting", _("Rendez-vous")
        TASK = "task", _("Tâche")
        EMAIL = "email", _("E-mail")

    kind = models.CharField(_("type"), max_length=8, choices=Kind.choices, default=Kind.TASK)
    subject = models.CharField(_("objet"), max_length=200)
    due_date = models.DateField(_("échéance"))
    done_at = models.DateTimeField(_("fait le"), null=True, blank=True)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="crm_activities",
        verbose_name=_("pour"),
    )
    customer = models.ForeignKey(
        Customer, null=True, blank=True, on_delete=models.PROTECT, related_name="activities"
    )
    opportunity = models.ForeignKey(
        Opportunity, null=True, blank=True, on_delete=models.PROTECT, related_name="activities"
    )
    lead = models.ForeignKey(Lead, null=True, blank=True, on_delete=models.PROTECT, related_name="activities")
    note = models.TextField(_("note"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("activité")
        ordering = ["due_date", "id"]
        indexes = [
            models.Index(fields=["assigned_to", "done_at", "due_date"], name="activity_todo"),
            models.Index(fields=["customer", "due_date"], name="activity_customer_due"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(customer__isnull=False) | Q(opportunity__isnull=False) | Q(lead__isnull=False),
                name="activity_is_about_something",
            )
        ]

    def __str__(self):
        return self.subject

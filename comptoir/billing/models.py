from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from comptoir.accounting.models import JournalEntry
from comptoir.catalog.models import Product
from comptoir.core.models import AppendOnlyModel, ImmutableError
from comptoir.parties.models import Customer
from comptoir.pricing.models import DiscountCategory
from comptoir.sales.models import Order, OrderLine
from comptoir.stock.models import DeliveryLine


class Invoice(models.Model):
    """A customer invoice. Issued invoices are frozen: totals, number, the buyer's identity as it was.

    Payment progress (open / partly paid / paid) is derived from payment allocations, never stored
    here, so that nothing on an issued invoice ever changes.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("Brouillon")
        ISSUED = "issued", _("Émise")
        CANCELLED = "cancelled", _("Annulée")

    class Kind(models.TextChoices):
        INVOICE = "invoice", _("Facture")
        CREDIT_NOTE = "credit_note", _("Avoir")
        DEPOSIT = "deposit", _("Facture d'acompte")

    # UNTDID 1001 document type codes (EN 16931 BT-3).
    TYPE_CODES = {Kind.INVOICE: "380", Kind.CREDIT_NOTE: "381", Kind.DEPOSIT: "386"}

    class Nature(models.TextChoices):
        GOODS = "goods", _("Livraison de biens")
        SERVICES = "services", _("Prestation de services")
        MIXED = "mixed", _("Livraison de biens et prestation de services")

    TRANSITIONS = {Status.DRAFT: {Status.ISSUED, Status.CANCELLED}}

    kind = models.CharField(_("type"), max_length=12, choices=Kind.choices, default=Kind.INVOICE)
    corrects = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="corrections",
        verbose_name=_("facture corrigée"),
    )
    series = models.CharField(max_length=6, default="FA")
    number = models.CharField(_("numéro"), max_length=35, null=True, blank=True, unique=True)
    status = models.CharField(_("état"), max_length=12, choices=Status.choices, default=Status.DRAFT)
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="invoices")
    order = models.ForeignKey(Order, null=True, blank=True, on_delete=models.PROTECT, related_name="invoices")
    date = models.DateField(_("date de facture"), null=True, blank=True)
    due_date = models.DateField(_("échéance"), null=True, blank=True)
    total_untaxed = models.DecimalField(_("total HT"), max_digits=14, decimal_places=2, default=Decimal("0"))
    total_vat = models.DecimalField(_("TVA"), max_digits=14, decimal_places=2, default=Decimal("0"))
    total = models.DecimalField(_("total TTC"), max_digits=14, decimal_places=2, default=Decimal("0"))
    # Deposits (acomptes, TTC) this invoice deducts (EN 16931 BT-113): the customer owes
    # `total - deposits_deducted` on it. The detail, per deposit and VAT rate, is in `deposit_deductions`.
    deposits_deducted = models.DecimalField(
        _("acomptes déduits"), max_digits=14, decimal_places=2, default=Decimal("0")
    )
    # Document-level allowances (BT-107) and charges (BT-108), frozen with the totals: `total_untaxed` is
    # BT-109 = lines − allowances + charges (billing.AllowanceCharge rows hold the detail).
    total_allowances = models.DecimalField(
        _("remises globales"), max_digits=14, decimal_places=2, default=Decimal("0")
    )
    total_charges = models.DecimalField(_("frais"), max_digits=14, decimal_places=2, default=Decimal("0"))
    # Early-payment discount (escompte) offered on this invoice: a rate, and a number of days after the
    # invoice date set on the draft; the deadline is frozen at issue (billing.discounting).
    early_discount_percent = models.DecimalField(
        _("escompte %"), max_digits=5, decimal_places=2, default=Decimal("0")
    )
    early_discount_days = models.PositiveSmallIntegerField(_("délai d'escompte (jours)"), default=0)
    early_discount_until = models.DateField(_("escompte jusqu'au"), null=True, blank=True)
    # The buyer as it was at issue (legal mentions must not change if the customer record does).
    buyer_name = models.CharField(max_length=200, blank=True)
    buyer_address = models.TextField(blank=True)
    buyer_siren = models.CharField(max_length=9, blank=True)
    buyer_vat_number = models.CharField(max_length=20, blank=True)
    # Structured buyer data at issue (address parts, SIRET, country, e-mail) for the e-invoice.
    buyer_details = models.JSONField(default=dict, blank=True)
    # The seller's legal identity at issue (name, SIREN, VAT number, address, capital, RCS, IBAN …).
    seller = models.JSONField(default=dict, blank=True)
    operation_nature = models.CharField(max_length=10, choices=Nature.choices, blank=True)
    delivery_date = models.DateField(_("date de livraison"), null=True, blank=True)
    # When the services were performed (EN 16931 BG-14 BT-73/BT-74, or BT-72 for a single day), set on
    # the draft when it differs from the invoice date; not set, they are taken as done on that date.
    service_period_start = models.DateField(_("début de la prestation"), null=True, blank=True)
    service_period_end = models.DateField(_("fin de la prestation"), null=True, blank=True)
    payment_terms = models.CharField(_("conditions de paiement"), max_length=500, blank=True)
    # Credit notes: the case (RET-…) that justifies them, or the category of a pure commercial gesture.
    source_reference = models.CharField(_("référence du dossier"), max_length=35, blank=True)
    gesture_category = models.CharField(_("catégorie de geste commercial"), max_length=40, blank=True)
    reason = models.TextField(_("motif"), blank=True)
    # Deposit and milestone invoices: the billing-schedule step they bill.
    milestone = models.ForeignKey(
        "sales.BillingMilestone", null=True, blank=True, on_delete=models.PROTECT, related_name="invoices"
    )
    entry = models.OneToOneField(
        JournalEntry, null=True, blank=True, on_delete=models.PROTECT, related_name="invoice"
    )
    issued_at = models.DateTimeField(null=True, blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # A commercial gesture above the gesture threshold: the other person who approved it before its issue
    # (billing.approving; four eyes, never `created_by`).
    approved_at = models.DateTimeField(_("approuvé le"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("approuvé par"),
    )

    class Meta:
        verbose_name = _("facture")
        ordering = ["-date", "-id"]
        indexes = [
            # Also covers the revenue of a period (home page): summed from the index alone.
            models.Index(fields=["status", "date", "total_untaxed"], name="invoice_status_date_untaxed"),
            models.Index(fields=["customer", "status"]),
            # The lists' order, newest first: read backwards, no sort of the whole table.
            models.Index(fields=["date", "id"], name="invoice_date_id"),
            # The drafts waiting to be issued (home page), oldest first: a handful among all invoices.
            models.Index(fields=["id"], condition=Q(status="draft"), name="invoice_drafts"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="issued")
                | (Q(number__isnull=False) & Q(date__isnull=False) & Q(entry__isnull=False)),
                name="issued_invoice_has_number_date_entry",
            ),
            models.CheckConstraint(
                condition=Q(status="issued") | Q(number__isnull=True), name="only_issued_invoice_has_number"
            ),
            models.CheckConstraint(
                condition=Q(deposits_deducted__gte=0) & Q(deposits_deducted__lte=models.F("total")),
                name="invoice_deposits_deducted_within_total",
            ),
            # A billing-schedule step is billed once (a cancelled draft frees it).
            models.UniqueConstraint(
                fields=["milestone"],
                condition=Q(milestone__isnull=False) & ~Q(status="cancelled") & ~Q(kind="credit_note"),
                name="uniq_invoice_per_milestone",
            ),
        ]

    def __str__(self):
        return self.number or _("Brouillon n° %(id)s") % {"id": self.pk}

    # An invoice becomes issued only through billing.issue_invoice (which writes the row itself); once
    # issued, in memory or in the database, it is never saved or deleted again. The database refuses it
    # too (billing migrations 0002 and 0012).
    def save(self, *args, **kwargs):
        if self._is_issued():
            raise ImmutableError("an issued invoice is never changed; issue a credit note")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self._is_issued():
            raise ImmutableError("an issued invoice is never deleted; issue a credit note")
        super().delete(*args, **kwargs)

    @property
    def is_frozen(self) -> bool:
        return self.status != self.Status.DRAFT

    @property
    def total_lines(self) -> Decimal:
        """BT-106: the sum of the line net amounts, before document-level allowances and charges."""
        return self.total_untaxed + self.total_allowances - self.total_charges

    @property
    def amount_payable(self) -> Decimal:
        """BT-115 before any payment: the total less the deposits this invoice deducts."""
        return self.total - self.deposits_deducted

    def _is_issued(self) -> bool:
        if self.status == self.Status.ISSUED:
            return True
        return (
            not self._state.adding and Invoice.objects.filter(pk=self.pk, status=self.Status.ISSUED).exists()
        )


class InvoicePart(models.Model):
    """A row of an invoice (line, VAT row, deposit deduction): frozen with the invoice once it is
    issued. Checked against the database, where the row and its invoice are now (the row may have been
    read before the invoice was issued); the database refuses it too (billing migration 0012)."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        self._refuse_if_issued("added or changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        self._refuse_if_issued("deleted")
        super().delete(*args, **kwargs)

    def _refuse_if_issued(self, verb: str) -> None:
        issued = Invoice.objects.filter(status=Invoice.Status.ISSUED)
        if issued.filter(pk=self.invoice_id).exists() or (
            not self._state.adding and type(self).objects.filter(pk=self.pk, invoice__in=issued).exists()
        ):
            raise ImmutableError(
                f"{self._meta.label} of an issued invoice is never {verb}; issue a credit note"
            )


class InvoiceLine(InvoicePart):
    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveIntegerField(default=0)
    order_line = models.ForeignKey(
        OrderLine, null=True, blank=True, on_delete=models.PROTECT, related_name="invoice_lines"
    )
    delivery_line = models.ForeignKey(
        DeliveryLine, null=True, blank=True, on_delete=models.PROTECT, related_name="invoice_lines"
    )
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
    # Why the discount was granted (empty without one), carried from the order line (`pricing`).
    discount_category = models.CharField(
        _("catégorie de remise"), max_length=20, choices=DiscountCategory.choices, blank=True
    )
    # Revenue account when not the default 707 goods / 706 services: 709 for a price reduction,
    # 4191 for a deposit (and its deduction on the final invoice).
    account_code = models.CharField(max_length=10, blank=True)
    # Credit note line → the invoice line it credits.
    credited_line = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="credit_lines"
    )
    # Credit note line that only lowers the price of units the customer keeps (a price error, a rebate, a
    # réfaction): it uses the credited line's amount but takes none of its quantity back
    # (billing.crediting). False: the units are taken back (returned, missing, billed too many).
    price_reduction = models.BooleanField(default=False)
    # Unused: deposits are deducted through `DepositDeduction` (the invoice states them in BT-113, the
    # method fr-compliance §5.4 recommends), not through negative lines.
    deducted_deposit = models.ForeignKey(
        Invoice, null=True, blank=True, on_delete=models.PROTECT, related_name="deductions"
    )

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="invoice_line_quantity_positive")
        ]


class InvoiceTax(InvoicePart):
    """VAT breakdown per rate, frozen at issue: base = sum of line nets, amount rounded once."""

    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="taxes")
    vat_rate = models.DecimalField(max_digits=5, decimal_places=2)
    category = models.CharField(max_length=2, default="S")
    exemption_reason = models.CharField(max_length=200, blank=True)
    # BT-121, the VATEX code of an exempt breakdown (from the product), frozen at issue.
    exemption_code = models.CharField(max_length=30, blank=True)
    base = models.DecimalField(max_digits=14, decimal_places=2)
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    # Part of `amount` due on receipt (services, TVA sur les encaissements): posted to 44574 until paid.
    amount_on_receipts = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal("0"))

    class Meta:
        ordering = ["-vat_rate", "category"]
        constraints = [
            models.UniqueConstraint(
                fields=["invoice", "vat_rate", "category"], name="uniq_invoice_tax_rate_category"
            )
        ]


class AllowanceCharge(InvoicePart):
    """A document-level allowance (remise globale, EN 16931 BG-20) or charge (frais de port, emballage…,
    BG-21) of an invoice or credit note, for one VAT rate and category.

    Its amount is lowered from (allowance) or added to (charge) the VAT base of its rate and category
    (BR-S-08). Posted on its own account: 709 for an allowance, 7085 for a charge (billing.services).
    """

    # UNTDID 5189 (allowance reasons) and 7161 (charge reasons): the codes offered to users.
    ALLOWANCE_REASONS = {
        "95": _("Remise globale"),
        "100": _("Rabais exceptionnel"),
        "102": _("Remise contractuelle"),
        "103": _("Remise temporaire"),
        "104": _("Remise standard"),
        "105": _("Ristourne sur chiffre d'affaires"),
        "65": _("Remise pour défaut de production"),
    }
    CHARGE_REASONS = {
        "FC": _("Frais de port"),
        "DL": _("Frais de livraison"),
        "PC": _("Emballage"),
        "ABL": _("Emballage supplémentaire"),
        "ADK": _("Frais d'expédition"),
        "ADR": _("Autres services"),
        "ABK": _("Frais divers"),
    }

    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="allowances_charges")
    position = models.PositiveIntegerField(default=0)
    is_charge = models.BooleanField(_("frais"), default=False)
    amount = models.DecimalField(_("montant HT"), max_digits=14, decimal_places=2)
    # When given as a percentage: of which base (BT-93/BT-100) and at what rate (BT-94/BT-101).
    percent = models.DecimalField(_("pourcentage"), max_digits=5, decimal_places=2, null=True, blank=True)
    base_amount = models.DecimalField(
        _("montant de base"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    reason = models.CharField(_("motif"), max_length=100)
    reason_code = models.CharField(_("code motif"), max_length=3, blank=True)
    # An allowance (not a charge) is a discount too: its category, chosen when it is granted.
    discount_category = models.CharField(
        _("catégorie de remise"), max_length=20, choices=DiscountCategory.choices, blank=True
    )
    vat_rate = models.DecimalField(_("TVA %"), max_digits=5, decimal_places=2)
    vat_category = models.CharField(_("catégorie de TVA"), max_length=2, default="S")
    account_code = models.CharField(max_length=10, blank=True)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="allowance_charge_amount_positive")
        ]

    @property
    def signed_amount(self) -> Decimal:
        """What it adds to the VAT base: negative for an allowance."""
        return self.amount if self.is_charge else -self.amount


class DepositDeduction(InvoicePart):
    """Part of a deposit invoice (acompte, type 386) that a later invoice of the same order deducts,
    for one VAT rate and category of the deposit.

    The later invoice bills the goods and services in full and states the deposits in BT-113, so the
    customer owes the balance; its entry reverses the deposit (4191 debit, VAT debit, 411 credit). A
    deposit is deducted whole by one invoice, or rate by rate and in parts by several invoices of a
    partly delivered order, never beyond its amount (checked under the order lock). Rows of a cancelled
    draft no longer count; rows of an issued invoice never change.
    """

    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="deposit_deductions")
    deposit = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="deducted_in")
    vat_rate = models.DecimalField(max_digits=5, decimal_places=2)
    category = models.CharField(max_length=2, default="S")
    base = models.DecimalField(_("montant HT déduit"), max_digits=14, decimal_places=2)
    vat = models.DecimalField(_("TVA déduite"), max_digits=14, decimal_places=2)
    # Part of `vat` on goods that still waited for the deposit's payment (44574) when the deducting
    # invoice was issued: delivery made it due (CGI art. 269-2-a), so that invoice moved it to 44571 and
    # the deposit's own payments no longer release it. Set at issue.
    vat_due_at_delivery = models.DecimalField(
        _("TVA sur biens devenue exigible à la livraison"),
        max_digits=14,
        decimal_places=2,
        default=Decimal("0"),
    )

    class Meta:
        ordering = ["deposit_id", "-vat_rate", "category"]
        constraints = [
            models.UniqueConstraint(
                fields=["invoice", "deposit", "vat_rate", "category"], name="uniq_deposit_deduction_per_rate"
            ),
            models.CheckConstraint(
                condition=Q(base__gte=0) & Q(vat__gte=0) & (Q(base__gt=0) | Q(vat__gt=0)),
                name="deposit_deduction_positive",
            ),
        ]

    @property
    def amount(self) -> Decimal:
        return self.base + self.vat


class InvoiceArchive(AppendOnlyModel):
    """What left Comptoir for an issued invoice, fingerprinted. The structured invoice (CII XML,
    EN 16931) is frozen at issue; the Factur-X PDF/A-3 is rendered from the same frozen data the
    first time it is asked for (rendering is deterministic) and then kept with its SHA-256. Rows are
    never changed except to add the PDF once."""

    invoice = models.OneToOneField(Invoice, on_delete=models.PROTECT, related_name="archive")
    cii_xml = models.BinaryField()
    cii_sha256 = models.CharField(max_length=64)
    pdf = models.BinaryField(null=True, blank=True)
    pdf_sha256 = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    pdf_created_at = models.DateTimeField(null=True, blank=True)

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from comptoir.accounting.models import EntryLine, JournalEntry
from comptoir.billing.models import Invoice
from comptoir.core.models import AppendOnlyModel
from comptoir.parties.models import Customer, Supplier


class Payment(AppendOnlyModel):
    """Money received from a customer, posted to the bank journal and allocated to invoices."""

    class Method(models.TextChoices):
        TRANSFER = "transfer", _("Virement")
        CHEQUE = "cheque", _("Chèque")
        CARD = "card", _("Carte bancaire")
        CASH = "cash", _("Espèces")

    number = models.CharField(_("numéro"), max_length=35, unique=True)
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="payments")
    date = models.DateField(_("date"))
    method = models.CharField(_("mode de règlement"), max_length=10, choices=Method.choices)
    reference = models.CharField(_("référence"), max_length=80, blank=True)
    amount = models.DecimalField(_("montant"), max_digits=14, decimal_places=2)
    entry = models.OneToOneField(JournalEntry, on_delete=models.PROTECT, related_name="payment")
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("règlement")
        ordering = ["-date", "-id"]
        indexes = [models.Index(fields=["date", "id"], name="payment_date_id")]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive")]

    def __str__(self):
        return self.number


class PaymentAllocation(AppendOnlyModel):
    """Money of a payment set against an invoice. An allocation made to the wrong invoice is never
    changed: a contra allocation (negative amount, `reverses` it; payments.reallocating) takes it back,
    so every sum of allocations stays right without knowing about corrections."""

    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="allocations")
    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="allocations")
    amount = models.DecimalField(_("montant affecté"), max_digits=14, decimal_places=2)
    # The customer-account credit line of the payment entry that settles this invoice (for lettrage); for
    # a contra allocation, the 411 debit that opens the invoice's debt again.
    entry_line = models.OneToOneField(EntryLine, on_delete=models.PROTECT, related_name="allocation")
    reverses = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="reversed_by"
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0, reverses__isnull=True) | Q(amount__lt=0, reverses__isnull=False),
                name="allocation_amount_positive",
            ),
            models.UniqueConstraint(
                fields=["payment", "invoice"],
                condition=Q(reverses__isnull=True),
                name="uniq_allocation_payment_invoice",
            ),
        ]


class CreditApplication(AppendOnlyModel):
    """An issued credit note set against an issued invoice of the same customer (deducted from what the
    customer owes on it; lettered on 411 with the invoice when it settles it)."""

    credit_note = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="applications")
    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="credit_applications")
    amount = models.DecimalField(_("montant imputé"), max_digits=14, decimal_places=2)
    date = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="credit_application_positive")]


class VatRelease(AppendOnlyModel):
    """VAT on services moved from 44574 (pending) to 44571 (due) when the invoice is settled, by a
    payment allocation or by a credit note applied to it."""

    allocation = models.ForeignKey(
        PaymentAllocation, null=True, blank=True, on_delete=models.PROTECT, related_name="vat_releases"
    )
    credit_application = models.ForeignKey(
        CreditApplication, null=True, blank=True, on_delete=models.PROTECT, related_name="vat_releases"
    )
    invoice = models.ForeignKey(Invoice, null=True, on_delete=models.PROTECT, related_name="vat_releases")
    vat_rate = models.DecimalField(max_digits=5, decimal_places=2)
    amount = models.DecimalField(max_digits=14, decimal_places=2)


class Refund(AppendOnlyModel):
    """Money paid back to a customer for an issued credit note."""

    number = models.CharField(_("numéro"), max_length=35, unique=True)
    credit_note = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="refunds")
    amount = models.DecimalField(_("montant"), max_digits=14, decimal_places=2)
    method = models.CharField(_("mode"), max_length=10, choices=Payment.Method.choices)
    date = models.DateField(_("date"))
    reference = models.CharField(_("référence"), max_length=80, blank=True)
    entry = models.OneToOneField(JournalEntry, on_delete=models.PROTECT, related_name="refund")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="refund_amount_positive")]

    def __str__(self):
        return self.number


class RefundRequest(models.Model):
    """A refund above the refund threshold, waiting for another person's approval before the money leaves
    (payments.refunding; four eyes, the approver is never `requested_by`). Approving pays it out: the
    `Refund` it produced is linked here."""

    class Status(models.TextChoices):
        PENDING = "pending", _("En attente d'approbation")
        APPROVED = "approved", _("Approuvé et payé")
        REFUSED = "refused", _("Refusé")

    TRANSITIONS = {Status.PENDING: {Status.APPROVED, Status.REFUSED}}

    credit_note = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="refund_requests")
    amount = models.DecimalField(_("montant"), max_digits=14, decimal_places=2)
    method = models.CharField(_("mode"), max_length=10, choices=Payment.Method.choices)
    reference = models.CharField(_("référence"), max_length=80, blank=True)
    status = models.CharField(_("état"), max_length=10, choices=Status.choices, default=Status.PENDING)
    requested_at = models.DateTimeField(_("demandé le"), auto_now_add=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decision_reason = models.TextField(_("motif de la décision"), blank=True)
    refund = models.OneToOneField(
        Refund, null=True, blank=True, on_delete=models.PROTECT, related_name="request"
    )

    class Meta:
        verbose_name = _("demande de remboursement")
        ordering = ["requested_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="refund_request_amount_positive"),
            models.CheckConstraint(
                condition=Q(status="pending") | (Q(decided_at__isnull=False) & Q(decided_by__isnull=False)),
                name="decided_refund_request_has_decider",
            ),
            models.CheckConstraint(
                condition=~Q(status="approved") | Q(refund__isnull=False),
                name="approved_refund_request_is_paid",
            ),
        ]

    def __str__(self):
        return _("Demande de remboursement n° %(id)s") % {"id": self.pk}


class EarlyPaymentDiscount(AppendOnlyModel):
    """The early-payment discount (escompte) an invoice offered, granted because a payment settled it by
    the deadline for the discounted amount. Posted in the payment's entry: 665 (escomptes accordés) debit
    for its part excl. VAT, 44571 debit for its VAT (the taxable base is reduced, CGI art. 267-II-2°), 411
    credit for the whole, lettered with the invoice. Counts with the payment as settling the invoice."""

    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="early_discounts")
    invoice = models.OneToOneField(Invoice, on_delete=models.PROTECT, related_name="early_discount_granted")
    amount = models.DecimalField(_("escompte TTC"), max_digits=14, decimal_places=2)
    untaxed = models.DecimalField(_("escompte HT"), max_digits=14, decimal_places=2)
    vat = models.DecimalField(_("TVA sur l'escompte"), max_digits=14, decimal_places=2)
    entry_line = models.OneToOneField(EntryLine, on_delete=models.PROTECT, related_name="early_discount")

    class Meta:
        verbose_name = _("escompte accordé")
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0),
                name="early_discount_positive",
            )
        ]


class OpeningInvoice(models.Model):
    """An invoice of the previous system still open when the company switched to Comptoir (imported):
    never a Comptoir invoice (no number of Comptoir's series, no Factur-X, no e-invoice, no credit note),
    only what is left to pay on it, as an open item on 411 that payments are lettered against.

    Its AN entry (journal AN, dated the first day of the year, `document_number` its original number and
    `document_date` its date, so the FEC shows them as PieceRef and PieceDate) debits 411 for the
    customer (`line`) against 890 « Bilan d'ouverture », which the opening balances then clear.
    """

    number = models.CharField(_("numéro d'origine"), max_length=35, unique=True)
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="opening_invoices")
    date = models.DateField(_("date de facture"))
    due_date = models.DateField(_("échéance"))
    amount = models.DecimalField(_("reste à payer à l'ouverture"), max_digits=14, decimal_places=2)
    entry = models.OneToOneField(JournalEntry, on_delete=models.PROTECT, related_name="opening_invoice")
    line = models.OneToOneField(EntryLine, on_delete=models.PROTECT, related_name="opening_invoice")
    source = models.CharField(_("fichier"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("facture reprise")
        ordering = ["due_date", "id"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="opening_invoice_positive")]

    def __str__(self):
        return self.number


class OpeningSupplierInvoice(models.Model):
    """A supplier invoice of the previous system still to pay when the company switched to Comptoir
    (imported): what is left to pay on it, as an open item credited to 401 for the supplier.

    Its AN entry (journal AN, dated the first day of the year, `document_number` its original number and
    `document_date` its date) credits 401 (`line`, labelled with the supplier's auxiliary account)
    against 890 « Bilan d'ouverture », which the opening balances then clear. Paying it comes with
    purchasing; until then it is only shown (« Factures fournisseurs à payer (reprise) »).
    """

    number = models.CharField(_("numéro du fournisseur"), max_length=35)
    supplier = models.ForeignKey(Supplier, on_delete=models.PROTECT, related_name="opening_invoices")
    date = models.DateField(_("date de facture"))
    due_date = models.DateField(_("échéance"))
    total = models.DecimalField(_("montant TTC"), max_digits=14, decimal_places=2, null=True, blank=True)
    amount = models.DecimalField(_("reste à payer à l'ouverture"), max_digits=14, decimal_places=2)
    entry = models.OneToOneField(
        JournalEntry, on_delete=models.PROTECT, related_name="opening_supplier_invoice"
    )
    line = models.OneToOneField(EntryLine, on_delete=models.PROTECT, related_name="opening_supplier_invoice")
    source = models.CharField(_("fichier"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("facture fournisseur reprise")
        ordering = ["due_date", "id"]
        constraints = [
            # Two suppliers may number their invoices alike: the number is the supplier's own.
            models.UniqueConstraint(fields=["supplier", "number"], name="opening_supplier_invoice_unique"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="opening_supplier_invoice_positive"),
        ]

    def __str__(self):
        return self.number


class OpeningAllocation(AppendOnlyModel):
    """Money of a payment set against an opening invoice (its 411 credit line, for the lettering)."""

    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="opening_allocations")
    opening_invoice = models.ForeignKey(OpeningInvoice, on_delete=models.PROTECT, related_name="allocations")
    amount = models.DecimalField(_("montant affecté"), max_digits=14, decimal_places=2)
    entry_line = models.OneToOneField(EntryLine, on_delete=models.PROTECT, related_name="opening_allocation")

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="opening_allocation_positive")]


class PaymentWriteOff(AppendOnlyModel):
    """A small payment gap written off (« écart de règlement », payments.writing_off), bounded by the
    company's threshold (`ApprovalPolicy.write_off_threshold`).

    A loss — the customer paid a bank fee or a rounding short of the invoice — settles the rest of the
    invoice: 658 debit, 411 credit (`entry_line`, lettered with the invoice); it counts with the
    allocations wherever what settled an invoice is summed. A gain — a few cents paid beyond the
    invoice — uses up the rest of the payment: 411 debit (`entry_line`, lettered with the payment's
    unallocated line), 758 credit; it counts with the allocations wherever what is left of a payment is
    summed. No VAT moves: the sale's VAT stays as invoiced (an unpaid bank fee is not a price reduction).
    """

    class Kind(models.TextChoices):
        LOSS = "loss", _("Perte (658)")
        GAIN = "gain", _("Profit (758)")

    payment = models.ForeignKey(
        Payment, null=True, blank=True, on_delete=models.PROTECT, related_name="write_offs"
    )
    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="write_offs")
    kind = models.CharField(_("sens"), max_length=4, choices=Kind.choices)
    amount = models.DecimalField(_("écart passé en perte ou profit"), max_digits=14, decimal_places=2)
    date = models.DateField(_("date"))
    entry = models.ForeignKey(JournalEntry, on_delete=models.PROTECT, related_name="+")
    entry_line = models.OneToOneField(EntryLine, on_delete=models.PROTECT, related_name="write_off")
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("écart de règlement")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="write_off_amount_positive"),
            models.CheckConstraint(
                condition=Q(kind="loss") | Q(payment__isnull=False), name="write_off_gain_has_payment"
            ),
        ]


class PaymentReversal(AppendOnlyModel):
    """A payment cancelled by a contra entry (payments.reversing): the same money entered twice, or a
    transfer booked on the wrong customer (then `replaced_by` is the payment registered on the right
    one). Never a delete: the payment keeps its number and entry; the reversal's entry (BQ, 411 debit /
    512 or 530 credit) cancels it, lettered with the payment's unallocated line."""

    payment = models.OneToOneField(Payment, on_delete=models.PROTECT, related_name="reversal")
    date = models.DateField(_("date"))
    reason = models.TextField(_("motif"))
    entry = models.OneToOneField(JournalEntry, on_delete=models.PROTECT, related_name="payment_reversal")
    replaced_by = models.OneToOneField(
        Payment, null=True, blank=True, on_delete=models.PROTECT, related_name="replaces"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("contre-passation de règlement")


class CustomerLetter(AppendOnlyModel):
    """A payment reminder or a statement of account, as made for one customer on one day.

    What it lists is frozen in `items` and `ageing` when it is made, so its PDF (payments.letters) is the
    same whenever it is printed or sent again after a failed attempt, whatever was paid since.
    """

    class Kind(models.TextChoices):
        REMINDER = "reminder", _("Relance de paiement")
        STATEMENT = "statement", _("Relevé de compte")

    kind = models.CharField(_("nature"), max_length=10, choices=Kind.choices)
    number = models.CharField(_("numéro"), max_length=60, unique=True)
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="letters")
    date = models.DateField(_("date"))
    balance = models.DecimalField(_("solde"), max_digits=14, decimal_places=2)
    overdue = models.DecimalField(_("échu"), max_digits=14, decimal_places=2)
    items = models.JSONField(default=list)
    ageing = models.JSONField(default=list)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    def __str__(self):
        return self.number


from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from comptoir.accounting.models import EntryLine, JournalEntry
from comptoir.billing.models import Invoice
from comptoir.parties.models import Customer


class Payment(models.Model):
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
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("règlement")
        ordering = ["-date", "-id"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive")]

    def __str__(self):
        return self.number


class PaymentAllocation(models.Model):
    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="allocations")
    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="allocations")
    amount = models.DecimalField(_("montant affecté"), max_digits=14, decimal_places=2)
    # The customer-account credit line of the payment entry that settles this invoice (for lettrage).
    entry_line = models.OneToOneField(EntryLine, on_delete=models.PROTECT, related_name="allocation")

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="allocation_amount_positive"),
            models.UniqueConstraint(fields=["payment", "invoice"], name="uniq_allocation_payment_invoice"),
        ]


class VatRelease(models.Model):
    """VAT on services moved from 44574 (pending) to 44571 (due) when a payment is allocated."""

    allocation = models.ForeignKey(PaymentAllocation, on_delete=models.PROTECT, related_name="vat_releases")
    vat_rate = models.DecimalField(max_digits=5, decimal_places=2)
    amount = models.DecimalField(max_digits=14, decimal_places=2)

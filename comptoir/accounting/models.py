from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from comptoir.core.models import AppendOnlyModel, ImmutableError
from comptoir.parties.models import Customer


class Account(models.Model):
    """An account of the French chart of accounts (PCG)."""

    code = models.CharField(_("numéro de compte"), max_length=20, unique=True)
    name = models.CharField(_("libellé"), max_length=200)
    # Accounts whose lines are matched one against the other (lettrage): customers, suppliers.
    reconcilable = models.BooleanField(_("lettrable"), default=False)

    class Meta:
        ordering = ["code"]

    def __str__(self):
        return f"{self.code} {self.name}"


class Journal(models.Model):
    code = models.CharField(_("code"), max_length=4, unique=True)
    name = models.CharField(_("libellé"), max_length=100)

    class Meta:
        ordering = ["code"]

    def __str__(self):
        return f"{self.code} — {self.name}"


class JournalEntry(models.Model):
    """A posted, balanced, immutable journal entry (écriture). Corrections are new entries."""

    journal = models.ForeignKey(Journal, on_delete=models.PROTECT, related_name="entries")
    number = models.CharField(_("numéro"), max_length=35, unique=True)
    date = models.DateField(_("date"))
    label = models.CharField(_("libellé"), max_length=200)
    document_number = models.CharField(_("pièce"), max_length=35)
    document_date = models.DateField(_("date de pièce"))
    posted_at = models.DateTimeField()

    class Meta:
        ordering = ["date", "id"]
        indexes = [models.Index(fields=["journal", "date"]), models.Index(fields=["document_number"])]

    def __str__(self):
        return self.number

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ImmutableError("a posted journal entry is never changed; post a reversing entry")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ImmutableError("a posted journal entry is never deleted; post a reversing entry")


class EntryLine(models.Model):
    entry = models.ForeignKey(JournalEntry, on_delete=models.PROTECT, related_name="lines")
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="lines")
    partner = models.ForeignKey(Customer, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    label = models.CharField(_("libellé"), max_length=200)
    debit = models.DecimalField(_("débit"), max_digits=14, decimal_places=2, default=Decimal("0"))
    credit = models.DecimalField(_("crédit"), max_digits=14, decimal_places=2, default=Decimal("0"))
    # Optional tag for the VAT rate of a tax or revenue line, for the VAT summary.
    vat_rate = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)

    class Meta:
        ordering = ["id"]
        indexes = [
            # Covers the sums per account (trial balance) and per customer (balances on 411): read from
            # the index alone, never from the lines themselves.
            models.Index(fields=["account", "partner", "debit", "credit"], name="entryline_account_amounts"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(debit__gte=0) & Q(credit__gte=0) & (Q(debit=0) | Q(credit=0)),
                name="entry_line_one_side_not_negative",
            )
        ]

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ImmutableError("a posted journal line is never changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ImmutableError("a posted journal line is never deleted")


class Reconciliation(AppendOnlyModel):
    """A lettrage: a set of lines of one reconcilable account and partner that sum to zero.

    Kept beside the lines (not as a column on them) so posted lines stay untouched when matched.
    """

    code = models.CharField(_("lettre"), max_length=10)
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="+")
    partner = models.ForeignKey(Customer, null=True, on_delete=models.PROTECT, related_name="+")
    date = models.DateField(_("date de lettrage"))

    class Meta:
        constraints = [models.UniqueConstraint(fields=["account", "code"], name="uniq_reconciliation_code")]


class ReconciledLine(AppendOnlyModel):
    reconciliation = models.ForeignKey(Reconciliation, on_delete=models.PROTECT, related_name="items")
    line = models.OneToOneField(EntryLine, on_delete=models.PROTECT, related_name="reconciled")


class OpenItem(models.Model):
    """A line of a reconcilable account (customers, deposits received, suppliers) not lettered yet.

    Posting such a line adds its open item and lettering it removes it, so what is still open on an
    account (the invoices not settled, the credits not applied) is read from these few rows instead of
    from every line ever posted less those lettered. Kept beside the lines, like the lettering, so that
    posted lines stay untouched. The line's account and entry are repeated (a posted line never changes):
    the entries still open on an account are read from this table alone.
    """

    line = models.OneToOneField(
        EntryLine, primary_key=True, on_delete=models.PROTECT, related_name="open_item"
    )
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="+", db_index=False)
    entry = models.ForeignKey(JournalEntry, on_delete=models.PROTECT, related_name="+", db_index=False)

    class Meta:
        indexes = [models.Index(fields=["account", "entry"], name="openitem_account_entry")]


class FiscalYear(models.Model):
    """An accounting period. Nothing may be posted on or before its lock date (clôture / verrouillage)."""

    name = models.CharField(_("exercice"), max_length=20, unique=True)
    start_date = models.DateField(_("début"))
    end_date = models.DateField(_("fin"))
    lock_date = models.DateField(_("verrouillé jusqu'au"), null=True, blank=True)

    class Meta:
        ordering = ["start_date"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gt=models.F("start_date")), name="fiscal_year_ends_after_start"
            )
        ]

    def __str__(self):
        return self.name


class ManualEntry(models.Model):
    """A manual entry (opération diverse) an accountant writes: a draft until posted, then the journal
    entry it posted is the truth and never changes; a mistake is corrected by its reversal."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("brouillon")
        POSTED = "posted", _("comptabilisée")

    journal = models.ForeignKey(Journal, on_delete=models.PROTECT, related_name="+")
    date = models.DateField(_("date"))
    label = models.CharField(_("libellé"), max_length=200)
    document_number = models.CharField(_("pièce"), max_length=35, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    entry = models.OneToOneField(
        JournalEntry, null=True, blank=True, on_delete=models.PROTECT, related_name="manual"
    )
    # A reversal points at the entry it cancels; an entry is reversed once.
    reverses = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="reversed_by"
    )
    reason = models.TextField(_("motif"), blank=True)
    recurring = models.ForeignKey(
        "RecurringEntry", null=True, blank=True, on_delete=models.PROTECT, related_name="generated"
    )

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["status", "date"], name="manualentry_status_date")]

    def __str__(self):
        return self.entry.number if self.entry_id else f"OD brouillon n° {self.pk}"

    @property
    def total_debit(self) -> Decimal:
        return sum((line.debit for line in self.lines.all()), Decimal("0"))


class ManualEntryLine(models.Model):
    manual_entry = models.ForeignKey(ManualEntry, on_delete=models.CASCADE, related_name="lines")
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="+")
    partner = models.ForeignKey(Customer, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    label = models.CharField(_("libellé"), max_length=200, blank=True)
    debit = models.DecimalField(_("débit"), max_digits=14, decimal_places=2, default=Decimal("0"))
    credit = models.DecimalField(_("crédit"), max_digits=14, decimal_places=2, default=Decimal("0"))

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(debit__gte=0) & Q(credit__gte=0) & (Q(debit=0) | Q(credit=0)),
                name="manual_line_one_side_not_negative",
            )
        ]


class RecurringEntry(models.Model):
    """A manual entry that comes back (rent, depreciation): its lines, how often, the next date due.

    `accounting.services.generate_due_recurring_entries` writes the entries due (drafts, or posted when
    `auto_post`) and moves `next_date` on, in the same transaction: running it twice writes nothing twice.
    """

    class Frequency(models.TextChoices):
        MONTHLY = "monthly", _("mensuelle")
        QUARTERLY = "quarterly", _("trimestrielle")
        YEARLY = "yearly", _("annuelle")

    label = models.CharField(_("libellé"), max_length=200)
    journal = models.ForeignKey(Journal, on_delete=models.PROTECT, related_name="+")
    frequency = models.CharField(_("périodicité"), max_length=10, choices=Frequency.choices)
    # The day of the month the entries fall on (the first date's); a shorter month takes its last day.
    day = models.PositiveSmallIntegerField()
    next_date = models.DateField(_("prochaine échéance"))
    end_date = models.DateField(_("dernière échéance"), null=True, blank=True)
    auto_post = models.BooleanField(_("comptabiliser automatiquement"), default=False)
    active = models.BooleanField(default=True)
    # [{"account": "613", "partner_id": null, "label": "", "debit": "1200.00", "credit": "0"}]: checked
    # as a manual entry's lines when the template is saved and again when an entry is written.
    lines = models.JSONField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["next_date", "id"]

    def __str__(self):
        return self.label


class YearClosing(models.Model):
    """The closing of a fiscal year: the entry carrying the result to 120/129 (journal CL), the opening
    entry of the next year (journal AN), who closed it and, when forced past the checklist, why. A
    reopening reverses both entries (never deletes them) and is recorded here too."""

    fiscal_year = models.ForeignKey(FiscalYear, on_delete=models.PROTECT, related_name="closings")
    result = models.DecimalField(_("résultat"), max_digits=14, decimal_places=2)
    closing_entry = models.OneToOneField(
        JournalEntry, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    opening_entry = models.OneToOneField(
        JournalEntry, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    closed_at = models.DateTimeField()
    forced_reason = models.TextField(blank=True)
    # The lock date before the closing locked the year: a reopening puts it back.
    previous_lock = models.DateField(null=True, blank=True)
    reopened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reopened_at = models.DateTimeField(null=True, blank=True)
    reopen_reason = models.TextField(blank=True)
    closing_reversal = models.OneToOneField(
        JournalEntry, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    opening_reversal = models.OneToOneField(
        JournalEntry, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["fiscal_year"],
                condition=Q(reopened_at__isnull=True),
                name="one_live_closing_per_year",
            )
        ]


class CarriedItem(models.Model):
    """An open item of a closed year carried into the next year's opening entry: `line` is the AN line,
    `origin` the line it stands for (an invoice's 411 debit…). Lettering in the new year matches the AN
    line (`accounting.services.carried_forward`), so a year-1 invoice paid in year 2 is lettered there."""

    closing = models.ForeignKey(YearClosing, on_delete=models.PROTECT, related_name="carried")
    origin = models.ForeignKey(EntryLine, on_delete=models.PROTECT, related_name="carried")
    line = models.OneToOneField(EntryLine, on_delete=models.PROTECT, related_name="carries")
    # The document entry the open item belongs to (`OpenItem.entry`: the invoice's, for a receivable),
    # kept on the AN line's open item so that "is this invoice still open" reads the same index.
    item_entry = models.ForeignKey(JournalEntry, on_delete=models.PROTECT, related_name="+")
    # True when the item was open at the year end but lettered since with a line of the next year (a
    # December invoice paid in January, before the closing): the AN line restores the balance and is
    # not an open item (nothing is left to letter it with).
    settled = models.BooleanField(default=False)


class VatSettlement(AppendOnlyModel):
    """The entry that settled the VAT of one return period (accounting.settlement): 44571 and 44566
    cleared against 44551 (VAT to pay) or 44567 (credit carried forward). Once per period; no two
    settled periods overlap (checked under the lock of `settle_vat`)."""

    date_from = models.DateField(_("du"))
    date_to = models.DateField(_("au"))
    entry = models.OneToOneField(JournalEntry, on_delete=models.PROTECT, related_name="vat_settlement")
    collected = models.DecimalField(_("TVA collectée"), max_digits=14, decimal_places=2)
    deductible = models.DecimalField(_("TVA déductible"), max_digits=14, decimal_places=2)
    # The credit of the previous return used up (CA3 line 22), taken off 44567.
    credit_brought_forward = models.DecimalField(
        _("crédit de TVA reporté"), max_digits=14, decimal_places=2, default=Decimal("0")
    )
    net_due = models.DecimalField(_("TVA nette due"), max_digits=14, decimal_places=2)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("liquidation de TVA")
        ordering = ["-date_from"]
        constraints = [
            models.UniqueConstraint(fields=["date_from"], name="uniq_vat_settlement_start"),
            models.UniqueConstraint(fields=["date_to"], name="uniq_vat_settlement_end"),
            models.CheckConstraint(
                condition=Q(date_to__gte=models.F("date_from")), name="vat_settlement_period_ordered"
            ),
        ]

    def __str__(self):
        return f"TVA {self.date_from:%d/%m/%Y} – {self.date_to:%d/%m/%Y}"


class OpeningBalance(models.Model):
    """The opening balances imported from the previous system (`accounting.opening`): the general entry of
    journal AN of the company's first year in Comptoir. One per fiscal year; importing the same balances
    again finds it here (`digest`) and posts nothing twice."""

    fiscal_year = models.OneToOneField(FiscalYear, on_delete=models.PROTECT, related_name="opening_balance")
    entry = models.OneToOneField(JournalEntry, on_delete=models.PROTECT, related_name="+")
    # The lines as imported (account, partner, debit, credit), hashed: the same file again is unchanged.
    digest = models.CharField(max_length=64)
    # The customers' balance (411) the file gave, which the open invoices imported must agree with.
    receivables = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal("0"))
    source = models.CharField(_("fichier"), max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

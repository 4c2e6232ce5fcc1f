from django.db import models
from django.utils.translation import gettext_lazy as _

from comptoir.core import dates
from comptoir.core.folding import Folded


class Address(models.Model):
    """Postal address fields, shared by the company, customers and delivery addresses."""

    street = models.CharField(_("adresse"), max_length=200, blank=True)
    street2 = models.CharField(_("complément d'adresse"), max_length=200, blank=True)
    postal_code = models.CharField(_("code postal"), max_length=12, blank=True)
    city = models.CharField(_("ville"), max_length=100, blank=True)
    country = models.CharField(_("pays (code ISO)"), max_length=2, default="FR")

    class Meta:
        abstract = True

    @property
    def address_lines(self) -> list[str]:
        city_line = " ".join(p for p in (self.postal_code, self.city) if p)
        lines = [self.street, self.street2, city_line]
        if self.country and self.country != "FR":
            lines.append(self.country)
        return [line for line in lines if line]


class Company(Address):
    """The company that uses Comptoir (a single row): the seller on every document."""

    legal_name = models.CharField(_("raison sociale"), max_length=200)
    legal_form = models.CharField(_("forme juridique"), max_length=40, blank=True)
    siren = models.CharField(_("SIREN"), max_length=9)
    siret = models.CharField(_("SIRET du siège"), max_length=14, blank=True)
    vat_number = models.CharField(_("numéro de TVA intracommunautaire"), max_length=20, blank=True)
    rcs_city = models.CharField(_("ville du RCS"), max_length=100, blank=True)
    share_capital = models.DecimalField(
        _("capital social"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    iban = models.CharField(_("IBAN"), max_length=34, blank=True)
    bic = models.CharField(_("BIC"), max_length=11, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("téléphone"), max_length=30, blank=True)
    fiscal_year_start_month = models.PositiveSmallIntegerField(_("mois de début d'exercice"), default=1)
    invoice_series = models.CharField(_("préfixe des factures"), max_length=6, default="FA")
    # The other numbered series (parties/series.py): each prefix names its counter, fixed once it is used.
    credit_note_series = models.CharField(_("préfixe des avoirs"), max_length=6, default="AV")
    quote_series = models.CharField(_("préfixe des devis"), max_length=6, default="DEV")
    order_series = models.CharField(_("préfixe des commandes"), max_length=6, default="CMD")
    delivery_series = models.CharField(_("préfixe des bons de livraison"), max_length=6, default="BL")
    receipt_series = models.CharField(_("préfixe des réceptions"), max_length=6, default="REC")
    return_series = models.CharField(_("préfixe des dossiers de retour"), max_length=6, default="RET")
    return_receipt_series = models.CharField(
        _("préfixe des réceptions de retours"), max_length=6, default="RR"
    )
    payment_series = models.CharField(_("préfixe des règlements"), max_length=6, default="REG")
    refund_series = models.CharField(_("préfixe des remboursements"), max_length=6, default="RBT")
    default_payment_days = models.PositiveSmallIntegerField(
        _("délai de paiement par défaut (jours)"), default=30
    )
    late_penalty_rate = models.DecimalField(
        _("taux des pénalités de retard (%)"), max_digits=5, decimal_places=2, default=12
    )
    # CGI 269-2-c: when opted, VAT on services is due on invoicing, not on receipt; printed on invoices.
    vat_on_debits = models.BooleanField(_("TVA acquittée sur les débits"), default=False)
    early_payment_discount = models.CharField(
        _("conditions d'escompte"), max_length=200, default="Pas d'escompte pour paiement anticipé."
    )
    # The logo printed on documents, kept in the database (backed up with it, nothing to serve from disk).
    logo = models.BinaryField(_("logo"), blank=True, default=b"")
    logo_type = models.CharField(_("type du logo"), max_length=20, blank=True)
    # How many days back a business date may go (core.dates; the default is explained there).
    backdating_days = models.PositiveSmallIntegerField(
        _("délai pour antidater (jours)"), default=dates.DEFAULT_BACKDATING_DAYS
    )

    class Meta:
        verbose_name = _("société")

    def __str__(self):
        return self.legal_name


class VatRegime(models.TextChoices):
    FRANCE = "france", _("France (TVA française)")
    EU = "eu", _("Entreprise de l'Union européenne (autoliquidation / livraison intracommunautaire)")
    EXPORT = "export", _("Hors Union européenne (exportation)")


class Customer(Address):
    code = models.CharField(_("code client"), max_length=20, unique=True)
    name = models.CharField(_("raison sociale"), max_length=200)
    siren = models.CharField(_("SIREN"), max_length=9, blank=True)
    siret = models.CharField(_("SIRET"), max_length=14, blank=True)
    vat_number = models.CharField(_("numéro de TVA intracommunautaire"), max_length=20, blank=True)
    email = models.EmailField(_("e-mail de facturation"), blank=True)
    phone = models.CharField(_("téléphone"), max_length=30, blank=True)
    payment_days = models.PositiveSmallIntegerField(_("délai de paiement (jours)"), default=30)
    payment_end_of_month = models.BooleanField(_("fin de mois"), default=False)
    vat_regime = models.CharField(
        _("régime de TVA"), max_length=10, choices=VatRegime.choices, default=VatRegime.FRANCE
    )
    # Electronic invoicing address (EN 16931 BT-49) when neither the SIREN (France) nor the EU VAT
    # number can serve, e.g. a Swiss UID "CHE-123.456.789" with scheme 0183, or a GLN with 0088.
    einvoice_address = models.CharField(_("adresse de facturation électronique"), max_length=125, blank=True)
    einvoice_scheme = models.CharField(_("schéma (code EAS)"), max_length=4, blank=True)
    is_active = models.BooleanField(_("actif"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # The name lower-cased, accents off (`core.folding`), kept by the database itself (see catalog.Product).
    name_folded = models.GeneratedField(
        expression=Folded("name"), output_field=models.CharField(max_length=400), db_persist=True
    )

    class Meta:
        verbose_name = _("client")
        ordering = ["name"]
        indexes = [models.Index(fields=["name"])]

    def __str__(self):
        return f"{self.code} — {self.name}"


class Contact(models.Model):
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(_("nom"), max_length=120)
    job_title = models.CharField(_("fonction"), max_length=80, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("téléphone"), max_length=30, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class DeliveryAddress(Address):
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="delivery_addresses")
    label = models.CharField(_("libellé"), max_length=80)

    class Meta:
        ordering = ["label"]

    def __str__(self):
        return f"{self.label} — {', '.join(self.address_lines)}"


class Supplier(Address):
    """A company the business buys from. Purchasing comes later; for now its card, and the open invoices
    of the previous system owed to it (`payments.OpeningSupplierInvoice`)."""

    code = models.CharField(_("code fournisseur"), max_length=20, unique=True)
    name = models.CharField(_("raison sociale"), max_length=200)
    siren = models.CharField(_("SIREN"), max_length=9, blank=True)
    siret = models.CharField(_("SIRET"), max_length=14, blank=True)
    vat_number = models.CharField(_("numéro de TVA intracommunautaire"), max_length=20, blank=True)
    iban = models.CharField(_("IBAN"), max_length=34, blank=True)
    bic = models.CharField(_("BIC"), max_length=11, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("téléphone"), max_length=30, blank=True)
    payment_days = models.PositiveSmallIntegerField(_("délai de paiement (jours)"), default=30)
    payment_end_of_month = models.BooleanField(_("fin de mois"), default=False)
    # Its auxiliary account under 401 (« 401DUPONT »): the CompAuxNum of the FEC, how a balance or a FEC
    # of the previous system names it.
    account = models.CharField(_("compte auxiliaire"), max_length=20, unique=True)
    is_active = models.BooleanField(_("actif"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("fournisseur")
        ordering = ["name"]
        indexes = [models.Index(fields=["name"])]

    def __str__(self):
        return f"{self.code} — {self.name}"

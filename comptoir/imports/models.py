from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from comptoir.catalog.models import Product


class ImportRun(models.Model):
    """A file given to the import: kept from its test run until it is imported, then as the record of
    what was imported (its counts, and the refused rows to fix and import again)."""

    class Kind(models.TextChoices):
        CUSTOMERS = "customers", _("Clients")
        SUPPLIERS = "suppliers", _("Fournisseurs")
        PRODUCTS = "products", _("Produits")
        PRICE_LISTS = "price_lists", _("Listes de prix")
        STOCK = "stock", _("Stock de départ")
        OPEN_INVOICES = "open_invoices", _("Factures clients ouvertes")
        SUPPLIER_INVOICES = "supplier_invoices", _("Factures fournisseurs ouvertes")
        OPENING_BALANCES = "opening_balances", _("Soldes d'ouverture (balance ou FEC)")

    class Status(models.TextChoices):
        UPLOADED = "uploaded", _("Testé")
        IMPORTED = "imported", _("Importé")

    kind = models.CharField(_("type de données"), max_length=20, choices=Kind.choices)
    preset = models.CharField(_("format"), max_length=20)
    file_name = models.CharField(_("fichier"), max_length=200)
    sha256 = models.CharField(max_length=64)
    content = models.BinaryField()
    status = models.CharField(_("état"), max_length=12, choices=Status.choices, default=Status.UPLOADED)
    valid_only = models.BooleanField(_("lignes valides seulement"), default=False)
    counts = models.JSONField(default=dict)
    refused_rows = models.TextField(blank=True)  # CSV of the refused rows with their reasons
    # A long file is tested or imported by the task worker (imports.background): where that job stands,
    # and its report once done (the progress while it runs is a file beside the media, see there).
    job_state = models.CharField(_("traitement"), max_length=10, blank=True)
    job_action = models.CharField(max_length=10, blank=True)  # test or import
    job_valid_only = models.BooleanField(default=False)
    job_total = models.PositiveIntegerField(default=0)  # the rows the file holds, about
    job_report = models.JSONField(default=dict, blank=True)
    job_error = models.TextField(blank=True)
    job_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return self.file_name


class OpeningStock(models.Model):
    """The opening stock imported for a product: importing the same file again finds it here and receives
    nothing twice."""

    product = models.OneToOneField(Product, on_delete=models.PROTECT, related_name="+")
    quantity = models.DecimalField(max_digits=14, decimal_places=3)
    unit_cost = models.DecimalField(max_digits=14, decimal_places=4)
    receipt_number = models.CharField(max_length=35)

from decimal import Decimal

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from comptoir.core.folding import Folded


class VatRate(models.TextChoices):
    """French VAT rates in percent (CGI art. 278, 278-0 bis, 278 bis, 281 quater, exemptions)."""

    NORMAL = "20.00", _("20 % (taux normal)")
    INTERMEDIATE = "10.00", _("10 % (taux intermédiaire)")
    REDUCED = "5.50", _("5,5 % (taux réduit)")
    SPECIAL = "2.10", _("2,1 % (taux particulier)")
    ZERO = "0.00", _("0 %")


class Product(models.Model):
    class Kind(models.TextChoices):
        GOODS = "goods", _("Bien stocké")
        SERVICE = "service", _("Service")

    sku = models.CharField(_("référence"), max_length=40, unique=True)
    ean = models.CharField(_("EAN"), max_length=14, blank=True)
    name = models.CharField(_("désignation"), max_length=200)
    unit = models.CharField(_("unité"), max_length=20, default="pièce")
    kind = models.CharField(_("type"), max_length=10, choices=Kind.choices, default=Kind.GOODS)
    sale_price = models.DecimalField(_("prix de vente HT"), max_digits=14, decimal_places=4)
    purchase_cost = models.DecimalField(
        _("coût d'achat"), max_digits=14, decimal_places=4, default=Decimal("0")
    )
    vat_rate = models.DecimalField(_("taux de TVA"), max_digits=5, decimal_places=2, default=Decimal("20.00"))
    # Set for an exempt product (VAT category E): the legal basis printed on the invoice, and its VATEX code.
    vat_exemption_reason = models.CharField(_("motif d'exonération de TVA"), max_length=200, blank=True)
    vat_exemption_code = models.CharField(_("code VATEX"), max_length=30, blank=True)
    low_stock_threshold = models.DecimalField(
        _("seuil d'alerte stock"), max_digits=14, decimal_places=3, default=Decimal("0")
    )
    is_active = models.BooleanField(_("actif"), default=True)
    # What the intra-EU goods statement (EMEBI) asks of a good: its code in the EU's Combined Nomenclature
    # (CN8, 8 digits), its net mass per unit sold, its country of origin (ISO 3166 alpha-2).
    customs_code = models.CharField(_("nomenclature douanière (NC8)"), max_length=8, blank=True)
    net_mass_kg = models.DecimalField(
        _("masse nette unitaire (kg)"), max_digits=12, decimal_places=3, null=True, blank=True
    )
    origin_country = models.CharField(_("pays d'origine (code ISO)"), max_length=2, blank=True)
    # The first day `vat_rate` applies to; None: since the product exists. Earlier rates: VatRateChange.
    vat_rate_since = models.DateField(_("taux de TVA applicable depuis"), null=True, blank=True)
    # The name lower-cased, accents off (`core.folding`), kept by the database itself: the pickers and the
    # global search compare what is typed with it instead of folding every name at every keystroke.
    name_folded = models.GeneratedField(
        expression=Folded("name"), output_field=models.CharField(max_length=400), db_persist=True
    )

    class Meta:
        verbose_name = _("produit")
        ordering = ["sku"]
        constraints = [
            models.CheckConstraint(condition=Q(sale_price__gte=0), name="product_price_not_negative"),
            models.CheckConstraint(
                condition=Q(vat_rate__in=[Decimal(v) for v in VatRate.values]),
                name="product_vat_rate_allowed",
            ),
        ]

    def __str__(self):
        return f"{self.sku} — {self.name}"

    @property
    def is_stocked(self) -> bool:
        return self.kind == self.Kind.GOODS


class VatRateChange(models.Model):
    """A product's VAT rate changed from a given day (a change in the law, a reclassification): goods
    delivered and services performed before that day keep `old_rate`, since VAT follows the day the tax
    fell due (CGI art. 269), not the day of the invoice. A mere correction of the card records none."""

    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="vat_rate_changes")
    old_rate = models.DecimalField(max_digits=5, decimal_places=2)
    new_rate = models.DecimalField(max_digits=5, decimal_places=2)
    applies_from = models.DateField(_("applicable à partir du"))
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["product_id", "applies_from", "id"]
        indexes = [models.Index(fields=["product", "applies_from"], name="vat_change_product_from")]

"""Business actions on products."""

import datetime
from decimal import Decimal

from django.db import IntegrityError, transaction
from stdnum import ean as std_ean
from stdnum.exceptions import ValidationError

from comptoir.catalog import errors
from comptoir.catalog.models import Product, VatRate, VatRateChange
from comptoir.core import audit, dates, money, permissions, rows
from comptoir.core.errors import NotFound
from comptoir.core.errors import fail as _fail

PRODUCT_FIELDS = (
    "name",
    "ean",
    "unit",
    "kind",
    "sale_price",
    "purchase_cost",
    "vat_rate",
    "low_stock_threshold",
    "is_active",
    "vat_exemption_reason",
    "vat_exemption_code",
    "customs_code",
    "net_mass_kg",
    "origin_country",
)

# Read once: Django rebuilds an enum's `values` list at each access (100,000 times in an import).
_VAT_RATES = frozenset(VatRate.values)


def _clean(fields: dict) -> dict:
    fields = dict(fields)
    if "name" in fields and not (fields["name"] or "").strip():
        _fail(errors.NAME_REQUIRED)
    if fields.get("ean"):
        try:
            fields["ean"] = std_ean.validate(fields["ean"])
        except ValidationError:
            _fail(errors.INVALID_EAN, value=fields["ean"])
    for key in ("sale_price", "purchase_cost"):
        if key in fields:
            fields[key] = money.unit_price(fields[key])
            if fields[key] < 0:
                _fail(errors.NEGATIVE_PRICE)
    if "vat_rate" in fields:
        rate = money.D(fields["vat_rate"]).quantize(Decimal("0.01"))
        if str(rate) not in _VAT_RATES:
            _fail(errors.INVALID_VAT_RATE, value=fields["vat_rate"])
        fields["vat_rate"] = rate
    if fields.get("vat_exemption_reason") and fields.get("vat_rate", Decimal("0")) != 0:
        _fail(errors.EXEMPT_WITH_RATE)
    if "low_stock_threshold" in fields:
        fields["low_stock_threshold"] = money.quantity(fields["low_stock_threshold"])
    _clean_customs(fields)
    return fields


def _clean_customs(fields: dict) -> None:
    """The EMEBI's data of a good: the CN8 code typed with or without its spaces and dots (« 7318 15 88 »),
    the net mass per unit in kg (empty: not known), the origin as an ISO country code."""
    if fields.get("customs_code"):
        code = "".join(ch for ch in str(fields["customs_code"]) if ch not in " .")
        if len(code) != 8 or not code.isdigit():
            _fail(errors.INVALID_CUSTOMS_CODE, value=fields["customs_code"])
        fields["customs_code"] = code
    if fields.get("net_mass_kg") not in (None, ""):
        try:
            mass = money.D(fields["net_mass_kg"])
        except (ValueError, TypeError, ArithmeticError):
            _fail(errors.INVALID_NET_MASS, value=fields["net_mass_kg"])
        if mass < 0 or mass != mass.quantize(Decimal("0.001")):
            _fail(errors.INVALID_NET_MASS, value=fields["net_mass_kg"])
        fields["net_mass_kg"] = mass.quantize(Decimal("0.001"))
    elif "net_mass_kg" in fields:
        fields["net_mass_kg"] = None
    if fields.get("origin_country"):
        country = str(fields["origin_country"]).strip().upper()
        if len(country) != 2 or not country.isalpha() or not country.isascii():
            _fail(errors.INVALID_ORIGIN_COUNTRY, value=fields["origin_country"])
        fields["origin_country"] = country


def _check_zero_rate(rate, fields: dict) -> None:
    """EN 16931: a 0 % line is zero-rated (Z, no reason) or exempt (E, reason BT-120/BT-121 required).
    France has no zero rate on its territory: a 0 % product is exempt and must state why (BR-E-10)."""
    if Decimal(str(rate)) == 0 and not (fields.get("vat_exemption_reason") or "").strip():
        _fail(errors.ZERO_RATE_NEEDS_EXEMPTION, rate="0")


def clean_new_product(*, sku: str, name: str, sale_price, **fields) -> dict:
    """The fields of a new product once its rules pass (those of `create_product`), without writing;
    DomainError otherwise. Whether the reference is already taken is the writer's check."""
    unknown = set(fields) - set(PRODUCT_FIELDS)
    if unknown:
        raise TypeError(f"unknown product fields: {sorted(unknown)}")
    sku = (sku or "").strip()
    if not sku:
        _fail(errors.SKU_REQUIRED)
    fields = _clean({"name": name, "sale_price": sale_price, **fields})
    _check_zero_rate(fields.get("vat_rate", Product._meta.get_field("vat_rate").default), fields)
    return {"sku": sku, **fields}


@transaction.atomic
def create_product(*, by, sku: str, name: str, sale_price, **fields) -> Product:
    permissions.require(by, "product.manage")
    fields = clean_new_product(sku=sku, name=name, sale_price=sale_price, **fields)
    sku = fields.pop("sku")
    if Product.objects.filter(sku=sku).exists():
        _fail(errors.DUPLICATE_SKU, value=sku)
    try:
        with transaction.atomic():
            product = Product.objects.create(sku=sku, **fields)
    except IntegrityError:
        _fail(errors.DUPLICATE_SKU, value=sku)
    audit.record(
        "product.created", by=by, obj=product, data={"price": product.sale_price, "vat": product.vat_rate}
    )
    return product


@transaction.atomic
def create_products(cleaned: list[dict], *, by, source: str) -> list[Product]:
    """Many new products at once, from an import: each passed `clean_new_product`. One INSERT per
    batch (a thousand `create_product` calls cost a thousand round trips and audit events), one audit
    event naming the `source` (the imported file) and the references. A reference already taken is
    refused for them all, by the unique constraint at the latest."""
    permissions.require(by, "product.manage")
    if not cleaned:
        return []
    skus = [fields["sku"] for fields in cleaned]
    taken = list(Product.objects.filter(sku__in=skus).values_list("sku", flat=True)[:1])
    if taken:
        _fail(errors.DUPLICATE_SKU, value=taken[0])
    products = [Product(**fields) for fields in cleaned]
    try:
        with transaction.atomic():
            rows.insert_many(products)
    except IntegrityError:
        _fail(errors.DUPLICATE_SKU, value=", ".join(skus[:3]))
    audit.record(
        "product.imported",
        by=by,
        object_type="catalog.product",
        object_repr=source,
        data={"count": len(products), "first": skus[0], "last": skus[-1]},
    )
    return products


@transaction.atomic
def update_product(
    product: Product,
    *,
    by,
    vat_rate_from: datetime.date | None = None,
    vat_rate_correction: bool = False,
    **fields,
) -> Product:
    """Change a product's card. A new VAT rate applies from `vat_rate_from` (today by default): what was
    delivered or performed before keeps the old rate (the assistant checks drafts against the rate of the
    day the tax fell due). `vat_rate_correction` says the card was wrong: the new rate applies to all
    that is not invoiced yet, and no change is recorded."""
    permissions.require(by, "product.manage")
    unknown = set(fields) - set(PRODUCT_FIELDS)
    if unknown:
        raise TypeError(f"unknown product fields: {sorted(unknown)}")
    fields = _clean(fields)
    product = Product.objects.select_for_update().get(pk=product.pk)
    merged = {k: getattr(product, k) for k in ("vat_rate", "vat_exemption_reason")} | fields
    _check_zero_rate(merged["vat_rate"], merged)
    changed = {k: str(v) for k, v in fields.items() if getattr(product, k) != v}
    if "vat_rate" in changed and not vat_rate_correction:
        applies_from = _vat_rate_from(product, vat_rate_from)
        VatRateChange.objects.create(
            product=product, old_rate=product.vat_rate, new_rate=fields["vat_rate"], applies_from=applies_from
        )
        fields["vat_rate_since"] = applies_from
        changed["vat_rate_from"] = applies_from.isoformat()
    elif "vat_rate" in changed:
        changed["vat_rate_correction"] = "True"
    for key, value in fields.items():
        setattr(product, key, value)
    product.save()
    audit.record("product.updated", by=by, obj=product, data={"changed": changed})
    return product


def _vat_rate_from(product: Product, requested: datetime.date | None) -> datetime.date:
    """The first day a changed rate applies to: the day asked for (today by default), never in the
    future (the rate on the card is the one in force), never before the product's previous change."""
    applies_from = requested or dates.today()
    if applies_from > dates.today():
        _fail(errors.VAT_RATE_FROM_FUTURE, date=dates.fr(applies_from))
    if product.vat_rate_since and applies_from < product.vat_rate_since:
        _fail(
            errors.VAT_RATE_FROM_BEFORE_LAST_CHANGE,
            sku=product.sku,
            since=dates.fr(product.vat_rate_since),
            date=dates.fr(applies_from),
        )
    return applies_from


def get_sellable(product_or_id) -> Product:
    """The product for a new sales line, refusing unknown and inactive ones."""
    if isinstance(product_or_id, Product):
        product = product_or_id
    else:
        try:
            product = Product.objects.get(pk=product_or_id)
        except (Product.DoesNotExist, ValueError, TypeError):
            raise NotFound(*errors.UNKNOWN_PRODUCT, value=product_or_id) from None
    if not product.is_active:
        _fail(errors.INACTIVE_PRODUCT, sku=product.sku)
    return product

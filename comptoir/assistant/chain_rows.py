"""How the rows the snapshot queries read become the chain's objects (`assistant.chain`), shared by the
chain itself (`snapshots`), the customer's other documents (`customer_history`) and their payments
(`customer_payments`)."""

from decimal import Decimal

from django.utils import timezone

from comptoir.assistant import chain as c
from comptoir.billing.models import Invoice, InvoiceLine
from comptoir.catalog.models import Product, VatRateChange
from comptoir.stock.models import Delivery, DeliveryLine

ZERO = Decimal("0")
# SQLite sums decimals as floats: compare sums with half a cent of slack, then exactly in Python.
HALF_CENT = Decimal("0.005")


class Products:
    """One snapshot object per product, built once."""

    def __init__(self):
        self._seen: dict[int, c.Product] = {}

    def __call__(self, product: Product) -> c.Product:
        found = self._seen.get(product.pk)
        if found is None:
            found = self._seen[product.pk] = c.Product(
                id=product.pk,
                sku=product.sku,
                name=product.name,
                is_service=product.kind == Product.Kind.SERVICE,
                vat_rate=product.vat_rate,
                vat_exemption_reason=product.vat_exemption_reason,
                vat_exemption_code=product.vat_exemption_code,
                earlier_rates=_earlier_rates(product.pk, product.vat_rate_since),
            )
        return found

    def of_row(self, row: dict) -> c.Product:
        """The product of a `values()` row that carries `PRODUCT_FIELDS`."""
        found = self._seen.get(row["product_id"])
        if found is None:
            found = self._seen[row["product_id"]] = c.Product(
                id=row["product_id"],
                sku=row["product__sku"],
                name=row["product__name"],
                is_service=row["product__kind"] == Product.Kind.SERVICE,
                vat_rate=row["product__vat_rate"],
                vat_exemption_reason=row["product__vat_exemption_reason"],
                vat_exemption_code=row["product__vat_exemption_code"],
                earlier_rates=_earlier_rates(row["product_id"], row["product__vat_rate_since"]),
            )
        return found


def _earlier_rates(product_id: int, since) -> tuple:
    """A product whose rate never changed (nearly all) costs no query."""
    if since is None:
        return ()
    return tuple(
        VatRateChange.objects.filter(product_id=product_id)
        .order_by("applies_from", "id")
        .values_list("applies_from", "old_rate")
    )


# The snapshot queries read plain rows (`values()`), not model instances: building three models per
# invoice line (line, product, invoice) was most of a chain check's time.
PRODUCT_FIELDS = (
    "product_id",
    "product__sku",
    "product__name",
    "product__kind",
    "product__vat_rate",
    "product__vat_exemption_reason",
    "product__vat_exemption_code",
    "product__vat_rate_since",
)
LINE_FIELDS = (
    "id",
    "quantity",
    "unit_price",
    "discount_percent",
    "vat_rate",
    "vat_category",
    "net_amount",
    "order_line_id",
    "delivery_line_id",
    "credited_line_id",
    "price_reduction",
    "vat_exemption_reason",
)
INVOICE_FIELDS = (
    "number",
    "kind",
    "status",
    "customer_id",
    "date",
    "created_at",
    "total_untaxed",
    "total",
    "order_id",
    "deposits_deducted",
    "corrects_id",
    "source_reference",
    "milestone_id",
    "order__customer_reference",
    "due_date",
)


def line_of_row(row: dict, product: c.Product) -> c.InvoiceLine:
    return c.InvoiceLine(product=product, **{name: row[name] for name in LINE_FIELDS})


def quote_line_of_row(row: dict, product: c.Product) -> c.QuoteLine:
    return c.QuoteLine(
        id=row["id"],
        product=product,
        quantity=row["quantity"],
        unit_price=row["unit_price"],
        discount_percent=row["discount_percent"],
    )


def invoice_of_row(invoice_id: int, row: dict, lines) -> c.Invoice:
    """The snapshot invoice from a line row carrying `invoice__<field>` for each of `INVOICE_FIELDS`."""
    fields = {name: row[f"invoice__{name}"] for name in INVOICE_FIELDS}
    created_at = fields.pop("created_at")
    fields["date"] = fields["date"] or timezone.localdate(created_at)
    fields["po_number"] = fields.pop("order__customer_reference") or ""
    return c.Invoice(id=invoice_id, lines=tuple(lines), **fields)


def customer_of(customer) -> c.Customer:
    return c.Customer(
        id=customer.pk,
        code=customer.code,
        name=customer.name,
        vat_regime=customer.vat_regime,
        vat_number=customer.vat_number,
        country=customer.country,
        siren=customer.siren,
        street=customer.street,
        postal_code=customer.postal_code,
        city=customer.city,
    )


def invoice_line_of(line: InvoiceLine, product: c.Product) -> c.InvoiceLine:
    return c.InvoiceLine(
        id=line.pk,
        product=product,
        quantity=line.quantity,
        unit_price=line.unit_price,
        discount_percent=line.discount_percent,
        vat_rate=line.vat_rate,
        vat_category=line.vat_category,
        net_amount=line.net_amount,
        order_line_id=line.order_line_id,
        delivery_line_id=line.delivery_line_id,
        credited_line_id=line.credited_line_id,
        price_reduction=line.price_reduction,
        vat_exemption_reason=line.vat_exemption_reason,
    )


# What an invoice row carries that the checks never read: the frozen seller and buyer snapshots (JSON
# decoded on every row) and texts. Left out of the snapshot queries, they were most of their cost.
UNREAD_INVOICE_FIELDS = (
    "seller",
    "buyer_details",
    "buyer_address",
    "buyer_name",
    "buyer_siren",
    "buyer_vat_number",
    "payment_terms",
    "reason",
    "gesture_category",
)


def invoice_of(invoice: Invoice, lines) -> c.Invoice:
    return c.Invoice(
        id=invoice.pk,
        number=invoice.number,
        kind=invoice.kind,
        status=invoice.status,
        customer_id=invoice.customer_id,
        date=invoice.date or timezone.localdate(invoice.created_at),
        total_untaxed=invoice.total_untaxed,
        total=invoice.total,
        lines=tuple(lines),
        order_id=invoice.order_id,
        deposits_deducted=invoice.deposits_deducted,
        corrects_id=invoice.corrects_id,
        source_reference=invoice.source_reference,
        milestone_id=invoice.milestone_id,
        due_date=invoice.due_date,
    )


def delivery_of(delivery: Delivery, lines) -> c.Delivery:
    return c.Delivery(
        id=delivery.pk,
        number=delivery.number,
        status=delivery.status,
        date=delivery.date,
        lines=tuple(lines),
        is_replacement=delivery.kind == Delivery.Kind.REPLACEMENT,
        invoicing_blocked=delivery.invoicing_blocked,
    )


def delivery_line_of(line: DeliveryLine, product: c.Product) -> c.DeliveryLine:
    return c.DeliveryLine(
        id=line.pk,
        order_line_id=line.order_line_id,
        product=product,
        quantity=line.quantity,
        unit_cost=line.unit_cost,
    )

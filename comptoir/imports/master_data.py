"""The kinds of import that bring the master data in through the services a user's form goes through:
customers (`parties.services`), products (`catalog.services`) and the opening stock (`stock.services`).
Each class takes a batch of parsed rows and says, row by row, what became of it."""

import datetime

from django.db import transaction

from comptoir.catalog import services as catalog
from comptoir.catalog.models import Product
from comptoir.core.errors import DomainError
from comptoir.core.errors import fail as _fail
from comptoir.imports import errors, presets
from comptoir.imports.models import OpeningStock
from comptoir.imports.rows import CREATED, UNCHANGED, UPDATED
from comptoir.parties import services as parties
from comptoir.parties.models import Customer
from comptoir.stock import services as stock

OPENING_STOCK_SUPPLIER = "Stock de départ (import)"


class _Rollback(Exception):
    """Leaves a savepoint whose work was only a check."""


# --- Applying a row -----------------------------------------------------------------------------


def changed_fields(obj, fields: dict) -> dict:
    return {name: value for name, value in fields.items() if getattr(obj, name) != value}


class CustomerRows:
    """New customers are checked by the rules of `create_customer` and written together by
    `create_customers`, a batch at a time; known ones go through `update_customer` one by one."""

    key = "code"

    def __init__(self, by, source: str):
        self.by, self.source = by, source
        self.pending: list = []
        self.default_days = parties.default_payment_days()

    def existing(self, keys):
        return Customer.objects.in_bulk(keys, field_name="code")

    @staticmethod
    def _contact(record: dict):
        contact = {
            name.removeprefix("contact_"): record.pop(name)
            for name in ("contact_name", "contact_job_title", "contact_email", "contact_phone")
            if name in record
        }
        return contact if contact.get("name") else None

    def prepare(self, record: dict) -> None:
        contact = self._contact(record)
        code = record.pop("code")
        fields = parties.clean_new_customer(default_days=self.default_days, **record)
        self.pending.append((code, fields, [contact] if contact else []))

    def update(self, record: dict, found: Customer) -> str:
        contact = self._contact(record)
        record.pop("code")
        status = UNCHANGED
        changed = changed_fields(found, record)
        if changed:
            parties.update_customer(found, by=self.by, **changed)
            status = UPDATED
        if contact and not found.contacts.filter(name=contact["name"]).exists():
            parties.add_contact(found, by=self.by, **contact)
            status = UPDATED
        return status

    def flush(self) -> None:
        parties.create_customers(self.pending, by=self.by, source=self.source)
        self.pending = []

    def finish(self) -> None:
        """Every batch was written by `flush`."""


class ProductRows:
    """New products are checked by the rules of `create_product` and written together by
    `create_products`, a batch at a time; known ones go through `update_product` one by one."""

    key = "sku"

    def __init__(self, by, source: str):
        self.by, self.source = by, source
        self.pending: list = []

    def existing(self, keys):
        return Product.objects.in_bulk(keys, field_name="sku")

    def prepare(self, record: dict) -> None:
        self.pending.append(catalog.clean_new_product(**record))

    def update(self, record: dict, found: Product) -> str:
        record.pop("sku")
        changed = changed_fields(found, record)
        if not changed:
            return UNCHANGED
        catalog.update_product(found, by=self.by, **changed)
        return UPDATED

    def flush(self) -> None:
        catalog.create_products(self.pending, by=self.by, source=self.source)
        self.pending = []

    def finish(self) -> None:
        """Every batch was written by `flush`."""


class StockRows:
    """Each row is checked by the receipt service alone (then rolled back); the valid rows are received
    together at the end, as one receipt dated today: the opening stock."""

    key = "sku"

    def __init__(self, by, source: str):
        self.by, self.source = by, source
        self.lines: dict = {}  # date (None: today) → receipt lines

    def existing(self, keys):
        products = Product.objects.in_bulk(keys, field_name="sku")
        opening = {o.product_id: o for o in OpeningStock.objects.filter(product__in=products.values())}
        return {sku: (product, opening.get(product.pk)) for sku, product in products.items()}

    def prepare(self, record: dict) -> None:
        _fail(errors.UNKNOWN_PRODUCT, value=record["sku"])

    def update(self, record: dict, found) -> str:
        product, opening = found
        line = {"product": product, "quantity": record["quantity"]}
        if "unit_cost" in record:
            line["unit_cost"] = record["unit_cost"]
        if opening is not None:
            cost = record.get("unit_cost", product.purchase_cost)
            if opening.quantity == record["quantity"] and opening.unit_cost == cost:
                return UNCHANGED
            raise DomainError(
                *errors.OPENING_STOCK_DIFFERS,
                sku=product.sku,
                quantity=format(opening.quantity.normalize(), "f").replace(".", ","),
                cost=format(opening.unit_cost.normalize(), "f").replace(".", ","),
            )
        date = record.get("date")
        try:
            with transaction.atomic():
                stock.create_receipt([line], by=self.by, supplier_name=OPENING_STOCK_SUPPLIER, date=date)
                raise _Rollback
        except _Rollback:
            pass
        self.lines.setdefault(date, []).append(line)
        return CREATED

    def flush(self) -> None:
        """Nothing to write batch by batch: the receipt is one, at the end (`finish`)."""

    def finish(self) -> None:
        """One receipt per date of the file (most files have one: the day of the inventory)."""
        for date, lines in sorted(self.lines.items(), key=lambda item: item[0] or datetime.date.max):
            try:
                receipt = stock.receive_stock(
                    lines, by=self.by, supplier_name=OPENING_STOCK_SUPPLIER, date=date
                )
            except DomainError as exc:
                raise DomainError(*errors.STOCK_REFUSED, reason=exc.message) from exc
            OpeningStock.objects.bulk_create(
                OpeningStock(
                    product_id=line.product_id,
                    quantity=line.quantity,
                    unit_cost=line.unit_cost,
                    receipt_number=receipt.number,
                )
                for line in receipt.lines.all()
            )


ROWS = {presets.CUSTOMERS: CustomerRows, presets.PRODUCTS: ProductRows, presets.STOCK: StockRows}

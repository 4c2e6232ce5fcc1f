"""The price lists' import: a row per line of a list (its name, its customer or group, a product, a
quantity break, a fixed price or a percentage off, the list's validity), written by
`pricing.services.import_price_list_lines` a batch at a time.

A line is identified by (list, product, quantity break): the same file again changes nothing, a new
price updates the line. A list is found by its name (created from its first row when none has it); its
rows agree on its customer or group and on its validity. Refused: an unknown product, customer or group,
a negative price, a price and a percentage together (or neither), a validity that ends before it starts
or that differs between the rows of one list, and a line that another list of the same customer or group
already prices for an overlapping period (which of the two would apply is then the lowest price, not
what the file meant).
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from comptoir.catalog.models import Product
from comptoir.core import dates, money
from comptoir.core.errors import fail as _fail
from comptoir.imports import errors
from comptoir.imports.rows import UNCHANGED, UPDATED
from comptoir.parties.models import Customer
from comptoir.pricing import errors as pricing_errors
from comptoir.pricing import services as pricing
from comptoir.pricing.models import CustomerGroup, PriceList, PriceListLine

ONE = Decimal("1")


@dataclass
class _List:
    """What the file (or the list already there) says of one list."""

    customer: Customer | None
    group: CustomerGroup | None
    valid_from: datetime.date | None
    valid_until: datetime.date | None
    first_row: int | None  # the row of the file that gave its validity; None: the list's own
    known: PriceList | None


def _validity(since, until) -> str:
    if since and until:
        return _("du %(since)s au %(until)s") % {"since": dates.fr(since), "until": dates.fr(until)}
    if since:
        return _("à partir du %(since)s") % {"since": dates.fr(since)}
    if until:
        return _("jusqu'au %(until)s") % {"until": dates.fr(until)}
    return _("sans limite de dates")


def _target(customer, group) -> str:
    if customer is not None:
        return _("le client %(code)s") % {"code": customer.code}
    return _("le groupe %(code)s") % {"code": group.code}


def _overlap(a_from, a_until, b_from, b_until) -> bool:
    return (a_from is None or b_until is None or a_from <= b_until) and (
        b_from is None or a_until is None or b_from <= a_until
    )


def _shown(quantity: Decimal) -> str:
    """10, 2,5: a quantity break as written (and as a line's key, never rounded)."""
    return format(money.quantity(quantity).normalize(), "f").replace(".", ",")


def _quantity(record: dict) -> Decimal:
    quantity = record.get("min_quantity")
    return ONE if quantity is None else money.quantity(quantity)


class PriceListRows:
    key = "sku"

    def __init__(self, by, source: str):
        self.by, self.source = by, source
        self.row = 0
        self.pending: list[dict] = []
        self.lists: dict[str, _List] = {}
        self.names: set[str] = set()
        self.skus: set[str] = set()
        self.found: dict[tuple, object] = {}

    def key_of(self, record: dict) -> str:
        self.names.add(record["price_list"])
        self.skus.add(record["sku"])
        return " / ".join((record["price_list"], record["sku"], _shown(_quantity(record))))

    def existing(self, keys):
        lines = (
            PriceListLine.objects.filter(price_list__name__in=self.names, product__sku__in=self.skus)
            .select_related("price_list", "product")
            .order_by("-price_list_id")  # a name borne by two lists: the first one, as the service does
        )
        return {
            " / ".join((line.price_list.name, line.product.sku, _shown(line.min_quantity))): line
            for line in lines
        }

    def _cached(self, kind, value, query):
        if (kind, value) not in self.found:
            self.found[(kind, value)] = query()
        return self.found[(kind, value)]

    def _parties(self, record: dict):
        customer = group = None
        code = record.get("customer") or ""
        if code:
            customer = self._cached("customer", code, lambda: Customer.objects.filter(code=code).first())
            if customer is None:
                _fail(errors.UNKNOWN_CUSTOMER, value=code)
        name = record.get("group") or ""
        if name:
            group = self._cached(
                "group",
                name,
                lambda: (
                    CustomerGroup.objects.filter(code=name.upper()).first()
                    or CustomerGroup.objects.filter(name__iexact=name).first()
                ),
            )
            if group is None:
                _fail(errors.UNKNOWN_GROUP, value=name)
        if customer is not None and group is not None:
            _fail(pricing_errors.LIST_TARGET)
        return customer, group

    def _list(self, record: dict, customer, group) -> _List:
        name = record["price_list"]
        since, until = record.get("valid_from"), record.get("valid_until")
        if since and until and until < since:
            _fail(pricing_errors.LIST_DATES, since=dates.fr(since), until=dates.fr(until))
        state = self.lists.get(name)
        if state is None:
            known = (
                PriceList.objects.filter(name=name).select_related("customer", "group").order_by("id").first()
            )
            if known is not None:
                state = _List(known.customer, known.group, known.valid_from, known.valid_until, None, known)
            else:
                if customer is None and group is None:
                    _fail(pricing_errors.LIST_TARGET)
                state = _List(customer, group, since, until, self.row, None)
        if (customer or group) and (customer, group) != (state.customer, state.group):
            _fail(errors.PRICE_LIST_TARGET_DIFFERS, name=name, target=_target(state.customer, state.group))
        if (since or until) and (since, until) != (state.valid_from, state.valid_until):
            if state.first_row is not None:
                _fail(
                    errors.PRICE_LIST_DATES_DIFFER,
                    first=state.first_row,
                    name=name,
                    validity=_validity(state.valid_from, state.valid_until),
                )
            # The file gives the list already there a new validity: its rows all give it.
            state = _List(state.customer, state.group, since, until, self.row, state.known)
        return state

    def _refuse_overlap(self, name: str, state: _List, line: dict) -> None:
        others = PriceListLine.objects.filter(
            product=line["product"],
            min_quantity=line["min_quantity"],
            price_list__customer=state.customer,
            price_list__group=state.group,
            price_list__is_active=True,
        ).exclude(price_list__name=name)
        for other in others.select_related("price_list"):
            other_list = self.lists.get(other.price_list.name)
            since, until = (
                (other_list.valid_from, other_list.valid_until)
                if other_list is not None
                else (other.price_list.valid_from, other.price_list.valid_until)
            )
            if _overlap(state.valid_from, state.valid_until, since, until):
                _fail(
                    errors.PRICE_LIST_OVERLAP,
                    other=other.price_list.name,
                    validity=_validity(since, until),
                    sku=line["product"].sku,
                    quantity=_shown(line["min_quantity"]),
                    target=_target(state.customer, state.group),
                )
        for entry in self.pending:
            if (
                entry["name"] != name
                and entry["product"].pk == line["product"].pk
                and entry["min_quantity"] == line["min_quantity"]
                and (entry["customer"], entry["group"]) == (state.customer, state.group)
                and _overlap(state.valid_from, state.valid_until, entry["valid_from"], entry["valid_until"])
            ):
                _fail(
                    errors.PRICE_LIST_OVERLAP,
                    other=entry["name"],
                    validity=_validity(entry["valid_from"], entry["valid_until"]),
                    sku=line["product"].sku,
                    quantity=_shown(line["min_quantity"]),
                    target=_target(state.customer, state.group),
                )

    def _entry(self, record: dict) -> dict:
        sku = record["sku"]
        product = self._cached("product", sku, lambda: Product.objects.filter(sku=sku).first())
        if product is None:
            _fail(errors.UNKNOWN_PRODUCT, value=sku)
        customer, group = self._parties(record)
        state = self._list(record, customer, group)
        line = pricing.clean_line(
            {
                "product": product,
                "min_quantity": _quantity(record),
                "price": record.get("price"),
                "percent_off": record.get("percent_off"),
            },
            self.row,
        )
        self._refuse_overlap(record["price_list"], state, line)
        self.lists[record["price_list"]] = state
        return {
            "name": record["price_list"],
            "customer": state.customer,
            "group": state.group,
            "valid_from": state.valid_from,
            "valid_until": state.valid_until,
            **line,
        }

    def prepare(self, record: dict) -> None:
        self.pending.append(self._entry(record))

    def update(self, record: dict, found: PriceListLine) -> str:
        entry = self._entry(record)
        known = found.price_list
        if (
            found.price == entry["price"]
            and found.percent_off == entry["percent_off"]
            and (known.valid_from, known.valid_until) == (entry["valid_from"], entry["valid_until"])
        ):
            return UNCHANGED
        self.pending.append(entry)
        return UPDATED

    def flush(self) -> None:
        pricing.import_price_list_lines(self.pending, by=self.by, source=self.source)
        self.pending = []

    def finish(self) -> None:
        """Every batch was written by `flush`."""

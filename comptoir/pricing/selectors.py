"""Reads of pricing: the facts the pure `resolution` judges, the thresholds, the lists for pages and API."""

import datetime
from decimal import Decimal

from django.db.models import Count, Q

from comptoir.core import dates, permissions
from comptoir.pricing import approval, resolution
from comptoir.pricing.models import (
    DEFAULT_THRESHOLDS,
    CustomerGroupMember,
    CustomerPrice,
    DiscountThreshold,
    PriceList,
    PriceListLine,
)


def group_id_of(customer) -> int | None:
    return CustomerGroupMember.objects.filter(customer=customer).values_list("group_id", flat=True).first()


def facts_for(customer, products, on: datetime.date) -> dict[int, resolution.PriceFacts]:
    """The price facts of each product for `customer` (three queries whatever the number of products).
    Lists and prices out of their dates are read too: `resolution` judges validity, in one place."""
    products = {p.pk: p for p in products}
    group_id = group_id_of(customer) if customer is not None else None
    agreed: dict[int, list] = {pk: [] for pk in products}
    lists: dict[tuple[int, int], dict] = {}
    if customer is not None:
        for row in CustomerPrice.objects.filter(customer=customer, product_id__in=products):
            agreed[row.product_id].append(
                resolution.CustomerPriceFact(row.price, resolution.Validity(row.valid_from, row.valid_until))
            )
        owners = Q(price_list__customer=customer)
        if group_id is not None:
            owners |= Q(price_list__group_id=group_id)
        rows = (
            PriceListLine.objects.filter(owners, price_list__is_active=True, product_id__in=products)
            .select_related("price_list")
            .order_by("price_list_id", "min_quantity")
        )
        for row in rows:
            plist = row.price_list
            entry = lists.setdefault((row.product_id, plist.pk), {"list": plist, "breaks": []})
            entry["breaks"].append(resolution.Break(row.min_quantity, row.price, row.percent_off))
    facts = {}
    for pk, product in products.items():
        own, grouped = [], []
        for (product_id, _list_id), entry in lists.items():
            if product_id != pk:
                continue
            plist = entry["list"]
            fact = resolution.ListFact(
                plist.name, tuple(entry["breaks"]), resolution.Validity(plist.valid_from, plist.valid_until)
            )
            (own if plist.customer_id is not None else grouped).append(fact)
        facts[pk] = resolution.PriceFacts(
            catalogue_price=product.sale_price,
            customer_prices=tuple(agreed[pk]),
            customer_lists=tuple(own),
            group_lists=tuple(grouped),
        )
    return facts


def prices_for(customer, items, on: datetime.date | None = None) -> list[resolution.ResolvedPrice]:
    """The price and its explanation for each (product, quantity) of `items`, on `on` (today by default)."""
    on = on or dates.today()
    facts = facts_for(customer, [product for product, _qty in items], on)
    return [resolution.resolve_price(facts[product.pk], qty, on) for product, qty in items]


def price_for(customer, product, quantity, on: datetime.date | None = None) -> resolution.ResolvedPrice:
    return prices_for(customer, [(product, Decimal(quantity))], on)[0]


def discount_thresholds() -> dict[str, Decimal | None]:
    """Role → threshold; the defaults until direction sets them."""
    stored = dict(DiscountThreshold.objects.values_list("role", "max_percent"))
    return stored if stored else dict(DEFAULT_THRESHOLDS)


def discount_threshold_of(user, thresholds=None) -> Decimal | None:
    return approval.threshold_of(
        permissions.roles_of(user), discount_thresholds() if thresholds is None else thresholds
    )


def price_lists():
    return (
        PriceList.objects.select_related("customer", "group")
        .annotate(line_count=Count("lines"))
        .order_by("-is_active", "name", "id")
    )


def price_list_lines(price_list):
    return price_list.lines.select_related("product").order_by("product__sku", "min_quantity")

"""The global search (the box at the top of every page): customers, products, documents by number and
orders by the customer's purchase-order number, each group only for a role that may see it.

Names are compared with accents and case ignored on both sides ("electricite" finds « Électricité
Dupont »): the query is folded in Python, the column by the same folding in SQL (lower-case, then the
accented letters of French and its neighbours replaced one by one), the same on SQLite and PostgreSQL
without an extension (on SQLite, French's own accented letters). Numbers and codes are matched as typed, case ignored."""

from dataclasses import dataclass

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from comptoir.billing.models import Invoice
from comptoir.catalog.models import Product
from comptoir.core.folding import fold
from comptoir.core.permissions import has_perm
from comptoir.parties.models import Customer
from comptoir.sales.models import Order, Quote
from comptoir.stock.models import Delivery

PER_GROUP = 8


@dataclass(frozen=True)
class Hit:
    label: str
    detail: str
    url: str


@dataclass
class Group:
    title: str
    hits: list[Hit]


def search(q: str, user) -> list[Group]:
    q = " ".join((q or "").split())[:100]
    if len(q) < 2:
        return []
    key = fold(q)
    groups = []
    if has_perm(user, "customer.view"):
        found = Customer.objects.filter(
            Q(name_folded__contains=key)
            | Q(code__iexact=q)
            | Q(siren__startswith=q.replace(" ", ""))
            | Q(email__iexact=q)
        ).order_by("name", "id")[:PER_GROUP]
        groups.append(
            Group(
                _("Clients"),
                [
                    Hit(
                        c.name,
                        " · ".join(filter(None, [c.code, c.city])),
                        reverse("web:customer_detail", args=[c.pk]),
                    )
                    for c in found
                ],
            )
        )
    if has_perm(user, "product.view"):
        found = Product.objects.filter(
            Q(sku__icontains=q) | Q(name_folded__contains=key) | Q(ean=q.replace(" ", ""))
        ).order_by("sku")[:PER_GROUP]
        groups.append(
            Group(
                _("Produits"),
                [
                    Hit(f"{p.sku} — {p.name}", p.ean, reverse("web:product_detail", args=[p.pk]))
                    for p in found
                ],
            )
        )
    for perm, title, model, route in (
        ("quote.view", _("Devis"), Quote, "web:quote_detail"),
        ("order.view", _("Commandes"), Order, "web:order_detail"),
        ("delivery.view", _("Livraisons"), Delivery, "web:delivery_detail"),
        ("invoice.view", _("Factures et avoirs"), Invoice, "web:invoice_detail"),
    ):
        if not has_perm(user, perm):
            continue
        qs = model.objects.filter(number__icontains=q)
        if model is Order:
            # The customer's own purchase-order number is how a customer on the phone names an order.
            qs = model.objects.filter(Q(number__icontains=q) | Q(customer_reference__icontains=q))
        customer = "order__customer__name" if model is Delivery else "customer__name"
        rows = qs.order_by("-id").values(
            "pk", "number", customer, *(["customer_reference"] if model is Order else [])
        )
        groups.append(
            Group(
                title,
                [
                    Hit(
                        row["number"] or "",
                        " · ".join(filter(None, [row[customer], row.get("customer_reference", "")])),
                        reverse(route, args=[row["pk"]]),
                    )
                    for row in rows[:PER_GROUP]
                ],
            )
        )
    return [group for group in groups if group.hits]

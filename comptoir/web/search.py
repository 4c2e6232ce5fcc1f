"""The global search (the box at the top of every page): customers, products, documents by number and
orders by the customer's purchase-order number, each group only for a role that may see it.

Names are compared with accents and case ignored on both sides ("electricite" finds « Électricité
Dupont »): the query is folded in Python, the column by the same folding in SQL (lower-case, then the
accented letters of French and its neighbours replaced one by one), the same on SQLite and PostgreSQL
without an extension (on SQLite, French's own accented letters). Numbers and codes are matched as typed, case ignored."""

import unicodedata
from dataclasses import dataclass

from django.db.models import F, Func, Q, Value
from django.db.models.functions import Lower, Replace
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from comptoir.billing.models import Invoice
from comptoir.catalog.models import Product
from comptoir.core.permissions import has_perm
from comptoir.parties.models import Customer
from comptoir.sales.models import Order, Quote
from comptoir.stock.models import Delivery

PER_GROUP = 8
# Lower-case accented letters and what they fold to: what Lower() leaves in French, German, Spanish,
# Portuguese, Italian and the Latin Extended letters of customers' names (Polish, Czech, Romanian).
FOLDS = {
    "à": "a", "â": "a", "ä": "a", "á": "a", "ã": "a", "å": "a", "ą": "a",
    "ç": "c", "ć": "c", "č": "c",
    "é": "e", "è": "e", "ê": "e", "ë": "e", "ę": "e", "ě": "e",
    "î": "i", "ï": "i", "í": "i", "ì": "i",
    "ñ": "n", "ń": "n", "ň": "n",
    "ô": "o", "ö": "o", "ó": "o", "ò": "o", "õ": "o", "ø": "o", "ő": "o",
    "ù": "u", "û": "u", "ü": "u", "ú": "u", "ů": "u", "ű": "u",
    "ÿ": "y", "ý": "y",
    "ś": "s", "š": "s", "ș": "s", "ş": "s",
    "ț": "t", "ţ": "t", "ť": "t",
    "ź": "z", "ż": "z", "ž": "z",
    "ł": "l", "ř": "r", "ď": "d",
    "œ": "oe", "æ": "ae",
}  # fmt: skip


def fold(text: str) -> str:
    """What the SQL folding gives for `text`: lower-case, accents off."""
    text = text.lower()
    for accented, plain in FOLDS.items():
        text = text.replace(accented, plain)
    # Anything else decomposable (a letter typed with a combining accent) loses its accent too.
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


# SQLite parses at most about 25 nested calls, and its lower() knows ASCII only: there the folding covers
# French's own letters, both cases, replaced before lowering. PostgreSQL's lower() knows every letter and
# translate() takes every single letter of FOLDS at once.
SQLITE_FOLDS = {"é": "e", "è": "e", "ê": "e", "ë": "e", "à": "a", "â": "a", "î": "i", "ï": "i", "ô": "o",
                "û": "u", "ù": "u", "ç": "c", "É": "e", "È": "e", "Ê": "e", "À": "a", "Ç": "c", "Ô": "o",
                "Î": "i"}  # fmt: skip


class Folded(Func):
    """The SQL side of `fold`: lower-case, accented letters replaced."""

    def __init__(self, field: str):
        super().__init__(F(field))

    def as_sql(self, compiler, connection, **extra):  # SQLite and any other backend
        expression = self.source_expressions[0]
        for accented, plain in SQLITE_FOLDS.items():
            expression = Replace(expression, Value(accented), Value(plain))
        return compiler.compile(Lower(expression))

    def as_postgresql(self, compiler, connection, **extra):
        singles = {accented: plain for accented, plain in FOLDS.items() if len(plain) == 1}
        expression = Func(
            Lower(self.source_expressions[0]),
            Value("".join(singles)),
            Value("".join(singles.values())),
            function="TRANSLATE",
        )
        for accented, plain in FOLDS.items():
            if len(plain) > 1:
                expression = Replace(expression, Value(accented), Value(plain))
        return compiler.compile(expression)


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
        found = (
            Customer.objects.annotate(folded_name=Folded("name"))
            .filter(
                Q(folded_name__contains=key)
                | Q(code__iexact=q)
                | Q(siren__startswith=q.replace(" ", ""))
                | Q(email__iexact=q)
            )
            .order_by("name", "id")[:PER_GROUP]
        )
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
        found = (
            Product.objects.annotate(folded_name=Folded("name"))
            .filter(Q(sku__icontains=q) | Q(folded_name__contains=key) | Q(ean=q.replace(" ", "")))
            .order_by("sku")[:PER_GROUP]
        )
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

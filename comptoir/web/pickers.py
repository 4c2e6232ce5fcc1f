"""Search-as-you-type pickers: the customer or product a form field holds, found by what the user
remembers of it (a word in the middle of the name, the code, the EAN, the SIREN), accents and case
ignored, through the same folding as the global search (`core.folding`): what is typed is folded in
Python and compared with the name the database keeps folded (`name_folded`, a generated column).

A picker is a visible text box plus a hidden input carrying the id (template `web/_picker.html`,
behaviour in `static/web/comptoir.js`). The endpoint `web:pick` answers the top matches as JSON while
the user types. Without JavaScript the text box is still posted: `resolve` turns what was typed into
one record when it designates one (an exact code or EAN, or a text only one record matches), so the
form works without the list.

Each query reads one table, filtered and ranked in SQL and cut at `LIMIT` rows: exact code or EAN
first, then codes and names that start with the text, then the rest by code or name."""

from dataclasses import dataclass

from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.utils.translation import gettext_lazy as _l

from comptoir.catalog.models import Product
from comptoir.core.folding import fold
from comptoir.parties.models import Customer

LIMIT = 10
MAX_TEXT = 100


@dataclass(frozen=True)
class Choice:
    id: int
    label: str
    detail: str


@dataclass(frozen=True)
class Kind:
    """One kind of record a picker chooses: who may list them and how they are searched."""

    perm: str
    queryset: callable
    code_field: str
    extra: callable  # words -> Q matching the other fields (EAN, SIREN…), or None
    label: callable
    detail: callable
    order: tuple
    none_message: str = _l("Aucun enregistrement ne correspond à « %(text)s ».")
    many_message: str = _l(
        "Plusieurs enregistrements correspondent à « %(text)s » : choisissez-en un dans la liste."
    )


def _customer_extra(text: str) -> Q:
    compact = text.replace(" ", "")
    q = Q(email__iexact=text) | Q(vat_number__iexact=compact)
    if compact.isdigit():
        q |= Q(siren__startswith=compact) | Q(siret__startswith=compact)
    return q


def _product_extra(text: str) -> Q:
    compact = text.replace(" ", "")
    return Q(ean=compact) if compact.isdigit() else Q(pk__in=[])


KINDS = {
    "clients": Kind(
        perm="customer.view",
        queryset=lambda: Customer.objects.filter(is_active=True),
        code_field="code",
        extra=_customer_extra,
        label=lambda c: f"{c.name} ({c.code})",
        detail=lambda c: " · ".join(filter(None, [c.city, c.siren])),
        order=("name", "id"),
        none_message=_l("Aucun client ne correspond à « %(text)s »."),
        many_message=_l("Plusieurs clients correspondent à « %(text)s » : choisissez-en un dans la liste."),
    ),
    "produits": Kind(
        perm="product.view",
        queryset=lambda: Product.objects.filter(is_active=True),
        code_field="sku",
        extra=_product_extra,
        label=lambda p: f"{p.sku} — {p.name}",
        detail=lambda p: " · ".join(filter(None, [p.ean, p.unit])),
        order=("sku",),
        none_message=_l("Aucun produit ne correspond à « %(text)s »."),
        many_message=_l("Plusieurs produits correspondent à « %(text)s » : choisissez-en un dans la liste."),
    ),
    # What a goods receipt takes in: stocked goods only, no services.
    "marchandises": Kind(
        perm="product.view",
        queryset=lambda: Product.objects.filter(is_active=True, kind=Product.Kind.GOODS),
        code_field="sku",
        extra=_product_extra,
        label=lambda p: f"{p.sku} — {p.name}",
        detail=lambda p: " · ".join(filter(None, [p.ean, p.unit])),
        order=("sku",),
        none_message=_l("Aucun produit ne correspond à « %(text)s »."),
        many_message=_l("Plusieurs produits correspondent à « %(text)s » : choisissez-en un dans la liste."),
    ),
}


def clean_text(text: str | None) -> str:
    return " ".join((text or "").split())[:MAX_TEXT]


def _matching(kind: Kind, text: str) -> QuerySet:
    qs = kind.queryset()
    if not text:
        return qs.order_by(*kind.order)
    code = kind.code_field
    # Each word typed must be found in the name or the code ("chargeur usb" finds « Chargeur rapide USB-C »).
    words = Q()
    for word in fold(text).split():
        words &= Q(name_folded__contains=word) | Q(**{f"{code}__icontains": word})
    key = fold(text)
    return (
        qs.filter(words | Q(**{f"{code}__iexact": text}) | kind.extra(text))
        .annotate(
            rank=Case(
                When(Q(**{f"{code}__iexact": text}) | kind.extra(text), then=Value(0)),
                When(**{f"{code}__istartswith": text}, then=Value(1)),
                When(name_folded__startswith=key, then=Value(2)),
                default=Value(3),
                output_field=IntegerField(),
            )
        )
        .order_by("rank", *kind.order)
    )


def choices(kind_name: str, text: str | None, *, limit: int = LIMIT) -> list[Choice]:
    """The first `limit` records of this kind matching `text`, best first (all, by code or name, if empty)."""
    kind = KINDS[kind_name]
    found = _matching(kind, clean_text(text))[:limit]
    return [Choice(obj.pk, kind.label(obj), kind.detail(obj)) for obj in found]


def label_of(kind_name: str, pk) -> str:
    """What the text box shows for a record already chosen (a form shown again, a draft edited)."""
    kind = KINDS[kind_name]
    obj = kind.queryset().model.objects.filter(pk=pk).first() if str(pk or "").isdigit() else None
    return kind.label(obj) if obj else ""


class Unresolved(Exception):
    """The text typed designates no record (`many` False) or several (`many` True); `message` says
    so in French."""

    def __init__(self, kind: Kind, text: str, many: bool):
        self.many = many
        self.message = str(kind.many_message if many else kind.none_message) % {"text": text}
        super().__init__(self.message)


def _code_in_label(text: str) -> str:
    """The code inside a label as the list writes it: "SKU — Name" or "Name (CODE)"."""
    if " — " in text:
        return text.split(" — ", 1)[0].strip()
    if text.endswith(")") and "(" in text:
        return text[text.rfind("(") + 1 : -1].strip()
    return text


def resolve(kind_name: str, text: str | None) -> int | None:
    """The id of the one record `text` designates, None for an empty text; raises Unresolved.

    An exact code or EAN, or a label as the list writes it, designates its record even when other
    names contain the same words; any other text must match one record only."""
    kind = KINDS[kind_name]
    text = clean_text(text)
    if not text:
        return None
    exact = kind.queryset().filter(
        Q(**{f"{kind.code_field}__iexact": text})
        | Q(**{f"{kind.code_field}__iexact": _code_in_label(text)})
        | kind.extra(text)
    )
    for pk in exact.order_by("pk").values_list("pk", flat=True)[:1]:
        return pk
    found = list(_matching(kind, text).values_list("pk", flat=True)[:2])
    if len(found) != 1:
        raise Unresolved(kind, text, many=bool(found))
    return found[0]


def chosen(kind_name: str, pk, text) -> int | None:
    """The record a posted picker holds: the id the list set if it is one of this kind, else what the
    text box designates (typed without the list, or JavaScript off). Raises Unresolved."""
    if str(pk or "").strip().isdigit() and KINDS[kind_name].queryset().filter(pk=int(pk)).exists():
        return int(pk)
    return resolve(kind_name, text)


def label_rows(rows: list[dict], kind_name: str, field: str = "product") -> list[dict]:
    """Fill the text box of editor rows that hold an id without a text (posted by a client without the
    box, or a draft's lines), in one query."""
    kind = KINDS[kind_name]
    missing = {
        row[field] for row in rows if str(row.get(field) or "").isdigit() and not row.get(f"{field}_texte")
    }
    if missing:
        labels = {
            str(obj.pk): kind.label(obj) for obj in kind.queryset().model.objects.filter(pk__in=missing)
        }
        for row in rows:
            if not row.get(f"{field}_texte"):
                row[f"{field}_texte"] = labels.get(str(row.get(field) or ""), "")
    return rows

"""Quote versions and order amendments (#22 point 7): revise a sent quote, list its versions and their
differences; amend a confirmed order and read its trail."""

import datetime

from django.db import transaction
from ninja import Field, Query, Router, Schema, Status

from comptoir.api.access import can_read, fetch, referenced
from comptoir.api.routers.sales import QuoteOut, SalesLineIn, _lines, _quotes
from comptoir.api.schemas import (
    Amount,
    DocumentDate,
    Id,
    InputSchema,
    PathId,
    PercentIn,
    QuantityIn,
    QueryId,
    UnitPriceIn,
    responses,
)
from comptoir.sales import services
from comptoir.sales.amending import effect_message
from comptoir.sales.models import Order, OrderAmendment, Quote

quotes = Router(tags=["Devis"])
orders = Router(tags=["Commandes"])


# --- Quote versions -----------------------------------------------------------------------------


class RevisionIn(InputSchema):
    lines: list[SalesLineIn] | None = Field(
        None,
        max_length=1000,
        description="Les lignes de la nouvelle version ; par défaut, celles du devis révisé.",
    )
    valid_until: DocumentDate | None = None
    note: str | None = Field(None, max_length=5000, description="Par défaut, la note du devis révisé.")


class VersionOut(Schema):
    id: int
    number: str
    version: int
    status: str
    date: datetime.date
    total_untaxed: Amount
    total: Amount
    acceptance_refusal: str | None = Field(
        None,
        description="Pourquoi cette version ne peut plus être acceptée (une version suivante l'a remplacée).",
    )

    @staticmethod
    def resolve_acceptance_refusal(quote):
        refusal = services.revising.acceptance_refusal(quote)
        return refusal.message if refusal else None


class ChangeOut(Schema):
    field: str
    before: str | None
    after: str | None


class LineDiffOut(Schema):
    kind: str = Field(description="added, removed, changed ou same.")
    sku: str
    description: str
    before: dict | None
    after: dict | None
    changes: list[ChangeOut]


class DiffOut(Schema):
    older: str
    newer: str
    counts: dict[str, int]
    lines: list[LineDiffOut]
    totals: list[ChangeOut]


def _text(value):
    return None if value is None else str(value)


def _line(line) -> dict | None:
    if line is None:
        return None
    return {
        "quantity": str(line.quantity),
        "unit_price": str(line.unit_price),
        "discount_percent": str(line.discount_percent),
        "net_amount": str(line.net_amount),
    }


@quotes.post(
    "/{quote_id}/revise",
    response=responses(QuoteOut, 201),
    summary="Réviser un devis envoyé (nouvelle version, l'ancienne est remplacée)",
)
@transaction.atomic
def revise_quote(request, quote_id: PathId, payload: RevisionIn | None = None):
    payload = payload or RevisionIn()
    revision = services.revise_quote(
        fetch(Quote.objects.all(), quote_id),
        by=request.auth,
        lines=_lines(payload.lines) if payload.lines is not None else None,
        valid_until=payload.valid_until,
        note=payload.note,
    )
    return Status(201, fetch(_quotes(), revision.pk))


@quotes.get("/{quote_id}/versions", response=responses(list[VersionOut]), summary="Les versions d'un devis")
def quote_versions(request, quote_id: PathId):
    can_read(request, "quote.view")
    return services.versions_of(fetch(Quote.objects.all(), quote_id))


class DiffFilters(Schema):
    against: QueryId = Field(None, description="L'autre version ; par défaut, celle que ce devis révise.")


@quotes.get(
    "/{quote_id}/diff", response=responses(DiffOut), summary="Les différences entre deux versions d'un devis"
)
def quote_diff(request, quote_id: PathId, filters: Query[DiffFilters]):
    can_read(request, "quote.view")
    quote = fetch(Quote.objects.all(), quote_id)
    if filters.against:
        other = referenced(Quote.objects.all(), filters.against, "unknown_quote", "Le devis")
    else:
        other = quote.previous_version or quote
    older, newer = sorted((quote, other), key=lambda q: q.version)
    diff = services.compare_versions(older, newer)
    return {
        "older": older.number,
        "newer": newer.number,
        "counts": diff.counts,
        "lines": [
            {
                "kind": line.kind,
                "sku": line.line.sku,
                "description": line.line.description,
                "before": _line(line.before),
                "after": _line(line.after),
                "changes": [
                    {"field": c.field, "before": _text(c.before), "after": _text(c.after)}
                    for c in line.changes
                ],
            }
            for line in diff.lines
        ],
        "totals": [
            {"field": c.field, "before": _text(c.before), "after": _text(c.after)} for c in diff.totals
        ],
    }


# --- Order amendments ---------------------------------------------------------------------------


class AmendLineIn(InputSchema):
    line: Id = Field(description="La ligne de commande modifiée.")
    quantity: QuantityIn = Field(None, description="Jamais sous ce qui est livré ou facturé.")
    unit_price: UnitPriceIn = Field(None, description="Seulement si rien de la ligne n'est facturé.")
    discount_percent: PercentIn = Field(None, description="Seulement si rien de la ligne n'est facturé.")
    remove: bool = Field(False, description="Retirer la ligne (rien de livré, facturé ni préparé).")


class AmendmentIn(InputSchema):
    reason: str = Field(min_length=1, max_length=2000, description="Le motif, obligatoire.")
    lines: list[AmendLineIn] = Field([], max_length=1000)
    add: list[SalesLineIn] = Field([], max_length=1000, description="Les lignes ajoutées.")
    requested_date: DocumentDate | None = Field(None, description="La nouvelle date de livraison souhaitée.")
    clear_requested_date: bool = False


class AmendmentChangeOut(Schema):
    line_id: int | None = Field(None, alias="order_line_id")
    position: int | None
    line: str = Field(alias="line_label")
    field: str
    before: str
    after: str


class EffectOut(Schema):
    code: str
    document: str
    message: str


class AmendmentOut(Schema):
    id: int
    sequence: int
    reason: str
    created_by: str | None
    created_at: datetime.datetime
    total_untaxed_before: Amount
    total_untaxed_after: Amount
    changes: list[AmendmentChangeOut]
    effects: list[EffectOut]

    @staticmethod
    def resolve_created_by(amendment):
        return amendment.created_by.get_username() if amendment.created_by_id else None

    @staticmethod
    def resolve_changes(amendment):
        return list(amendment.changes.all())

    @staticmethod
    def resolve_effects(amendment):
        return [{**effect, "message": effect_message(effect)} for effect in amendment.effects]


def _amendments():
    return OrderAmendment.objects.select_related("created_by").prefetch_related("changes")


@orders.post(
    "/{order_id}/amendments",
    response=responses(AmendmentOut, 201),
    summary="Modifier une commande confirmée par avenant (motif obligatoire)",
)
@transaction.atomic
def amend_order(request, order_id: PathId, payload: AmendmentIn):
    amendment = services.amend_order(
        fetch(Order.objects.all(), order_id),
        by=request.auth,
        reason=payload.reason,
        lines=[line.model_dump(exclude_none=True) for line in payload.lines],
        add=_lines(payload.add),
        requested_date=payload.requested_date,
        clear_requested_date=payload.clear_requested_date,
    )
    return Status(201, fetch(_amendments(), amendment.pk))


@orders.get(
    "/{order_id}/amendments", response=responses(list[AmendmentOut]), summary="Les avenants d'une commande"
)
def order_amendments(request, order_id: PathId):
    can_read(request, "order.view")
    order = fetch(Order.objects.all(), order_id)
    return list(_amendments().filter(order=order).order_by("sequence"))

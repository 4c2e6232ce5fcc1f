"""Schema pieces every area of the API shares: ids, decimal strings, pagination, the error body.

Amounts, prices and quantities travel as decimal strings ("1836.00"), never as JSON floats. Input is
parsed by `core.money.D` (so "12,50" is read as 12.50), refused when it is not a finite number, too
large for its column, or more precise than the column keeps; output is written at the column's
scale (2 decimals for amounts, 4 for unit prices, 3 for quantities), whatever the database returns.
"""

import datetime
from decimal import Decimal
from typing import Annotated, Any, Generic, TypeVar

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _
from ninja import Field, Schema
from pydantic import (
    AfterValidator,
    ConfigDict,
    PlainSerializer,
    PlainValidator,
    Strict,
    WithJsonSchema,
    field_validator,
)

from comptoir.core import money

# Ids are 64-bit on both databases; anything larger is refused before it reaches a query.
MAX_ID = 2**63 - 1

Id = Annotated[int, Strict(), Field(ge=1, le=MAX_ID)]
"""A reference to another object in a request body (a JSON integer)."""

PathId = Annotated[int, Field(ge=1, le=MAX_ID)]
QueryId = PathId | None


def _decimal_input(places: int, limit: Decimal, example: str):
    step = Decimal(1).scaleb(-places)

    def parse(value: Any) -> Decimal:
        # ValueError is what pydantic turns into a validation error; nothing else may escape.
        if isinstance(value, bool) or not isinstance(value, str | int | Decimal | float):
            raise ValueError(
                _("nombre décimal attendu, sous forme de texte (par exemple « %(example)s »)")
                % {"example": example}
            )
        if isinstance(value, float):
            value = repr(value)
        try:
            number = money.D(value)
        except (ValueError, TypeError, ArithmeticError):
            raise ValueError(
                _("« %(value)s » n'est pas un nombre décimal (par exemple « %(example)s »)")
                % {"value": str(value)[:40], "example": example}
            ) from None
        if not number.is_finite():
            raise ValueError(_("nombre décimal fini attendu"))
        if abs(number) >= limit:
            raise ValueError(
                _("valeur hors limites (moins de %(limit)s attendu)")
                % {"limit": f"{limit:,.0f}".replace(",", "\u202f")}
            )
        if number != number.quantize(step):
            raise ValueError(_("au plus %(places)s décimales") % {"places": places})
        return number

    return parse


def _decimal_output(quantize):
    return PlainSerializer(lambda value: format(quantize(value), "f"), return_type=str)


def _schema(example: str, description: str) -> WithJsonSchema:
    return WithJsonSchema(
        {"type": "string", "format": "decimal", "examples": [example], "description": description}
    )


# Inputs. The limits keep each value inside its DECIMAL(14, x) column; a line whose quantity × price
# overflows its amount column is refused by the database and rolled back (errors.py, value_out_of_range).
QuantityIn = Annotated[
    Decimal,
    PlainValidator(_decimal_input(3, Decimal("1e9"), "12.5")),
    _schema("12.5", "Quantité, au plus 3 décimales."),
]
UnitPriceIn = Annotated[
    Decimal,
    PlainValidator(_decimal_input(4, Decimal("1e9"), "120.00")),
    _schema("120.00", "Prix unitaire HT, au plus 4 décimales."),
]
AmountIn = Annotated[
    Decimal,
    PlainValidator(_decimal_input(2, Decimal("1e11"), "1836.00")),
    _schema("1836.00", "Montant en euros, au plus 2 décimales."),
]
PercentIn = Annotated[
    Decimal,
    PlainValidator(_decimal_input(2, Decimal("1000"), "10")),
    _schema("10", "Pourcentage, au plus 2 décimales."),
]

# Outputs, always strings at the column's scale.
Amount = Annotated[Decimal, _decimal_output(money.amount), _schema("1836.00", "Montant en euros.")]
UnitPrice = Annotated[Decimal, _decimal_output(money.unit_price), _schema("120.0000", "Prix unitaire HT.")]
Quantity = Annotated[Decimal, _decimal_output(money.quantity), _schema("12.000", "Quantité.")]
Percent = Annotated[Decimal, _decimal_output(money.amount), _schema("20.00", "Pourcentage.")]


# Documents are dated within this century: it keeps year arithmetic (validity, due dates, numbering)
# far from datetime's limits and catches typing slips such as 0202 for 2026.
FIRST_DATE, LAST_DATE = datetime.date(2000, 1, 1), datetime.date(2099, 12, 31)


def _within_range(value: datetime.date) -> datetime.date:
    if not FIRST_DATE <= value <= LAST_DATE:
        raise ValueError(_("date hors de la plage admise (années 2000 à 2099)"))
    return value


DocumentDate = Annotated[datetime.date, AfterValidator(_within_range)]


def _refuse_nul(value: Any) -> Any:
    # PostgreSQL cannot store NUL in text, and no user types one: refuse it like any malformed value.
    if isinstance(value, str) and "\x00" in value:
        raise ValueError(_("caractère nul interdit"))
    if isinstance(value, list):
        for item in value:
            _refuse_nul(item)
    return value


def _email(value: str) -> str:
    if value:
        try:
            validate_email(value)
        except ValidationError:
            raise ValueError(_("adresse e-mail invalide")) from None
    return value


Email = Annotated[str, Field(max_length=254), AfterValidator(_email)]


class QuerySchema(Schema):
    """Query-string parameters."""

    @field_validator("*", mode="before")
    @classmethod
    def refuse_nul_characters(cls, value):
        return _refuse_nul(value)


class InputSchema(Schema):
    """A request body: unknown fields are refused, so a misspelt field never goes unnoticed."""

    model_config = ConfigDict(extra="forbid")

    @field_validator("*", mode="before")
    @classmethod
    def refuse_nul_characters(cls, value):
        return _refuse_nul(value)


class ReasonIn(InputSchema):
    reason: str = Field("", max_length=500)


class ErrorOut(Schema):
    code: str = Field(examples=["permission_denied"])
    message: str = Field(examples=["Votre rôle ne permet pas cette action (invoice.issue)."])
    details: list[dict] | None = None


# Documented on every operation; the bodies themselves come from the exception handlers (errors.py).
ERRORS = {frozenset({400, 401, 403, 404, 409, 422}): ErrorOut}


def responses(ok: Any, status: int = 200) -> dict:
    return {status: ok, **ERRORS}


class PageIn(QuerySchema):
    limit: int = Field(50, ge=1, le=500, description="Nombre d'éléments (500 au plus).")
    offset: int = Field(0, ge=0, le=10**9, description="Éléments à sauter.")


T = TypeVar("T")


class Page(Schema, Generic[T]):
    count: int
    limit: int
    offset: int
    items: list[T]


def paginate(queryset, page: PageIn) -> dict:
    return {
        "count": queryset.count(),
        "limit": page.limit,
        "offset": page.offset,
        "items": list(queryset[page.offset : page.offset + page.limit]),
    }


class CustomerRef(Schema):
    id: int
    code: str
    name: str


class ProductRef(Schema):
    id: int
    sku: str
    name: str


class DocumentRef(Schema):
    id: int
    number: str

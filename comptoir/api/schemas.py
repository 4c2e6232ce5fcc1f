"""Schema pieces every area of the API shares: ids, decimal strings, pagination, the error body.

Amounts, prices and quantities travel as decimal strings ("1836.00"), never as JSON floats. Input is
parsed by `core.money.D`: plain notation only (sign, ASCII digits, one decimal point; no "12,50",
"1_000", full-width digits or exponents), refused when it is too large for its column or more precise
than the column keeps; output is written at the column's scale (2 decimals for amounts, 4 for unit
prices, 3 for quantities), whatever the database returns.
"""

import datetime
import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Annotated, Any, Generic, TypeVar

from django.utils.translation import gettext as _
from ninja import Field, Schema
from ninja.schema import DjangoGetter
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    PlainSerializer,
    PlainValidator,
    WithJsonSchema,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from comptoir.core import money

# Ids are 64-bit on both databases; anything larger is refused before it reaches a query.
MAX_ID = 2**63 - 1


def _json_integer(value: Any) -> int:
    # A JSON integer, which JSON Schema also lets be written 12.0 or 1.2e1 (the body parser reads those as
    # Decimal); never a string, a boolean or a number with a fraction.
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, Decimal) and value.is_finite() and value == value.to_integral_value():
        return int(value)
    raise ValueError(_("nombre entier attendu"))


Id = Annotated[int, Field(ge=1, le=MAX_ID), BeforeValidator(_json_integer)]
"""A reference to another object in a request body (a JSON integer)."""

PathId = Annotated[int, Field(ge=1, le=MAX_ID)]
QueryId = PathId | None


def _decimal_input(places: int, digits: int, example: str):
    """A decimal of at most `digits` digits before the point and `places` after it (trailing zeros aside):
    a string in plain notation (`core.money.D`) or a JSON integer. A JSON number with a fraction is
    refused: the API takes decimals as text, exactly as written (the JSON body parser reads numbers as
    Decimal, never float, so they reach this check unrounded)."""
    step = Decimal(1).scaleb(-places)
    limit = Decimal(10) ** digits

    def parse(value: Any) -> Decimal:
        # ValueError is what pydantic turns into a validation error; nothing else may escape.
        if isinstance(value, Decimal) and value.is_finite() and value == value.to_integral_value():
            value = int(value)  # a JSON integer written 12.0 or 1.2e1, as JSON Schema allows
        if isinstance(value, bool) or not isinstance(value, str | int):
            raise ValueError(
                _("nombre décimal attendu, sous forme de texte (par exemple « %(example)s »)")
                % {"example": example}
            )
        try:
            number = money.D(value)
        except (ValueError, TypeError, ArithmeticError):
            raise ValueError(
                _("« %(value)s » n'est pas un nombre décimal (par exemple « %(example)s »)")
                % {"value": str(value)[:40], "example": example}
            ) from None
        if abs(number) >= limit:
            raise ValueError(
                _("valeur hors limites (moins de %(limit)s attendu)")
                % {"limit": f"{limit:,.0f}".replace(",", "\u202f")}
            )
        if number != number.quantize(step):
            raise ValueError(_("au plus %(places)s décimales") % {"places": places})
        return number

    return parse


def _decimal_input_schema(places: int, digits: int, example: str, description: str) -> WithJsonSchema:
    # Exactly what `_decimal_input` accepts, so a client (or a contract test) can check a value before
    # sending it: leading zeros and trailing zeros after the point do not count against the limits.
    pattern = rf"^[+-]?(0*[0-9]{{1,{digits}}}(\.[0-9]{{0,{places}}}0*)?|\.[0-9]{{1,{places}}}0*)$"
    largest = 10**digits - 1
    return WithJsonSchema(
        {
            "anyOf": [
                {"type": "string", "format": "decimal", "pattern": pattern},
                {"type": "integer", "minimum": -largest, "maximum": largest},
            ],
            "examples": [example],
            "description": description
            + f" Texte (« {example} », point décimal) ou entier JSON ; {digits} chiffres au plus avant la virgule.",
        }
    )


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
    PlainValidator(_decimal_input(3, 9, "12.5")),
    _decimal_input_schema(3, 9, "12.5", "Quantité, au plus 3 décimales."),
]
UnitPriceIn = Annotated[
    Decimal,
    PlainValidator(_decimal_input(4, 9, "120.00")),
    _decimal_input_schema(4, 9, "120.00", "Prix unitaire HT, au plus 4 décimales."),
]
AmountIn = Annotated[
    Decimal,
    PlainValidator(_decimal_input(2, 11, "1836.00")),
    _decimal_input_schema(2, 11, "1836.00", "Montant en euros, au plus 2 décimales."),
]
PercentIn = Annotated[
    Decimal,
    PlainValidator(_decimal_input(2, 3, "10")),
    _decimal_input_schema(2, 3, "10", "Pourcentage, au plus 2 décimales."),
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


def _iso_date(value: Any) -> Any:
    # Pydantic would also read 0, "0" or 1.7e9 as a date (seconds since 1970): only AAAA-MM-JJ is one.
    if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        return value
    if not isinstance(value, str) or not _ISO_DATE.fullmatch(value):
        raise ValueError(_("date attendue au format AAAA-MM-JJ"))
    return value


_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
DocumentDate = Annotated[
    datetime.date,
    BeforeValidator(_iso_date),
    AfterValidator(_within_range),
    WithJsonSchema(
        {
            "type": "string",
            "format": "date",
            "pattern": r"^20[0-9]{2}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$",
            "description": "AAAA-MM-JJ, années 2000 à 2099.",
        }
    ),
]
"""A business date, in a body or a query: AAAA-MM-JJ within this century."""

PeriodDate = Annotated[
    datetime.date,
    BeforeValidator(_iso_date),
    WithJsonSchema(
        {
            "type": "string",
            "format": "date",
            "pattern": r"^(000[1-9]|00[1-9][0-9]|0[1-9][0-9]{2}|[1-9][0-9]{3})-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$",
            "description": "AAAA-MM-JJ.",
        }
    ),
]
"""A bound of a period to read (any date: a filter from 0001-01-01 reads everything)."""


def combination_rule(message: str) -> PydanticCustomError:
    """What a model validator raises when the fields are each valid but do not go together (start after
    end, two documents where one is expected): the schema cannot state such rules, so the request is
    answered 400 `invalid_combination`, not 422 (errors.py)."""
    return PydanticCustomError(COMBINATION_RULE, "{message}", {"message": message})


COMBINATION_RULE = "invalid_combination"


def _refuse_nul(value: Any) -> Any:
    # PostgreSQL cannot store NUL in text, and no user types one: refuse it like any malformed value.
    if isinstance(value, str) and "\x00" in value:
        raise ValueError(_("caractère nul interdit"))
    if isinstance(value, list):
        for item in value:
            _refuse_nul(item)
    return value


# What the published schema says of the same rule, on every text field of a body or a query that has no
# pattern of its own, so that a client (or a contract test) knows a NUL is refused before sending one.
NO_NUL_PATTERN = r"^[^\x00]*$"


def _state_no_nul(node: Any) -> None:
    if isinstance(node, list):
        for item in node:
            _state_no_nul(item)
    if not isinstance(node, dict):
        return
    if node.get("type") == "string" and not {"pattern", "enum", "const"} & node.keys():
        if node.get("format") not in ("binary", "date", "date-time", "decimal"):
            node["pattern"] = NO_NUL_PATTERN
    for key in ("anyOf", "oneOf", "allOf", "items"):
        if key in node:
            _state_no_nul(node[key])


def _text_refuses_nul(schema: dict, model=None) -> None:
    for prop in schema.get("properties", {}).values():
        _state_no_nul(prop)


# An e-mail address as the document publishes it and the API checks it: a dot-atom local part and a domain
# whose last label has letters only (a subset of Django's EmailValidator: no quoted local part, no IP
# literal, no `localhost`, no international domain). One expression for both, so a client that checks its
# request against the document gets the API's own answer (`format: email` let « 0@0.a » through).
_ATOM = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_EMAIL = rf"{_ATOM}(\.{_ATOM})*@([A-Za-z0-9]([A-Za-z0-9-]{{0,61}}[A-Za-z0-9])?\.)+[A-Za-z]{{2,63}}"
_EMAIL_RE = re.compile(_EMAIL)


def _email(value: str) -> str:
    if value and not _EMAIL_RE.fullmatch(value):
        raise ValueError(_("adresse e-mail invalide"))
    return value


Email = Annotated[
    str,
    Field(
        max_length=254,
        json_schema_extra={
            "anyOf": [{"pattern": f"^{_EMAIL}$"}, {"maxLength": 0}],
            "description": 'Adresse e-mail (nom@domaine.fr), ou "" pour aucune.',
        },
    ),
    AfterValidator(_email),
]
"""An e-mail address, or "" for none."""


class QuerySchema(Schema):
    """Query-string parameters."""

    model_config = ConfigDict(json_schema_extra=_text_refuses_nul)

    @field_validator("*", mode="before")
    @classmethod
    def refuse_nul_characters(cls, value):
        return _refuse_nul(value)


class InputSchema(Schema):
    """A request body: unknown fields are refused, so a misspelt field never goes unnoticed."""

    model_config = ConfigDict(extra="forbid", json_schema_extra=_text_refuses_nul)

    @model_validator(mode="before")
    @classmethod
    def an_object(cls, value):
        # Ninja's schemas read attributes as well as keys (they serialise models): a body or a line must be
        # a JSON object, or any number (a Decimal here) passed for a schema whose fields all have defaults.
        if isinstance(value, Mapping | BaseModel | DjangoGetter):
            return value
        raise PydanticCustomError("model_type", "Input should be an object")

    @field_validator("*", mode="before")
    @classmethod
    def refuse_nul_characters(cls, value):
        return _refuse_nul(value)


class ReasonIn(InputSchema):
    reason: str = Field("", max_length=500)


class ErrorOut(Schema):
    code: str = Field(examples=["permission_denied"])
    message: str = Field(
        examples=[
            "Votre rôle ne permet pas cette action : émettre une facture. Rôles qui le peuvent : Comptabilité, Direction, Administrateur."
        ]
    )
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

"""Business actions on suppliers: their card, checked like a customer's (SIREN, SIRET, VAT number with
python-stdnum, IBAN and BIC, lawful payment terms), and their auxiliary account under 401."""

import re

from django.db import IntegrityError, transaction

from comptoir.core import audit, permissions, rows
from comptoir.core.errors import fail as _fail
from comptoir.parties import errors
from comptoir.parties.identifiers import clean_bic, clean_iban
from comptoir.parties.models import Supplier
from comptoir.parties.services import _check_payment_terms, _clean_identifiers, default_payment_days

SUPPLIER_FIELDS = (
    "name",
    "siren",
    "siret",
    "vat_number",
    "iban",
    "bic",
    "email",
    "phone",
    "street",
    "street2",
    "postal_code",
    "city",
    "country",
    "payment_days",
    "payment_end_of_month",
    "account",
    "is_active",
)

ACCOUNT = re.compile(r"401[A-Z0-9]{0,17}")


def account_for(code: str) -> str:
    """The auxiliary account a supplier gets when none is given: 401 and its code, letters and digits."""
    return ("401" + re.sub(r"[^A-Z0-9]", "", code.upper()))[:20]


def clean_account(value: str) -> str:
    account = re.sub(r"\s", "", value or "").upper()
    if not ACCOUNT.fullmatch(account) or account == "401":
        _fail(errors.SUPPLIER_ACCOUNT_INVALID, value=(value or "")[:30])
    return account


def _clean(fields: dict) -> dict:
    if not (fields.get("name") or "").strip():
        _fail(errors.NAME_REQUIRED)
    fields = _clean_identifiers(fields, siren_required=False, foreign_vat=True)
    for name, clean, error in (
        ("iban", clean_iban, errors.INVALID_IBAN),
        ("bic", clean_bic, errors.INVALID_BIC),
    ):
        value = (fields.get(name) or "").strip()
        if value:
            fields[name] = clean(value) or _fail(error, value=value)
    if fields.get("country"):
        fields["country"] = fields["country"].upper()
    _check_payment_terms(fields.get("payment_days"), fields.get("payment_end_of_month", False))
    return fields


def refuse_taken_account(account: str, supplier: Supplier | None = None, *, other: str = "") -> None:
    """Refuse an auxiliary account that is another supplier's (`other`: a supplier not yet written)."""
    if not other:
        found = Supplier.objects.filter(account=account)
        if supplier is not None:
            found = found.exclude(pk=supplier.pk)
        other = found.values_list("code", flat=True).first()
    if other:
        _fail(errors.SUPPLIER_ACCOUNT_TAKEN, value=account, other=other)


def _next_supplier_code() -> str:
    last = (
        Supplier.objects.filter(code__startswith="F").order_by("-code").values_list("code", flat=True).first()
    )
    number = int(last[1:]) + 1 if last and last[1:].isdigit() else 1
    return f"F{number:05d}"


def clean_new_supplier(*, code: str, default_days: int | None = None, **fields) -> dict:
    """The fields of a new supplier once its rules pass (those of `create_supplier`), its code and account
    included, without writing; DomainError otherwise."""
    unknown = set(fields) - set(SUPPLIER_FIELDS)
    if unknown:
        raise TypeError(f"unknown supplier fields: {sorted(unknown)}")
    fields = _clean(dict(fields))
    if fields.get("payment_days") is None:
        fields["payment_days"] = default_payment_days() if default_days is None else default_days
    fields["account"] = clean_account(fields.get("account") or account_for(code))
    fields["code"] = code
    return fields


@transaction.atomic
def create_supplier(*, by, code: str = "", **fields) -> Supplier:
    permissions.require(by, "supplier.manage")
    code = (code or "").strip() or _next_supplier_code()
    fields = clean_new_supplier(code=code, **fields)
    if Supplier.objects.filter(code=code).exists():
        _fail(errors.DUPLICATE_SUPPLIER_CODE, value=code)
    refuse_taken_account(fields["account"])
    try:
        with transaction.atomic():
            supplier = Supplier.objects.create(**fields)
    except IntegrityError:
        _fail(errors.DUPLICATE_SUPPLIER_CODE, value=code)
    audit.record(
        "supplier.created",
        by=by,
        obj=supplier,
        data={"name": supplier.name, "siren": supplier.siren, "account": supplier.account},
    )
    return supplier


@transaction.atomic
def create_suppliers(cleaned: list[dict], *, by, source: str) -> list[Supplier]:
    """Many new suppliers at once, from an import (fields from `clean_new_supplier`): one INSERT per batch,
    one audit event naming the `source` file. A code or an account already taken is refused for them all."""
    permissions.require(by, "supplier.manage")
    if not cleaned:
        return []
    codes = [fields["code"] for fields in cleaned]
    taken = list(Supplier.objects.filter(code__in=codes).values_list("code", flat=True)[:1])
    if taken:
        _fail(errors.DUPLICATE_SUPPLIER_CODE, value=taken[0])
    suppliers = [Supplier(**fields) for fields in cleaned]
    try:
        with transaction.atomic():
            rows.insert_many(suppliers)
    except IntegrityError:
        _fail(errors.DUPLICATE_SUPPLIER_CODE, value=", ".join(codes[:3]))
    audit.record(
        "supplier.imported",
        by=by,
        object_type="parties.supplier",
        object_repr=source,
        data={"count": len(suppliers), "first": codes[0], "last": codes[-1]},
    )
    return suppliers


def changes(supplier: Supplier, fields: dict) -> dict:
    """The fields that `fields` would really change once checked and normalised (an IBAN written with
    spaces is the same IBAN); DomainError when they break a rule."""
    unknown = set(fields) - set(SUPPLIER_FIELDS)
    if unknown:
        raise TypeError(f"unknown supplier fields: {sorted(unknown)}")
    merged = _clean({f: getattr(supplier, f) for f in SUPPLIER_FIELDS} | fields)
    merged["account"] = clean_account(merged.get("account") or account_for(supplier.code))
    refuse_taken_account(merged["account"], supplier)
    return {f: merged[f] for f in SUPPLIER_FIELDS if merged[f] != getattr(supplier, f)}


@transaction.atomic
def update_supplier(supplier: Supplier, *, by, **fields) -> Supplier:
    permissions.require(by, "supplier.manage")
    supplier = Supplier.objects.select_for_update().get(pk=supplier.pk)
    changed = changes(supplier, fields)
    if not changed:
        return supplier
    for field, value in changed.items():
        setattr(supplier, field, value)
    supplier.save()
    audit.record(
        "supplier.updated", by=by, obj=supplier, data={"changed": {f: str(v) for f, v in changed.items()}}
    )
    return supplier

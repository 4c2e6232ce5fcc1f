"""Business actions on the company and customers. Identifiers are validated with python-stdnum."""

import re

from django.db import IntegrityError, transaction
from django.utils.dates import MONTHS
from stdnum.eu import vat as eu_vat

from comptoir.core import audit, dates, legal_interest, money, permissions, rows
from comptoir.core.errors import Conflict
from comptoir.core.errors import fail as _fail
from comptoir.core.models import NumberSequence
from comptoir.core.numbering import format_number
from comptoir.parties import errors, logos, series
from comptoir.parties.identifiers import clean_bic, clean_iban, clean_siren, clean_siret, clean_vat, is_eu_vat
from comptoir.parties.models import Company, Contact, Customer, DeliveryAddress, VatRegime

CUSTOMER_FIELDS = (
    "name",
    "siren",
    "siret",
    "vat_number",
    "email",
    "phone",
    "street",
    "street2",
    "postal_code",
    "city",
    "country",
    "payment_days",
    "payment_end_of_month",
    "vat_regime",
    "einvoice_address",
    "einvoice_scheme",
    "is_active",
)
COMPANY_FIELDS = (
    "legal_name",
    "legal_form",
    "siren",
    "siret",
    "vat_number",
    "rcs_city",
    "share_capital",
    "iban",
    "bic",
    "email",
    "phone",
    "street",
    "street2",
    "postal_code",
    "city",
    "country",
    "fiscal_year_start_month",
    *series.DEFAULTS,
    "default_payment_days",
    "late_penalty_rate",
    "vat_on_debits",
    "early_payment_discount",
    "backdating_days",
    "logo",
)


def _percent(rate) -> str:
    return format(rate.normalize(), "f").replace(".", ",") + "\u00a0%"


def _clean_identifiers(data: dict, *, siren_required: bool, foreign_vat: bool = False) -> dict:
    """Validate and normalise SIREN, SIRET and VAT number, checking they belong together.

    `foreign_vat`: a customer's number may be a non-EU one (see identifiers.clean_vat)."""
    data = dict(data)
    siren = (data.get("siren") or "").strip()
    siret = (data.get("siret") or "").strip()
    vat = (data.get("vat_number") or "").strip()
    if siren or siren_required:
        data["siren"] = clean_siren(siren) or _fail(errors.INVALID_SIREN, value=siren)
    if siret:
        data["siret"] = clean_siret(siret) or _fail(errors.INVALID_SIRET, value=siret)
        if data.get("siren") and not data["siret"].startswith(data["siren"]):
            _fail(errors.SIRET_SIREN_MISMATCH, siret=data["siret"], siren=data["siren"])
        data.setdefault("siren", data["siret"][:9])
        if not data.get("siren"):
            data["siren"] = data["siret"][:9]
    if vat:
        data["vat_number"] = clean_vat(
            vat, country=(data.get("country") or "FR"), foreign=foreign_vat
        ) or _fail(errors.INVALID_VAT, value=vat)
        if (
            data["vat_number"].startswith("FR")
            and data.get("siren")
            and data["vat_number"][4:] != data["siren"]
        ):
            _fail(errors.VAT_SIREN_MISMATCH, vat=data["vat_number"], siren=data["siren"])
    return data


def _infer_vat_regime(data: dict) -> dict:
    """A customer abroad is by default an EU business (when in a member state) or an export customer."""
    country = (data.get("country") or "FR").upper()
    if not data.get("vat_regime"):
        if country == "FR":
            data["vat_regime"] = VatRegime.FRANCE
        elif country.lower() in eu_vat.MEMBER_STATES or (country == "GR" and "el" in eu_vat.MEMBER_STATES):
            data["vat_regime"] = VatRegime.EU
        else:
            data["vat_regime"] = VatRegime.EXPORT
    return data


def _check_vat_regime(data: dict) -> None:
    regime = data.get("vat_regime") or VatRegime.FRANCE
    vat = data.get("vat_number") or ""
    if regime == VatRegime.EU and (not is_eu_vat(vat) or vat.startswith("FR")):
        _fail(errors.EU_REGIME_NEEDS_VAT)
    if regime == VatRegime.FRANCE and (data.get("country") or "FR") != "FR":
        _fail(errors.FRANCE_REGIME_ABROAD)


EINVOICE_ADDRESS = re.compile(r"[A-Za-z0-9\-_.]{1,125}")  # BR-FR-23/25
EINVOICE_SCHEME = re.compile(r"\d{4}")  # an EAS code of the CEF list


def _clean_einvoice_address(data: dict) -> dict:
    """The customer's electronic invoicing address (BT-49) and its EAS scheme: both or neither.

    Stripped of spaces; "0225" (the French directory) when an address is given without its scheme."""
    data = dict(data)
    address = (data.get("einvoice_address") or "").strip()
    scheme = (data.get("einvoice_scheme") or "").strip()
    if not address:
        data["einvoice_address"], data["einvoice_scheme"] = "", ""
        return data
    if not EINVOICE_ADDRESS.fullmatch(address):
        _fail(errors.INVALID_EINVOICE_ADDRESS, value=address[:130])
    scheme = scheme or "0225"
    if not EINVOICE_SCHEME.fullmatch(scheme):
        _fail(errors.INVALID_EINVOICE_SCHEME, value=scheme[:10])
    data["einvoice_address"], data["einvoice_scheme"] = address, scheme
    return data


# Code de commerce L441-10 I: at most 60 days from the invoice date, or 45 days end of month.
MAX_PAYMENT_DAYS = 60
MAX_PAYMENT_DAYS_END_OF_MONTH = 45


def _check_payment_terms(days, end_of_month: bool) -> None:
    limit = MAX_PAYMENT_DAYS_END_OF_MONTH if end_of_month else MAX_PAYMENT_DAYS
    if days is not None and int(days) > limit:
        _fail(errors.PAYMENT_TERMS_TOO_LONG)


def _next_customer_code() -> str:
    last = (
        Customer.objects.filter(code__startswith="C").order_by("-code").values_list("code", flat=True).first()
    )
    number = int(last[1:]) + 1 if last and last[1:].isdigit() else 1
    return f"C{number:05d}"


def clean_new_customer(*, default_days: int | None = None, **fields) -> dict:
    """The fields of a new customer once its rules pass (those of `create_customer`), without writing;
    DomainError otherwise. `default_days`: the company's default terms, when the caller read them."""
    unknown = set(fields) - set(CUSTOMER_FIELDS)
    if unknown:
        raise TypeError(f"unknown customer fields: {sorted(unknown)}")
    if not (fields.get("name") or "").strip():
        _fail(errors.NAME_REQUIRED)
    fields = _infer_vat_regime(_clean_identifiers(fields, siren_required=False, foreign_vat=True))
    fields = _clean_einvoice_address(fields)
    _check_vat_regime(fields)
    if fields.get("payment_days") is None:
        # Terms not stated: the company's default terms (settings page « Conditions de paiement »).
        fields["payment_days"] = default_payment_days() if default_days is None else default_days
    _check_payment_terms(fields.get("payment_days"), fields.get("payment_end_of_month", False))
    return fields


@transaction.atomic
def create_customer(*, by, code: str = "", contacts=(), delivery_addresses=(), **fields) -> Customer:
    permissions.require(by, "customer.manage")
    fields = clean_new_customer(**fields)
    code = (code or "").strip() or _next_customer_code()
    if Customer.objects.filter(code=code).exists():
        _fail(errors.DUPLICATE_CODE, value=code)
    try:
        with transaction.atomic():
            customer = Customer.objects.create(code=code, **fields)
    except IntegrityError:
        _fail(errors.DUPLICATE_CODE, value=code)
    for contact in contacts:
        Contact.objects.create(customer=customer, **contact)
    for address in delivery_addresses:
        DeliveryAddress.objects.create(customer=customer, **address)
    audit.record(
        "customer.created", by=by, obj=customer, data={"name": customer.name, "siren": customer.siren}
    )
    return customer


@transaction.atomic
def create_customers(cleaned: list[tuple[str, dict, list[dict]]], *, by, source: str) -> list[Customer]:
    """Many new customers at once, from an import: (code, fields that passed `clean_new_customer`, their
    contacts). One INSERT per batch, one audit event naming the `source` (the imported file) and the
    codes. A code already taken is refused for them all, by the unique constraint at the latest."""
    permissions.require(by, "customer.manage")
    if not cleaned:
        return []
    codes = [code for code, _fields, _contacts in cleaned]
    taken = list(Customer.objects.filter(code__in=codes).values_list("code", flat=True)[:1])
    if taken:
        _fail(errors.DUPLICATE_CODE, value=taken[0])
    customers = [Customer(code=code, **fields) for code, fields, _contacts in cleaned]
    try:
        with transaction.atomic():
            rows.insert_many(customers)
    except IntegrityError:
        _fail(errors.DUPLICATE_CODE, value=", ".join(codes[:3]))
    rows.insert_many(
        [
            Contact(customer=customer, **contact)
            for customer, (_code, _fields, contacts) in zip(customers, cleaned, strict=True)
            for contact in contacts
        ]
    )
    audit.record(
        "customer.imported",
        by=by,
        object_type="parties.customer",
        object_repr=source,
        data={"count": len(customers), "first": codes[0], "last": codes[-1]},
    )
    return customers


@transaction.atomic
def update_customer(customer: Customer, *, by, **fields) -> Customer:
    permissions.require(by, "customer.manage")
    unknown = set(fields) - set(CUSTOMER_FIELDS)
    if unknown:
        raise TypeError(f"unknown customer fields: {sorted(unknown)}")
    customer = Customer.objects.select_for_update().get(pk=customer.pk)
    merged = {f: getattr(customer, f) for f in CUSTOMER_FIELDS} | fields
    if not (merged.get("name") or "").strip():
        _fail(errors.NAME_REQUIRED)
    merged = _clean_einvoice_address(_clean_identifiers(merged, siren_required=False, foreign_vat=True))
    _check_vat_regime(merged)
    _check_payment_terms(merged.get("payment_days"), merged.get("payment_end_of_month", False))
    changed = {f: str(merged[f]) for f in CUSTOMER_FIELDS if merged[f] != getattr(customer, f)}
    for field, value in merged.items():
        setattr(customer, field, value)
    customer.save()
    audit.record("customer.updated", by=by, obj=customer, data={"changed": changed})
    return customer


@transaction.atomic
def add_contact(customer: Customer, *, by, name: str, job_title="", email="", phone="") -> Contact:
    permissions.require(by, "customer.manage")
    contact = Contact.objects.create(
        customer=customer, name=name, job_title=job_title, email=email, phone=phone
    )
    audit.record("customer.contact_added", by=by, obj=customer, data={"contact": name})
    return contact


@transaction.atomic
def add_delivery_address(customer: Customer, *, by, label: str, **address) -> DeliveryAddress:
    permissions.require(by, "customer.manage")
    created = DeliveryAddress.objects.create(customer=customer, label=label, **address)
    audit.record("customer.delivery_address_added", by=by, obj=customer, data={"label": label})
    return created


@transaction.atomic
def configure_company(*, by, **fields) -> Company:
    """Create or update the company (a single row)."""
    permissions.require(by, "company.manage")
    unknown = set(fields) - set(COMPANY_FIELDS)
    if unknown:
        raise TypeError(f"unknown company fields: {sorted(unknown)}")
    company = Company.objects.select_for_update().first()
    current = {f: getattr(company, f) for f in COMPANY_FIELDS} if company else {}
    if company is not None:
        # PostgreSQL hands a binary column back as a memoryview: compared as bytes.
        current["logo"] = bytes(current["logo"] or b"")
    merged = current | fields
    if not (merged.get("legal_name") or "").strip():
        _fail(errors.NAME_REQUIRED)
    merged = _clean_identifiers(merged, siren_required=True)
    if merged.get("iban"):
        merged["iban"] = clean_iban(merged["iban"]) or _fail(errors.INVALID_IBAN, value=merged["iban"])
    if merged.get("bic"):
        merged["bic"] = clean_bic(merged["bic"]) or _fail(errors.INVALID_BIC, value=merged["bic"])
    # The default terms are offered to new customers: they must be lawful too (no end-of-month option).
    _check_payment_terms(merged.get("default_payment_days"), False)
    if merged.get("late_penalty_rate") is not None:
        rate = money.D(merged["late_penalty_rate"])
        if rate < 0:
            _fail(errors.NEGATIVE_PENALTY_RATE)
        floor = legal_interest.minimum_penalty_rate(dates.today())
        if rate < floor:
            _fail(errors.PENALTY_RATE_BELOW_FLOOR, floor=_percent(floor), legal=_percent(floor / 3))
    if fields.get("logo"):
        merged["logo"], merged["logo_type"] = _checked_logo(fields["logo"])
    days = merged.get("backdating_days")
    if days is not None and not (isinstance(days, int) and 0 <= days <= dates.MAX_BACKDATING_DAYS):
        _fail(errors.BACKDATING_OUT_OF_RANGE, max=dates.MAX_BACKDATING_DAYS)
    _refuse_numbering_change(current, fields)
    _check_series_prefixes(current, merged, fields)
    # The audit names the fields that really changed (a settings form sends every field each time).
    changed = sorted(f for f in fields if f not in current or merged[f] != current[f])
    if company is not None and not changed:
        return company
    company = company or Company()
    for field, value in merged.items():
        setattr(company, field, value)
    company.save()
    audit.record("company.configured", by=by, obj=company, data={"fields": changed})
    return company


def _checked_logo(data: bytes) -> tuple[bytes, str]:
    """The logo as stored, with its media type: a PNG or JPEG image of reasonable size."""
    if len(data) > logos.MAX_BYTES:
        _fail(errors.LOGO_TOO_LARGE, max=logos.MAX_BYTES // 1024)
    media_type = logos.media_type(data)
    if media_type is None:
        _fail(errors.INVALID_LOGO)
    return bytes(data), media_type


def _check_series_prefixes(current: dict, merged: dict, fields: dict) -> None:
    """Each series' prefix: well formed, its own (no other series, no journal, no counter already used by
    something else), and changed only while the series has taken no number (parties/series.py)."""
    changed = [f for f in series.DEFAULTS if f in fields and fields[f] != current.get(f, series.DEFAULTS[f])]
    if not changed:
        return
    for field in changed:
        if not series.valid(merged[field]):
            _fail(errors.INVALID_SERIES_PREFIX, series=_label(field), value=merged[field])
    prefixes = {f: merged.get(f, default) for f, default in series.DEFAULTS.items()}
    for field, other, prefix in series.clashes(prefixes):
        if other:
            blamed, owner = (field, other) if field in changed else (other, field)
            if blamed in changed:
                _fail(errors.SERIES_PREFIX_TAKEN, series=_label(blamed), value=prefix, other=_label(owner))
        elif field in changed:
            _fail(errors.SERIES_PREFIX_RESERVED, series=_label(field), value=prefix)
    used = dict(
        NumberSequence.objects.filter(last_value__gt=0)
        .order_by("series", "year")  # the newest year of each counter is the one kept
        .values_list("series", "year")
    )
    for field in changed:
        before = current.get(field, series.DEFAULTS[field])
        if before in used:
            year = used[before]
            last = NumberSequence.objects.get(series=before, year=year).last_value
            raise Conflict(
                *errors.SERIES_PREFIX_LOCKED,
                series=_label(field),
                current=before,
                value=merged[field],
                number=format_number(before, year, last),
            )
        if merged[field] in used:
            _fail(errors.SERIES_PREFIX_RESERVED, series=_label(field), value=merged[field])


def _label(field: str) -> str:
    return series.BY_FIELD[field].label


def _commercial_series() -> tuple[str, ...]:
    """Counters of documents that carry no legal number and post no entry: quotes, orders, delivery
    notes, receipts, return cases and their receipts, under the company's prefixes."""
    company = Company.objects.first()
    return tuple(getattr(company, f) if company else series.DEFAULTS[f] for f in series.COMMERCIAL)


def _books_started() -> bool:
    """Whether an invoice or a credit note was issued or an entry posted.

    Parties cannot look at billing or accounting (they depend on it); the number counters, in core, say it
    for them: a number is taken only by the transaction that issues or posts (a rollback gives it back),
    so any counter above zero outside the commercial series means the books have started."""
    return NumberSequence.objects.filter(last_value__gt=0).exclude(series__in=_commercial_series()).exists()


def _refuse_numbering_change(current: dict, fields: dict) -> None:
    """The invoice series and the fiscal year's first month are fixed once the books have started: a new
    prefix would break the gap-free numbering of the year, a new first month the fiscal years of the
    entries already posted (and the FEC that follows them). Sending the same value again is no change."""
    for field, error, shown in (
        ("invoice_series", errors.INVOICE_SERIES_LOCKED, str),
        ("fiscal_year_start_month", errors.FISCAL_YEAR_START_LOCKED, lambda month: MONTHS.get(month, month)),
    ):
        if field not in fields:
            continue
        before = current.get(field, Company._meta.get_field(field).default)
        if fields[field] != before and _books_started():
            raise Conflict(*error, current=shown(before), value=shown(fields[field]))


def get_company() -> Company:
    company = Company.objects.first()
    if company is None:
        _fail(errors.COMPANY_MISSING)
    return company


def default_payment_days() -> int:
    """The payment terms offered to a new customer: the company's default, 30 days before it is set up."""
    days = Company.objects.values_list("default_payment_days", flat=True).first()
    return Company._meta.get_field("default_payment_days").default if days is None else days

"""Quote versions: a sent quote revised into v2, v3…, the earlier version frozen and superseded.

Why a version is a quote row of its own, numbered "<v1 number>-v<n>" (DEV-2026-00042-v2), rather than
one quote whose lines are rewritten under a version field:
- the customer signs a document (« Bon pour accord »): its number must name exactly the version signed,
  on the PDF, in the e-mail and in the archive, which all print and search `Quote.number`;
- the earlier version must stay as it was sent: a row nobody edits any more (status superseded, and
  `replace_quote_lines` edits drafts only) is frozen without a second copy of its lines;
- the order created at acceptance keeps `Order.quote` and `OrderLine.quote_line` pointing at the
  accepted version's rows, as for any quote, so every link downstream is unchanged;
- a revision is the same offer, not a new one: it takes no number of the gap-free DEV series.
"""

import datetime

from django.db import transaction

from comptoir.accounting import periods
from comptoir.core import audit, dates, permissions, rows, workflow
from comptoir.core.errors import Conflict, DomainError
from comptoir.core.errors import fail as _fail
from comptoir.sales import errors, versions
from comptoir.sales.models import Quote, QuoteLine


def version_number(first_number: str, version: int) -> str:
    return f"{first_number}-v{version}"


def _family(quote: Quote):
    """Every version of the offer `quote` belongs to (v1 first)."""
    first_id = quote.first_version_id or quote.pk
    return Quote.objects.filter(pk=first_id) | Quote.objects.filter(first_version_id=first_id)


def versions_of(quote: Quote) -> list[Quote]:
    return list(_family(quote).order_by("version"))


def latest_version(quote: Quote) -> Quote:
    return _family(quote).order_by("-version").first()


def acceptance_refusal(quote: Quote) -> DomainError | None:
    """Why this version cannot be accepted because a later one replaced it, or None."""
    if quote.status != Quote.Status.SUPERSEDED:
        return None
    latest = latest_version(quote)
    return Conflict(
        *errors.QUOTE_SUPERSEDED, number=quote.number, version=latest.version, latest=latest.number
    )


def _line_data(quote: Quote) -> list[dict]:
    return [
        {
            "product": line.product_id,
            "description": line.description,
            "quantity": line.quantity,
            "unit_price": line.unit_price,
            "discount_percent": line.discount_percent,
            "discount_category": line.discount_category,
        }
        for line in QuoteLine.objects.filter(quote=quote).order_by("position", "id")
    ]


@transaction.atomic
def revise_quote(quote: Quote, *, by, lines=None, date=None, valid_until=None, note=None) -> Quote:
    """Revise a sent quote: a new draft version (same lines unless `lines` are given, to edit before it is
    sent), the revised one frozen as superseded. Only the latest version can then be accepted.

    The revision is dated today (or `date`) and valid for the usual period from then: an offer made
    again, possibly after the earlier version expired."""
    from comptoir.sales import services

    permissions.require(by, "quote.manage")
    locked = Quote.objects.select_for_update().select_related("customer").get(pk=quote.pk)
    if locked.status != Quote.Status.SENT:
        raise Conflict(*errors.QUOTE_NOT_REVISABLE, number=locked.number, status=locked.get_status_display())
    services._check_customer(locked.customer)
    built = services.build_lines(lines if lines is not None else _line_data(locked), locked.customer)
    date = periods.check_business_date(date, follows=dates.follows(f"le devis {locked.number}", locked.date))
    if valid_until is not None and valid_until < date:
        _fail(
            errors.VALIDITY_BEFORE_DATE,
            valid_until=valid_until.strftime("%d/%m/%Y"),
            date=date.strftime("%d/%m/%Y"),
        )
    first = locked.first_version or locked
    revision = Quote(
        number=version_number(first.number, locked.version + 1),
        customer=locked.customer,
        date=date,
        valid_until=valid_until or date + datetime.timedelta(days=services.QUOTE_VALIDITY_DAYS),
        note=locked.note if note is None else note,
        renewed_from_id=first.renewed_from_id,
        opportunity_id=locked.opportunity_id,
        version=locked.version + 1,
        previous_version=locked,
        first_version=first,
        created_by=by if getattr(by, "pk", None) else None,
    )
    services._set_totals(revision, built)
    rows.insert_one(revision)
    rows.insert_many([QuoteLine(quote=revision, **line) for line in built])
    workflow.require(
        Quote.TRANSITIONS, locked.status, Quote.Status.SUPERSEDED, document=locked.number, labels=Quote.Status
    )
    locked.status = Quote.Status.SUPERSEDED
    rows.update_one(locked, ["status"])
    audit.record(
        "quote.revised",
        by=by,
        obj=revision,
        data={
            "revises": locked.number,
            "version": revision.version,
            "total_before": locked.total_untaxed,
            "total": revision.total_untaxed,
        },
    )
    return revision


def _diff_lines(quote: Quote) -> list[versions.Line]:
    return [
        versions.Line(
            product_id=line.product_id,
            sku=line.product.sku,
            description=line.description,
            quantity=line.quantity,
            unit_price=line.unit_price,
            discount_percent=line.discount_percent,
            net_amount=line.net_amount,
        )
        for line in QuoteLine.objects.filter(quote=quote).select_related("product").order_by("position", "id")
    ]


def _totals(quote: Quote) -> dict:
    return {name: getattr(quote, name) for name in versions.TOTAL_FIELDS}


def compare_versions(older: Quote, newer: Quote) -> versions.Diff:
    """The differences from `older` to `newer`, two versions of one offer (in either order given)."""
    if (older.first_version_id or older.pk) != (newer.first_version_id or newer.pk):
        _fail(errors.QUOTE_VERSIONS_UNRELATED, first=older.number, second=newer.number)
    if older.version > newer.version:
        older, newer = newer, older
    return versions.diff(_diff_lines(older), _diff_lines(newer), _totals(older), _totals(newer))

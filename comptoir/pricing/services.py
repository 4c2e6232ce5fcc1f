"""Business actions on prices: price lists and their lines, customer prices, groups, discount thresholds."""

import datetime
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone

from comptoir.catalog.services import get_sellable
from comptoir.core import audit, dates, money, permissions, workflow
from comptoir.core.errors import Conflict, NotFound
from comptoir.core.errors import fail as _fail
from comptoir.pricing import errors
from comptoir.pricing.models import (
    CustomerGroup,
    CustomerGroupMember,
    CustomerPrice,
    DiscountThreshold,
    PriceList,
    PriceListLine,
    PriceReview,
)
from comptoir.pricing.selectors import discount_thresholds

HUNDRED = Decimal("100")


def _number(value, position):
    if value in (None, ""):
        return None
    try:
        return money.D(value)
    except (ValueError, TypeError, InvalidOperation):
        _fail(errors.LINE_NUMBER, position=position, value=str(value)[:20])


def _check_list_fields(name, customer, group, valid_from, valid_until) -> str:
    name = (name or "").strip()[:120]
    if not name:
        _fail(errors.LIST_NAME_MISSING)
    if (customer is None) == (group is None):
        _fail(errors.LIST_TARGET)
    if valid_from and valid_until and valid_until < valid_from:
        _fail(
            errors.LIST_DATES, since=valid_from.strftime("%d/%m/%Y"), until=valid_until.strftime("%d/%m/%Y")
        )
    return name


@transaction.atomic
def create_price_list(
    name, *, by, customer=None, group=None, valid_from=None, valid_until=None, lines=()
) -> PriceList:
    permissions.require(by, "pricing.manage")
    name = _check_list_fields(name, customer, group, valid_from, valid_until)
    price_list = PriceList.objects.create(
        name=name, customer=customer, group=group, valid_from=valid_from, valid_until=valid_until
    )
    built = _build_lines(price_list, lines)
    PriceListLine.objects.bulk_create(built)
    audit.record(
        "price_list.created",
        by=by,
        obj=price_list,
        data={
            "name": name,
            "customer": customer.code if customer else "",
            "group": group.code if group else "",
            "lines": len(built),
        },
    )
    return price_list


@transaction.atomic
def update_price_list(
    price_list: PriceList,
    *,
    by,
    name,
    customer=None,
    group=None,
    valid_from=None,
    valid_until=None,
    is_active=True,
) -> PriceList:
    permissions.require(by, "pricing.manage")
    price_list = PriceList.objects.select_for_update().get(pk=price_list.pk)
    name = _check_list_fields(name, customer, group, valid_from, valid_until)
    before = {
        "name": price_list.name,
        "valid_from": price_list.valid_from,
        "valid_until": price_list.valid_until,
    }
    price_list.name, price_list.customer, price_list.group = name, customer, group
    price_list.valid_from, price_list.valid_until, price_list.is_active = (
        valid_from,
        valid_until,
        bool(is_active),
    )
    price_list.save()
    audit.record(
        "price_list.updated",
        by=by,
        obj=price_list,
        data={
            "before": before,
            "name": name,
            "valid_from": valid_from,
            "valid_until": valid_until,
            "active": price_list.is_active,
        },
    )
    return price_list


def clean_line(data: dict, position: int) -> dict:
    """One line of a list once its rules pass: {product, min_quantity, price, percent_off}, DomainError
    otherwise (`position` names the line in the message: its rank in a form, its row in a file)."""
    product = get_sellable(data.get("product"))
    min_quantity = _number(data.get("min_quantity"), position)
    min_quantity = Decimal("1") if min_quantity is None else money.quantity(min_quantity)
    if min_quantity <= 0:
        _fail(errors.LINE_MIN_QUANTITY, position=position)
    price = _number(data.get("price"), position)
    percent = _number(data.get("percent_off"), position)
    if (price is None) == (percent is None):
        _fail(errors.LINE_PRICE_XOR_PERCENT, position=position)
    if price is not None and price < 0:
        _fail(errors.LINE_PRICE_NEGATIVE, position=position)
    if percent is not None and not Decimal("0") < percent <= HUNDRED:
        _fail(errors.LINE_PERCENT_RANGE, position=position)
    return {
        "product": product,
        "min_quantity": min_quantity,
        "price": None if price is None else money.unit_price(price),
        "percent_off": None if percent is None else percent.quantize(Decimal("0.01")),
    }


def _build_lines(price_list: PriceList, lines) -> list[PriceListLine]:
    built, seen = [], set()
    for position, data in enumerate(lines or (), start=1):
        line = clean_line(data, position)
        key = (line["product"].pk, line["min_quantity"])
        if key in seen:
            _fail(
                errors.LINE_DUPLICATE,
                position=position,
                product=line["product"].sku,
                quantity=money.fr(line["min_quantity"], 0),
            )
        seen.add(key)
        built.append(PriceListLine(price_list=price_list, **line))
    return built


@transaction.atomic
def set_price_list_lines(price_list: PriceList, lines, *, by) -> PriceList:
    """Replace the lines of a list: `lines` are {product, min_quantity (1 by default), price | percent_off}."""
    permissions.require(by, "pricing.manage")
    price_list = PriceList.objects.select_for_update().get(pk=price_list.pk)
    built = _build_lines(price_list, lines)
    price_list.lines.all().delete()
    PriceListLine.objects.bulk_create(built)
    audit.record("price_list.lines_set", by=by, obj=price_list, data={"lines": len(built)})
    return price_list


@transaction.atomic
def import_price_list_lines(entries: list[dict], *, by, source: str) -> list[PriceListLine]:
    """Write the lines of price lists read from a file (`imports.price_lists`): each entry names its list
    (`name`, and for a list still to create its `customer` or `group`), its validity (`valid_from`,
    `valid_until`: None keeps the list's) and a line that passed `clean_line`. A list is found by its name
    (created when none has it); a line by (list, product, quantity break), its price replaced: the same
    file again changes nothing. One audit event naming the `source` file."""
    permissions.require(by, "pricing.manage")
    if not entries:
        return []
    lists: dict[str, PriceList] = {}
    written = []
    for entry in entries:
        name = _check_list_fields(entry["name"], entry.get("customer"), entry.get("group"), None, None)
        price_list = lists.get(name) or PriceList.objects.filter(name=name).order_by("id").first()
        since, until = entry.get("valid_from"), entry.get("valid_until")
        if price_list is None:
            _check_list_fields(name, entry.get("customer"), entry.get("group"), since, until)
            price_list = PriceList.objects.create(
                name=name,
                customer=entry.get("customer"),
                group=entry.get("group"),
                valid_from=since,
                valid_until=until,
            )
        elif (since or until) and (since, until) != (price_list.valid_from, price_list.valid_until):
            _check_list_fields(name, price_list.customer, price_list.group, since, until)
            price_list.valid_from, price_list.valid_until = since, until
            price_list.save(update_fields=["valid_from", "valid_until"])
        lists[name] = price_list
        line, _created = PriceListLine.objects.update_or_create(
            price_list=price_list,
            product=entry["product"],
            min_quantity=entry["min_quantity"],
            defaults={"price": entry["price"], "percent_off": entry["percent_off"]},
        )
        written.append(line)
    audit.record(
        "price_list.imported",
        by=by,
        object_type="pricing.pricelist",
        object_repr=source,
        data={"lines": len(written), "lists": sorted(lists)[:50]},
    )
    return written


def get_price_list(pk) -> PriceList:
    try:
        return PriceList.objects.select_related("customer", "group").get(pk=int(pk))
    except (PriceList.DoesNotExist, TypeError, ValueError):
        raise NotFound(*errors.LIST_MISSING) from None


@transaction.atomic
def set_customer_price(customer, product, price, *, by, valid_from=None, valid_until=None) -> CustomerPrice:
    permissions.require(by, "pricing.manage")
    product = get_sellable(getattr(product, "pk", product))
    value = _number(price, 1)
    if value is None or value < 0:
        _fail(errors.CUSTOMER_PRICE_NEGATIVE)
    if valid_from and valid_until and valid_until < valid_from:
        _fail(
            errors.LIST_DATES, since=valid_from.strftime("%d/%m/%Y"), until=valid_until.strftime("%d/%m/%Y")
        )
    row = CustomerPrice.objects.create(
        customer=customer,
        product=product,
        price=money.unit_price(value),
        valid_from=valid_from,
        valid_until=valid_until,
    )
    audit.record(
        "customer_price.set",
        by=by,
        obj=customer,
        data={
            "product": product.sku,
            "price": row.price,
            "valid_from": valid_from,
            "valid_until": valid_until,
        },
    )
    return row


@transaction.atomic
def remove_customer_price(row: CustomerPrice, *, by) -> None:
    permissions.require(by, "pricing.manage")
    row = CustomerPrice.objects.select_related("customer", "product").get(pk=row.pk)
    row.delete()
    audit.record(
        "customer_price.removed",
        by=by,
        obj=row.customer,
        data={"product": row.product.sku, "price": row.price},
    )


@transaction.atomic
def create_customer_group(code, name, *, by) -> CustomerGroup:
    permissions.require(by, "pricing.manage")
    code, name = (code or "").strip().upper()[:20], (name or "").strip()[:120]
    if not code or not name:
        _fail(errors.GROUP_FIELDS_MISSING)
    if CustomerGroup.objects.filter(code=code).exists():
        _fail(errors.GROUP_CODE_TAKEN, code=code)
    group = CustomerGroup.objects.create(code=code, name=name)
    audit.record("customer_group.created", by=by, obj=group, data={"code": code, "name": name})
    return group


@transaction.atomic
def set_customer_group(customer, group: CustomerGroup | None, *, by) -> None:
    """Put a customer in a group (or, with None, in none): their group's lists apply to them."""
    permissions.require(by, "pricing.manage")
    before = CustomerGroupMember.objects.filter(customer=customer).select_related("group").first()
    if group is None:
        CustomerGroupMember.objects.filter(customer=customer).delete()
    else:
        CustomerGroupMember.objects.update_or_create(customer=customer, defaults={"group": group})
    audit.record(
        "customer.price_group_set",
        by=by,
        obj=customer,
        data={"before": before.group.code if before else "", "group": group.code if group else ""},
    )


@transaction.atomic
def set_discount_thresholds(thresholds: dict, *, by) -> dict:
    """Set the discount each role grants alone: role → percent (0–100) or None for unlimited."""
    permissions.require(by, "pricing.configure")
    cleaned = {}
    for role, value in thresholds.items():
        if role not in permissions.ALL_ROLES:
            _fail(errors.THRESHOLD_ROLE_UNKNOWN, role=role)
        label = str(permissions.ROLE_LABELS[role])
        if value in (None, ""):
            cleaned[role] = None
            continue
        try:
            number = money.D(value)
        except (ValueError, TypeError, InvalidOperation):
            _fail(errors.THRESHOLD_INVALID, role=label)
        if not Decimal("0") <= number <= HUNDRED:
            _fail(errors.THRESHOLD_INVALID, role=label)
        cleaned[role] = number.quantize(Decimal("0.01"))
    before = discount_thresholds()
    after = {**before, **cleaned}
    DiscountThreshold.objects.all().delete()
    DiscountThreshold.objects.bulk_create(
        [DiscountThreshold(role=role, max_percent=value) for role, value in after.items()]
    )
    audit.record(
        "pricing.discount_thresholds_set",
        by=by,
        obj=None,
        data={"before": before, "after": after},
    )
    return after


# --- Commercial follow-ups (PriceReview) --------------------------------------------------------------------

# A follow-up opened without a due date is due within this many days.
REVIEW_DEFAULT_DAYS = 14


@transaction.atomic
def open_price_review(
    customer,
    *,
    by,
    kind: str,
    reason: str,
    due_date: datetime.date | None = None,
    assigned_to=None,
    proposal_id: int | None = None,
) -> PriceReview:
    """Open a follow-up of `customer` (call them, review their price list, renegotiate their payment
    terms); one open follow-up of each kind per customer."""
    permissions.require(by, "price_review.manage")
    if kind not in PriceReview.Kind.values:
        _fail(errors.REVIEW_KIND, kind=str(kind)[:40])
    reason = (reason or "").replace("\x00", "").strip()
    if not reason:
        _fail(errors.REVIEW_REASON_MISSING)
    today = dates.today()
    due_date = due_date or today + datetime.timedelta(days=REVIEW_DEFAULT_DAYS)
    if due_date < today:
        _fail(errors.REVIEW_DUE_DATE)
    # Lock the customer so that two people opening the same follow-up cannot both pass the check.
    type(customer).objects.select_for_update().filter(pk=customer.pk).first()
    if PriceReview.objects.filter(customer=customer, kind=kind, status=PriceReview.Status.OPEN).exists():
        raise Conflict(
            *errors.REVIEW_ALREADY_OPEN, kind=str(PriceReview.Kind(kind).label), customer=customer.name
        )
    review = PriceReview.objects.create(
        customer=customer,
        kind=kind,
        reason=reason,
        due_date=due_date,
        assigned_to=assigned_to or by,
        proposal_id=proposal_id,
        opened_by=by,
    )
    audit.record(
        "price_review.opened",
        by=by,
        obj=review,
        object_repr=f"{review.get_kind_display()} — {customer.name}",
        data={
            "customer": customer.code,
            "kind": kind,
            "due_date": due_date.isoformat(),
            "assigned_to": review.assigned_to.get_username(),
            "proposal": proposal_id,
        },
    )
    return review


@transaction.atomic
def close_price_review(review: PriceReview, *, by, outcome: str = "") -> PriceReview:
    """Mark a follow-up done, with what came out of it."""
    permissions.require(by, "price_review.manage")
    review = PriceReview.objects.select_for_update().select_related("customer").get(pk=review.pk)
    workflow.require(
        PriceReview.TRANSITIONS,
        review.status,
        PriceReview.Status.DONE,
        document=str(review),
        labels=PriceReview.Status,
    )
    review.status = PriceReview.Status.DONE
    review.closed_by = by
    review.closed_at = timezone.now()
    review.outcome = (outcome or "").replace("\x00", "").strip()
    review.save(update_fields=["status", "closed_by", "closed_at", "outcome"])
    audit.record(
        "price_review.closed",
        by=by,
        obj=review,
        object_repr=f"{review.get_kind_display()} — {review.customer.name}",
        data={"customer": review.customer.code, "kind": review.kind, "outcome": review.outcome},
    )
    return review


def get_price_review(pk) -> PriceReview:
    try:
        return PriceReview.objects.select_related("customer").get(pk=int(pk))
    except (PriceReview.DoesNotExist, TypeError, ValueError):
        raise NotFound(*errors.REVIEW_MISSING) from None

"""Business actions on quotes and orders: one verb, one transaction, one audit event each."""

import datetime
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone

from comptoir.accounting import periods
from comptoir.catalog.services import get_sellable
from comptoir.core import audit, dates, money, numbering, permissions, rows, vat, workflow
from comptoir.core.compiled import Compiled
from comptoir.core.errors import DomainError
from comptoir.core.errors import fail as _fail
from comptoir.core.taxes import document_totals
from comptoir.crm import services as crm
from comptoir.parties.models import Customer
from comptoir.parties.selectors import number_prefix
from comptoir.sales import discounts, errors
from comptoir.sales.models import BillingMilestone, Order, OrderLine, Quote, QuoteLine
from comptoir.sales.selectors import ORDER_LOCKED_WITH_CUSTOMER

QUOTE_VALIDITY_DAYS = 30


def _decimal(value, position, default=None):
    if value in (None, ""):
        return default
    try:
        return money.D(value)
    except (ValueError, TypeError, InvalidOperation):
        _fail(errors.INVALID_NUMBER, value=value, position=position)


def build_lines(
    lines_data, customer: Customer | None = None, *, on: datetime.date | None = None
) -> list[dict]:
    """Validate line input (product, quantity, optional price, discount and its category, description)
    into field dicts.

    Without a typed price, the unit price is the one `pricing` gives the customer for the quantity on
    `on` (today by default), with its explanation (`sales.discounts.price_lines`). VAT comes from the
    product and the customer's VAT regime (an EU business or an export customer is not charged French VAT).
    """
    regime = customer.vat_regime if customer is not None else vat.Regime.FRANCE
    if not lines_data:
        _fail(errors.NO_LINES)
    built = []
    typed = []
    for position, data in enumerate(lines_data, start=1):
        product = get_sellable(data.get("product"))
        qty = _decimal(data.get("quantity"), position)
        if qty is None or qty <= 0:
            _fail(errors.QUANTITY_NOT_POSITIVE, position=position, value=data.get("quantity"))
        qty = money.quantity(qty)
        if qty <= 0:
            _fail(errors.QUANTITY_NOT_POSITIVE, position=position, value=data.get("quantity"))
        if qty > money.MAX_QUANTITY:
            _fail(errors.QUANTITY_TOO_LARGE, position=position, limit=money.fr(money.MAX_QUANTITY, 0))
        price = _decimal(data.get("unit_price"), position)
        if price is not None and price < 0:
            _fail(errors.PRICE_NEGATIVE, position=position)
        typed.append((product, qty, price))
        discount = _decimal(data.get("discount_percent"), position, default=Decimal("0"))
        if not Decimal("0") <= discount <= Decimal("100"):
            _fail(errors.DISCOUNT_OUT_OF_RANGE, position=position)
        category = discounts.category_of(data.get("discount_category"), discount, position)
        built.append(
            {
                "position": position,
                "product": product,
                "quantity": qty,
                "discount_percent": discount,
                "discount_category": category,
                "description": data.get("description"),
            }
        )
    priced = discounts.price_lines(customer, typed, on or dates.today())
    for line, (price, explanation) in zip(built, priced, strict=True):
        position, product, qty, discount = (
            line["position"],
            line["product"],
            line["quantity"],
            line["discount_percent"],
        )
        if price * qty > money.MAX_LINE_AMOUNT:
            _fail(errors.AMOUNT_TOO_LARGE, position=position, limit=money.fr(money.MAX_LINE_AMOUNT, 0))
        tax = vat.treatment(
            regime=regime,
            is_service=not product.is_stocked,
            rate=product.vat_rate,
            exemption_reason=product.vat_exemption_reason,
            exemption_code=product.vat_exemption_code,
        )
        line.update(
            {
                "description": (line["description"] or product.name)[:250],
                "unit_price": price,
                "price_explanation": explanation,
                "discount_percent": discount.quantize(Decimal("0.01")),
                "vat_rate": tax.rate,
                "vat_category": tax.category,
                "vat_exemption_reason": tax.reason,
                "net_amount": money.line_net(qty, price, discount),
            }
        )
    if sum(line["net_amount"] for line in built) > money.MAX_DOCUMENT_AMOUNT:
        _fail(errors.DOCUMENT_TOO_LARGE, limit=money.fr(money.MAX_DOCUMENT_AMOUNT, 0))
    return built


def _set_totals(document, lines: list[dict]) -> None:
    totals = document_totals((line["net_amount"], line["vat_rate"], line["vat_category"]) for line in lines)
    document.total_untaxed, document.total_vat, document.total = totals.untaxed, totals.vat, totals.total


def _check_customer(customer: Customer) -> None:
    if not customer.is_active:
        _fail(errors.INACTIVE_CUSTOMER, customer=customer.name)


# --- Quotes -------------------------------------------------------------------------------------


@transaction.atomic
def create_quote(
    customer: Customer,
    lines,
    *,
    by,
    date=None,
    valid_until=None,
    note="",
    renewed_from: Quote | None = None,
    opportunity=None,
) -> Quote:
    """A draft quote; with `opportunity` (crm), attached to that open deal of the same customer."""
    permissions.require(by, "quote.manage")
    _check_customer(customer)
    if opportunity is not None:
        crm.require_quotable(opportunity, customer)
    date = periods.check_business_date(date)
    built = build_lines(lines, customer, on=date)
    if valid_until is not None and valid_until < date:
        _fail(
            errors.VALIDITY_BEFORE_DATE,
            valid_until=valid_until.strftime("%d/%m/%Y"),
            date=date.strftime("%d/%m/%Y"),
        )
    quote = Quote(
        number=numbering.next_number(number_prefix("quote_series"), date.year),
        customer=customer,
        date=date,
        valid_until=valid_until or date + datetime.timedelta(days=QUOTE_VALIDITY_DAYS),
        note=note,
        renewed_from=renewed_from,
        opportunity=opportunity,
        created_by=by if getattr(by, "pk", None) else None,
    )
    discounts.granted(quote, by=by)
    _set_totals(quote, built)
    rows.insert_one(quote)
    rows.insert_many([QuoteLine(quote=quote, **line) for line in built])
    data = {"customer": customer.code, "total": quote.total_untaxed}
    if renewed_from is not None:
        data["renews"] = renewed_from.number
    if opportunity is not None:
        data["opportunity"] = opportunity.number
    audit.record("quote.created", by=by, obj=quote, data=data)
    return quote


@transaction.atomic
def renew_quote(quote: Quote, *, by, date=None, valid_until=None) -> Quote:
    """A new draft quote for the same customer with the same lines, linked to `quote`: an expired offer
    made again, or any quote used as a model.

    The lines keep the prices and discounts that were offered (the customer was told those; the draft
    can be edited before it is sent); VAT is taken again from the product and the customer's regime on
    the new date. A customer archived since, or a product no longer sold, is refused as in any quote."""
    source = Quote.objects.select_related("customer", "opportunity").get(pk=quote.pk)
    lines = [
        {
            "product": line.product_id,
            "description": line.description,
            "quantity": line.quantity,
            "unit_price": line.unit_price,
            "discount_percent": line.discount_percent,
            "discount_category": line.discount_category,
        }
        for line in source.lines.order_by("position", "id")
    ]
    return create_quote(
        source.customer,
        lines,
        by=by,
        date=date,
        valid_until=valid_until,
        note=source.note,
        renewed_from=source,
        # Still the same deal while it is open; a closed one is not reopened by a renewal.
        opportunity=source.opportunity if source.opportunity and source.opportunity.is_open else None,
    )


@transaction.atomic
def replace_quote_lines(quote: Quote, lines, *, by) -> Quote:
    permissions.require(by, "quote.manage")
    quote = Quote.objects.select_for_update().get(pk=quote.pk)
    if quote.status != Quote.Status.DRAFT:
        _fail(errors.NOT_EDITABLE, document=quote.number)
    built = build_lines(lines, quote.customer, on=quote.date)
    quote.lines.all().delete()
    rows.insert_many([QuoteLine(quote=quote, **line) for line in built])
    _set_totals(quote, built)
    discounts.granted(quote, by=by)
    quote.save(update_fields=["total_untaxed", "total_vat", "total", *discounts.GRANT_FIELDS])
    audit.record(
        "quote.lines_replaced", by=by, obj=quote, data={"lines": len(built), "total": quote.total_untaxed}
    )
    return quote


# The reads every quote and order goes through once in its life, compiled once (`core.compiled`).
_QUOTE_LOCKED = Compiled(lambda quote_id: Quote.objects.select_for_update().filter(pk=quote_id))
_QUOTE_LINES = Compiled(
    lambda quote_id: QuoteLine.objects.filter(quote_id=quote_id).order_by("position", "id")
)


def _transition_quote(
    quote: Quote, target: str, *, by, perm: str, action: str, data=None, locked: bool = False
) -> Quote:
    permissions.require(by, perm)
    if not locked:
        quote = _QUOTE_LOCKED.get(quote.pk)
    workflow.require(Quote.TRANSITIONS, quote.status, target, document=quote.number, labels=Quote.Status)
    quote.status = target
    rows.update_one(quote, ["status"])
    audit.record(action, by=by, obj=quote, data=data or {})
    return quote


@transaction.atomic
def send_quote(quote: Quote, *, by) -> Quote:
    permissions.require(by, "quote.send")
    locked = _QUOTE_LOCKED.get(quote.pk)
    if locked.status == Quote.Status.DRAFT:
        discounts.require_covered(locked, action="send")
    return _transition_quote(
        locked, Quote.Status.SENT, by=by, perm="quote.send", action="quote.sent", locked=True
    )


@transaction.atomic
def refuse_quote(quote: Quote, *, by, reason: str = "") -> Quote:
    return _transition_quote(
        quote,
        Quote.Status.REFUSED,
        by=by,
        perm="quote.accept",
        action="quote.refused",
        data={"reason": reason},
    )


@transaction.atomic
def cancel_quote(quote: Quote, *, by, reason: str = "") -> Quote:
    return _transition_quote(
        quote,
        Quote.Status.CANCELLED,
        by=by,
        perm="quote.manage",
        action="quote.cancelled",
        data={"reason": reason},
    )


@transaction.atomic
def accept_quote(
    quote: Quote, *, by, date=None, customer_reference: str = "", channel: str = Order.Channel.MANUAL
) -> Order:
    """The customer accepted the quote: record it and create the sales order, linked line by line.
    `channel`: how the acceptance came in (Order.Channel)."""
    permissions.require(by, "quote.accept")
    locked = _QUOTE_LOCKED.get(quote.pk)
    superseded = revising.acceptance_refusal(locked)
    if superseded is not None:
        raise superseded
    date = periods.check_business_date(date, follows=dates.follows(f"le devis {locked.number}", locked.date))
    if locked.status == Quote.Status.SENT and locked.valid_until and date > locked.valid_until:
        _fail(errors.QUOTE_EXPIRED, number=locked.number, date=locked.valid_until.strftime("%d/%m/%Y"))
    quote = _transition_quote(
        locked, Quote.Status.ACCEPTED, by=by, perm="quote.accept", action="quote.accepted", locked=True
    )
    order = rows.insert_one(
        Order(
            number=numbering.next_number(number_prefix("order_series"), date.year),
            customer_id=quote.customer_id,
            quote=quote,
            channel=_channel(channel),
            date=date,
            customer_reference=customer_reference,
            total_untaxed=quote.total_untaxed,
            total_vat=quote.total_vat,
            total=quote.total,
            created_by=by if getattr(by, "pk", None) else None,
            **discounts.carry(quote),
        )
    )
    rows.insert_many(
        [
            OrderLine(
                order=order,
                quote_line=line,
                position=line.position,
                product_id=line.product_id,
                description=line.description,
                quantity=line.quantity,
                unit_price=line.unit_price,
                discount_percent=line.discount_percent,
                discount_category=line.discount_category,
                price_explanation=line.price_explanation,
                vat_rate=line.vat_rate,
                vat_category=line.vat_category,
                vat_exemption_reason=line.vat_exemption_reason,
                net_amount=line.net_amount,
            )
            for line in _QUOTE_LINES.objects(quote.pk, quote=quote)
        ]
    )
    audit.record(
        "order.created", by=by, obj=order, data={"from_quote": quote.number, "total": order.total_untaxed}
    )
    if quote.opportunity_id is not None:
        # The deal the quote answered is won, in the same transaction (an explicit call, no signal).
        crm.win_from_quote(quote.opportunity, quote=quote, by=by, date=date)
    return order


# --- Orders -------------------------------------------------------------------------------------


def _channel(channel: str) -> str:
    if channel not in Order.Channel.values:
        raise ValueError(channel)
    return channel


@transaction.atomic
def create_order(
    customer: Customer,
    lines,
    *,
    by,
    date=None,
    customer_reference: str = "",
    delivery_address=None,
    channel: str = Order.Channel.MANUAL,
) -> Order:
    """A draft order; `channel` says how it came in (Order.Channel): typed in, through the API, or from a
    document the intake received."""
    permissions.require(by, "order.manage")
    _check_customer(customer)
    date = periods.check_business_date(date)
    built = build_lines(lines, customer, on=date)
    order = Order(
        number=numbering.next_number(number_prefix("order_series"), date.year),
        customer=customer,
        channel=_channel(channel),
        date=date,
        customer_reference=customer_reference,
        delivery_address=delivery_address,
        created_by=by if getattr(by, "pk", None) else None,
    )
    discounts.granted(order, by=by)
    _set_totals(order, built)
    rows.insert_one(order)
    rows.insert_many([OrderLine(order=order, **line) for line in built])
    audit.record(
        "order.created", by=by, obj=order, data={"customer": customer.code, "total": order.total_untaxed}
    )
    return order


def _quote_links(order: Order, lines) -> list[int | None]:
    """The accepted quote line each edited order line still answers (`quote_line`, an id the editor
    carries over), so that a product swapped or a price changed since the quote stays visible. Only
    lines of the order's own quote, each at most once."""
    wanted = [line.get("quote_line") for line in lines]
    if not any(wanted):
        return [None] * len(lines)
    own = set(order.quote.lines.values_list("pk", flat=True)) if order.quote_id else set()
    links, seen = [], set()
    for position, raw in enumerate(wanted, start=1):
        if not raw:
            links.append(None)
            continue
        try:
            link = int(getattr(raw, "pk", raw))
        except (TypeError, ValueError):
            link = None
        if link not in own or link in seen:
            _fail(errors.QUOTE_LINE_NOT_OF_ORDER, position=position)
        seen.add(link)
        links.append(link)
    return links


@transaction.atomic
def replace_order_lines(order: Order, lines, *, by) -> Order:
    """Replace a draft order's lines. A line may name the quote line it comes from (`quote_line`): the
    link is kept, never guessed (web: the editor carries it in each row)."""
    permissions.require(by, "order.manage")
    order = Order.objects.select_for_update().get(pk=order.pk)
    if order.status != Order.Status.DRAFT:
        _fail(errors.NOT_EDITABLE, document=order.number)
    built = build_lines(lines, order.customer, on=order.date)
    for line, link in zip(built, _quote_links(order, lines), strict=True):
        line["quote_line_id"] = link
    order.lines.all().delete()
    rows.insert_many([OrderLine(order=order, **line) for line in built])
    _set_totals(order, built)
    discounts.granted(order, by=by)
    order.save(update_fields=["total_untaxed", "total_vat", "total", *discounts.GRANT_FIELDS])
    audit.record(
        "order.lines_replaced", by=by, obj=order, data={"lines": len(built), "total": order.total_untaxed}
    )
    return order


# Every confirmation runs it, nearly always on an order without a schedule: SQL written once.
_REACH_CONFIRMATION_STEPS_SQL = (
    f'UPDATE "{BillingMilestone._meta.db_table}" SET "reached_at" = %s '
    'WHERE "order_id" = %s AND "trigger" = %s AND "reached_at" IS NULL'
)


@transaction.atomic
def confirm_order(order: Order, *, by) -> Order:
    """Confirm the order: its remaining quantities now count as reserved stock (see stock.selectors).

    Confirming beyond available stock is allowed on purpose: the shortfall shows as a backorder
    rather than blocking the sale.
    """
    permissions.require(by, "order.confirm")
    order = ORDER_LOCKED_WITH_CUSTOMER.get(order.pk)
    workflow.require(
        Order.TRANSITIONS, order.status, Order.Status.CONFIRMED, document=order.number, labels=Order.Status
    )
    _check_customer(order.customer)
    discounts.require_covered(order, action="confirm")
    order.status = Order.Status.CONFIRMED
    order.confirmed_at = timezone.now()
    rows.update_one(order, ["status", "confirmed_at"])
    # Billing-schedule steps due at confirmation (typically the deposit) can now be invoiced.
    with transaction.get_connection().cursor() as cursor:
        cursor.execute(
            _REACH_CONFIRMATION_STEPS_SQL,
            [
                BillingMilestone._meta.get_field("reached_at").get_db_prep_save(
                    order.confirmed_at, cursor.db
                ),
                order.pk,
                BillingMilestone.Trigger.CONFIRMATION.value,
            ],
        )
    audit.record("order.confirmed", by=by, obj=order, data={"total": order.total_untaxed})
    return order


def cancel_refusal(order: Order) -> DomainError | None:
    """Why the order cannot be cancelled whatever its state allows (goods shipped, an invoice drafted or
    issued), or None. `cancel_order` raises it; the order's page shows it instead of a button that would
    only fail."""
    lines = list(order.lines.all())
    if any(line.quantity_delivered > 0 for line in lines):
        return DomainError(*errors.ORDER_HAS_DELIVERIES, number=order.number)
    # Deposit and milestone invoices bill the order without touching its lines' counters: any invoice
    # of the order that is not cancelled (draft or issued) keeps the order alive. The reverse relation
    # keeps sales free of an import of billing, which depends on sales.
    if (
        any(line.quantity_invoiced > 0 for line in lines)
        or order.invoices.exclude(status="cancelled").exists()
    ):
        return DomainError(*errors.ORDER_HAS_INVOICES, number=order.number)
    return None


@transaction.atomic
def cancel_order(order: Order, *, by, reason: str = "") -> Order:
    permissions.require(by, "order.cancel")
    order = Order.objects.select_for_update().get(pk=order.pk)
    workflow.require(
        Order.TRANSITIONS, order.status, Order.Status.CANCELLED, document=order.number, labels=Order.Status
    )
    refusal = cancel_refusal(order)
    if refusal is not None:
        raise refusal
    order.status = Order.Status.CANCELLED
    order.save(update_fields=["status"])
    audit.record("order.cancelled", by=by, obj=order, data={"reason": reason})
    return order


# --- Billing schedules (deposits and milestones) ------------------------------------------------
#
# A schedule splits the billing of an order into steps, each a percentage of the order's total excl.
# VAT or a fixed amount excl. VAT, billed when its trigger is reached:
#   - confirmation: reached when the order is confirmed (`confirm_order` stamps it);
#   - delivery: reached when every goods line is fully delivered, derived from the quantities each time
#     billing asks (never stored in advance, so a cancelled delivery cannot leave it wrongly reached);
#   - acceptance / manual: reached when someone records it (`mark_milestone_reached`).
# Deposit steps (acomptes) are billed as deposit invoices (type 386) and deducted later from the
# invoices of the goods and services; the order is still invoiced by delivered quantities. Ordinary
# steps replace that: an order with any of them is billed by its schedule, which must then cover the
# whole order. Invoicing a step is billing's job (`billing.services.create_milestone_invoice`).


_fr_amount = money.fr


def _flag(value) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in {"1", "true", "yes", "oui", "on"}
    return bool(value)


def milestone_amount(milestone: BillingMilestone, order_total_untaxed: Decimal) -> Decimal:
    """What a step bills excl. VAT: its fixed amount, or its percentage of the order total, rounded."""
    if milestone.amount is not None:
        return milestone.amount
    return money.amount(order_total_untaxed * milestone.percent / money.HUNDRED)


def check_schedule_fits(order: Order, milestones) -> None:
    """The schedule's rules that depend on the order's total (re-checked by billing before each step
    is invoiced, since a draft order's lines may change after the schedule was set)."""
    milestones = list(milestones)
    if not milestones:
        return
    if order.total_untaxed <= 0:
        _fail(errors.SCHEDULE_ORDER_WITHOUT_AMOUNT, number=order.number)
    percents = sum((m.percent for m in milestones if m.percent is not None), Decimal("0"))
    if percents > money.HUNDRED:
        _fail(errors.SCHEDULE_PERCENT_OVER_100, total=format(percents.normalize(), "f").replace(".", ","))
    scheduled = money.amount(
        sum((m.amount for m in milestones if m.amount is not None), Decimal("0"))
        + order.total_untaxed * percents / money.HUNDRED
    )
    if scheduled > order.total_untaxed:
        _fail(
            errors.SCHEDULE_EXCEEDS_ORDER,
            number=order.number,
            scheduled=_fr_amount(scheduled),
            total=_fr_amount(order.total_untaxed),
        )
    if any(not m.is_deposit for m in milestones) and scheduled != order.total_untaxed:
        _fail(
            errors.SCHEDULE_INCOMPLETE,
            number=order.number,
            scheduled=_fr_amount(scheduled),
            total=_fr_amount(order.total_untaxed),
        )


def _schedule_step(data, position: int, order: Order, *, has_goods: bool) -> BillingMilestone:
    label = str(data.get("label") or "").strip()
    if not label:
        _fail(errors.MILESTONE_LABEL_MISSING, position=position)
    trigger = data.get("trigger")
    if trigger not in BillingMilestone.Trigger.values:
        _fail(errors.MILESTONE_TRIGGER_INVALID, position=position, value=trigger)
    percent = _decimal(data.get("percent"), position)
    amount = _decimal(data.get("amount"), position)
    if (percent is None) == (amount is None):
        _fail(errors.MILESTONE_PERCENT_XOR_AMOUNT, position=position)
    if percent is not None:
        percent = percent.quantize(Decimal("0.01"))
        if not Decimal("0") < percent <= money.HUNDRED:
            _fail(errors.MILESTONE_PERCENT_OUT_OF_RANGE, position=position, value=data.get("percent"))
    else:
        amount = money.amount(amount)
        if amount <= 0:
            _fail(errors.MILESTONE_AMOUNT_NOT_POSITIVE, position=position, value=data.get("amount"))
    is_deposit = _flag(data.get("is_deposit", False))
    if is_deposit and trigger in (BillingMilestone.Trigger.DELIVERY, BillingMilestone.Trigger.ACCEPTANCE):
        _fail(errors.DEPOSIT_TRIGGER_AFTER_DELIVERY, position=position)
    if trigger == BillingMilestone.Trigger.DELIVERY and not has_goods:
        _fail(errors.DELIVERY_MILESTONE_WITHOUT_GOODS, position=position, number=order.number)
    return BillingMilestone(
        order=order,
        position=position,
        label=label[:120],
        trigger=trigger,
        percent=percent,
        amount=amount,
        is_deposit=is_deposit,
    )


@transaction.atomic
def set_billing_schedule(order: Order, milestones, *, by) -> list[BillingMilestone]:
    """Replace the order's billing schedule (an empty list removes it).

    `milestones` are {"label", "trigger" (confirmation / delivery / acceptance / manual), "percent" or
    "amount" (excl. VAT), "is_deposit"}. Allowed while nothing on the order is invoiced.
    """
    permissions.require(by, "order.manage")
    order = Order.objects.select_for_update().get(pk=order.pk)
    if order.status == Order.Status.CANCELLED:
        _fail(errors.SCHEDULE_ORDER_CANCELLED, number=order.number)
    lines = list(order.lines.select_related("product"))
    # Invoices point at their order; reading that link keeps sales free of any import from billing.
    if (
        any(line.quantity_invoiced > 0 for line in lines)
        or order.invoices.exclude(status="cancelled").exists()
    ):
        _fail(errors.SCHEDULE_ORDER_INVOICED, number=order.number)
    has_goods = any(line.product.is_stocked for line in lines)
    steps = [
        _schedule_step(data, position, order, has_goods=has_goods)
        for position, data in enumerate(milestones or [], start=1)
    ]
    check_schedule_fits(order, steps)
    # A cancelled draft never had a number: it may let go of a step that is being replaced.
    order.invoices.filter(status="cancelled", milestone__isnull=False).update(milestone=None)
    order.milestones.all().delete()
    if order.status == Order.Status.CONFIRMED:
        for step in steps:
            if step.trigger == BillingMilestone.Trigger.CONFIRMATION:
                step.reached_at = order.confirmed_at
    rows.insert_many(steps)
    audit.record(
        "order.billing_schedule_set",
        by=by,
        obj=order,
        data={
            "milestones": [
                {
                    "label": s.label,
                    "trigger": s.trigger,
                    "percent": s.percent,
                    "amount": s.amount,
                    "is_deposit": s.is_deposit,
                }
                for s in steps
            ]
        },
    )
    return list(order.milestones.all())


@transaction.atomic
def mark_milestone_reached(milestone: BillingMilestone, *, by) -> BillingMilestone:
    """Record that an acceptance or manual step is reached: it can now be invoiced."""
    permissions.require(by, "order.manage")
    order = Order.objects.select_for_update().get(pk=milestone.order_id)
    milestone = BillingMilestone.objects.select_for_update().get(pk=milestone.pk)
    if milestone.trigger in (BillingMilestone.Trigger.CONFIRMATION, BillingMilestone.Trigger.DELIVERY):
        _fail(
            errors.MILESTONE_REACHED_AUTOMATICALLY,
            label=milestone.label,
            trigger=milestone.get_trigger_display(),
        )
    if order.status != Order.Status.CONFIRMED:
        _fail(errors.MILESTONE_ORDER_NOT_CONFIRMED, number=order.number)
    if milestone.reached_at is not None:
        _fail(
            errors.MILESTONE_ALREADY_REACHED,
            label=milestone.label,
            date=timezone.localtime(milestone.reached_at).strftime("%d/%m/%Y"),
        )
    milestone.reached_at = timezone.now()
    milestone.save(update_fields=["reached_at"])
    audit.record(
        "order.milestone_reached",
        by=by,
        obj=order,
        data={"milestone": milestone.label, "trigger": milestone.trigger},
    )
    return milestone


# Verbs kept in modules of their own (quote versions, order amendments), exported from this door.
from comptoir.sales import revising  # noqa: E402
from comptoir.sales.amending import amend_order  # noqa: E402, F401
from comptoir.sales.revising import compare_versions, revise_quote, versions_of  # noqa: E402, F401

"""Return-case reads for pages, the API and insights: the dispute board, one case, a customer's history,
what a delivery can still be claimed on, the actions a user may take, and the returns KPIs."""

import datetime
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import BooleanField, Case, Count, Exists, OuterRef, Prefetch, Q, Sum, Value, When
from django.utils import timezone

from comptoir.billing.crediting import Room
from comptoir.billing.models import Invoice, InvoiceLine
from comptoir.catalog.models import Product
from comptoir.core.models import AuditEvent
from comptoir.core.money import cost_of
from comptoir.parties.models import Customer
from comptoir.returns import rules
from comptoir.returns.exposure import Exposure, cumulated_at_stake, rejected  # noqa: F401  (pages read it here)
from comptoir.returns.models import (
    Reason,
    Resolution,
    ResolutionLine,
    ReturnCase,
    ReturnLine,
    ReturnPolicy,
    ReturnReceiptLine,
)
from comptoir.stock.models import Delivery

ZERO = Decimal("0")
Status = ReturnCase.Status


def policy() -> ReturnPolicy:
    return ReturnPolicy.current()


# --- Quantities used by case lines -----------------------------------------------------------------


def direct_credits(line_ids) -> list[tuple[int, bool, Decimal, Decimal]]:
    """Credit notes entered in billing that cite a case without going through its resolution: per case
    line, (case line id, price reduction?, quantity, net amount), from the credit-note lines citing the
    case's number on the case line's delivery line, drafts included (a draft reserves what it credits, as
    `returns.citing` counts it), cancelled ones and those a resolution already records left out. They
    settle the case like its own credit notes do: the customer was compensated either way (#17)."""
    lines = list(
        ReturnLine.objects.filter(pk__in=line_ids).values_list("pk", "case__number", "delivery_line_id")
    )
    if not lines:
        return []
    by_key = {(number, dl): pk for pk, number, dl in lines}
    rows = (
        InvoiceLine.objects.filter(
            invoice__kind=Invoice.Kind.CREDIT_NOTE,
            invoice__source_reference__in={number for _, number, _ in lines},
            delivery_line_id__in={dl for _, _, dl in lines},
        )
        .exclude(invoice__status=Invoice.Status.CANCELLED)
        .exclude(Exists(ResolutionLine.objects.filter(invoice_line_id=OuterRef("pk"))))
        .values("invoice__source_reference", "delivery_line_id", "price_reduction")
        .annotate(q=Sum("quantity"), a=Sum("net_amount"))
    )
    found = []
    for row in rows:
        pk = by_key.get((row["invoice__source_reference"], row["delivery_line_id"]))
        if pk is not None:
            found.append((pk, bool(row["price_reduction"]), row["q"] or ZERO, row["a"] or ZERO))
    return found


def resolved_quantities(line_ids) -> dict[str, dict[int, Decimal]]:
    """Quantity per case line and resolution kind. A credit note counts only the units it took back: a
    price reduction (the customer keeps the goods at a lower price) uses the line's amount, not its
    quantity (`credited_amounts`). Credit notes that cite the case from billing count as its own
    (`direct_credits`)."""
    result: dict[str, dict[int, Decimal]] = defaultdict(lambda: defaultdict(lambda: ZERO))
    rows = (
        ResolutionLine.objects.filter(return_line_id__in=line_ids)
        .exclude(invoice_line__price_reduction=True)
        .values("return_line_id", "resolution__kind")
        .annotate(q=Sum("quantity"))
    )
    for row in rows:
        result[row["resolution__kind"]][row["return_line_id"]] += row["q"]
    for line_id, reduction, quantity, _amount in direct_credits(line_ids):
        if not reduction:
            result[Resolution.Kind.CREDIT_NOTE][line_id] += quantity
    return result


def credited_amounts(line_ids) -> dict[int, Decimal]:
    """Net amount credited per case line by its credit notes, units taken back and price reductions alike
    (those entered in billing citing the case too)."""
    rows = (
        ResolutionLine.objects.filter(
            return_line_id__in=line_ids, resolution__kind=Resolution.Kind.CREDIT_NOTE
        )
        .values("return_line_id")
        .annotate(a=Sum("amount"))
    )
    amounts: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for row in rows:
        amounts[row["return_line_id"]] += row["a"]
    for line_id, _reduction, _quantity, amount in direct_credits(line_ids):
        amounts[line_id] += amount
    return dict(amounts)


def credit_rooms(lines, *, taken_back, credited) -> dict[int, Room]:
    """What each case line may still be credited: its units not taken back, worth its amount less every
    credit (`billing.crediting`). Replaced units keep their value: the customer still has them."""
    return {
        line.pk: Room(
            line.quantity - taken_back.get(line.pk, ZERO), line.net_amount - credited.get(line.pk, ZERO)
        )
        for line in lines
    }


def received_quantities(line_ids) -> dict[int, Decimal]:
    rows = (
        ReturnReceiptLine.objects.filter(return_line_id__in=line_ids)
        .values("return_line_id")
        .annotate(q=Sum("quantity"))
    )
    return {row["return_line_id"]: row["q"] for row in rows}


def claimed_quantities(delivery_line_ids, *, exclude_case_id=None) -> dict[int, Decimal]:
    """Quantity of each delivery line already under a case: what another case may no longer claim.

    A rejected case claims nothing (closed since or not); a refused one keeps only what it actually settled. Surplus cases are
    about goods beyond the delivery note and take nothing from its quantities.
    """
    lines = list(
        ReturnLine.objects.filter(delivery_line_id__in=delivery_line_ids)
        .exclude(rejected())
        .exclude(case__reason=Reason.SURPLUS)
        .exclude(case_id=exclude_case_id)
        .values_list("pk", "case_id", "delivery_line_id", "quantity")
    )
    refused = set(
        Resolution.objects.filter(
            case_id__in={case_id for _, case_id, _, _ in lines}, kind=Resolution.Kind.REFUSAL
        ).values_list("case_id", flat=True)
    )
    settled = resolved_quantities([pk for pk, case_id, _, _ in lines if case_id in refused])
    claimed: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for pk, case_id, delivery_line_id, qty in lines:
        if case_id in refused:
            qty = settled[Resolution.Kind.CREDIT_NOTE][pk] + settled[Resolution.Kind.REPLACEMENT][pk]
        claimed[delivery_line_id] += qty
    return dict(claimed)


# --- The dispute board ----------------------------------------------------------------------------


def _with_sla_flags(qs, now):
    answer_late = Q(status__in=ReturnCase.UNDECIDED_STATUSES, answer_due_at__lt=now)
    close_late = ~Q(status=Status.CLOSED) & Q(close_due_at__lt=now)
    flag = BooleanField()
    return qs.annotate(
        answer_overdue=Case(When(answer_late, then=Value(True)), default=Value(False), output_field=flag),
        close_overdue=Case(When(close_late, then=Value(True)), default=Value(False), output_field=flag),
        overdue=Case(
            When(answer_late | close_late, then=Value(True)), default=Value(False), output_field=flag
        ),
    )


def board(
    *,
    status=None,
    customer=None,
    reason=None,
    owner=None,
    overdue=None,
    min_amount=None,
    opened_before=None,
    opened_after=None,
    search: str = "",
    include_closed: bool = False,
    now=None,
):
    """Cases for the dispute board, overdue first then by amount at stake (a queryset: paginate it).

    Each case carries `answer_overdue`, `close_overdue` and `overdue` flags computed in SQL; `case.age()`
    gives its age. `status` and `reason` accept one value or a list; closed cases are left out unless
    asked for (by status or `include_closed`).
    """
    now = now or timezone.now()
    qs = ReturnCase.objects.select_related("customer", "delivery", "owner")
    if status:
        qs = qs.filter(status__in=[status] if isinstance(status, str) else list(status))
    elif not include_closed:
        qs = qs.exclude(status=Status.CLOSED)
    if reason:
        qs = qs.filter(reason__in=[reason] if isinstance(reason, str) else list(reason))
    if customer is not None:
        qs = qs.filter(customer_id=getattr(customer, "pk", customer))
    if owner is not None:
        qs = qs.filter(owner_id=getattr(owner, "pk", owner))
    if min_amount is not None:
        qs = qs.filter(amount_at_stake__gte=min_amount)
    if opened_before is not None:
        qs = qs.filter(opened_at__lt=opened_before)
    if opened_after is not None:
        qs = qs.filter(opened_at__gte=opened_after)
    if search:
        qs = qs.filter(
            Q(number__icontains=search)
            | Q(customer__name__icontains=search)
            | Q(delivery__number__icontains=search)
        )
    qs = _with_sla_flags(qs, now)
    if overdue is not None:
        qs = qs.filter(overdue=overdue)
    return qs.order_by("-overdue", "-amount_at_stake", "opened_at", "id")


@dataclass(frozen=True)
class BoardSummary:
    open_cases: int
    overdue: int
    amount_at_stake: Decimal
    by_status: dict


def board_summary(now=None) -> BoardSummary:
    """Counters above the board: open cases, overdue ones, total at stake, count per status."""
    now = now or timezone.now()
    qs = _with_sla_flags(ReturnCase.objects.filter(status__in=ReturnCase.OPEN_STATUSES), now)
    by_status = dict(Counter(qs.values_list("status", flat=True)))
    return BoardSummary(
        open_cases=sum(by_status.values()),
        overdue=qs.filter(overdue=True).count(),
        amount_at_stake=qs.aggregate(s=Sum("amount_at_stake"))["s"] or ZERO,
        by_status=by_status,
    )


# --- One case -------------------------------------------------------------------------------------


def case_detail(pk) -> ReturnCase:
    """A case with everything its page shows, in a fixed number of queries."""
    return (
        ReturnCase.objects.select_related(
            "customer", "delivery__order", "owner", "decided_by", "block_lifted_by"
        )
        .prefetch_related(
            Prefetch("lines", queryset=ReturnLine.objects.select_related("product", "delivery_line")),
            "attachments",
            Prefetch(
                "receipts__lines", queryset=ReturnReceiptLine.objects.select_related("return_line__product")
            ),
            Prefetch(
                "resolutions",
                queryset=Resolution.objects.select_related(
                    "credit_note", "invoice", "replacement", "by"
                ).prefetch_related("lines"),
            ),
        )
        .get(pk=pk)
    )


def timeline(case: ReturnCase):
    """The case's audit events, oldest first (who did what, when, and why)."""
    return AuditEvent.objects.filter(object_type="returns.returncase", object_id=str(case.pk)).order_by("seq")


@dataclass(frozen=True)
class LineProgress:
    line: ReturnLine
    received: Decimal
    # Units a credit note took back (a price reduction takes none: see `credited_amount`).
    credited: Decimal
    replaced: Decimal
    reinvoiced: Decimal
    # Everything credited on the line, and the part of it that only reduced prices (units kept by the
    # customer at a lower price).
    credited_amount: Decimal = ZERO
    price_reduced: Decimal = ZERO

    @property
    def open_quantity(self) -> Decimal:
        return self.line.quantity - self.credited - self.replaced

    @property
    def open_amount(self) -> Decimal:
        """What the open units may still be credited: their share of the line's amount less every credit."""
        if self.open_quantity <= 0:
            return ZERO
        room = Room(self.line.quantity - self.credited, self.line.net_amount - self.credited_amount)
        return room.worth(self.open_quantity)


def line_progress(case: ReturnCase) -> list[LineProgress]:
    lines = list(case.lines.select_related("product").order_by("id"))
    received = dict(
        ReturnReceiptLine.objects.filter(return_line__case=case)
        .values("return_line_id")
        .annotate(q=Sum("quantity"))
        .values_list("return_line_id", "q")
    )
    Kind = Resolution.Kind
    done: dict[tuple[int, str], Decimal] = defaultdict(lambda: ZERO)
    amounts: dict[tuple[int, bool], Decimal] = defaultdict(lambda: ZERO)
    rows = (
        ResolutionLine.objects.filter(return_line__case=case)
        .values("return_line_id", "resolution__kind", "invoice_line__price_reduction")
        .annotate(q=Sum("quantity"), a=Sum("amount"))
    )
    for row in rows:
        line_id, kind, reduction = (
            row["return_line_id"],
            row["resolution__kind"],
            row["invoice_line__price_reduction"],
        )
        if not reduction:
            done[(line_id, kind)] += row["q"]
        if kind == Kind.CREDIT_NOTE:
            amounts[(line_id, bool(reduction))] += row["a"]
    for line_id, reduction, quantity, amount in direct_credits([line.pk for line in lines]):
        if not reduction:
            done[(line_id, Kind.CREDIT_NOTE)] += quantity
        amounts[(line_id, reduction)] += amount
    return [
        LineProgress(
            line=line,
            received=received.get(line.pk, ZERO),
            credited=done[(line.pk, Kind.CREDIT_NOTE)],
            replaced=done[(line.pk, Kind.REPLACEMENT)],
            reinvoiced=done[(line.pk, Kind.REINVOICE)],
            credited_amount=amounts[(line.pk, False)] + amounts[(line.pk, True)],
            price_reduced=amounts[(line.pk, True)],
        )
        for line in lines
    ]


def available_resolutions(case: ReturnCase, user, policy_: ReturnPolicy | None = None) -> list[str]:
    """The resolution kinds (Resolution.Kind) `user` may apply to the case now."""
    policy_ = policy_ or ReturnPolicy.current()
    return [kind for kind in rules.RESOLUTION_KINDS if rules.allows(case, kind, user, policy=policy_)]


def available_actions(case: ReturnCase, user, policy_: ReturnPolicy | None = None) -> list[str]:
    """The decision buttons to show: exactly the actions whose service would accept the case in its
    state from this user (`rules.RULES`, the table the services enforce); "resolve" when at least one
    resolution kind is open to them."""
    policy_ = policy_ or ReturnPolicy.current()
    actions = []
    for action in rules.BUTTONS:
        if action == "resolve":
            allowed = bool(available_resolutions(case, user, policy_))
        else:
            allowed = rules.allows(case, action, user, policy=policy_)
        if allowed:
            actions.append(action)
    return actions


# --- Deliveries -----------------------------------------------------------------------------------


def delivery_discrepancies(delivery: Delivery):
    """Every case opened on a delivery note (for `deliveries/{id}/discrepancies`)."""
    return ReturnCase.objects.filter(delivery=delivery).select_related("owner").order_by("-opened_at", "-id")


@dataclass(frozen=True)
class Returnable:
    delivery_line_id: int
    sku: str
    description: str
    delivered: Decimal
    claimed: Decimal

    @property
    def left(self) -> Decimal:
        return max(self.delivered - self.claimed, ZERO)


def returnable_lines(delivery: Delivery) -> list[Returnable]:
    """What can still be declared on each line of a delivery note (for the declaration form)."""
    lines = list(delivery.lines.select_related("product", "order_line").order_by("id"))
    claimed = claimed_quantities([dl.pk for dl in lines])
    return [
        Returnable(dl.pk, dl.product.sku, dl.order_line.description, dl.quantity, claimed.get(dl.pk, ZERO))
        for dl in lines
    ]


# --- A customer's history -------------------------------------------------------------------------


@dataclass
class CustomerHistory:
    cases: list
    credit_notes: list
    open_cases: int
    credited_total: Decimal
    decisions: list = field(default_factory=list)


def customer_history(customer) -> CustomerHistory:
    """Every case of a customer, the decisions taken and every credit note issued to them."""
    cases = list(
        ReturnCase.objects.filter(customer=customer)
        .select_related("delivery", "owner", "decided_by")
        .prefetch_related(
            Prefetch(
                "resolutions",
                queryset=Resolution.objects.select_related("credit_note", "invoice", "replacement"),
            )
        )
        .order_by("-opened_at", "-id")
    )
    credit_notes = list(
        Invoice.objects.filter(customer=customer, kind=Invoice.Kind.CREDIT_NOTE, status=Invoice.Status.ISSUED)
        .select_related("corrects")
        .order_by("-date", "-id")
    )
    decisions = [
        {
            "case": case.number,
            "status": case.status,
            "at": case.decided_at,
            "by": case.decided_by,
            "reason": case.decision_reason,
        }
        for case in cases
        if case.decided_at
    ]
    return CustomerHistory(
        cases=cases,
        credit_notes=credit_notes,
        open_cases=sum(1 for case in cases if case.is_open),
        credited_total=sum((note.total_untaxed for note in credit_notes), ZERO),
        decisions=decisions,
    )


# --- KPIs -----------------------------------------------------------------------------------------


@dataclass
class MarginImpact:
    """What returns cost the margin: revenue credited, replacements shipped and surpluses the customer kept
    (at cost), less the cost of goods recovered to stock and what was re-invoiced. Positive = margin lost."""

    credited: Decimal = ZERO
    recovered: Decimal = ZERO
    replacement_cost: Decimal = ZERO
    reinvoiced: Decimal = ZERO
    surplus_cost: Decimal = ZERO

    @property
    def margin_lost(self) -> Decimal:
        return self.credited + self.replacement_cost + self.surplus_cost - self.recovered - self.reinvoiced


@dataclass
class ReturnsKpis:
    date_from: datetime.date
    date_to: datetime.date
    cases: int
    cases_per_customer: list  # [{"customer_id", "customer", "cases", "amount_at_stake"}], most cases first
    average_resolution_days: Decimal | None
    credit_notes: int
    credit_notes_amount: Decimal
    margin_per_customer: dict  # customer_id → MarginImpact
    margin_per_product: dict  # product_id → MarginImpact
    top_reasons: list  # [(reason, label, count)], most frequent first
    customer_names: dict = field(default_factory=dict)
    product_names: dict = field(default_factory=dict)

    @property
    def margin_lost(self) -> Decimal:
        return sum((impact.margin_lost for impact in self.margin_per_customer.values()), ZERO)

    def customers_by_margin_lost(self) -> list[tuple[int, str, MarginImpact]]:
        """(customer id, name, impact), the largest loss first."""
        return _by_margin_lost(self.margin_per_customer, self.customer_names)

    def products_by_margin_lost(self) -> list[tuple[int, str, MarginImpact]]:
        """(product id, SKU, impact), the largest loss first."""
        return _by_margin_lost(self.margin_per_product, self.product_names)


def _by_margin_lost(impacts: dict, names: dict) -> list[tuple[int, str, MarginImpact]]:
    rows = [(pk, names.get(pk, ""), impact) for pk, impact in impacts.items()]
    return sorted(rows, key=lambda row: (-row[2].margin_lost, row[1], row[0]))


def kpi_period(date_from=None, date_to=None) -> tuple[datetime.date, datetime.date]:
    """The period the KPIs cover when none (or half of one) is asked for: the year up to today."""
    date_to = date_to or max(timezone.localdate(), date_from or datetime.date.min)
    date_from = date_from or date_to - datetime.timedelta(days=365)
    return date_from, date_to


def _period(date_from, date_to, tz=None):
    tz = tz or timezone.get_current_timezone()
    start = datetime.datetime.combine(date_from, datetime.time.min, tzinfo=tz)
    end = datetime.datetime.combine(date_to + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz)
    return start, end


def returns_kpis(date_from: datetime.date, date_to: datetime.date) -> ReturnsKpis:
    """Returns over a period: cases opened in it, resolutions and receipts dated in it. Aggregates in SQL
    (a handful of grouped queries whatever the volume)."""
    start, end = _period(date_from, date_to)
    opened = ReturnCase.objects.filter(opened_at__gte=start, opened_at__lt=end)
    per_customer = list(
        opened.values("customer_id", "customer__name")
        .annotate(n=Count("id"), at_stake=Sum("amount_at_stake"))
        .order_by("-n", "-at_stake", "customer__name")
    )
    reasons = Counter(dict(opened.values_list("reason").annotate(n=Count("id")).values_list("reason", "n")))
    labels = dict(Reason.choices)
    durations = [
        resolved - opened_at
        for opened_at, resolved in ReturnCase.objects.filter(
            resolved_at__gte=start, resolved_at__lt=end
        ).values_list("opened_at", "resolved_at")
    ]
    average_days = None
    if durations:
        seconds = sum(d.total_seconds() for d in durations) / len(durations)
        average_days = (Decimal(str(seconds)) / Decimal("86400")).quantize(Decimal("0.1"))

    notes = Resolution.objects.filter(kind=Resolution.Kind.CREDIT_NOTE, at__gte=start, at__lt=end)
    note_totals = notes.aggregate(s=Sum("credit_note__total_untaxed"))

    per_customer_impact: dict[int, MarginImpact] = defaultdict(MarginImpact)
    per_product_impact: dict[int, MarginImpact] = defaultdict(MarginImpact)
    settled = (
        ResolutionLine.objects.filter(resolution__at__gte=start, resolution__at__lt=end)
        .values("resolution__kind", "resolution__case__customer_id", "return_line__product_id")
        .annotate(amount=Sum("amount"))
    )
    for row in settled:
        kind = row["resolution__kind"]
        targets = (
            per_customer_impact[row["resolution__case__customer_id"]],
            per_product_impact[row["return_line__product_id"]],
        )
        for impact in targets:
            if kind == Resolution.Kind.CREDIT_NOTE:
                impact.credited += row["amount"]
            elif kind == Resolution.Kind.REINVOICE:
                impact.reinvoiced += row["amount"]
    replacements = ResolutionLine.objects.filter(
        resolution__kind=Resolution.Kind.REPLACEMENT, resolution__at__gte=start, resolution__at__lt=end
    ).values_list(
        "resolution__case__customer_id", "return_line__product_id", "quantity", "delivery_line__unit_cost"
    )
    for customer_id, product_id, qty, unit_cost in replacements:
        cost = _cost(qty, unit_cost)
        per_customer_impact[customer_id].replacement_cost += cost
        per_product_impact[product_id].replacement_cost += cost
    kept = ResolutionLine.objects.filter(
        resolution__kind=Resolution.Kind.REINVOICE,
        unit_cost__isnull=False,
        resolution__at__gte=start,
        resolution__at__lt=end,
    ).values_list("resolution__case__customer_id", "return_line__product_id", "quantity", "unit_cost")
    for customer_id, product_id, qty, unit_cost in kept:
        cost = _cost(qty, unit_cost)
        per_customer_impact[customer_id].surplus_cost += cost
        per_product_impact[product_id].surplus_cost += cost
    # A surplus sent back never left the books (nothing re-enters stock): nothing is recovered.
    recovered = (
        ReturnReceiptLine.objects.filter(
            disposition=ReturnReceiptLine.Disposition.BACK_TO_STOCK,
            receipt__date__gte=date_from,
            receipt__date__lte=date_to,
        )
        .exclude(receipt__case__reason=Reason.SURPLUS)
        .values_list("receipt__case__customer_id", "return_line__product_id", "quantity", "unit_cost")
    )
    for customer_id, product_id, qty, unit_cost in recovered:
        cost = _cost(qty, unit_cost)
        per_customer_impact[customer_id].recovered += cost
        per_product_impact[product_id].recovered += cost

    return ReturnsKpis(
        date_from=date_from,
        date_to=date_to,
        cases=sum(row["n"] for row in per_customer),
        cases_per_customer=[
            {
                "customer_id": row["customer_id"],
                "customer": row["customer__name"],
                "cases": row["n"],
                "amount_at_stake": row["at_stake"] or ZERO,
            }
            for row in per_customer
        ],
        average_resolution_days=average_days,
        credit_notes=notes.count(),
        credit_notes_amount=note_totals["s"] or ZERO,
        margin_per_customer=dict(per_customer_impact),
        margin_per_product=dict(per_product_impact),
        top_reasons=[(reason, str(labels.get(reason, reason)), n) for reason, n in reasons.most_common()],
        customer_names=dict(Customer.objects.filter(pk__in=per_customer_impact).values_list("pk", "name")),
        product_names=dict(Product.objects.filter(pk__in=per_product_impact).values_list("pk", "sku")),
    )


def _cost(qty, unit_cost) -> Decimal:
    return cost_of(qty, unit_cost or ZERO)


def cases_with_open_block():
    """Cases currently keeping their delivery out of invoicing (for accounting's to-do list)."""
    pol = ReturnPolicy.current()
    if not pol.block_invoicing:
        return ReturnCase.objects.none()
    return ReturnCase.objects.filter(
        status__in=ReturnCase.OPEN_STATUSES, block_lifted_at__isnull=True, reason__in=pol.blocking_reasons
    ).filter(Exists(Delivery.objects.filter(pk=OuterRef("delivery_id"), invoicing_blocked=True)))

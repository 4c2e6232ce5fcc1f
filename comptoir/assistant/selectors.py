"""Reads of the assistant's own records for its pages: the proposals inbox and how often each kind is
accepted, the return cases' facts, suggestions and priority, and the recurring causes of returns.

The snapshots of document chains the checks read are built in `assistant.snapshots`.
"""

import dataclasses
import datetime
from collections import defaultdict
from decimal import Decimal

from django.db.models import Count, Sum
from django.utils import timezone

from comptoir.assistant import causes, returns_advice
from comptoir.billing.models import Invoice
from comptoir.core.money import amount as money_amount
from comptoir.returns import selectors as returns_view
from comptoir.returns.exposure import exposures
from comptoir.returns.models import (
    Reason,
    ReturnCase,
    ReturnLine,
    ReturnPolicy,
    ReturnReceiptLine,
)
from comptoir.stock import selectors as stock_view

ZERO = Decimal("0")

# --- Proposals inbox -------------------------------------------------------------------------------------


def proposals(*, status: str | None = "open", kind: str | None = None, kinds=None, customer=None):
    """The inbox: open proposals first by default, most confident first, then newest."""
    from comptoir.assistant.models import Proposal

    qs = Proposal.objects.select_related("customer", "order", "invoice", "decided_by")
    if status:
        qs = qs.filter(status=status)
    if kind:
        qs = qs.filter(kind=kind)
    if kinds is not None:
        qs = qs.filter(kind__in=list(kinds))
    if customer:
        qs = qs.filter(customer=customer)
    return qs.order_by("-confidence", "-created_at", "-id")


@dataclasses.dataclass(frozen=True)
class Acceptance:
    kind: str
    approved: int
    edited: int
    rejected: int
    automatic: int
    open: int
    obsolete: int

    @property
    def decided(self) -> int:
        return self.approved + self.rejected

    @property
    def rate(self) -> Decimal | None:
        """Share of people's decisions that approved (as is or edited); automatic ones do not count."""
        if not self.decided:
            return None
        return (Decimal(self.approved) / Decimal(self.decided)).quantize(Decimal("0.01"))


def acceptance_by_kind() -> list[Acceptance]:
    """How often people follow each kind of proposal: the measure of whether the assistant is useful."""
    from django.db.models import Count

    from comptoir.assistant.models import Proposal

    counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    rows = Proposal.objects.values("kind", "status", "automatic", "original_payload__isnull").annotate(
        n=Count("id")
    )
    for row in rows:
        bucket = counts[row["kind"]]
        status = row["status"]
        if status == Proposal.Status.APPROVED and row["automatic"]:
            bucket["automatic"] += row["n"]
        elif status == Proposal.Status.APPROVED:
            bucket["approved"] += row["n"]
            if not row["original_payload__isnull"]:
                bucket["edited"] += row["n"]
        else:
            bucket[status] += row["n"]
    return [
        Acceptance(
            kind=kind,
            approved=bucket["approved"],
            edited=bucket["edited"],
            rejected=bucket["rejected"],
            automatic=bucket["automatic"],
            open=bucket["open"],
            obsolete=bucket["obsolete"],
        )
        for kind, bucket in sorted(counts.items())
    ]


# --- Return cases: facts for the suggestion and the priority -------------------------------------------


def case_facts(cases, *, now=None) -> dict[int, returns_advice.CaseFacts]:
    """The facts `assistant.returns_advice` reasons on, for a list of cases, in six queries whatever
    their number: lines, what was credited or replaced, what came back, stock, customers' revenue and
    their cases of the last twelve months."""
    now = now or timezone.now()
    cases = list(cases)
    if not cases:
        return {}
    policy = ReturnPolicy.current()
    lines = list(ReturnLine.objects.filter(case__in=cases).select_related("product").order_by("id"))
    line_ids = [line.pk for line in lines]
    done = returns_view.resolved_quantities(line_ids)
    back: dict[tuple[int, str], Decimal] = defaultdict(lambda: ZERO)
    for row in (
        ReturnReceiptLine.objects.filter(return_line_id__in=line_ids)
        .values("return_line_id", "disposition")
        .annotate(q=Sum("quantity"))
    ):
        back[(row["return_line_id"], row["disposition"])] += row["q"]
    products = {line.product_id: line.product for line in lines if line.product.is_stocked}
    available = {
        level.product.pk: level.available for level in stock_view.stock_levels(list(products.values()))
    }
    customer_ids = {case.customer_id for case in cases}
    year_ago = now - datetime.timedelta(days=365)
    revenue = dict(
        Invoice.objects.filter(
            customer_id__in=customer_ids,
            status=Invoice.Status.ISSUED,
            date__gte=timezone.localdate(now) - datetime.timedelta(days=365),
        )
        .exclude(kind=Invoice.Kind.CREDIT_NOTE)
        .values("customer_id")
        .annotate(s=Sum("total_untaxed"))
        .values_list("customer_id", "s")
    )
    case_counts = dict(
        ReturnCase.objects.filter(customer_id__in=customer_ids, opened_at__gte=year_ago)
        .values("customer_id")
        .annotate(n=Count("id"))
        .values_list("customer_id", "n")
    )
    by_case: dict[int, list] = defaultdict(list)
    came_back: set[int] = {line_id for line_id, _disposition in back}
    Disposition = ReturnReceiptLine.Disposition
    for line in lines:
        settled = done["credit_note"].get(line.pk, ZERO) + done["replacement"].get(line.pk, ZERO)
        if line.pk in came_back:
            came_back.add(-line.case_id)
        by_case[line.case_id].append(
            returns_advice.LineFacts(
                sku=line.product.sku,
                quantity=line.quantity,
                open_quantity=max(line.quantity - settled, ZERO),
                available=available.get(line.product_id, ZERO) if line.product.is_stocked else line.quantity,
                scrapped=back[(line.pk, Disposition.SCRAP)],
                restocked=back[(line.pk, Disposition.BACK_TO_STOCK)],
            )
        )
    facts = {}
    cumulated = exposures([case for case in cases if case.status in ReturnCase.UNDECIDED_STATUSES])
    for case in cases:
        undecided = case.status in ReturnCase.UNDECIDED_STATUSES
        case_lines = tuple(by_case[case.pk])
        facts[case.pk] = returns_advice.CaseFacts(
            number=case.number,
            reason=case.reason,
            status=case.status,
            undecided=undecided,
            amount_at_stake=case.amount_at_stake,
            opened_at=case.opened_at,
            answer_due_at=case.answer_due_at,
            close_due_at=case.close_due_at,
            answer_overdue=undecided and case.answer_due_at < now,
            close_overdue=case.status != ReturnCase.Status.CLOSED and case.close_due_at < now,
            blocks_invoice=case.status in ReturnCase.OPEN_STATUSES
            and policy.blocks_invoicing(case.reason)
            and case.block_lifted_at is None,
            goods_back_expected=policy.expects_goods_back(case.reason),
            receipt_required_before_credit=policy.require_receipt_before_credit,
            received=-case.pk in came_back,
            approval_threshold=policy.approval_threshold,
            lines=case_lines,
            customer_name=case.customer.name,
            customer_revenue_12m=money_amount(revenue.get(case.customer_id) or ZERO),
            customer_cases_12m=case_counts.get(case.customer_id, 0),
            cumulated_at_stake=cumulated[case.pk].total if case.pk in cumulated else None,
        )
    return facts


def case_advice(cases, *, now=None) -> dict[int, tuple]:
    """Per case: (Suggestion, Priority)."""
    now = now or timezone.now()
    return {
        pk: (returns_advice.suggest(facts), returns_advice.priority(facts, now))
        for pk, facts in case_facts(cases, now=now).items()
    }


def with_advice(cases, *, now=None) -> list:
    """The cases, each with `.suggestion` and `.priority` (None for a closed or refused case)."""
    now = now or timezone.now()
    cases = list(cases)
    advice = case_advice([case for case in cases if case.status in ReturnCase.OPEN_STATUSES], now=now)
    for case in cases:
        case.suggestion, case.priority = advice.get(case.pk, (None, None))
    return cases


def by_priority(cases, *, now=None) -> list:
    """The cases most urgent first (open ones by their score, then the others), with their advice."""
    cases = with_advice(cases, now=now)
    return sorted(
        cases, key=lambda case: (-(case.priority.score if case.priority else -1), case.opened_at, case.pk)
    )


def cases_by_priority(*, now=None) -> list:
    """Open cases, most urgent first, each with `.suggestion` and `.priority`."""
    return by_priority(
        ReturnCase.objects.filter(status__in=ReturnCase.OPEN_STATUSES).select_related(
            "customer", "delivery", "owner"
        ),
        now=now,
    )


def recurring_causes(*, today=None, window: int = 90) -> causes.Causes:
    """Returns by reason, product, customer and month, and what changed (`assistant.causes`): one query
    over the case lines of the last thirteen months."""
    today = today or timezone.localdate()
    since = today - datetime.timedelta(days=max(2 * window, 400))
    labels = dict(Reason.choices)
    rows = [
        causes.Row(
            case_id=case_id,
            opened_on=timezone.localdate(opened_at),
            reason=reason,
            reason_label=str(labels.get(reason, reason)),
            customer=customer,
            product=f"{sku} {name}",
            amount=money_amount(net or ZERO),
        )
        for case_id, opened_at, reason, customer, sku, name, net in ReturnLine.objects.filter(
            case__opened_at__date__gte=since
        )
        .exclude(case__status=ReturnCase.Status.REJECTED)
        .values_list(
            "case_id",
            "case__opened_at",
            "case__reason",
            "case__customer__name",
            "product__sku",
            "product__name",
            "net_amount",
        )
    ]
    return causes.analyse(rows, today=today, window=window)

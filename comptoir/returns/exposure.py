"""What deciding a return case commits: its own amount at stake plus what the other live cases claim on
the same delivery lines. The approval threshold is judged on that total, so a claim split into several
cases on one delivery line (two 900 € cases against a 1,000 € limit) still needs direction.

Which other cases count: every case on the same delivery lines that was not rejected — open, approved,
resolved or closed after a resolution — since what it claimed was or may still be granted. A case whose
claim was refused counts for what it had settled before the refusal only (the rest was freed, as in
`selectors.claimed_quantities`). Surplus cases (goods beyond the delivery note, which the customer pays
for or sends back) are judged with the other surplus cases only.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q, Sum

from comptoir.returns.models import Reason, Resolution, ResolutionLine, ReturnCase, ReturnLine

ZERO = Decimal("0")
Status = ReturnCase.Status


@dataclass(frozen=True)
class Exposure:
    own: Decimal
    total: Decimal
    # Numbers of the other cases that add to the total, in the order they were opened.
    others: list[str] = field(default_factory=list)


def rejected() -> Q:
    """Return lines of rejected cases, closed since or not (a rejected case is closed without a
    resolution): they claim nothing."""
    return Q(case__status=Status.REJECTED) | Q(case__status=Status.CLOSED, case__resolved_at__isnull=True)


def cumulated_at_stake(case: ReturnCase) -> Exposure:
    """The amount the approval threshold applies to (cached on the case object for the page's buttons)."""
    cached = getattr(case, "_exposure", None)
    if cached is None:
        cached = case._exposure = exposures([case])[case.pk]
    return cached


def exposures(cases) -> dict[int, Exposure]:
    """`cumulated_at_stake` of several cases at once, in a fixed number of queries."""
    cases = list(cases)
    if not cases:
        return {}
    own_lines: dict[int, set[int]] = defaultdict(set)
    for case_id, delivery_line_id in ReturnLine.objects.filter(case__in=cases).values_list(
        "case_id", "delivery_line_id"
    ):
        own_lines[case_id].add(delivery_line_id)
    rows = list(
        ReturnLine.objects.filter(delivery_line_id__in=set().union(*own_lines.values()))
        .exclude(rejected())
        .order_by("case__opened_at", "case_id", "id")
        .values_list("pk", "case_id", "case__number", "case__reason", "delivery_line_id", "net_amount")
    )
    refused = set(
        Resolution.objects.filter(
            case_id__in={row[1] for row in rows}, kind=Resolution.Kind.REFUSAL
        ).values_list("case_id", flat=True)
    )
    settled: dict[int, Decimal] = defaultdict(lambda: ZERO)
    if refused:
        for line_id, amount in (
            ResolutionLine.objects.filter(
                return_line_id__in=[row[0] for row in rows if row[1] in refused],
                resolution__kind__in=(Resolution.Kind.CREDIT_NOTE, Resolution.Kind.REPLACEMENT),
            )
            .values("return_line_id")
            .annotate(a=Sum("amount"))
            .values_list("return_line_id", "a")
        ):
            settled[line_id] = amount
    result = {}
    for case in cases:
        surplus = case.reason == Reason.SURPLUS
        others: dict[str, Decimal] = {}
        for pk, case_id, number, reason, delivery_line_id, amount in rows:
            if case_id == case.pk or delivery_line_id not in own_lines[case.pk]:
                continue
            if (reason == Reason.SURPLUS) != surplus:
                continue
            counted = settled[pk] if case_id in refused else amount
            if counted > 0:
                others[number] = others.get(number, ZERO) + counted
        result[case.pk] = Exposure(
            own=case.amount_at_stake,
            total=case.amount_at_stake + sum(others.values(), ZERO),
            others=list(others),
        )
    return result

"""Recurring causes of returns: what keeps coming back, by reason, product, customer and month, and what
changed recently. Pure: it reads rows (one per case line) and says it in the user's language (gettext).

"What changed" compares the last `window` days with the `window` days before: a cause is worth a sentence
when it has at least two cases now and has doubled, or grown by three cases or more. Each sentence names
the product or customer that carries most of the change, so the reader knows where to look.

The delivery carrier is not recorded on Comptoir's delivery notes, so carriers cannot be compared yet.
"""

import datetime
from collections import Counter, defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext

ZERO = Decimal("0")


@dataclass(frozen=True)
class Row:
    case_id: int
    opened_on: datetime.date
    reason: str
    reason_label: str
    customer: str
    product: str
    amount: Decimal


@dataclass(frozen=True)
class Trend:
    label: str
    recent: int  # cases in the last window
    previous: int  # cases in the window before
    amount: Decimal  # excl. VAT at stake in the last window

    @property
    def change(self) -> int:
        return self.recent - self.previous


@dataclass(frozen=True)
class Causes:
    window: int
    by_reason: list[Trend]
    by_product: list[Trend]
    by_customer: list[Trend]
    months: list[tuple[str, int]]  # ("2026-03", cases opened) over twelve months
    changes: list[str]


def _trends(rows: list[Row], key, since: datetime.date, before: datetime.date) -> list[Trend]:
    recent: dict[str, set[int]] = defaultdict(set)
    previous: dict[str, set[int]] = defaultdict(set)
    amount: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for row in rows:
        if row.opened_on >= since:
            recent[key(row)].add(row.case_id)
            amount[key(row)] += row.amount
        elif row.opened_on >= before:
            previous[key(row)].add(row.case_id)
    labels = set(recent) | set(previous)
    trends = [Trend(label, len(recent[label]), len(previous[label]), amount[label]) for label in labels]
    return sorted(trends, key=lambda t: (-t.recent, -t.amount, t.label))


def _grew(trend: Trend) -> bool:
    return (
        trend.recent >= 2 and (trend.recent >= 2 * trend.previous or trend.change >= 3) and trend.change > 0
    )


def _main_carrier(rows: list[Row], reason_label: str, since: datetime.date, key) -> tuple[str, int] | None:
    counts = Counter()
    seen = set()
    for row in rows:
        if (
            row.opened_on >= since
            and row.reason_label == reason_label
            and (row.case_id, key(row)) not in seen
        ):
            seen.add((row.case_id, key(row)))
            counts[key(row)] += 1
    if not counts:
        return None
    label, count = counts.most_common(1)[0]
    return (label, count) if count >= 2 else None


def analyse(rows: list[Row], *, today: datetime.date, window: int = 90) -> Causes:
    since = today - datetime.timedelta(days=window)
    before = since - datetime.timedelta(days=window)
    by_reason = _trends(rows, lambda r: r.reason_label, since, before)
    by_product = _trends(rows, lambda r: r.product, since, before)
    by_customer = _trends(rows, lambda r: r.customer, since, before)
    changes = []
    for trend in by_reason:
        if not _grew(trend):
            continue
        details = [
            gettext("%(name)s en porte %(count)s") % {"name": label, "count": count}
            for label, count in filter(
                None,
                (
                    _main_carrier(rows, trend.label, since, lambda r: r.product),
                    _main_carrier(rows, trend.label, since, lambda r: r.customer),
                ),
            )
        ]
        if details:
            sentence = gettext(
                "« %(cause)s » : %(recent)s dossier(s) sur les %(days)s derniers jours contre %(previous)s les "
                "%(days)s jours précédents ; %(details)s."
            )
        else:
            sentence = gettext(
                "« %(cause)s » : %(recent)s dossier(s) sur les %(days)s derniers jours contre %(previous)s les "
                "%(days)s jours précédents."
            )
        changes.append(
            sentence
            % {
                "cause": trend.label,
                "recent": trend.recent,
                "days": window,
                "previous": trend.previous,
                "details": ", ".join(details),
            }
        )
    for message, trends in (
        (
            gettext(
                "Le produit %(name)s revient dans %(recent)s dossier(s) récents (contre %(previous)s avant)."
            ),
            by_product,
        ),
        (
            gettext(
                "Le client %(name)s revient dans %(recent)s dossier(s) récents (contre %(previous)s avant)."
            ),
            by_customer,
        ),
    ):
        for trend in trends:
            if _grew(trend) and trend.recent >= 3:
                changes.append(
                    message % {"name": trend.label, "recent": trend.recent, "previous": trend.previous}
                )
    first = (today.replace(day=1) - datetime.timedelta(days=330)).replace(day=1)
    per_month: dict[str, set[int]] = defaultdict(set)
    for row in rows:
        if row.opened_on >= first:
            per_month[row.opened_on.strftime("%Y-%m")].add(row.case_id)
    months = []
    month = first
    while month <= today:
        key = month.strftime("%Y-%m")
        months.append((key, len(per_month[key])))
        month = (month + datetime.timedelta(days=32)).replace(day=1)
    return Causes(window, by_reason, by_product, by_customer, months, changes)

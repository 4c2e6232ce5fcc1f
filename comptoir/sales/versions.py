"""The differences between two versions of a quote, a pure computation (no Django import).

Lines are matched by product, in their order: the k-th line of a product in the older version answers
the k-th line of the same product in the newer one. A product swapped is therefore a line removed and a
line added, which is what the customer sees too (another article is offered).
"""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

ADDED, REMOVED, CHANGED, SAME = "added", "removed", "changed", "same"

# The fields of a line compared between two versions, in the order a page shows them.
LINE_FIELDS = ("description", "quantity", "unit_price", "discount_percent", "net_amount")
TOTAL_FIELDS = ("total_untaxed", "total_vat", "total")


@dataclass(frozen=True)
class Line:
    product_id: int
    sku: str
    description: str
    quantity: Decimal
    unit_price: Decimal
    discount_percent: Decimal
    net_amount: Decimal


@dataclass(frozen=True)
class Change:
    field: str
    before: object
    after: object

    @property
    def delta(self):
        if isinstance(self.before, Decimal) and isinstance(self.after, Decimal):
            return self.after - self.before
        return None


@dataclass(frozen=True)
class LineDiff:
    kind: str
    before: Line | None
    after: Line | None
    changes: tuple[Change, ...] = ()

    @property
    def line(self) -> Line:
        return self.after or self.before


@dataclass(frozen=True)
class Diff:
    lines: tuple[LineDiff, ...]
    totals: tuple[Change, ...] = field(default=())

    @property
    def counts(self) -> dict[str, int]:
        counts = {ADDED: 0, REMOVED: 0, CHANGED: 0, SAME: 0}
        for line in self.lines:
            counts[line.kind] += 1
        return counts

    @property
    def has_changes(self) -> bool:
        return any(line.kind != SAME for line in self.lines) or any(c.before != c.after for c in self.totals)


def _changes(before: Line, after: Line) -> tuple[Change, ...]:
    return tuple(
        Change(name, getattr(before, name), getattr(after, name))
        for name in LINE_FIELDS
        if getattr(before, name) != getattr(after, name)
    )


def diff(older: list[Line], newer: list[Line], older_totals=None, newer_totals=None) -> Diff:
    """What changed from `older` to `newer`: each line added, removed, changed (with its fields) or the
    same, in the newer version's order with the removed lines after; and the totals (dicts of
    TOTAL_FIELDS), all of them, changed or not."""
    pool: dict[int, list[Line]] = defaultdict(list)
    for line in older:
        pool[line.product_id].append(line)
    result = []
    for line in newer:
        candidates = pool.get(line.product_id)
        if candidates:
            before = candidates.pop(0)
            changes = _changes(before, line)
            result.append(LineDiff(CHANGED if changes else SAME, before, line, changes))
        else:
            result.append(LineDiff(ADDED, None, line))
    left = {id(line) for lines in pool.values() for line in lines}
    removed = [LineDiff(REMOVED, line, None) for line in older if id(line) in left]
    totals = ()
    if older_totals is not None and newer_totals is not None:
        totals = tuple(Change(name, older_totals[name], newer_totals[name]) for name in TOTAL_FIELDS)
    return Diff(tuple(result + removed), totals)

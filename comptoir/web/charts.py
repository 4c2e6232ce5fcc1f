"""Bar and column charts drawn as SVG on the server. Pure: no Django import.

A chart is geometry only (where each bar starts and ends); the template writes the SVG with the labels
and values as text, so it prints in black and white and reads without colours or JavaScript. Negative
values (a return that earned margin) are drawn to the left of a zero line.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

ZERO = Decimal("0")


@dataclass(frozen=True)
class Bar:
    label: str
    value: Decimal
    y: int
    x: Decimal
    width: Decimal
    text_y: int
    negative: bool


@dataclass(frozen=True)
class BarChart:
    bars: tuple[Bar, ...]
    width: int
    height: int
    label_width: int
    plot_width: int
    zero_x: Decimal
    value_x: int
    bar_height: int

    @property
    def empty(self) -> bool:
        return not self.bars


def bar_chart(
    rows: Sequence[tuple[str, Decimal | int]],
    *,
    width: int = 640,
    label_width: int = 200,
    value_width: int = 110,
    bar_height: int = 18,
    gap: int = 8,
) -> BarChart:
    """One bar per (label, value), longest for the largest absolute value, in the order given."""
    values = [Decimal(value) for _, value in rows]
    plot_width = width - label_width - value_width
    largest_positive = max([v for v in values if v > 0], default=ZERO)
    largest_negative = max([-v for v in values if v < 0], default=ZERO)
    span = largest_positive + largest_negative
    # Room left of the zero line only when some value is negative.
    zero_x = Decimal(label_width) + (Decimal(plot_width) * largest_negative / span if span else ZERO)
    scale = Decimal(plot_width) / span if span else ZERO
    bars = []
    for index, ((label, _), value) in enumerate(zip(rows, values, strict=True)):
        y = gap + index * (bar_height + gap)
        length = (abs(value) * scale).quantize(Decimal("0.1"))
        x = zero_x - length if value < 0 else zero_x
        bars.append(
            Bar(
                label=str(label),
                value=value,
                y=y,
                x=x.quantize(Decimal("0.1")),
                width=length,
                text_y=y + bar_height - 4,
                negative=value < 0,
            )
        )
    height = gap + len(bars) * (bar_height + gap)
    return BarChart(
        bars=tuple(bars),
        width=width,
        height=height,
        label_width=label_width,
        plot_width=plot_width,
        zero_x=zero_x.quantize(Decimal("0.1")),
        value_x=width - value_width + 6,
        bar_height=bar_height,
    )


@dataclass(frozen=True)
class Span:
    """A bar of a waterfall: from `start` to `end` of the running total (`x`, `width` in the drawing)."""

    label: str
    value: Decimal
    y: int
    x: Decimal
    width: Decimal
    text_y: int
    kind: str  # "total", "down" (a cost) or "up" (a gain)


def waterfall_chart(
    rows: Sequence[tuple[str, Decimal, Decimal, Decimal, bool]],
    *,
    width: int = 640,
    label_width: int = 210,
    value_width: int = 110,
    bar_height: int = 18,
    gap: int = 8,
) -> BarChart:
    """One horizontal span per (label, amount, start, end, is_total), drawn from the running total before a
    step to the one after it, so each bar starts where the previous one ended; totals start at zero. A loss
    (a running total below zero) is drawn left of the zero line."""
    points = [ZERO]
    for _label, _amount, start, end, _total in rows:
        points += [Decimal(start), Decimal(end)]
    low, high = min(points), max(points)
    plot_width = width - label_width - value_width
    span = high - low
    scale = Decimal(plot_width) / span if span else ZERO

    def x_of(value: Decimal) -> Decimal:
        return Decimal(label_width) + (value - low) * scale

    bars = []
    for index, (label, amount, start, end, is_total) in enumerate(rows):
        y = gap + index * (bar_height + gap)
        left, right = sorted((ZERO if is_total else Decimal(start), Decimal(end)))
        kind = "total" if is_total else ("down" if amount < 0 else "up")
        bars.append(
            Span(
                label=str(label),
                value=Decimal(amount),
                y=y,
                x=x_of(left).quantize(Decimal("0.1")),
                width=max(((right - left) * scale).quantize(Decimal("0.1")), Decimal("1")),
                text_y=y + bar_height - 4,
                kind=kind,
            )
        )
    height = gap + len(bars) * (bar_height + gap)
    return BarChart(
        bars=tuple(bars),
        width=width,
        height=height,
        label_width=label_width,
        plot_width=plot_width,
        zero_x=x_of(ZERO).quantize(Decimal("0.1")),
        value_x=width - value_width + 6,
        bar_height=bar_height,
    )


@dataclass(frozen=True)
class Column:
    value: Decimal
    x: Decimal
    y: Decimal
    width: Decimal
    height: Decimal
    negative: bool


@dataclass(frozen=True)
class ColumnGroup:
    label: str
    centre: Decimal
    columns: tuple[Column, ...]


@dataclass(frozen=True)
class GridLine:
    value: Decimal
    y: Decimal


@dataclass(frozen=True)
class ColumnChart:
    groups: tuple[ColumnGroup, ...]
    grid: tuple[GridLine, ...]
    width: int
    height: int
    axis_width: int
    zero_y: Decimal
    label_y: int

    @property
    def empty(self) -> bool:
        return not self.groups


def nice_step(raw: Decimal) -> Decimal:
    """The smallest of 1, 2 or 5 × 10ⁿ at least `raw`: the gap between two grid lines people read
    at a glance (raw 2 300 → 5 000; raw 0.7 → 1)."""
    if raw <= 0:
        return Decimal(1)
    magnitude = Decimal(1).scaleb(raw.adjusted())
    for factor in (1, 2, 5, 10):
        if factor * magnitude >= raw:
            return factor * magnitude
    raise AssertionError("unreachable")  # pragma: no cover


def column_chart(
    groups: Sequence[tuple[str, Sequence[Decimal | int]]],
    *,
    width: int = 600,
    height: int = 240,
    axis_width: int = 76,
    label_height: int = 24,
    top: int = 10,
    lines: int = 4,
) -> ColumnChart:
    """Vertical columns side by side per group (e.g. revenue and margin per month), on a scale whose
    grid lines fall on round values; negative values hang below the zero line."""
    values = [Decimal(value) for _, series in groups for value in series]
    highest = max([*values, ZERO])
    lowest = min([*values, ZERO])
    step = nice_step((highest - lowest) / lines)
    # The scale runs from grid line to grid line: the lowest value rounded down, the highest up.
    ceiling = (highest / step).to_integral_value(rounding=ROUND_CEILING) * step
    floor = (lowest / step).to_integral_value(rounding=ROUND_FLOOR) * step
    if ceiling == floor:
        ceiling = floor + step
    plot_bottom = height - label_height
    scale = Decimal(plot_bottom - top) / (ceiling - floor)
    tenth = Decimal("0.1")

    def y_of(value: Decimal) -> Decimal:
        return (top + (ceiling - value) * scale).quantize(tenth)

    zero_y = y_of(ZERO)
    count = max(len(groups), 1)
    per_group = Decimal(width - axis_width) / count
    series_count = max((len(series) for _, series in groups), default=1) or 1
    column_width = (per_group * Decimal("0.76") / series_count).quantize(tenth)
    built = []
    for index, (label, series) in enumerate(groups):
        start = Decimal(axis_width) + per_group * index + per_group * Decimal("0.12")
        columns = []
        for position, raw in enumerate(series):
            value = Decimal(raw)
            y = y_of(value)
            columns.append(
                Column(
                    value=value,
                    x=(start + column_width * position).quantize(tenth),
                    y=min(y, zero_y),
                    width=column_width,
                    height=abs(zero_y - y),
                    negative=value < 0,
                )
            )
        centre = (Decimal(axis_width) + per_group * index + per_group / 2).quantize(tenth)
        built.append(ColumnGroup(label=str(label), centre=centre, columns=tuple(columns)))
    grid = []
    value = floor
    while value <= ceiling:
        grid.append(GridLine(value=value, y=y_of(value)))
        value += step
    return ColumnChart(
        groups=tuple(built),
        grid=tuple(grid),
        width=width,
        height=height,
        axis_width=axis_width,
        zero_y=zero_y,
        label_y=height - 7,
    )

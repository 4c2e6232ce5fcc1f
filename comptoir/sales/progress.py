"""Order progress, a pure function of line quantities (never a stored state). No Django import."""

from collections.abc import Iterable
from decimal import Decimal

NOT_STARTED, PARTIAL, DONE = "none", "partial", "done"


def _progress(pairs: Iterable[tuple[Decimal, Decimal]]) -> str:
    pairs = list(pairs)
    done = sum((d for _, d in pairs), Decimal("0"))
    total = sum((q for q, _ in pairs), Decimal("0"))
    if done <= 0:
        return NOT_STARTED
    return DONE if done >= total else PARTIAL


def delivery_progress(lines) -> str:
    """lines: objects with .quantity and .quantity_delivered (goods lines only)."""
    return _progress((line.quantity, line.quantity_delivered) for line in lines)


def invoicing_progress(lines) -> str:
    return _progress((line.quantity, line.quantity_invoiced) for line in lines)

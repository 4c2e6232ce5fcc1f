"""Pure ledger rules: balance check and lettering codes. No Django import."""

from collections.abc import Iterable
from decimal import Decimal

ZERO = Decimal("0")


def is_balanced(lines: Iterable[tuple[Decimal, Decimal]]) -> tuple[bool, Decimal, Decimal]:
    debit = credit = ZERO
    for d, c in lines:
        debit += d
        credit += c
    return debit == credit, debit, credit


def letter_code(n: int) -> str:
    """1 → A, 26 → Z, 27 → AA … : the usual French lettrage codes."""
    if n < 1:
        raise ValueError("lettering codes start at 1")
    letters = ""
    while n:
        n, rem = divmod(n - 1, 26)
        letters = chr(ord("A") + rem) + letters
    return letters

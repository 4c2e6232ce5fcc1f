"""Where the VAT figures of a period go on the monthly return, form 3310-CA3. Pure: no Django.

Only the lines Comptoir's books can fill are named: the gross VAT per rate of operations in mainland
France (08 at 20 %, 9B at 10 %, 09 at 5,5 %), the total gross VAT (16), the deductible VAT on other
goods and services (20, 23 in total) and the net VAT due (28) or the credit (25). Any other rate goes
on the annex 3310 A; the accountant decides.
"""

from decimal import Decimal

GROSS_VAT_LINES = {
    Decimal("20"): "08",
    Decimal("10"): "9B",
    Decimal("5.5"): "09",
}
ANNEX = "3310 A"
TOTAL_GROSS_VAT = "16"
DEDUCTIBLE_OTHER = "20"
TOTAL_DEDUCTIBLE = "23"
VAT_CREDIT = "25"
NET_VAT_DUE = "28"


def gross_vat_line(rate: Decimal) -> str:
    """The CA3 line of the VAT collected at `rate` (`""` for a rate that bears no VAT)."""
    if rate <= 0:
        return ""
    return GROSS_VAT_LINES.get(rate, ANNEX)


def balance_line(net_due: Decimal) -> str:
    """Line 28 when VAT is due, line 25 (credit of VAT) when the deductible VAT exceeds it."""
    return NET_VAT_DUE if net_due >= 0 else VAT_CREDIT

"""Where the VAT figures of a period go on the monthly return, form 3310-CA3-SD. Pure: no Django.

Only the lines Comptoir's books can fill are named: the gross VAT per rate of operations in mainland
France (08 at 20 %, 9B at 10 %, 09 at 5,5 %, T6 at 2,1 %), the total gross VAT (16), the deductible VAT on
other goods and services (20), the credit carried from the previous return (22), 23 in total and the net VAT due (TD = 16 − 23, carried to 28) or the credit
(25). Any other rate (Corsica, overseas departments) goes on the annex 3310 A; the accountant decides.

Checked against the form as the maintained French VAT-return module of the OCA (l10n_fr_account_vat_return)
lays it out: the 2,1 % rate of mainland France has its own line T6 on the CA3 since the 2022 form (it was
line 36 of the annex before), and line 28 is TD less X5, a credit set against the annex's taxes that
Comptoir never records, so the net due is TD.
"""

from decimal import Decimal

GROSS_VAT_LINES = {
    Decimal("20"): "08",
    Decimal("10"): "9B",
    Decimal("5.5"): "09",
    Decimal("2.1"): "T6",
}
ANNEX = "3310 A"
TOTAL_GROSS_VAT = "16"
DEDUCTIBLE_OTHER = "20"
CREDIT_BROUGHT_FORWARD = "22"
TOTAL_DEDUCTIBLE = "23"
VAT_CREDIT = "25"
NET_VAT_DUE = "TD"


def gross_vat_line(rate: Decimal) -> str:
    """The CA3 line of the VAT collected at `rate` (`""` for a rate that bears no VAT)."""
    if rate <= 0:
        return ""
    return GROSS_VAT_LINES.get(rate, ANNEX)


def balance_line(net_due: Decimal) -> str:
    """Line TD when VAT is due, line 25 (credit of VAT) when the deductible VAT exceeds it."""
    return NET_VAT_DUE if net_due >= 0 else VAT_CREDIT

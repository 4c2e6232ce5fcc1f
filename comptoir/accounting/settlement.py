"""The VAT settlement entry of a return period (liquidation de la TVA).

Once the CA3 of a period is declared, its VAT leaves the accounts that gathered it: the VAT collected
(44571) is debited and the deductible VAT (44566) credited by what the period put on them, against
44551 « TVA à décaisser » for the net due, or 44567 « Crédit de TVA à reporter » when the deductible
VAT is larger; a credit carried from the previous return (the debit balance of 44567 before the period,
CA3 line 22) is used up the same way. Posted in OD on the last day of the period, once per period (a second settlement of the
same or an overlapping period is refused): the year-end closing checks that 44571 and 44566 are
cleared this way (accounting.closing). The figures are the ledger's (`selectors.vat_summary`), the same
the CA3 page shows; the settlement entry itself is left out of them.
"""

import datetime
from decimal import Decimal

from django.db import IntegrityError, transaction

from comptoir.accounting import chart, errors
from comptoir.accounting import selectors as ledger_view
from comptoir.accounting import services as ledger
from comptoir.accounting.models import VatSettlement
from comptoir.core import audit, dates, permissions
from comptoir.core.errors import Conflict
from comptoir.core.errors import fail as _fail

JOURNAL = "OD"
ZERO = Decimal("0")


def document_number(date_from: datetime.date, date_to: datetime.date) -> str:
    return f"CA3-{date_from:%Y%m%d}-{date_to:%Y%m%d}"


def _sided(account: str, value, label: str, *, debit_when_positive: bool) -> ledger.Line:
    positive = value > 0
    side = "debit" if positive == debit_when_positive else "credit"
    return ledger.Line(account, label=label, **{side: abs(value)})


def settlement_lines(collected, deductible, label: str, *, carried=ZERO) -> list[ledger.Line]:
    """44571 debited by the VAT collected, 44566 credited by the deductible VAT; the net, after the credit
    brought forward from the previous return (`carried`, line 22), on 44551 when due. 44567 moves by
    the new credit less the one used up: one line, debit or credit."""
    net = collected - deductible - carried
    lines = [
        _sided(chart.VAT_COLLECTED, collected, label, debit_when_positive=True),
        _sided(chart.VAT_DEDUCTIBLE, deductible, label, debit_when_positive=False),
    ]
    credit_move = max(-net, ZERO) - carried
    if credit_move:
        lines.append(_sided(chart.VAT_CREDIT, credit_move, label, debit_when_positive=True))
    if net > 0:
        lines.append(ledger.Line(chart.VAT_TO_PAY, credit=net, label=label))
    return lines


@transaction.atomic
def settle_vat(date_from: datetime.date, date_to: datetime.date, *, by) -> VatSettlement:
    """Post the settlement entry of the period and record it; refused for a period already settled."""
    permissions.require(by, "accounting.vat_settle")
    if date_from > date_to:
        _fail(errors.VAT_PERIOD_INVALID, start=dates.fr(date_from), end=dates.fr(date_to))
    if date_to >= dates.today():
        _fail(errors.VAT_PERIOD_NOT_OVER, end=dates.fr(date_to))
    # Settlements are few: locking them all serialises two settlements of the same month.
    list(VatSettlement.objects.select_for_update().values_list("pk", flat=True))
    overlapping = (
        VatSettlement.objects.filter(date_from__lte=date_to, date_to__gte=date_from)
        .select_related("entry")
        .first()
    )
    if overlapping:
        raise Conflict(
            *errors.VAT_ALREADY_SETTLED,
            start=dates.fr(overlapping.date_from),
            end=dates.fr(overlapping.date_to),
            entry=overlapping.entry.number,
        )
    summary = ledger_view.vat_summary(date_from, date_to)
    collected, deductible = summary.total_collected, summary.deductible
    carried = ledger_view.vat_credit_brought_forward(date_from)
    if not collected and not deductible and not carried:
        _fail(errors.VAT_NOTHING_TO_SETTLE, start=dates.fr(date_from), end=dates.fr(date_to))
    label = f"Liquidation de la TVA du {dates.fr(date_from)} au {dates.fr(date_to)}"
    entry, _lines = ledger.post_entry(
        JOURNAL,
        date=date_to,
        label=label,
        document_number=document_number(date_from, date_to),
        lines=settlement_lines(collected, deductible, label, carried=carried),
    )
    try:
        with transaction.atomic():
            settlement = VatSettlement.objects.create(
                date_from=date_from,
                date_to=date_to,
                entry=entry,
                collected=collected,
                deductible=deductible,
                credit_brought_forward=carried,
                net_due=collected - deductible - carried,
                created_by=by,
            )
    except IntegrityError:
        raise Conflict(
            *errors.VAT_ALREADY_SETTLED, start=dates.fr(date_from), end=dates.fr(date_to), entry="—"
        ) from None
    audit.record(
        "vat.settled",
        by=by,
        obj=settlement,
        data={
            "entry": entry.number,
            "collected": str(collected),
            "deductible": str(deductible),
            "credit_brought_forward": str(carried),
            "net_due": str(collected - deductible - carried),
        },
    )
    return settlement

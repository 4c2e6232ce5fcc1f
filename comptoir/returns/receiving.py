"""Goods of a return case received back: each unit back to stock at its cost, or scrapped (the loss
booked 658 / 603), or kept by the customer, as the receipt says.
"""

from collections import defaultdict
from decimal import Decimal

from django.db import transaction

from comptoir.accounting import services as ledger
from comptoir.core import audit, money, numbering, permissions
from comptoir.parties.selectors import number_prefix
from comptoir.returns import errors
from comptoir.returns.cases import (
    LOSS_ACCOUNT,
    STOCK_VARIATION_ACCOUNT,
    Disposition,
    Status,
    _actor,
    _case_date,
    _fail,
    _fmt,
    _lock_case,
    _move,
    _pk,
    _quantity,
    _require,
)
from comptoir.returns.models import (
    Reason,
    Resolution,
    ReturnCase,
    ReturnPolicy,
    ReturnReceipt,
    ReturnReceiptLine,
)
from comptoir.returns.selectors import (
    received_quantities,
    resolved_quantities,
)
from comptoir.stock import services as stock

ZERO = Decimal("0")


# --- Goods back -----------------------------------------------------------------------------------


@transaction.atomic
def receive_goods(case: ReturnCase, lines, *, by, date=None) -> ReturnReceipt:
    """Record the goods the customer sent back, inspected line by line, and what becomes of them.

    `lines` are {"line": ReturnLine or id, "quantity": …, "inspection": "…", "disposition": …}:
    - back_to_stock: on hand up at the cost the goods left at (stock.receive_returned_goods);
    - scrap: no stock change, the cost is booked as a loss (below);
    - repair: kept aside, nothing moves yet.
    A surplus (goods beyond the delivery note) never left the books: sent back, it is only put back on the
    shelf — no stock move, no cost recovered — and cannot be scrapped or repaired here.

    Booking scrapped goods. The ledger keeps stock the French periodic way (inventaire intermittent):
    purchases are charged to 607 when bought and stock (37) is only adjusted at closing through 603
    « variation des stocks ». Goods that come back and are destroyed never reach the closing count, so
    the result already bears their cost through 607/603; booking it again would count it twice. What
    the entry adds is visibility: it moves that cost from the stock variation to a loss account —
    debit 658 « charges diverses de gestion courante », credit 603 — result unchanged, entry balanced.
    658 rather than 671: since the ANC 2022-06 reform of the PCG (years from 2025) the exceptional
    result is kept for rare, unusual events, and a faulty product taken back is ordinary business.
    """
    permissions.require(by, "return.receive")
    case = _lock_case(case)
    date = _case_date(date, case)
    policy = ReturnPolicy.current()
    _require(case, "receive", by=by, policy=policy)
    if not lines:
        _fail(errors.NO_LINES)
    case_lines = {rl.pk: rl for rl in case.lines.select_related("product", "delivery_line")}
    received = defaultdict(lambda: ZERO, received_quantities(list(case_lines)))
    surplus = case.reason == Reason.SURPLUS
    # A surplus the customer keeps (re-invoiced) does not come back as well.
    kept = resolved_quantities(list(case_lines))[Resolution.Kind.REINVOICE] if surplus else {}
    wanted = []
    for data in lines:
        rl = case_lines.get(_pk(data.get("line")))
        if rl is None:
            _fail(errors.LINE_NOT_IN_CASE, number=case.number)
        qty = _quantity(data.get("quantity"))
        disposition = data.get("disposition")
        if disposition not in Disposition.values:
            _fail(errors.INVALID_DISPOSITION, value=disposition)
        if surplus and disposition != Disposition.BACK_TO_STOCK:
            _fail(errors.SURPLUS_BACK_TO_STOCK_ONLY, sku=rl.product.sku)
        left = rl.quantity - received[rl.pk] - kept.get(rl.pk, ZERO)
        if qty > left:
            _fail(errors.RECEIPT_EXCEEDS_CLAIM, sku=rl.product.sku, qty=_fmt(qty), left=_fmt(left))
        received[rl.pk] += qty
        wanted.append((rl, qty, disposition, str(data.get("inspection") or "").strip()))
    receipt = ReturnReceipt.objects.create(
        number=numbering.next_number(number_prefix("return_receipt_series"), date.year),
        case=case,
        date=date,
        received_by=_actor(by),
    )
    receipt_lines = [
        ReturnReceiptLine(
            receipt=receipt,
            return_line=rl,
            quantity=qty,
            inspection=inspection,
            disposition=disposition,
            unit_cost=rl.delivery_line.unit_cost or ZERO,
        )
        for rl, qty, disposition, inspection in wanted
    ]
    ReturnReceiptLine.objects.bulk_create(receipt_lines)
    back = [line for line in receipt_lines if line.disposition == Disposition.BACK_TO_STOCK]
    if back and not surplus:
        stock.receive_returned_goods(
            [
                {"delivery_line": line.return_line.delivery_line_id, "quantity": line.quantity}
                for line in back
            ],
            by=by,
            reference=receipt.number,
            date=date,
        )
    scrapped = sum(
        (
            money.cost_of(line.quantity, line.unit_cost)
            for line in receipt_lines
            if line.disposition == Disposition.SCRAP
        ),
        ZERO,
    )
    if scrapped > 0:
        label = f"Mise au rebut {receipt.number} (dossier {case.number})"
        receipt.loss_entry, _ = ledger.post_entry(
            "OD",
            date=date,
            label=label,
            document_number=receipt.number,
            lines=[
                ledger.Line(LOSS_ACCOUNT, debit=scrapped, label=label),
                ledger.Line(STOCK_VARIATION_ACCOUNT, credit=scrapped, label=label),
            ],
        )
        receipt.save(update_fields=["loss_entry"])
    if case.status in (Status.APPROVED, Status.SUBMITTED):
        _move(case, Status.GOODS_RECEIVED)
        case.save(update_fields=["status"])
    audit.record(
        "return.goods_received",
        by=by,
        obj=case,
        data={
            **({"entry": receipt.loss_entry.seal} if scrapped > 0 else {}),
            "receipt": receipt.number,
            "lines": [
                {
                    "sku": line.return_line.product.sku,
                    "quantity": line.quantity,
                    "disposition": line.disposition,
                    "inspection": line.inspection,
                }
                for line in receipt_lines
            ],
            "scrapped_cost": scrapped,
        },
    )
    return receipt

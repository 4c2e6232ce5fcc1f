"""Whether a credit note may cite a return case (`billing.create_credit_note` asks before drafting one).

A credit note needs the number of the case that justifies it, or else a commercial-gesture category and
the gesture permission (with four eyes above the gesture threshold). Citing a case is therefore worth only
what the case is: it must be this customer's, about delivery lines the corrected invoice bills, decided
(approved, goods received or resolved; submitted when the policy needs no validation), neither closed,
rejected nor refused, and with something left to settle. What the credit note takes back stays within the
units the case still claims, and what it credits within what they are worth on the case (`billing.crediting`).

What a case has settled is counted from the credit notes that cite it (drafts too: a draft reserves what
it credits; not cancelled ones) and from its replacements. The credit notes `services.resolve_with_credit_note`
drafts cite their case as well, so a case credited by hand and through its resolutions counts both.

Billing calls this module on purpose, up the dependency table (as it asks `assistant.blocking` before an
issue): it reads models and the rules table only, never a service, so nothing loops back into billing.
It does not lock the case: the invoice row billing locks serialises credit notes on that invoice, and
taking the case after it would invert the order the returns services lock in (case, then invoices).
"""

from collections import defaultdict
from decimal import Decimal

from django.db.models import Q, Sum

from comptoir.billing.crediting import Room
from comptoir.billing.models import Invoice, InvoiceLine
from comptoir.core import money
from comptoir.core.errors import Conflict, DomainError
from comptoir.returns import errors, rules
from comptoir.returns.models import Resolution, ResolutionLine, ReturnCase, ReturnPolicy

ZERO = Decimal("0")
Status = ReturnCase.Status


def _fail(error, kind=DomainError, **params):
    code, message = error
    raise kind(code, message, **params)


def _fmt(qty: Decimal) -> str:
    return format(qty.normalize(), "f").replace(".", ",")


def _euros(value: Decimal) -> str:
    return f"{money.amount(value):.2f} €".replace(".", ",")


def require_citable(invoice: Invoice, reference: str, lines) -> ReturnCase:
    """Refuse a credit note of `invoice` with `lines` (unsaved credit-note `InvoiceLine`s) citing the case
    numbered `reference` unless the case justifies them; returns the case."""
    reference = (reference or "").strip()
    case = ReturnCase.objects.select_related("customer", "delivery").filter(number=reference).first()
    if case is None:
        _fail(errors.CITED_CASE_UNKNOWN, reference=reference[:35])
    if case.customer_id != invoice.customer_id:
        _fail(
            errors.CITED_CASE_OTHER_CUSTOMER,
            number=case.number,
            owner=case.customer.name,
            customer=invoice.customer.name,
        )
    if case.status in (Status.CLOSED, Status.REJECTED) or rules.is_refused(case):
        state = case.get_status_display().lower() if case.status != Status.RESOLVED else "refusé"
        _fail(errors.CITED_CASE_CLOSED, Conflict, number=case.number, state=state)
    if case.status not in rules.decided_statuses(ReturnPolicy.current()):
        _fail(errors.CITED_CASE_NOT_APPROVED, Conflict, number=case.number)
    case_lines = {rl.delivery_line_id: rl for rl in case.lines.select_related("product")}
    if not lines or any(line.delivery_line_id not in case_lines for line in lines):
        _fail(
            errors.CITED_CASE_OTHER_INVOICE,
            number=case.number,
            delivery=case.delivery.number,
            invoice=str(invoice),
        )
    taken_back, credited, replaced = _settled(case, list(case_lines))
    open_units = {
        dl: rl.quantity - taken_back.get(dl, ZERO) - replaced.get(dl, ZERO) for dl, rl in case_lines.items()
    }
    if all(units <= 0 for units in open_units.values()):
        _fail(errors.CITED_CASE_SETTLED, Conflict, number=case.number)
    rooms = {
        dl: Room(rl.quantity - taken_back.get(dl, ZERO), rl.net_amount - credited.get(dl, ZERO))
        for dl, rl in case_lines.items()
    }
    for line in lines:
        dl, rl = line.delivery_line_id, case_lines[line.delivery_line_id]
        room = rooms[dl]
        if line.quantity > open_units[dl] or line.net_amount > room.worth(line.quantity):
            _fail(
                errors.CITED_CASE_EXCEEDED,
                sku=rl.product.sku,
                number=case.number,
                left=_fmt(max(open_units[dl], ZERO)),
                worth=_euros(room.worth(max(open_units[dl], ZERO))),
            )
        rooms[dl] = room.after(line.quantity, line.net_amount, takes_back=not line.price_reduction)
        if not line.price_reduction:
            open_units[dl] -= line.quantity
    return case


def _settled(case: ReturnCase, delivery_line_ids):
    """Per delivery line of the case: units taken back and amount credited by the credit notes citing it,
    units replaced by its replacements."""
    taken_back: dict[int, Decimal] = defaultdict(lambda: ZERO)
    credited: dict[int, Decimal] = defaultdict(lambda: ZERO)
    rows = (
        InvoiceLine.objects.filter(
            invoice__kind=Invoice.Kind.CREDIT_NOTE,
            invoice__source_reference=case.number,
            delivery_line_id__in=delivery_line_ids,
        )
        .exclude(invoice__status=Invoice.Status.CANCELLED)
        .values("delivery_line_id")
        .annotate(q=Sum("quantity", filter=Q(price_reduction=False)), a=Sum("net_amount"))
    )
    for row in rows:
        taken_back[row["delivery_line_id"]] += row["q"] or ZERO
        credited[row["delivery_line_id"]] += money.amount(row["a"] or ZERO)
    replaced = dict(
        ResolutionLine.objects.filter(resolution__case=case, resolution__kind=Resolution.Kind.REPLACEMENT)
        .values("return_line__delivery_line_id")
        .annotate(q=Sum("quantity"))
        .values_list("return_line__delivery_line_id", "q")
    )
    return taken_back, credited, replaced

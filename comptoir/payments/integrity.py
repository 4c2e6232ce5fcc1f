"""What `verify-audit` checks of payments (settings.AUDIT_DOCUMENT_CHECKS): each payment and refund
still has the amount, method and date its event recorded, the amounts applied from each credit note to
each invoice add up to what the events recorded, and payment and refund numbers have no gap. (Their
journal entries are checked by `accounting.integrity` from the same events.)"""

from collections import defaultdict
from decimal import Decimal

from comptoir.core import numbering
from comptoir.core.audit import Problem
from comptoir.core.models import AuditEvent
from comptoir.parties.selectors import number_prefix
from comptoir.payments.models import CreditApplication, Payment, Refund


def _events(action: str):
    return AuditEvent.objects.filter(action=action).values_list("object_id", "data").iterator()


def _compare(where: str, recorded: dict, actual: dict) -> list[Problem]:
    changed = [
        label
        for label, (key, value) in actual.items()
        if key in recorded and str(recorded[key]) != str(value) and not _same_amount(recorded[key], value)
    ]
    if not changed:
        return []
    return [Problem("ne correspond plus à son enregistrement (" + ", ".join(changed) + ")", document=where)]


def _same_amount(recorded, value) -> bool:
    if not isinstance(value, Decimal):
        return False
    try:
        return Decimal(str(recorded)) == value
    except ArithmeticError:
        return False


def check() -> list[Problem]:
    problems = []
    registered = {object_id: data for object_id, data in _events("payment.registered")}
    for payment in Payment.objects.only("id", "number", "amount", "method", "date").iterator():
        where = f"règlement {payment.number}"
        data = registered.get(str(payment.pk))
        if data is None:
            problems.append(Problem("sans événement d'enregistrement au journal d'audit", document=where))
            continue
        problems += _compare(
            where,
            data,
            {
                "montant": ("amount", payment.amount),
                "mode": ("method", payment.method),
                "date": ("date", payment.date.isoformat()),
            },
        )
    refunded = {data.get("refund"): data for _, data in _events("credit_note.refunded")}
    for refund in Refund.objects.only("number", "amount", "method").iterator():
        where = f"remboursement {refund.number}"
        data = refunded.get(refund.number)
        if data is None:
            problems.append(Problem("sans événement au journal d'audit", document=where))
            continue
        problems += _compare(
            where, data, {"montant": ("amount", refund.amount), "mode": ("method", refund.method)}
        )
    applied: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for object_id, data in _events("credit_note.applied"):
        applied[(object_id, data.get("invoice"))] += Decimal(str(data.get("amount", "0")))
    actual: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for note_id, invoice, amount in CreditApplication.objects.values_list(
        "credit_note_id", "invoice__number", "amount"
    ).iterator():
        actual[(str(note_id), invoice)] += amount
    for pair in sorted(set(applied) | set(actual), key=str):
        if applied[pair] != actual[pair]:
            problems.append(
                Problem(
                    f"imputations d'avoir sur {pair[1]} : {actual[pair]} € en base, {applied[pair]} € attestés",
                    document=f"avoir n° {pair[0]}",
                )
            )
    numbers = [
        *Payment.objects.values_list("number", flat=True).iterator(),
        *Refund.objects.values_list("number", flat=True).iterator(),
    ]
    problems += [
        Problem(f"numéros manquants : {numbering.shown(prefix, values)}", document=f"série {prefix}")
        for prefix, values in numbering.missing(
            numbers, (number_prefix("payment_series"), number_prefix("refund_series"))
        ).items()
    ]
    return problems

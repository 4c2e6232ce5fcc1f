"""Checks of credit notes against the return cases they cite. Pure."""

from collections import defaultdict
from decimal import Decimal

from django.utils.translation import gettext

from comptoir.assistant.chain import (
    Chain,
    Kind,
    claim_order,
)
from comptoir.assistant.checks._common import (
    CENT,
    ZERO,
    _invoice_ev,
    _label,
)
from comptoir.assistant.findings import Evidence, Finding, Severity, euros, qty, units

# --- Credit notes ---------------------------------------------------------------------------------


def check_credit_note_within_return(chain: Chain) -> list[Finding]:
    """A credit note citing a return case credits no more than the case justifies (amount excl. VAT, and
    quantity per product), counting the case's earlier credit notes."""
    findings = []
    cases = {case.number: case for case in chain.return_cases}
    for note in chain.subjects(Kind.CREDIT_NOTE):
        reference = note.source_reference.strip()
        if not reference.upper().startswith("RET-"):
            continue  # a commercial gesture, or another kind of reference
        case = cases.get(reference)
        if case is None:
            findings.append(
                Finding(
                    "credit_note_case_not_found",
                    Severity.WARNING,
                    gettext(
                        "L'avoir %(note)s cite le dossier de retour %(reference)s, introuvable : rien ne justifie "
                        "ce qu'il crédite."
                    )
                    % {"note": _label(note), "reference": reference},
                    (_invoice_ev(note, None, source_reference=reference, total_untaxed=note.total_untaxed),),
                )
            )
            continue
        earlier = [
            other
            for other in chain.invoices
            if other.kind == Kind.CREDIT_NOTE
            and other.is_live
            and other.id != note.id
            and other.source_reference.strip() == reference
            and claim_order(other) < claim_order(note)
        ]
        before = sum((other.total_untaxed for other in earlier), ZERO)
        # A rejected case justifies nothing.
        justified = ZERO if case.status == "rejected" else case.justified_amount
        # Crediting a case in several notes rounds each line to the cent: allow a cent per earlier line.
        rounding = CENT * sum(len(other.lines) for other in earlier)
        case_ev = Evidence(
            "return_case", case.number, case.id, None, {"reason": case.reason, "justified_untaxed": justified}
        )
        if before + note.total_untaxed > justified + rounding:
            findings.append(
                Finding(
                    "credit_note_exceeds_return",
                    Severity.WARNING,
                    (
                        gettext(
                            "L'avoir %(note)s crédite %(amount)s HT au titre du dossier %(case)s, qui ne justifie "
                            "que %(justified)s HT dont %(before)s déjà crédités."
                        )
                        if before
                        else gettext(
                            "L'avoir %(note)s crédite %(amount)s HT au titre du dossier %(case)s, qui ne justifie "
                            "que %(justified)s HT."
                        )
                    )
                    % {
                        "note": _label(note),
                        "amount": euros(note.total_untaxed),
                        "case": case.number,
                        "justified": euros(justified),
                        "before": euros(before),
                    },
                    (
                        _invoice_ev(note, None, total_untaxed=note.total_untaxed, credited_before=before),
                        case_ev,
                    ),
                )
            )
            continue
        allowed: dict[int, Decimal] = defaultdict(lambda: ZERO)
        for line in case.lines:
            allowed[line.product.id] += line.quantity
        credited: dict[int, Decimal] = defaultdict(lambda: ZERO)
        for other in (*earlier, note):
            for line in other.lines:
                credited[line.product.id] += line.quantity
        for line in note.lines:
            product_id = line.product.id
            if credited[product_id] > allowed[product_id]:
                findings.append(
                    Finding(
                        "credit_note_exceeds_return",
                        Severity.WARNING,
                        gettext(
                            "L'avoir %(note)s crédite %(credited)s de %(sku)s au titre du dossier %(case)s, qui "
                            "n'en porte que %(allowed)s."
                        )
                        % {
                            "note": _label(note),
                            "credited": units(credited[product_id]),
                            "sku": line.product.sku,
                            "case": case.number,
                            "allowed": qty(allowed[product_id]),
                        },
                        (
                            _invoice_ev(note, line, credited=credited[product_id]),
                            case_ev,
                        ),
                    )
                )
                break
    return findings

"""Checks of credit notes against the return cases they cite. Pure."""

from collections import defaultdict
from decimal import Decimal

from django.utils.translation import gettext

from comptoir.assistant.chain import (
    Chain,
    Invoice,
    Kind,
    ReturnCase,
    claim_order,
)
from comptoir.assistant.checks._common import (
    CENT,
    ZERO,
    _invoice_ev,
    _label,
)
from comptoir.assistant.findings import Evidence, Finding, Proposal, Severity, euros, qty, units

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


def _cited_credit_notes(chain: Chain):
    """(credit note, the case it cites, its earlier live credit notes citing that case) for each credit
    note of the subjects citing a case of the chain."""
    cases = {case.number: case for case in chain.return_cases}
    for note in chain.subjects(Kind.CREDIT_NOTE):
        case = cases.get(note.source_reference.strip())
        if case is None:
            continue
        earlier = [
            other
            for other in chain.invoices
            if other.kind == Kind.CREDIT_NOTE
            and other.is_live
            and other.id != note.id
            and other.source_reference.strip() == case.number
            and claim_order(other) < claim_order(note)
        ]
        yield note, case, earlier


def _taken_back(notes) -> dict[int, Decimal]:
    """Units the credit notes take back per product (a price reduction takes none back)."""
    taken: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for note in notes:
        for line in note.lines:
            if line.price_reduction is not True:
                taken[line.product.id] += line.quantity
    return taken


def check_credit_note_against_case_settlement(chain: Chain) -> list[Finding]:
    """A credit note citing a return case must not compensate goods the case already settled otherwise
    (#17 defect 1): the case of another customer justifies nothing; units credited and units replaced
    together stay within what the case claims; where the rules want the goods back before any credit
    note, no more units are credited than came back. Quantities per product, earlier credit notes of the
    case counted (drafts too: they reserve what they credit)."""
    findings = []
    for note, case, earlier in _cited_credit_notes(chain):
        if case.customer_id is not None and case.customer_id != note.customer_id:
            findings.append(
                Finding(
                    "credit_note_case_other_customer",
                    Severity.WARNING,
                    gettext(
                        "L'avoir %(note)s cite le dossier %(case)s, qui est celui d'un autre client (%(owner)s) : il "
                        "ne justifie rien pour %(customer)s."
                    )
                    % {
                        "note": _label(note),
                        "case": case.number,
                        "owner": case.customer_name or "?",
                        "customer": chain.customer.name,
                    },
                    (
                        _invoice_ev(note, None, source_reference=case.number),
                        Evidence(
                            "return_case", case.number, case.id, None, {"customer_id": case.customer_id}
                        ),
                    ),
                )
            )
            continue
        taken = _taken_back((*earlier, note))
        claimed: dict[int, Decimal] = defaultdict(lambda: ZERO)
        replaced: dict[int, Decimal] = defaultdict(lambda: ZERO)
        received: dict[int, Decimal] = defaultdict(lambda: ZERO)
        for line in case.lines:
            claimed[line.product.id] += line.quantity
            replaced[line.product.id] += line.replaced
            received[line.product.id] += line.received
        for line in note.lines:
            product = line.product.id
            if line.price_reduction is True or product not in claimed:
                continue
            values = {
                "claimed": claimed[product],
                "replaced": replaced[product],
                "received": received[product],
            }
            case_ev = Evidence(
                "return_case", case.number, case.id, None, {"product": line.product.sku, **values}
            )
            note_ev = _invoice_ev(note, line, taken_back=taken[product])
            if (
                replaced[product] > 0
                and taken[product] <= claimed[product] < taken[product] + replaced[product]
            ):
                findings.append(
                    Finding(
                        "credit_note_double_compensation",
                        Severity.WARNING,
                        gettext(
                            "L'avoir %(note)s reprend %(taken)s de %(sku)s au titre du dossier %(case)s, qui "
                            "n'en réclame que %(claimed)s dont %(replaced)s déjà remplacée(s) (%(deliveries)s) "
                            ": le client serait dédommagé deux fois de la même marchandise."
                        )
                        % {
                            "note": _label(note),
                            "taken": units(taken[product]),
                            "sku": line.product.sku,
                            "case": case.number,
                            "claimed": qty(claimed[product]),
                            "replaced": qty(replaced[product]),
                            "deliveries": ", ".join(case.replacements),
                        },
                        (note_ev, case_ev),
                        _cancel_draft(note, case) if note.is_draft else None,
                    )
                )
                break
            if case.receipt_before_credit and taken[product] > received[product]:
                findings.append(
                    Finding(
                        "credit_note_before_goods_back",
                        Severity.WARNING,
                        gettext(
                            "L'avoir %(note)s reprend %(taken)s de %(sku)s au titre du dossier %(case)s alors "
                            "que %(received)s seulement sont revenues : la règle interne veut la marchandise "
                            "reçue avant tout avoir."
                        )
                        % {
                            "note": _label(note),
                            "taken": units(taken[product]),
                            "sku": line.product.sku,
                            "case": case.number,
                            "received": qty(received[product]),
                        },
                        (note_ev, case_ev),
                    )
                )
                break
    return findings


def _cancel_draft(note: Invoice, case: ReturnCase) -> Proposal:
    return Proposal(
        "cancel_draft_invoice",
        {"invoice_id": note.id},
        gettext(
            "Annuler l'avoir %(note)s : le dossier %(case)s a déjà été réglé par un remplacement ; "
            "refaire au besoin un avoir du seul reste."
        )
        % {"note": _label(note), "case": case.number},
        Decimal("0.7"),
    )

"""Checks of payments against the customer's open invoices: exact matches, prepayments, payments
entered twice, near misses (bank fee, rounding), leftovers, allocations against their reference. Pure."""

import re
from decimal import Decimal
from itertools import combinations

from django.utils.translation import gettext

from comptoir.assistant.chain import (
    Chain,
    Kind,
    OpenItem,
    Payment,
)
from comptoir.assistant.checks._common import (
    MAX_COMBINATION,
    MAX_OPEN_ITEMS,
    NEAR_MISS_FLOOR,
    NEAR_MISS_NAMED_FLOOR,
    NEAR_MISS_NAMED_SHARE,
    NEAR_MISS_SHARE,
    PAYMENT_TWIN_DAYS,
    SMALL_BALANCE,
    ZERO,
    _invoice_ev,
    _label,
    _noun,
    _sentence,
)
from comptoir.assistant.findings import Evidence, Finding, Proposal, Severity, euros

# --- Payments -------------------------------------------------------------------------------------


def matching_combination(amount: Decimal, items, *, size: int = MAX_COMBINATION):
    """The open items (oldest first) whose balances add up exactly to `amount`, fewest items first; None."""
    items = list(items)[:MAX_OPEN_ITEMS]
    for count in range(1, size + 1):
        for combo in combinations(items, count):
            if sum((item.balance_due for item in combo), ZERO) == amount:
                return combo
    return None


def check_payment_matches_open_items(chain: Chain) -> list[Finding]:
    """What a payment left unallocated should settle some of the customer's open invoices exactly."""
    findings = []
    items = sorted(chain.open_items, key=lambda item: (item.due_date is None, item.due_date, item.invoice_id))
    for payment in chain.payments:
        if payment.unallocated <= 0:
            continue
        payment_ev = Evidence(
            "payment",
            payment.number,
            payment.id,
            None,
            {"amount": payment.amount, "unallocated": payment.unallocated},
        )
        combo = matching_combination(payment.unallocated, items)
        if combo is not None:
            names = ", ".join(item.number for item in combo)
            findings.append(
                Finding(
                    "payment_matches_open_items",
                    Severity.INFO,
                    gettext(
                        "Le règlement %(payment)s laisse %(amount)s non affectés, exactement le solde de "
                        "%(invoices)s."
                    )
                    % {"payment": payment.number, "amount": euros(payment.unallocated), "invoices": names},
                    (
                        payment_ev,
                        *(
                            Evidence(
                                "invoice",
                                item.number,
                                item.invoice_id,
                                None,
                                {"balance_due": item.balance_due},
                            )
                            for item in combo
                        ),
                    ),
                    Proposal(
                        "allocate_payment",
                        {
                            "payment_id": payment.id,
                            "allocations": [
                                {"invoice_id": item.invoice_id, "amount": item.balance_due} for item in combo
                            ],
                        },
                        gettext("Affecter le règlement %(payment)s à %(invoices)s.")
                        % {"payment": payment.number, "invoices": names},
                        Decimal("0.95") if len(combo) == 1 else Decimal("0.8"),
                    ),
                )
            )
            continue
        draft = next((d for d in chain.drafts if d.balance_due == payment.unallocated), None)
        if draft is not None:
            findings.append(_prepayment_of_draft(payment, payment_ev, draft))
            continue
        order = _prepaid_order(chain, payment)
        if order is not None:
            findings.append(_prepayment_of_order(payment, payment_ev, order))
            continue
        twin = _twin(chain, payment)
        if twin is not None:
            findings.append(_entered_twice(payment, payment_ev, twin))
            continue
        near = _near_miss(payment, items)
        if near is not None:
            findings.append(_near_open_item(payment, payment_ev, near, chain.write_off_threshold))
            continue
        elsewhere = next((item for item in chain.named_elsewhere if item.payment_id == payment.id), None)
        if elsewhere is not None:
            findings.append(_on_wrong_customer(chain, payment, payment_ev, elsewhere))
            continue
        shown = ", ".join(f"{item.number} {euros(item.balance_due)}" for item in items[:5])
        findings.append(
            Finding(
                "payment_matches_no_open_item",
                Severity.WARNING,
                (
                    gettext(
                        "Le règlement %(payment)s laisse %(amount)s non affectés, qui ne correspondent au solde "
                        "d'aucune facture ouverte ni d'aucune combinaison de factures ouvertes du client "
                        "(ouvertes : %(open)s)."
                    )
                    if items
                    else gettext(
                        "Le règlement %(payment)s laisse %(amount)s non affectés, qui ne correspondent au solde "
                        "d'aucune facture ouverte ni d'aucune combinaison de factures ouvertes du client "
                        "(aucune facture ouverte)."
                    )
                )
                % {"payment": payment.number, "amount": euros(payment.unallocated), "open": shown},
                (
                    payment_ev,
                    *(
                        Evidence(
                            "invoice", item.number, item.invoice_id, None, {"balance_due": item.balance_due}
                        )
                        for item in items[:5]
                    ),
                ),
            )
        )
    return findings


def _prepaid_order(chain: Chain, payment: Payment) -> OpenItem | None:
    """The confirmed, not yet invoiced order a payment pays ahead: the one its reference names, else the
    one of exactly its amount."""
    reference = payment.reference.upper()
    named = [order for order in chain.open_orders if order.number.upper() in reference]
    if named:
        return named[0]
    return next((order for order in chain.open_orders if order.balance_due == payment.unallocated), None)


def _prepayment_of_order(payment: Payment, payment_ev: Evidence, order: OpenItem) -> Finding:
    """Money received before the order is invoiced (a pro forma paid, a new customer paying up front):
    no anomaly; its invoice will take it (then `payment_matches_open_items` proposes the allocation)."""
    return Finding(
        "payment_matches_order",
        Severity.INFO,
        gettext(
            "Le règlement %(payment)s laisse %(amount)s non affectés : un paiement d'avance de la commande "
            "%(order)s (%(total)s TTC), pas encore facturée, à affecter à sa facture une fois émise."
        )
        % {
            "payment": payment.number,
            "amount": euros(payment.unallocated),
            "order": order.number,
            "total": euros(order.balance_due),
        },
        (payment_ev, Evidence("order", order.number, order.invoice_id, None, {"total": order.balance_due})),
    )


def _prepayment_of_draft(payment: Payment, payment_ev: Evidence, draft: OpenItem) -> Finding:
    """Money received ahead of the invoice: its exact amount is a draft's, which only needs issuing to
    take it (then `payment_matches_open_items` proposes the allocation)."""
    return Finding(
        "payment_matches_draft",
        Severity.INFO,
        gettext(
            "Le règlement %(payment)s laisse %(amount)s non affectés, exactement le montant du %(draft)s : "
            "un paiement d'avance, à affecter une fois la facture émise."
        )
        % {"payment": payment.number, "amount": euros(payment.unallocated), "draft": draft.number},
        (payment_ev, Evidence("invoice", draft.number, draft.invoice_id, None, {"total": draft.balance_due})),
        Proposal(
            "issue_invoice",
            {"invoice_id": draft.invoice_id},
            gettext("Émettre le %(draft)s, que le règlement %(payment)s paie d'avance.")
            % {"draft": draft.number, "payment": payment.number},
            Decimal("0.7"),
        ),
    )


def _twin(chain: Chain, payment: Payment) -> Payment | None:
    """Another payment of the customer of the same amount within a few days, under the same reference
    (or with none on either side): the same money entered twice. Different references are two payments."""
    for other in chain.payment_twins:
        if other.id == payment.id or other.amount != payment.amount:
            continue
        if abs((other.date - payment.date).days) > PAYMENT_TWIN_DAYS:
            continue
        mine, theirs = payment.reference.strip().upper(), other.reference.strip().upper()
        if mine and theirs and mine != theirs:
            continue
        if (other.date, other.id) < (payment.date, payment.id):
            return other
    return None


def _entered_twice(payment: Payment, payment_ev: Evidence, twin: Payment) -> Finding:
    reference = payment.reference.strip()
    if reference.upper() != twin.reference.strip().upper():
        reference = ""  # one of them has none: only the amount and the days say they are the same money
    return Finding(
        "payment_entered_twice",
        Severity.WARNING,
        (
            gettext(
                "Le règlement %(payment)s (%(amount)s, référence « %(reference)s ») reprend le montant et la "
                "référence du règlement %(twin)s du %(date)s : probablement le même virement saisi deux fois. "
                "Vérifiez le relevé bancaire avant de l'affecter."
            )
            if reference
            else gettext(
                "Le règlement %(payment)s (%(amount)s) reprend le montant du règlement %(twin)s du %(date)s, "
                "sans référence pour les distinguer : probablement le même virement saisi deux fois. "
                "Vérifiez le relevé bancaire avant de l'affecter."
            )
        )
        % {
            "payment": payment.number,
            "amount": euros(payment.amount),
            "reference": reference,
            "twin": twin.number,
            "date": twin.date.strftime("%d/%m/%Y"),
        },
        (
            payment_ev,
            Evidence(
                "payment",
                twin.number,
                twin.id,
                None,
                {"amount": twin.amount, "date": twin.date, "reference": twin.reference},
            ),
        ),
        # Only money still wholly unallocated can be reversed (payments.reversing).
        Proposal(
            "reverse_payment",
            {"payment_id": payment.id},
            gettext(
                "Contre-passer le règlement %(payment)s, saisi une seconde fois (même montant et même "
                "référence que %(twin)s) : une écriture inverse, le règlement reste dans l'historique."
            )
            % {"payment": payment.number, "twin": twin.number},
            Decimal("0.8"),
        )
        if payment.unallocated == payment.amount
        else None,
    )


def _near_miss(payment: Payment, items) -> OpenItem | None:
    """The open invoice whose balance the payment misses by a bank fee or a rounding, the closest first;
    a wider fee when the payment's reference names the invoice and falls short of it."""
    best = None
    named = set(INVOICE_NUMBER.findall(payment.reference.upper()))
    for item in items:
        gap = abs(item.balance_due - payment.unallocated)
        tolerance = max(NEAR_MISS_FLOOR, item.balance_due * NEAR_MISS_SHARE)
        if item.number.upper() in named and payment.unallocated < item.balance_due:
            tolerance = max(
                tolerance,
                min(NEAR_MISS_NAMED_FLOOR, item.balance_due / 2),
                item.balance_due * NEAR_MISS_NAMED_SHARE,
            )
        if 0 < gap <= tolerance:
            if best is None or gap < abs(best.balance_due - payment.unallocated):
                best = item
    return best


def _near_open_item(payment: Payment, payment_ev: Evidence, item: OpenItem, threshold: Decimal) -> Finding:
    """Within the company's write-off threshold, propose to allocate the payment in full and write the
    gap off (payments.writing_off); beyond it, allocate what fits and leave the gap to claim."""
    short = item.balance_due > payment.unallocated
    gap = abs(item.balance_due - payment.unallocated)
    allocated = min(item.balance_due, payment.unallocated)
    values = {"payment": payment.number, "amount": euros(payment.unallocated), "gap": euros(gap)}
    values |= {"invoice": item.number, "balance": euros(item.balance_due), "threshold": euros(threshold)}
    evidence = (
        payment_ev,
        Evidence(
            "invoice", item.number, item.invoice_id, None, {"balance_due": item.balance_due, "gap": gap}
        ),
    )
    if gap <= threshold:
        return Finding(
            "payment_near_open_item",
            Severity.WARNING,
            (
                gettext(
                    "Le règlement %(payment)s laisse %(amount)s non affectés, %(gap)s de moins que le solde de "
                    "%(invoice)s (%(balance)s) : frais bancaires ou arrondi probables, sous le seuil d'écart de "
                    "règlement (%(threshold)s)."
                )
                if short
                else gettext(
                    "Le règlement %(payment)s laisse %(amount)s non affectés, %(gap)s de plus que le solde de "
                    "%(invoice)s (%(balance)s) : arrondi probable, sous le seuil d'écart de règlement "
                    "(%(threshold)s)."
                )
            )
            % values,
            evidence,
            Proposal(
                "write_off_payment_gap",
                {"invoice_id": item.invoice_id, "payment_id": payment.id},
                (
                    gettext(
                        "Affecter le règlement %(payment)s à %(invoice)s et passer l'écart de %(gap)s en perte "
                        "(658) : la facture est soldée et lettrée."
                    )
                    if short
                    else gettext(
                        "Affecter %(balance)s du règlement %(payment)s à %(invoice)s et passer l'excédent de "
                        "%(gap)s en profit (758) : la facture est soldée et lettrée."
                    )
                )
                % values,
                Decimal("0.85"),
            ),
        )
    return Finding(
        "payment_near_open_item",
        Severity.WARNING,
        (
            gettext(
                "Le règlement %(payment)s laisse %(amount)s non affectés, %(gap)s de moins que le solde de "
                "%(invoice)s (%(balance)s) : frais bancaires probables, au-delà du seuil d'écart de règlement "
                "(%(threshold)s). L'affectation laisse %(gap)s dus, à réclamer au client ; la comptabilité "
                "ou la direction peut relever le seuil."
            )
            if short
            else gettext(
                "Le règlement %(payment)s laisse %(amount)s non affectés, %(gap)s de plus que le solde de "
                "%(invoice)s (%(balance)s). L'affectation solde la facture et laisse %(gap)s au crédit du "
                "client."
            )
        )
        % values,
        evidence,
        Proposal(
            "allocate_payment",
            {"payment_id": payment.id, "allocations": [{"invoice_id": item.invoice_id, "amount": allocated}]},
            gettext("Affecter %(allocated)s du règlement %(payment)s à %(invoice)s.")
            % {"allocated": euros(allocated), "payment": payment.number, "invoice": item.number},
            Decimal("0.8"),
        ),
    )


def _on_wrong_customer(chain: Chain, payment: Payment, payment_ev: Evidence, item) -> Finding:
    """The payment's reference names another customer's invoice still owed: booked on the wrong
    customer. Moving it (payments.reversing) registers it on the right one and allocates it there."""
    allocated = min(item.balance_due, payment.unallocated)
    values = {
        "payment": payment.number,
        "amount": euros(payment.unallocated),
        "invoice": item.number,
        "other": item.customer_name,
        "customer": chain.customer.name,
        "balance": euros(item.balance_due),
    }
    return Finding(
        "payment_matches_no_open_item",
        Severity.WARNING,
        gettext(
            "Le règlement %(payment)s (%(amount)s non affectés) de %(customer)s ne correspond à aucune de ses "
            "factures, mais sa référence nomme %(invoice)s de %(other)s, qui reste due de %(balance)s : "
            "probablement un virement enregistré sur le mauvais client."
        )
        % values,
        (
            payment_ev,
            Evidence(
                "invoice",
                item.number,
                item.invoice_id,
                None,
                {"customer": item.customer_name, "balance_due": item.balance_due},
            ),
        ),
        Proposal(
            "move_payment_to_customer",
            {
                "payment_id": payment.id,
                "customer_id": item.customer_id,
                "allocations": [{"invoice_id": item.invoice_id, "amount": allocated}],
            },
            gettext(
                "Enregistrer le règlement %(payment)s chez %(other)s et l'affecter à %(invoice)s ; il est "
                "contre-passé chez %(customer)s (écriture inverse, rien n'est supprimé)."
            )
            % values,
            Decimal("0.8"),
        ),
    )


def check_invoice_small_balance(chain: Chain) -> list[Finding]:
    """An issued invoice left owing less than a euro after its payments: a leftover (bank fee, rounding)
    that a reminder would only annoy the customer with."""
    balances = {item.invoice_id: item for item in chain.open_items}
    findings = []
    for invoice in chain.subjects(Kind.INVOICE, Kind.DEPOSIT):
        item = balances.get(invoice.id)
        if invoice.is_draft or item is None or not ZERO < item.balance_due < SMALL_BALANCE:
            continue
        if item.balance_due >= invoice.total:
            continue  # nothing paid yet: a tiny invoice, not a leftover
        findings.append(
            Finding(
                "invoice_small_balance",
                Severity.INFO,
                gettext(
                    "%(noun)s %(invoice)s reste due de %(balance)s seulement après ses règlements : un reliquat "
                    "(frais bancaires, arrondi) à passer en perte ou à réclamer."
                )
                % {
                    "noun": _sentence(_noun(invoice)),
                    "invoice": _label(invoice),
                    "balance": euros(item.balance_due),
                },
                (_invoice_ev(invoice, None, total=invoice.total, balance_due=item.balance_due),),
                Proposal(
                    "write_off_payment_gap",
                    {"invoice_id": invoice.id},
                    gettext(
                        "Passer le reliquat de %(balance)s de %(invoice)s en perte (658) : la facture est "
                        "soldée et lettrée."
                    )
                    % {"balance": euros(item.balance_due), "invoice": _label(invoice)},
                    Decimal("0.85"),
                )
                if item.balance_due <= chain.write_off_threshold
                else None,
            )
        )
    return findings


INVOICE_NUMBER = re.compile(r"\b[A-Z]{2,3}-\d{4}-\d{4,}\b")


def check_payment_allocated_elsewhere(chain: Chain) -> list[Finding]:
    """Money allocated to another invoice than the one its payment's reference names, while that one is
    still owed: an allocation mistake (reported on both invoices)."""
    mine = {invoice.id for invoice in chain.subjects(Kind.INVOICE, Kind.DEPOSIT)}
    numbers = {
        invoice.number: invoice for invoice in chain.subjects(Kind.INVOICE, Kind.DEPOSIT) if invoice.number
    }
    still_owed = {item.number: item for item in chain.open_items}
    findings = []
    seen = set()
    for allocation in chain.allocations:
        named = set(INVOICE_NUMBER.findall(allocation.reference.upper()))
        if not named or allocation.invoice_number in named:
            continue
        owed = sorted(number for number in named if number in still_owed)
        if not owed or not (allocation.invoice_id in mine or any(number in numbers for number in owed)):
            continue
        if (allocation.payment_id, allocation.invoice_id) in seen:
            continue
        seen.add((allocation.payment_id, allocation.invoice_id))
        findings.append(
            Finding(
                "payment_allocated_elsewhere",
                Severity.WARNING,
                gettext(
                    "Le règlement %(payment)s (référence « %(reference)s ») est affecté à %(invoice)s pour "
                    "%(amount)s alors que sa référence nomme %(named)s, qui reste due : une erreur "
                    "d'affectation probable."
                )
                % {
                    "payment": allocation.payment_number,
                    "reference": allocation.reference,
                    "invoice": allocation.invoice_number,
                    "amount": euros(allocation.amount),
                    "named": ", ".join(owed),
                },
                (
                    Evidence(
                        "payment",
                        allocation.payment_number,
                        allocation.payment_id,
                        None,
                        {"reference": allocation.reference, "allocated": allocation.amount},
                    ),
                    Evidence(
                        "invoice",
                        allocation.invoice_number,
                        allocation.invoice_id,
                        None,
                        {"allocated": allocation.amount},
                    ),
                    *(
                        Evidence(
                            "invoice",
                            number,
                            still_owed[number].invoice_id,
                            None,
                            {"balance_due": still_owed[number].balance_due},
                        )
                        for number in owed
                    ),
                ),
                _reallocation(allocation, still_owed[owed[0]]) if len(owed) == 1 else None,
            )
        )
    return findings


def _reallocation(allocation, named: OpenItem) -> Proposal | None:
    """Move the money onto the invoice its reference names (payments.reallocating), when that one owes
    at least as much; otherwise a person splits it."""
    if named.balance_due < allocation.amount:
        return None
    return Proposal(
        "reallocate_payment",
        {
            "payment_id": allocation.payment_id,
            "from_invoice_id": allocation.invoice_id,
            "to_invoice_id": named.invoice_id,
        },
        gettext(
            "Réaffecter les %(amount)s du règlement %(payment)s de %(invoice)s à %(named)s, que sa référence "
            "nomme : %(invoice)s redevient due, %(named)s est réglée (écritures de reprise, rien n'est supprimé)."
        )
        % {
            "amount": euros(allocation.amount),
            "payment": allocation.payment_number,
            "invoice": allocation.invoice_number,
            "named": named.number,
        },
        Decimal("0.8"),
    )

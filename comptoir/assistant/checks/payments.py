"""Checks of payments against the customer's open invoices. Pure."""

from decimal import Decimal
from itertools import combinations

from django.utils.translation import gettext

from comptoir.assistant.chain import (
    Chain,
    OpenItem,
    Payment,
)
from comptoir.assistant.checks._common import (
    MAX_COMBINATION,
    MAX_OPEN_ITEMS,
    ZERO,
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

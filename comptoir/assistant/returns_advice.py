"""What the assistant says about a return case: the resolution it would choose and how urgent the case is.
Pure: the facts are read by `assistant.selectors.case_facts`; nothing here touches the database.

The suggestion follows what a good after-sales desk does, in this order: nothing more for a case whose
every unit is already credited or replaced (by a credit note citing it from billing too: `settled`); the
company's rules (no credit note before the goods are back when they must come back; above the approval
threshold the decision is the direction's), then the reason (missing goods are replaced when the stock
allows it, a price error is credited, a surplus the customer keeps is re-invoiced, a late delivery is not
a return), then what the receipt inspection found, then the customer's history (a customer with many
cases is a recurring cause to look at, not only a credit note to issue). Each suggestion lists its
reasons (through gettext: French, or English when the user chose it); confidence drops when facts are
missing or contradict each other.

The priority score (0–100) orders the dispute board. Its parts are shown next to it:
- amount at stake, up to 35 points (logarithmic: 5,000 € excl. VAT or more gives all 35);
- the customer's invoice blocked by the case, 20 points;
- time against the SLA: 25 points when a deadline is passed, otherwise up to 15 as it approaches;
- the customer's weight: revenue of the last 12 months, up to 20 points (logarithmic, 100,000 €).
"""

import dataclasses
import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext, gettext_lazy
from django.utils.translation import gettext_noop as N_

from comptoir.core.money import fr

ZERO = Decimal("0")

CREDIT_NOTE = "credit_note"
REPLACEMENT = "replacement"
REINVOICE = "reinvoice"
REFUSE = "refuse"
WAIT_RECEIPT = "wait_receipt"
DECIDE_FIRST = "decide_first"
SETTLED = "settled"
SUGGESTION_LABELS = {
    CREDIT_NOTE: gettext_lazy("Avoir"),
    REPLACEMENT: gettext_lazy("Livraison de remplacement"),
    REINVOICE: gettext_lazy("Refacturation"),
    REFUSE: gettext_lazy("Refus motivé"),
    WAIT_RECEIPT: gettext_lazy("Attendre le retour de la marchandise"),
    DECIDE_FIRST: gettext_lazy("Valider ou refuser le dossier"),
    SETTLED: gettext_lazy("Clore le dossier, déjà réglé"),
}
# One or two words, for the dispute board's narrow column (the full label and the reasons go beside it).
SUGGESTION_SHORT_LABELS = {
    CREDIT_NOTE: gettext_lazy("Avoir"),
    REPLACEMENT: gettext_lazy("Remplacement"),
    REINVOICE: gettext_lazy("Refacturation"),
    REFUSE: gettext_lazy("Refus"),
    WAIT_RECEIPT: gettext_lazy("Retour attendu"),
    DECIDE_FIRST: gettext_lazy("À valider"),
    SETTLED: gettext_lazy("À clore"),
}
# Customers with this many cases in twelve months are a recurring cause to look at.
MANY_CASES = 5


@dataclass(frozen=True)
class LineFacts:
    sku: str
    quantity: Decimal  # claimed on the case
    open_quantity: Decimal  # not yet credited or replaced
    available: Decimal  # in stock, not reserved by other orders
    scrapped: Decimal = ZERO  # received back and scrapped at inspection
    restocked: Decimal = ZERO  # received back in sellable condition


@dataclass(frozen=True)
class CaseFacts:
    number: str
    reason: str
    status: str
    undecided: bool
    amount_at_stake: Decimal
    opened_at: datetime.datetime
    answer_due_at: datetime.datetime
    close_due_at: datetime.datetime
    answer_overdue: bool
    close_overdue: bool
    blocks_invoice: bool
    goods_back_expected: bool
    receipt_required_before_credit: bool
    received: bool
    approval_threshold: Decimal
    lines: tuple[LineFacts, ...]
    customer_name: str
    customer_revenue_12m: Decimal
    customer_cases_12m: int
    # With the other live cases on the same delivery lines: what the approval threshold applies to.
    cumulated_at_stake: Decimal | None = None


@dataclass(frozen=True)
class Suggestion:
    kind: str
    reasons: tuple[str, ...]
    confidence: Decimal

    @property
    def label(self) -> str:
        return str(SUGGESTION_LABELS[self.kind])

    @property
    def short_label(self) -> str:
        return str(SUGGESTION_SHORT_LABELS[self.kind])

    @property
    def percent(self) -> int:
        return int(self.confidence * 100)


@dataclass(frozen=True)
class Priority:
    score: int
    # (label, points): the labels are French and stable (the API's keys); pages translate them.
    parts: tuple[tuple[str, int], ...]

    @property
    def explanation(self) -> str:
        return " + ".join(f"{gettext(label)} {points}" for label, points in self.parts if points) or gettext(
            "rien d'urgent"
        )


def _units(value: Decimal) -> str:
    text = fr(value, 3).rstrip("0").rstrip(",")
    return text


def _all_in_stock(facts: CaseFacts) -> bool:
    return all(line.available >= line.open_quantity for line in facts.lines if line.open_quantity > 0)


def _history(facts: CaseFacts) -> tuple[list[str], Decimal]:
    """A sentence about the customer's record, and how much it lowers confidence."""
    if facts.customer_cases_12m >= MANY_CASES:
        return [
            gettext(
                "%(customer)s a ouvert %(cases)s dossiers en 12 mois : voyez la page des causes récurrentes "
                "avant d'accorder un nouvel avoir."
            )
            % {"customer": facts.customer_name, "cases": facts.customer_cases_12m}
        ], Decimal("0.10")
    return [], ZERO


def suggest(facts: CaseFacts) -> Suggestion:
    """The resolution the assistant would choose for an open case, with its reasons."""
    if facts.undecided:
        at_stake = facts.amount_at_stake if facts.cumulated_at_stake is None else facts.cumulated_at_stake
        above = at_stake > facts.approval_threshold
        who = gettext("la direction") if above else gettext("un valideur ADV ou la direction")
        then = suggest(dataclasses.replace(facts, undecided=False))
        if facts.status == "draft":
            first = gettext(
                "Le dossier %(number)s est en brouillon : soumettez-le, puis faites-le valider par %(who)s "
                "(%(amount)s € HT en jeu, seuil %(threshold)s €)."
            )
        else:
            first = gettext(
                "Le dossier %(number)s attend sa validation interne : à faire par %(who)s (%(amount)s € HT en "
                "jeu, seuil %(threshold)s €)."
            )
        return Suggestion(
            DECIDE_FIRST,
            (
                first
                % {
                    "number": facts.number,
                    "who": who,
                    "amount": fr(facts.amount_at_stake),
                    "threshold": fr(facts.approval_threshold),
                },
                gettext("Ensuite : %(next)s — %(reason)s")
                % {"next": then.label.lower(), "reason": then.reasons[0]},
            ),
            Decimal("0.95"),
        )
    if facts.reason != "surplus" and facts.lines and all(line.open_quantity <= 0 for line in facts.lines):
        # Credited or replaced already, through the case or by a credit note citing it from billing:
        # another credit note or replacement would compensate the customer twice (#17 defect 1).
        return Suggestion(
            SETTLED,
            (
                gettext(
                    "Tout ce que le dossier %(number)s réclame est déjà crédité ou remplacé : ni avoir ni "
                    "remplacement de plus, il reste à clore le dossier."
                )
                % {"number": facts.number},
            ),
            Decimal("0.95"),
        )
    if facts.goods_back_expected and facts.receipt_required_before_credit and not facts.received:
        return Suggestion(
            WAIT_RECEIPT,
            (
                gettext(
                    "Ce motif suppose le retour de la marchandise : la règle interne impose sa réception avant "
                    "tout avoir."
                ),
            ),
            Decimal("0.90"),
        )
    reasons: list[str] = []
    history, penalty = _history(facts)
    open_lines = [line for line in facts.lines if line.open_quantity > 0]
    missing = ", ".join(f"{_units(line.open_quantity)} × {line.sku}" for line in open_lines) or gettext(
        "rien"
    )
    in_stock = _all_in_stock(facts)

    if facts.reason == "late_delivery":
        reasons.append(
            gettext(
                "Un retard de livraison ne donne pas lieu à un retour : la marchandise est livrée et conforme."
            )
        )
        if facts.customer_revenue_12m >= Decimal("20000"):
            reasons.append(
                gettext(
                    "%(customer)s pèse %(revenue)s € HT sur 12 mois : un geste commercial peut se discuter, par "
                    "la direction."
                )
                % {"customer": facts.customer_name, "revenue": fr(facts.customer_revenue_12m)}
            )
        return Suggestion(REFUSE, tuple(reasons + history), Decimal("0.70") - penalty)
    if facts.reason == "surplus":
        reasons.append(
            gettext(
                "Le client a reçu plus que commandé (%(surplus)s) : s'il le garde, on le refacture au prix convenu."
            )
            % {"surplus": missing}
        )
        return Suggestion(REINVOICE, tuple(reasons + history), Decimal("0.80") - penalty)
    if facts.reason == "wrong_price":
        reasons.append(
            gettext(
                "Une erreur de prix se corrige par un avoir de la différence, sans retour de marchandise."
            )
        )
        return Suggestion(CREDIT_NOTE, tuple(reasons + history), Decimal("0.85") - penalty)

    # Missing, damaged, wrong reference, quality: the customer wants the goods.
    if facts.received and any(line.restocked > 0 for line in facts.lines) and facts.reason == "quality":
        reasons.append(
            gettext(
                "Le contrôle au retour a remis des articles en stock : le défaut n'est pas confirmé sur tout."
            )
        )
        penalty += Decimal("0.15")
    if any(line.scrapped > 0 for line in facts.lines):
        reasons.append(gettext("Le contrôle au retour a confirmé le défaut (articles mis au rebut)."))
    if in_stock:
        reasons.append(
            gettext(
                "Le stock disponible couvre le remplacement (%(missing)s) : le client reçoit ce qu'il a payé."
            )
            % {"missing": missing}
        )
        confidence = Decimal("0.85")
        kind = REPLACEMENT
    else:
        short = ", ".join(
            gettext("%(sku)s : %(available)s disponible(s) pour %(needed)s")
            % {
                "sku": line.sku,
                "available": _units(max(line.available, ZERO)),
                "needed": _units(line.open_quantity),
            }
            for line in open_lines
            if line.available < line.open_quantity
        )
        reasons.append(
            gettext(
                "Pas assez de stock pour remplacer (%(short)s) : un avoir évite de faire attendre le client."
            )
            % {"short": short}
        )
        confidence = Decimal("0.75")
        kind = CREDIT_NOTE
    if facts.amount_at_stake > facts.approval_threshold:
        reasons.append(
            gettext("%(amount)s € HT en jeu, au-delà du seuil de %(threshold)s € : décision de la direction.")
            % {"amount": fr(facts.amount_at_stake), "threshold": fr(facts.approval_threshold)}
        )
    return Suggestion(kind, tuple(reasons + history), max(confidence - penalty, Decimal("0.30")))


def _log_share(value: Decimal, full: Decimal) -> Decimal:
    """How far `value` goes towards `full` on a log scale (0 to 1): 50 € already counts, 5,000 € is all."""
    if value <= 0:
        return ZERO
    return min(Decimal(1), (1 + value).log10() / (1 + full).log10())


def priority(facts: CaseFacts, now: datetime.datetime) -> Priority:
    """How urgent an open case is (0–100), with the points each fact gives."""
    amount = round(35 * _log_share(facts.amount_at_stake, Decimal("5000")))
    blocked = 20 if facts.blocks_invoice else 0
    if facts.answer_overdue or facts.close_overdue:
        sla = 25
    else:
        deadline = facts.answer_due_at if facts.undecided else facts.close_due_at
        span = (deadline - facts.opened_at).total_seconds()
        spent = (now - facts.opened_at).total_seconds()
        sla = round(15 * min(1.0, max(0.0, spent / span))) if span > 0 else 15  # seconds, not money
    customer = round(20 * _log_share(facts.customer_revenue_12m, Decimal("100000")))
    parts = (
        (N_("montant en jeu"), amount),
        (N_("facture bloquée"), blocked),
        (N_("délai dépassé") if sla == 25 else N_("délai qui court"), sla),
        (N_("poids du client"), customer),
    )
    return Priority(min(100, sum(points for _label, points in parts)), parts)

"""The assistant's follow-ups of customers: for each customer at risk (`insights.at_risk`, read by
`insights.watch`) one proposal to open a commercial follow-up (`pricing.PriceReview`) — call them, review
their price list, renegotiate their payment terms — with its reasons; and a price-list review for each
customer whose real margin is negative while their revenue is in the top quartile (`insights.ranking`).

A proposal is keyed by the customer, the action and the quarter: a run never duplicates an open one (it
refreshes its reasons), and a customer still at risk next quarter is proposed again after a decision.
Nothing is proposed while a follow-up of the same action is open for the customer.
"""

import datetime
from decimal import Decimal

from django.utils.translation import gettext

from comptoir.assistant.agent import Candidate, _key
from comptoir.insights import at_risk, watch
from comptoir.pricing.models import PriceReview

KIND = "open_price_review"
SOURCE_AT_RISK = "customer_at_risk"
SOURCE_LOSING = "customer_loses_money"
# The rankings behind « looks good, loses money »: the last twelve months.
LOSING_PERIOD_DAYS = 365


def _quarter(today: datetime.date) -> str:
    return f"{today.year}-T{(today.month - 1) // 3 + 1}"


def _confidence(score: int) -> Decimal:
    return min(Decimal("0.50") + Decimal(score) / 200, Decimal("0.95")).quantize(Decimal("0.01"))


def _candidate(customer_id, review_kind, *, title, reasons, source, confidence, today, evidence):
    rationale = " ".join(reasons)
    return Candidate(
        key=_key(KIND, customer_id, review_kind, _quarter(today)),
        kind=KIND,
        source=source,
        title=title,
        rationale=rationale,
        payload={"customer_id": customer_id, "review_kind": review_kind, "reason": rationale[:2000]},
        confidence=confidence,
        evidence=evidence,
        customer_id=customer_id,
    )


def candidates(today: datetime.date) -> list[Candidate]:
    open_reviews = set(
        PriceReview.objects.filter(status=PriceReview.Status.OPEN).values_list("customer_id", "kind")
    )
    found: dict[tuple[int, str], Candidate] = {}
    for assessment in watch.customers_at_risk(today).at_risk:
        review_kind = assessment.action
        if (assessment.customer_id, review_kind) in open_reviews:
            continue
        reasons = [gettext(r.template) % r.params for r in assessment.reasons]
        found[(assessment.customer_id, review_kind)] = _candidate(
            assessment.customer_id,
            review_kind,
            title=gettext("%(action)s : %(customer)s est à surveiller (score %(score)s/100)")
            % {
                "action": PriceReview.Kind(review_kind).label,
                "customer": assessment.name,
                "score": assessment.score,
            },
            reasons=reasons,
            source=SOURCE_AT_RISK,
            confidence=_confidence(assessment.score),
            today=today,
            evidence=[
                {"kind": "customer", "document": assessment.name, "id": assessment.customer_id, "values": {}}
            ],
        )
    since = today - datetime.timedelta(days=LOSING_PERIOD_DAYS)
    for row in watch.rankings(date_from=since, date_to=today).looks_good_loses_money:
        pair = (row.customer_id, at_risk.PRICE_LIST)
        if pair in open_reviews or pair in found:
            continue
        reason = gettext(
            "Marge réelle de %(margin)s sur %(revenue)s HT de chiffre d'affaires net en douze mois : un "
            "des plus gros clients, et il coûte plus qu'il ne rapporte (remises, retours, après-vente, "
            "temps passé)."
        ) % {"margin": at_risk.euros(row.real_margin), "revenue": at_risk.euros(row.net_revenue)}
        found[pair] = _candidate(
            row.customer_id,
            at_risk.PRICE_LIST,
            title=gettext(
                "Revoir la liste de prix : %(customer)s perd de l'argent malgré son chiffre d'affaires"
            )
            % {"customer": row.name},
            reasons=[reason],
            source=SOURCE_LOSING,
            confidence=Decimal("0.80"),
            today=today,
            evidence=[{"kind": "customer", "document": row.name, "id": row.customer_id, "values": {}}],
        )
    return list(found.values())


def propose(work) -> None:
    """The customers step of an agent run (`agent.run(customers_only=True)`)."""
    for candidate in candidates(work.today):
        work.add(candidate)
    work.stats["customers_at_risk"] = sum(1 for c in work.candidates.values() if c.source == SOURCE_AT_RISK)

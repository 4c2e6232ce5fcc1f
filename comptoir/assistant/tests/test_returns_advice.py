"""The assistant's suggestion and priority for return cases, and the recurring-causes analysis."""

import datetime
from decimal import Decimal

import pytest

from comptoir.assistant import causes, returns_advice
from comptoir.assistant.returns_advice import CaseFacts, LineFacts

NOW = datetime.datetime(2026, 11, 20, 12, tzinfo=datetime.UTC)


def facts(**changes) -> CaseFacts:
    base = dict(
        number="RET-2026-00001",
        reason="short_shipment",
        status="approved",
        undecided=False,
        amount_at_stake=Decimal("240.00"),
        opened_at=NOW - datetime.timedelta(days=2),
        answer_due_at=NOW + datetime.timedelta(days=1),
        close_due_at=NOW + datetime.timedelta(days=8),
        answer_overdue=False,
        close_overdue=False,
        blocks_invoice=False,
        goods_back_expected=False,
        receipt_required_before_credit=True,
        received=False,
        approval_threshold=Decimal("1000"),
        lines=(
            LineFacts(
                sku="REF-88", quantity=Decimal("2"), open_quantity=Decimal("2"), available=Decimal("10")
            ),
        ),
        customer_name="Menuiserie Martin SARL",
        customer_revenue_12m=Decimal("12000"),
        customer_cases_12m=1,
    )
    return CaseFacts(**{**base, **changes})


def test_missing_goods_in_stock_are_replaced():
    suggestion = returns_advice.suggest(facts())
    assert suggestion.kind == returns_advice.REPLACEMENT
    assert "2 × REF-88" in suggestion.reasons[0]


def test_missing_goods_out_of_stock_are_credited_and_the_shortage_is_named():
    lines = (
        LineFacts(sku="REF-88", quantity=Decimal("2"), open_quantity=Decimal("2"), available=Decimal("1")),
    )
    suggestion = returns_advice.suggest(facts(lines=lines))
    assert suggestion.kind == returns_advice.CREDIT_NOTE
    assert "REF-88 : 1 disponible(s) pour 2" in suggestion.reasons[0]


def test_goods_that_must_come_back_are_awaited_before_any_credit():
    suggestion = returns_advice.suggest(facts(reason="damaged", goods_back_expected=True))
    assert suggestion.kind == returns_advice.WAIT_RECEIPT


def test_an_undecided_case_is_sent_to_the_right_approver_with_the_next_step():
    suggestion = returns_advice.suggest(facts(undecided=True, amount_at_stake=Decimal("1500")))
    assert suggestion.kind == returns_advice.DECIDE_FIRST
    assert "la direction" in suggestion.reasons[0] and suggestion.reasons[1].startswith("Ensuite : livraison")


@pytest.mark.parametrize(
    ("reason", "kind"),
    [("wrong_price", "credit_note"), ("surplus", "reinvoice"), ("late_delivery", "refuse")],
)
def test_the_reason_decides_when_no_goods_are_involved(reason, kind):
    assert returns_advice.suggest(facts(reason=reason)).kind == kind


def test_a_customer_with_many_cases_lowers_confidence_and_points_to_the_causes():
    usual = returns_advice.suggest(facts())
    frequent = returns_advice.suggest(facts(customer_cases_12m=6))
    assert frequent.confidence < usual.confidence
    assert any("causes récurrentes" in reason for reason in frequent.reasons)


def test_priority_adds_up_its_explained_parts():
    calm = returns_advice.priority(facts(), NOW)
    urgent = returns_advice.priority(
        facts(
            amount_at_stake=Decimal("6000"),
            blocks_invoice=True,
            close_overdue=True,
            customer_revenue_12m=Decimal("200000"),
        ),
        NOW,
    )
    assert urgent.score == 100 and calm.score < 60
    assert calm.score == sum(points for _label, points in calm.parts)
    assert dict(urgent.parts)["facture bloquée"] == 20 and dict(urgent.parts)["délai dépassé"] == 25


def test_what_changed_names_the_cause_and_the_product_behind_it():
    today = datetime.date(2026, 11, 20)

    def row(case_id, days_ago, reason="Endommagé", product="REF-88 Perceuse", customer="Martin"):
        return causes.Row(
            case_id,
            today - datetime.timedelta(days=days_ago),
            "damaged",
            reason,
            customer,
            product,
            Decimal("100"),
        )

    rows = [
        row(1, 5),
        row(2, 20),
        row(3, 40, customer="Dupont"),
        row(4, 60, product="REF-12 Scie"),
        row(5, 120),
    ]
    rows += [row(6, 10, reason="Manquant"), row(7, 100, reason="Manquant"), row(8, 130, reason="Manquant")]
    found = causes.analyse(rows, today=today, window=90)
    assert found.by_reason[0].label == "Endommagé" and found.by_reason[0].recent == 4
    (change,) = found.changes[:1]
    assert change.startswith("« Endommagé » : 4 dossier(s) sur les 90 derniers jours contre 1")
    assert "REF-88 Perceuse en porte 3" in change
    # Manquant went down (1 now, 2 before): nothing to say about it.
    assert not any("Manquant" in sentence for sentence in found.changes)
    assert len(found.months) == 12 and sum(count for _month, count in found.months) == 8


def test_a_case_under_the_threshold_alone_goes_to_direction_with_the_other_cases_on_its_lines():
    alone = returns_advice.suggest(facts(status="submitted", undecided=True))
    assert "un valideur ADV ou la direction" in alone.reasons[0]
    together = facts(status="submitted", undecided=True, cumulated_at_stake=Decimal("1800"))
    assert "à faire par la direction" in returns_advice.suggest(together).reasons[0]

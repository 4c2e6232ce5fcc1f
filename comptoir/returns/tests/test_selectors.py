import datetime
from decimal import Decimal

import pytest
from django.db import transaction
from django.utils import timezone

from comptoir.core.errors import DomainError
from comptoir.core.permissions import Role
from comptoir.core.testing import colleague_of, make_customer, make_user
from comptoir.returns import rules, selectors
from comptoir.returns.services import (
    approve_case,
    close_case,
    lift_block,
    open_case,
    receive_goods,
    refuse,
    reject_case,
    resolve_with_credit_note,
    resolve_with_reinvoice,
    resolve_with_replacement,
    submit_case,
)
from comptoir.returns.tests.factories import make_sale

pytestmark = pytest.mark.django_db


def _case(by, sale, quantity, reason="damaged"):
    return open_case(
        sale.delivery, [{"delivery_line": sale.delivery_line, "quantity": quantity}], by=by, reason=reason
    )


def test_the_board_shows_overdue_cases_first_then_the_largest_amounts(boss, customer, product, sale):
    small_and_late = _case(boss, sale, "1")
    big = approve_case(submit_case(_case(boss, sale, "5", reason="quality"), by=boss), by=colleague_of(boss))
    medium = _case(boss, make_sale(boss, customer, product, stock=None), "2", reason="short_shipment")
    in_three_days = timezone.now() + datetime.timedelta(days=3)
    rows = list(selectors.board(now=in_three_days))
    assert [row.number for row in rows] == [medium.number, small_and_late.number, big.number]
    assert [row.answer_overdue for row in rows] == [True, True, False]
    assert not any(row.close_overdue for row in rows)
    assert [row.number for row in selectors.board(now=in_three_days, overdue=False)] == [big.number]
    assert all(row.close_overdue for row in selectors.board(now=timezone.now() + datetime.timedelta(days=11)))


def test_the_board_filters_by_status_reason_customer_owner_amount_and_text(boss, people, company, product):
    alice = make_customer(boss, name="Alice Bâtiment")
    bob = make_customer(boss, name="Bob Rénovation")
    a = _case(people["commercial"], make_sale(boss, alice, product), "1")
    b = submit_case(_case(boss, make_sale(boss, bob, product, stock=None), "3", reason="quality"), by=boss)
    assert [c.number for c in selectors.board(customer=alice)] == [a.number]
    assert [c.number for c in selectors.board(status="submitted")] == [b.number]
    assert [c.number for c in selectors.board(reason=["quality", "surplus"])] == [b.number]
    assert [c.number for c in selectors.board(owner=people["commercial"])] == [a.number]
    assert [c.number for c in selectors.board(min_amount=Decimal("300"))] == [b.number]
    assert [c.number for c in selectors.board(search="rénov")] == [b.number]


def test_closed_cases_leave_the_board_unless_asked_for(boss, sale):
    case = approve_case(
        submit_case(_case(boss, sale, "1", reason="short_shipment"), by=boss), by=colleague_of(boss)
    )
    resolve_with_credit_note(case, by=boss)
    close_case(case, by=boss)
    assert not selectors.board().exists()
    assert selectors.board(include_closed=True).get().number == case.number
    assert selectors.board(status="closed").count() == 1


def test_the_board_runs_in_one_query_whatever_the_number_of_cases(boss, sale, django_assert_num_queries):
    for _ in range(5):
        _case(boss, sale, "1")
    with django_assert_num_queries(1):
        rows = list(selectors.board())
        assert {(row.customer.name, row.delivery.number, row.owner.username) for row in rows}


def test_the_board_summary_counts_open_and_overdue_cases(boss, sale):
    _case(boss, sale, "1")
    approve_case(submit_case(_case(boss, sale, "2", reason="quality"), by=boss), by=colleague_of(boss))
    summary = selectors.board_summary(now=timezone.now() + datetime.timedelta(days=3))
    assert (summary.open_cases, summary.overdue, summary.amount_at_stake) == (2, 1, Decimal("360.00"))
    assert summary.by_status == {"draft": 1, "approved": 1}


def test_a_customer_history_shows_cases_decisions_and_credit_notes(boss, customer, sale):
    credited = approve_case(
        submit_case(_case(boss, sale, "2", reason="short_shipment"), by=boss),
        by=colleague_of(boss),
        reason="manquant confirmé par le transporteur",
    )
    resolve_with_credit_note(credited, by=boss)
    _case(boss, sale, "1", reason="quality")
    history = selectors.customer_history(customer)
    assert [c.number for c in history.cases][::-1] == [credited.number, history.cases[0].number]
    assert history.open_cases == 1
    assert history.decisions[0]["reason"] == "manquant confirmé par le transporteur"
    [note] = history.credit_notes
    assert (note.source_reference, note.total_untaxed) == (credited.number, Decimal("240.00"))
    assert history.credited_total == Decimal("240.00")


def test_kpis_count_returns_credit_notes_reasons_and_the_margin_they_cost(boss, customer, product, sale):
    short = approve_case(
        submit_case(_case(boss, sale, "2", reason="short_shipment"), by=boss), by=colleague_of(boss)
    )
    resolve_with_credit_note(short, by=boss)
    damaged = approve_case(submit_case(_case(boss, sale, "3"), by=boss), by=colleague_of(boss))
    receive_goods(
        damaged,
        [
            {"line": damaged.lines.get(), "quantity": "2", "disposition": "back_to_stock"},
            {"line": damaged.lines.get(), "quantity": "1", "disposition": "scrap"},
        ],
        by=boss,
    )
    resolve_with_credit_note(damaged, [{"line": damaged.lines.get(), "quantity": "2"}], by=boss)
    resolve_with_replacement(damaged, by=boss)  # 1 more drill shipped at 70 €
    today = timezone.localdate()
    kpis = selectors.returns_kpis(today - datetime.timedelta(days=30), today)
    assert kpis.cases == 2
    assert kpis.cases_per_customer == [
        {
            "customer_id": customer.pk,
            "customer": customer.name,
            "cases": 2,
            "amount_at_stake": Decimal("600.00"),
        }
    ]
    assert (kpis.credit_notes, kpis.credit_notes_amount) == (2, Decimal("480.00"))
    assert kpis.average_resolution_days == Decimal("0.0")
    assert {reason for reason, _, n in kpis.top_reasons} == {"short_shipment", "damaged"}
    impact = kpis.margin_per_customer[customer.pk]
    assert (impact.credited, impact.recovered, impact.replacement_cost) == (
        Decimal("480.00"),
        Decimal("140.00"),
        Decimal("70.00"),
    )
    assert impact.margin_lost == Decimal("410.00")
    assert kpis.margin_per_product[product.pk].margin_lost == Decimal("410.00")
    assert kpis.product_names[product.pk] == product.sku


def test_kpis_outside_the_period_are_empty(boss, sale):
    _case(boss, sale, "1")
    last_year = timezone.localdate() - datetime.timedelta(days=400)
    kpis = selectors.returns_kpis(last_year, last_year + datetime.timedelta(days=30))
    assert (kpis.cases, kpis.credit_notes, kpis.top_reasons, kpis.margin_per_customer) == (0, 0, [], {})


def test_the_declaration_form_knows_what_can_still_be_claimed(boss, sale):
    _case(boss, sale, "4")
    [row] = selectors.returnable_lines(sale.delivery)
    assert (row.delivered, row.claimed, row.left) == (Decimal("10.000"), Decimal("4.000"), Decimal("6.000"))
    assert selectors.delivery_discrepancies(sale.delivery).count() == 1


def test_decision_buttons_follow_the_transitions_the_policy_and_the_role(boss, people, sale):
    case = _case(people["commercial"], sale, "2")
    assert selectors.available_actions(case, people["commercial"]) == ["submit"]
    assert selectors.available_actions(case, people["comptabilite"]) == ["lift_block"]
    case = submit_case(case, by=boss)
    assert selectors.available_actions(case, people["adv"]) == ["approve", "reject"]
    assert selectors.available_actions(case, people["logistique"]) == []
    case = approve_case(case, by=people["adv"])
    assert selectors.available_actions(case, people["logistique"]) == ["receive"]
    assert selectors.available_actions(case, people["adv"]) == ["resolve"]
    other_sale = make_sale(boss, sale.order.customer, sale.delivery_line.product, stock=None)
    big = submit_case(_case(boss, other_sale, "8"), by=boss)  # 960 € … still under the threshold
    assert "approve" in selectors.available_actions(big, people["adv"])
    assert "approve" not in selectors.available_actions(big, boss)  # who opened it never approves it
    bigger = submit_case(
        open_case(
            make_sale(boss, sale.order.customer, sale.delivery_line.product, stock=None).delivery,
            [{"product": sale.delivery_line.product, "quantity": "9"}],
            by=boss,
            reason="damaged",
        ),
        by=boss,
    )  # 1,080 € → direction only
    assert selectors.available_actions(bigger, people["adv"]) == []
    assert selectors.available_actions(bigger, make_user("dg", Role.DIRECTION))[:2] == ["approve", "reject"]


def test_the_case_page_loads_everything_at_once(boss, sale, django_assert_max_num_queries):
    case = approve_case(submit_case(_case(boss, sale, "2"), by=boss), by=colleague_of(boss))
    receive_goods(
        case, [{"line": case.lines.get(), "quantity": "2", "disposition": "back_to_stock"}], by=boss
    )
    resolve_with_credit_note(case, by=boss)
    with django_assert_max_num_queries(8):
        detail = selectors.case_detail(case.pk)
        assert [r.credit_note.number for r in detail.resolutions.all()]
        assert [line.product.sku for line in detail.lines.all()]
        assert [rl.return_line.product.sku for receipt in detail.receipts.all() for rl in receipt.lines.all()]
    actions = [event.action for event in selectors.timeline(case)]
    assert actions == [
        "return.opened",
        "return.submitted",
        "return.approved",
        "return.goods_received",
        "return.resolved",
    ]
    [progress] = selectors.line_progress(case)
    assert (progress.received, progress.credited, progress.open_quantity) == (
        Decimal("2"),
        Decimal("2"),
        Decimal("0"),
    )


# --- Buttons and the services agree -----------------------------------------------------------------

# Refusals that mean "not in this state, not by this role": a button must be hidden exactly when the
# service answers one of these. Other refusals (quantities, lines) depend on what is typed in the form.
STATE_OR_ROLE_REFUSALS = {
    "permission_denied",
    "invalid_transition",
    "return_case_closed",
    "return_not_approved",
    "return_case_refused",
    "return_goods_not_expected",
    "return_replacement_not_applicable",
    "return_not_blocking",
    "return_approval_above_threshold",
    "approval_threshold_cumulated",
    "approval_same_person",
}


KINDS = set(rules.RESOLUTION_KINDS)


class _DryRun(Exception):
    pass


def _service_accepts(call, user) -> bool:
    """Run a service as `user` and roll it back: whether it got past its state and permission checks."""
    try:
        with transaction.atomic():
            call(user)
            raise _DryRun
    except _DryRun:
        return True
    except DomainError as exc:
        if exc.code in STATE_OR_ROLE_REFUSALS:
            return False
        return True


def _attempts(case):
    line = case.lines.get()
    one = [{"line": line, "quantity": "1"}]
    return {
        "submit": lambda by: submit_case(case, by=by),
        "approve": lambda by: approve_case(case, by=by),
        "reject": lambda by: reject_case(case, by=by, reason="non"),
        "receive": lambda by: receive_goods(
            case, [{"line": line, "quantity": "1", "disposition": "back_to_stock"}], by=by
        ),
        "credit_note": lambda by: resolve_with_credit_note(case, one, by=by),
        "replacement": lambda by: resolve_with_replacement(case, one, by=by),
        "reinvoice": lambda by: resolve_with_reinvoice(case, one, by=by),
        "refusal": lambda by: refuse(case, by=by, reason="non"),
        "close": lambda by: close_case(case, by=by),
        "lift_block": lambda by: lift_block(case, by=by, reason="facturer quand même"),
    }


def test_a_refused_case_offers_only_closing_and_what_a_refusal_leaves_possible(boss, people, sale):
    case = approve_case(submit_case(_case(boss, sale, "2"), by=boss), by=colleague_of(boss))
    refuse(case, by=boss, reason="Contrôle : aucun défaut constaté")
    case.refresh_from_db()
    # Goods, credit notes, replacements and a second refusal are refused by the services on a refused case.
    assert selectors.available_actions(case, people["logistique"]) == []
    assert selectors.available_actions(case, boss) == ["resolve", "close"]
    assert selectors.available_resolutions(case, boss) == ["reinvoice"]
    close_case(case, by=boss)
    case.refresh_from_db()
    for user in (boss, *people.values()):
        assert selectors.available_actions(case, user) == []
        assert selectors.available_resolutions(case, user) == []


def test_the_buttons_are_exactly_the_actions_the_services_accept(boss, people, sale):
    users = [boss, *people.values()]

    def case_in(*steps, reason="damaged"):
        case = _case(boss, sale, "1", reason=reason)
        for step in steps:
            step(case)
            case.refresh_from_db()
        return case

    def submit(c):
        submit_case(c, by=boss)

    def approve(c):
        approve_case(c, by=colleague_of(boss))

    def receive(c):
        receive_goods(c, [{"line": c.lines.get(), "quantity": "1", "disposition": "scrap"}], by=boss)

    def credit(c):
        resolve_with_credit_note(c, by=boss)

    def refusal(c):
        refuse(c, by=boss, reason="non")

    def rejection(c):
        reject_case(c, by=boss, reason="non")

    def closing(c):
        close_case(c, by=boss)

    cases = {
        "draft": case_in(),
        "submitted": case_in(submit),
        "approved": case_in(submit, approve),
        "approved, no goods back": case_in(submit, approve, reason="short_shipment"),
        "goods received": case_in(submit, approve, receive),
        "resolved": case_in(submit, approve, receive, credit),
        "refused": case_in(submit, approve, refusal),
        "rejected": case_in(submit, rejection),
        "closed": case_in(submit, approve, refusal, closing),
    }
    for state, case in cases.items():
        attempts = _attempts(case)
        for user in users:
            accepted = {name for name, call in attempts.items() if _service_accepts(call, user)}
            expected = [a for a in rules.BUTTONS if a in accepted or (a == "resolve" and accepted & KINDS)]
            assert selectors.available_actions(case, user) == expected, (state, user.username)
            assert selectors.available_resolutions(case, user) == [
                k for k in rules.RESOLUTION_KINDS if k in accepted
            ], (state, user.username)

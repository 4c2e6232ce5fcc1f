from decimal import Decimal

import pytest

from comptoir.accounting import selectors as ledger_view
from comptoir.core.errors import DomainError, PermissionDenied
from comptoir.core.testing import colleague_of
from comptoir.returns.models import ReturnReceiptLine
from comptoir.returns.services import approve_case, open_case, receive_goods, submit_case, update_policy
from comptoir.stock import selectors as stock_view
from comptoir.stock.models import StockMove
from comptoir.stock.services import receive_stock

pytestmark = pytest.mark.django_db


def _approved(by, sale, quantity="3", reason="damaged"):
    case = open_case(
        sale.delivery, [{"delivery_line": sale.delivery_line, "quantity": quantity}], by=by, reason=reason
    )
    return approve_case(submit_case(case, by=by), by=colleague_of(by))


def test_goods_back_to_stock_re_enter_at_the_cost_they_left_at(boss, people, sale, product):
    # The drills left at 70 €; a later purchase at 100 € moved the average to 80 €.
    receive_stock([{"product": product, "quantity": "20", "unit_cost": "100"}], by=boss)  # 40 × 70 + 20 × 100
    assert stock_view.level_of(product).average_cost == Decimal("80.0000")
    case = _approved(boss, sale)
    receipt = receive_goods(
        case,
        [
            {
                "line": case.lines.get(),
                "quantity": "3",
                "inspection": "RAS, emballage d'origine",
                "disposition": "back_to_stock",
            }
        ],
        by=people["logistique"],
    )
    level = stock_view.level_of(product)
    assert level.on_hand == Decimal("63")
    # (60 × 80 + 3 × 70) / 63
    assert level.average_cost == Decimal("79.5238")
    move = StockMove.objects.get(kind="return")
    assert (move.quantity, move.unit_cost, move.document) == (
        Decimal("3.000"),
        Decimal("70.0000"),
        receipt.number,
    )
    case.refresh_from_db()
    assert case.status == "goods_received"
    assert receipt.lines.get().inspection == "RAS, emballage d'origine"


def test_scrapped_goods_stay_out_of_stock_and_their_cost_is_booked_as_a_loss(boss, people, sale, product):
    case = _approved(boss, sale)
    receipt = receive_goods(
        case,
        [{"line": case.lines.get(), "quantity": "2", "inspection": "moteur grillé", "disposition": "scrap"}],
        by=people["logistique"],
    )
    assert stock_view.level_of(product).on_hand == Decimal("40")
    posted = {
        (ln.account.code, ln.debit, ln.credit) for ln in receipt.loss_entry.lines.select_related("account")
    }
    assert posted == {("658", Decimal("140.00"), Decimal("0")), ("603", Decimal("0"), Decimal("140.00"))}
    assert receipt.loss_entry.journal.code == "OD"
    balance = ledger_view.trial_balance()
    assert balance.total_debit == balance.total_credit


def test_goods_sent_to_repair_wait_without_moving_stock_or_ledger(boss, people, sale, product):
    case = _approved(boss, sale)
    receipt = receive_goods(
        case, [{"line": case.lines.get(), "quantity": "1", "disposition": "repair"}], by=people["logistique"]
    )
    assert receipt.loss_entry is None
    assert stock_view.level_of(product).on_hand == Decimal("40")
    assert ReturnReceiptLine.objects.get().disposition == "repair"


def test_one_receipt_may_split_a_line_between_dispositions(boss, sale, product):
    case = _approved(boss, sale)
    line = case.lines.get()
    receive_goods(
        case,
        [
            {"line": line, "quantity": "2", "disposition": "back_to_stock"},
            {"line": line, "quantity": "1", "disposition": "scrap"},
        ],
        by=boss,
    )
    assert stock_view.level_of(product).on_hand == Decimal("42")


def test_no_goods_are_received_on_a_case_not_yet_approved(boss, sale):
    case = submit_case(
        open_case(
            sale.delivery, [{"delivery_line": sale.delivery_line, "quantity": "1"}], by=boss, reason="damaged"
        ),
        by=boss,
    )
    with pytest.raises(DomainError) as exc:
        receive_goods(
            case, [{"line": case.lines.get(), "quantity": "1", "disposition": "back_to_stock"}], by=boss
        )
    assert exc.value.code == "return_not_approved"


def test_without_the_validation_rule_goods_may_be_received_on_a_submitted_case(boss, sale):
    update_policy(by=boss, require_validation=False)
    case = submit_case(
        open_case(
            sale.delivery, [{"delivery_line": sale.delivery_line, "quantity": "1"}], by=boss, reason="damaged"
        ),
        by=boss,
    )
    receive_goods(
        case, [{"line": case.lines.get(), "quantity": "1", "disposition": "back_to_stock"}], by=boss
    )
    case.refresh_from_db()
    assert case.status == "goods_received"


def test_no_goods_are_expected_back_for_a_short_shipment(boss, sale):
    case = _approved(boss, sale, reason="short_shipment")
    with pytest.raises(DomainError) as exc:
        receive_goods(
            case, [{"line": case.lines.get(), "quantity": "1", "disposition": "back_to_stock"}], by=boss
        )
    assert exc.value.code == "return_goods_not_expected"


def test_receiving_more_than_the_case_claims_is_refused(boss, sale):
    case = _approved(boss, sale, quantity="3")
    line = case.lines.get()
    receive_goods(case, [{"line": line, "quantity": "2", "disposition": "back_to_stock"}], by=boss)
    with pytest.raises(DomainError) as exc:
        receive_goods(case, [{"line": line, "quantity": "2", "disposition": "back_to_stock"}], by=boss)
    assert exc.value.code == "return_receipt_exceeds_claim"
    assert "n'attend plus que 1" in exc.value.message


def test_an_unknown_disposition_is_refused(boss, sale):
    case = _approved(boss, sale)
    with pytest.raises(DomainError) as exc:
        receive_goods(case, [{"line": case.lines.get(), "quantity": "1", "disposition": "donate"}], by=boss)
    assert exc.value.code == "return_invalid_disposition"


def test_only_the_warehouse_or_direction_receives_goods(people, boss, sale):
    case = _approved(boss, sale)
    with pytest.raises(PermissionDenied):
        receive_goods(
            case,
            [{"line": case.lines.get(), "quantity": "1", "disposition": "back_to_stock"}],
            by=people["adv"],
        )

"""The at-risk score, pure: each signal compares a customer with their own history and says so in words."""

import datetime
from decimal import Decimal

from comptoir.insights import at_risk
from comptoir.insights.at_risk import History, Window

D = Decimal
TODAY = datetime.date(2026, 6, 30)


def _history(**changes) -> History:
    """A steady customer: an order every 21 days for two years, same basket, margin and payments."""
    base = {
        "customer_id": 1,
        "name": "Menuiserie Martin",
        "orders": 34,
        "first_order": TODAY - datetime.timedelta(days=700),
        "last_order": TODAY - datetime.timedelta(days=7),
        "recent": Window(
            orders=9, ordered=D("9000"), payments=8, days_late=D("16"), revenue=D("9000"), cost=D("6300")
        ),
        "earlier": Window(
            orders=25, ordered=D("25000"), payments=24, days_late=D("48"), revenue=D("25000"), cost=D("17500")
        ),
    }
    return History(**{**base, **changes})


def test_a_steady_customer_is_not_at_risk():
    assessment = at_risk.assess(_history(), TODAY)
    assert assessment.scored and assessment.reasons == () and not assessment.at_risk


def test_a_customer_silent_for_three_times_their_usual_interval_is_flagged_with_the_numbers():
    first = TODAY - datetime.timedelta(days=400)
    last = first + datetime.timedelta(days=21 * 15)  # 16 orders, one every 21 days
    assessment = at_risk.assess(_history(orders=16, first_order=first, last_order=last), TODAY)
    [reason] = assessment.reasons
    assert reason.signal == "rhythm"
    assert reason.text == (
        "Commande tous les 21 jours en moyenne, aucune depuis 85 jours (dernière le 06/04/2026)."
    )
    assert assessment.at_risk and assessment.action == at_risk.CALL


def test_a_silence_shorter_than_twice_the_interval_is_no_reason():
    last = TODAY - datetime.timedelta(days=35)  # usual interval: 665 / 33, about 20 days
    assert at_risk.assess(_history(last_order=last), TODAY).reasons == ()


def test_a_shrinking_basket_quotes_both_averages():
    recent = Window(orders=4, ordered=D("2400"))
    earlier = Window(orders=20, ordered=D("20000"))
    [reason] = at_risk.assess(_history(recent=recent, earlier=earlier), TODAY).reasons
    assert reason.signal == "basket"
    assert "600,00 € HT" in reason.text and "1\u202f000,00 € HT" in reason.text and "−40 %" in reason.text


def test_returns_rising_against_the_customers_own_rate_are_flagged():
    recent = Window(orders=5, returns=3)
    earlier = Window(orders=20, returns=1)
    [reason] = at_risk.assess(_history(recent=recent, earlier=earlier), TODAY).reasons
    assert reason.signal == "returns"
    assert reason.text.startswith("3 retours ou litiges pour 5 commandes")
    # The same three cases over as many orders as before are no change
    steady = Window(orders=5, returns=3)
    assert at_risk.assess(_history(recent=recent, earlier=steady), TODAY).reasons == ()


def test_lengthening_payment_delays_suggest_renegotiating_terms():
    recent = Window(orders=9, ordered=D("9000"), payments=4, days_late=D("136"))  # 34 days late
    earlier = Window(orders=25, ordered=D("25000"), payments=20, days_late=D("100"))  # 5 days
    assessment = at_risk.assess(_history(recent=recent, earlier=earlier), TODAY)
    [reason] = assessment.reasons
    assert reason.signal == "delay" and "Paie 34 jours après l'échéance" in reason.text
    assert "contre 5 jours avant" in reason.text
    # A delay alone is worth watching but not an alert
    assert not assessment.at_risk


def test_margin_erosion_suggests_a_price_list_review():
    recent = Window(orders=9, ordered=D("9000"), revenue=D("10000"), cost=D("8800"))  # 12 %
    earlier = Window(orders=25, ordered=D("25000"), revenue=D("20000"), cost=D("15100"))  # 24.5 %
    assessment = at_risk.assess(_history(recent=recent, earlier=earlier), TODAY)
    [reason] = assessment.reasons
    assert reason.signal == "margin"
    assert "12,0 %" in reason.text and "24,5 %" in reason.text
    assert assessment.at_risk and assessment.action == at_risk.PRICE_LIST


def test_the_heaviest_signal_decides_the_action_and_the_score_adds_up():
    first = TODAY - datetime.timedelta(days=400)
    recent = Window(
        orders=2, ordered=D("200"), payments=3, days_late=D("90"), revenue=D("200"), cost=D("100")
    )
    earlier = Window(
        orders=14, ordered=D("14000"), payments=10, days_late=D("0"), revenue=D("14000"), cost=D("7000")
    )
    assessment = at_risk.assess(
        _history(
            orders=16,
            first_order=first,
            last_order=first + datetime.timedelta(days=315),
            recent=recent,
            earlier=earlier,
        ),
        TODAY,
    )
    assert [r.signal for r in assessment.reasons] == ["rhythm", "basket", "delay"]
    assert assessment.score == 85 and assessment.action == at_risk.CALL


def test_a_customer_with_a_thin_history_is_not_scored():
    young = _history(
        first_order=TODAY - datetime.timedelta(days=60), last_order=TODAY - datetime.timedelta(days=5)
    )
    few = _history(orders=3)
    for history in (young, few):
        assessment = at_risk.assess(history, TODAY)
        assert not assessment.scored and not assessment.at_risk and assessment.reasons == ()
    silent = _history(
        orders=16,
        first_order=TODAY - datetime.timedelta(days=400),
        last_order=TODAY - datetime.timedelta(days=85),
    )
    watchlist = at_risk.watchlist([young, few, _history(customer_id=2), silent], TODAY)
    assert (watchlist.scored, watchlist.unscored) == (2, 2)
    assert [a.customer_id for a in watchlist.at_risk] == [1]

"""Customers at risk, scored against their own history. Pure: no Django.

Each customer is compared with themselves, never with the others: the recent window (the last
`RECENT_DAYS`) against what came before it (up to `HISTORY_DAYS` back). Five signals, each a French
sentence quoting the two numbers compared:

  rhythm   no order for far longer than their usual interval between two orders;
  basket   the recent average order well below their earlier average;
  returns  more return cases and disputes per order than before;
  delay    paying later after the due date than they used to;
  margin   the sales margin rate of their invoices eroded.

The score is the sum of the weights of the signals raised (capped at 100); a customer is at risk from
`AT_RISK_SCORE`. A customer with a thin history (fewer than `MIN_ORDERS` orders, or a first order less
than `MIN_HISTORY_DAYS` ago) is not scored at all: there is no habit to depart from.

Every signal suggests an action: a call (rhythm, basket, returns), a review of the price list (margin),
renegotiating the payment terms (delay); the customer's suggestion is the one of its heaviest signal.
"""

import datetime
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

RECENT_DAYS = 180
HISTORY_DAYS = 730
MIN_ORDERS = 4
MIN_HISTORY_DAYS = 90

# rhythm: silent for at least this many times the usual interval, and at least this many days
RHYTHM_FACTOR = Decimal("2")
MIN_SILENCE_DAYS = 30
# basket: the recent average order at least this much smaller (share of the earlier one)
BASKET_DROP = Decimal("0.30")
MIN_ORDERS_PER_WINDOW = 2
# returns: at least this many recent cases, and this many more per order than before
MIN_RECENT_RETURNS = 2
RETURNS_RISE_PER_ORDER = Decimal("0.15")
# payment delay: at least this many more days late on average, over at least this many payments a window
DELAY_RISE_DAYS = Decimal("10")
MIN_PAYMENTS_PER_WINDOW = 2
# margin: the rate lost, in points
MARGIN_DROP_POINTS = Decimal("5")

WEIGHTS = {"rhythm": 40, "basket": 25, "margin": 25, "returns": 20, "delay": 20}
AT_RISK_SCORE = 25
MAX_SCORE = 100

CALL = "call"
PRICE_LIST = "price_list"
PAYMENT_TERMS = "payment_terms"
ACTION_OF = {"rhythm": CALL, "basket": CALL, "returns": CALL, "margin": PRICE_LIST, "delay": PAYMENT_TERMS}

ZERO = Decimal("0")
HUNDRED = Decimal("100")


@dataclass(frozen=True)
class Window:
    """What one window holds for a customer: orders (count, amount HT), return cases, payments received
    (count, total days after the due date) and the sales margin of its invoices (revenue, cost)."""

    orders: int = 0
    ordered: Decimal = ZERO
    returns: int = 0
    payments: int = 0
    days_late: Decimal = ZERO
    revenue: Decimal = ZERO
    cost: Decimal = ZERO

    @property
    def basket(self) -> Decimal | None:
        return self.ordered / self.orders if self.orders else None

    @property
    def average_delay(self) -> Decimal | None:
        return self.days_late / self.payments if self.payments else None

    @property
    def margin_rate(self) -> Decimal | None:
        return (self.revenue - self.cost) * HUNDRED / self.revenue if self.revenue > 0 else None


@dataclass(frozen=True)
class History:
    customer_id: int
    name: str
    orders: int  # over the whole history read
    first_order: datetime.date | None
    last_order: datetime.date | None
    recent: Window = field(default_factory=Window)
    earlier: Window = field(default_factory=Window)


def N_(message: str) -> str:
    """gettext_noop without Django: the sentence is marked for the catalogs and translated where shown."""
    return message


@dataclass(frozen=True)
class Reason:
    """A signal raised: `template` (French, marked for translation) filled with `params` (numbers already
    written the French way)."""

    signal: str
    weight: int
    template: str
    params: dict = field(default_factory=dict)

    @property
    def text(self) -> str:
        return self.template % self.params


@dataclass(frozen=True)
class Assessment:
    customer_id: int
    name: str
    scored: bool
    reasons: tuple[Reason, ...] = ()

    @property
    def score(self) -> int:
        return min(sum(reason.weight for reason in self.reasons), MAX_SCORE)

    @property
    def at_risk(self) -> bool:
        return self.scored and self.score >= AT_RISK_SCORE

    @property
    def action(self) -> str | None:
        """The action of the heaviest signal (ties: the first in WEIGHTS' order)."""
        if not self.reasons:
            return None
        order = list(WEIGHTS)
        top = max(self.reasons, key=lambda r: (r.weight, -order.index(r.signal)))
        return ACTION_OF[top.signal]


# --- numbers in French --------------------------------------------------------------------------------


def _number(value: Decimal, places: int = 0) -> str:
    quantum = Decimal(1).scaleb(-places)
    text = f"{value.quantize(quantum, rounding=ROUND_HALF_UP):,.{places}f}"
    return text.replace(",", "\u202f").replace(".", ",")


def euros(value: Decimal) -> str:
    return f"{_number(value, 2)} €"


def _days(value: Decimal | int) -> str:
    return _number(Decimal(value))


def _orders(count: int) -> str:
    return f"{count} commande{'s' if count > 1 else ''}"


# --- the signals ---------------------------------------------------------------------------------------


def _rhythm(history: History, today: datetime.date) -> Reason | None:
    if history.orders < 2 or history.first_order is None or history.last_order is None:
        return None
    interval = Decimal((history.last_order - history.first_order).days) / (history.orders - 1)
    silence = (today - history.last_order).days
    if interval <= 0 or silence < MIN_SILENCE_DAYS or silence < RHYTHM_FACTOR * interval:
        return None
    return Reason(
        "rhythm",
        WEIGHTS["rhythm"],
        N_(
            "Commande tous les %(interval)s jours en moyenne, aucune depuis %(silence)s jours (dernière le %(last)s)."
        ),
        {"interval": _days(interval), "silence": _days(silence), "last": f"{history.last_order:%d/%m/%Y}"},
    )


def _basket(history: History) -> Reason | None:
    recent, earlier = history.recent, history.earlier
    if recent.orders < MIN_ORDERS_PER_WINDOW or earlier.orders < MIN_ORDERS_PER_WINDOW:
        return None
    if earlier.basket <= 0 or recent.basket > earlier.basket * (1 - BASKET_DROP):
        return None
    drop = (earlier.basket - recent.basket) * HUNDRED / earlier.basket
    return Reason(
        "basket",
        WEIGHTS["basket"],
        N_(
            "Panier moyen de %(recent)s HT sur %(recent_orders)s des %(days)s derniers jours, contre "
            "%(earlier)s HT avant (%(earlier_orders)s) : −%(drop)s %%."
        ),
        {
            "recent": euros(recent.basket),
            "recent_orders": _orders(recent.orders),
            "days": RECENT_DAYS,
            "earlier": euros(earlier.basket),
            "earlier_orders": _orders(earlier.orders),
            "drop": _number(drop),
        },
    )


def _returns(history: History) -> Reason | None:
    recent, earlier = history.recent, history.earlier
    # Without earlier orders there is no habit to compare the returns with.
    if recent.returns < MIN_RECENT_RETURNS or earlier.orders < MIN_ORDERS_PER_WINDOW:
        return None
    recent_rate = Decimal(recent.returns) / max(recent.orders, 1)
    earlier_rate = Decimal(earlier.returns) / max(earlier.orders, 1)
    if recent_rate < earlier_rate + RETURNS_RISE_PER_ORDER:
        return None
    return Reason(
        "returns",
        WEIGHTS["returns"],
        N_(
            "%(recent)s retours ou litiges pour %(recent_orders)s sur les %(days)s derniers jours, contre "
            "%(earlier)s pour %(earlier_orders)s avant."
        ),
        {
            "recent": recent.returns,
            "recent_orders": _orders(recent.orders),
            "days": RECENT_DAYS,
            "earlier": earlier.returns,
            "earlier_orders": _orders(earlier.orders),
        },
    )


def _delay(history: History) -> Reason | None:
    recent, earlier = history.recent, history.earlier
    if recent.payments < MIN_PAYMENTS_PER_WINDOW or earlier.payments < MIN_PAYMENTS_PER_WINDOW:
        return None
    if recent.average_delay < earlier.average_delay + DELAY_RISE_DAYS:
        return None
    return Reason(
        "delay",
        WEIGHTS["delay"],
        N_(
            "Paie %(recent)s jours après l'échéance en moyenne sur les %(days)s derniers jours (%(recent_count)s "
            "règlements), contre %(earlier)s jours avant (%(earlier_count)s règlements)."
        ),
        {
            "recent": _days(recent.average_delay),
            "days": RECENT_DAYS,
            "recent_count": recent.payments,
            "earlier": _days(earlier.average_delay),
            "earlier_count": earlier.payments,
        },
    )


def _margin(history: History) -> Reason | None:
    recent_rate, earlier_rate = history.recent.margin_rate, history.earlier.margin_rate
    if recent_rate is None or earlier_rate is None or recent_rate > earlier_rate - MARGIN_DROP_POINTS:
        return None
    return Reason(
        "margin",
        WEIGHTS["margin"],
        N_(
            "Marge commerciale de %(recent)s %% sur les %(days)s derniers jours (%(recent_revenue)s HT "
            "facturés), contre %(earlier)s %% avant (%(earlier_revenue)s HT)."
        ),
        {
            "recent": _number(recent_rate, 1),
            "days": RECENT_DAYS,
            "recent_revenue": euros(history.recent.revenue),
            "earlier": _number(earlier_rate, 1),
            "earlier_revenue": euros(history.earlier.revenue),
        },
    )


def thin(history: History, today: datetime.date) -> bool:
    return (
        history.orders < MIN_ORDERS
        or history.first_order is None
        or (today - history.first_order).days < MIN_HISTORY_DAYS
    )


def assess(history: History, today: datetime.date) -> Assessment:
    if thin(history, today):
        return Assessment(history.customer_id, history.name, scored=False)
    found = (
        _rhythm(history, today),
        _basket(history),
        _returns(history),
        _delay(history),
        _margin(history),
    )
    reasons = tuple(sorted((r for r in found if r), key=lambda r: -r.weight))
    return Assessment(history.customer_id, history.name, scored=True, reasons=reasons)


@dataclass(frozen=True)
class Watchlist:
    at_risk: tuple[Assessment, ...]  # highest score first
    scored: int
    unscored: int  # thin history


def watchlist(histories, today: datetime.date) -> Watchlist:
    assessments = [assess(history, today) for history in histories]
    flagged = sorted((a for a in assessments if a.at_risk), key=lambda a: (-a.score, a.name))
    scored = sum(1 for a in assessments if a.scored)
    return Watchlist(tuple(flagged), scored, len(assessments) - scored)

"""The demo's customer whose orders slowed (issue #22, point 5): a regular customer who stops ordering some
weeks before today, so that « Clients à surveiller » flags them (their usual interval between two orders
against the days since their last one) and the assistant proposes to call them.

The generator asks `silent(customer, day)` before giving a customer a new quote or order; the quotes
already sent may still turn into orders in the following weeks, as they would.
"""

import datetime
from dataclasses import dataclass

# The customer chosen: the French customer with the third largest weight (a regular one, neither the star of
# the profitability story nor a customer who orders twice a year).
RANK = 2
MIN_QUIET_DAYS = 60
MAX_QUIET_DAYS = 100


@dataclass(frozen=True)
class Slowing:
    customer: object | None  # the generator's _Customer
    since: datetime.date | None

    def silent(self, customer, day: datetime.date) -> bool:
        return customer is self.customer and self.since is not None and day >= self.since


def choose(customers, *, start: datetime.date, today: datetime.date) -> Slowing:
    """The customer who goes quiet, and from when: the last third of the period (60 to 100 days)."""
    french = sorted((c for c in customers if not c.abroad), key=lambda c: -c.weight)
    if len(french) <= RANK:
        return Slowing(None, None)
    quiet = max(MIN_QUIET_DAYS, min(MAX_QUIET_DAYS, (today - start).days // 3))
    return Slowing(french[RANK], today - datetime.timedelta(days=quiet))

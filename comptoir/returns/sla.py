"""Service-level timers of a return case: answer within N hours, close within N days. Pure: no Django.

Deadlines are fixed when the case opens, so changing the policy later does not move the goalposts of
cases already running.
"""

import datetime
from dataclasses import dataclass


def deadlines(opened_at: datetime.datetime, *, answer_within_hours: int, close_within_days: int):
    """(answer due, close due) for a case opened at `opened_at`."""
    return (
        opened_at + datetime.timedelta(hours=answer_within_hours),
        opened_at + datetime.timedelta(days=close_within_days),
    )


@dataclass(frozen=True)
class SlaState:
    answer_overdue: bool
    close_overdue: bool

    @property
    def overdue(self) -> bool:
        return self.answer_overdue or self.close_overdue


def sla_state(
    now: datetime.datetime,
    *,
    answer_due: datetime.datetime,
    close_due: datetime.datetime,
    decided: bool,
    closed: bool,
) -> SlaState:
    """A case is late to answer while undecided past its answer deadline, and late to close while still
    open past its close deadline."""
    return SlaState(
        answer_overdue=not decided and now > answer_due, close_overdue=not closed and now > close_due
    )

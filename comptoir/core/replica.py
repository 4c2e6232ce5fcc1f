"""Read-only reports on a PostgreSQL streaming replica (docs/scaling.md).

When COMPTOIR_REPLICA_URL is set, settings.py declares a second database alias, `replica`, and
`ReplicaRouter` sends to it the reads made inside `reading()`, which the report views use (trial balance,
general ledger, journal entries, aged receivables, VAT summary, return indicators, and their exports).
Everything else reads and writes the primary, `default`.

Why an explicit opt-in rather than "every read goes to the replica" (Django's usual read/write router):
a replica lags the primary by a fraction of a second to a few seconds. A business action reads what it
is about to change (stock levels, a counter, the document's status) and must see the primary's latest
committed state, under its own locks; a page shown right after a form was posted must show what the
user just did. Only a report over past entries tolerates the lag, and it is also the heavy read worth
moving off the primary. So the report views say so, one decorator each, and nothing else changes.

Two guards keep the opt-in safe:
- a read made while a transaction is open on the primary stays on the primary, even inside
  `reading()`: a service called from a report (or a report called from a service) sees its own writes;
- writes always go to the primary, even for an object that was read from the replica.

The flag is a context variable: each thread of a gunicorn worker (and each task) has its own.
"""

import contextlib
from contextvars import ContextVar

from django.db import DEFAULT_DB_ALIAS, connections

REPLICA = "replica"

_reading: ContextVar[bool] = ContextVar("comptoir_replica_reading", default=False)


@contextlib.contextmanager
def reading():
    """Reads in this block (or this function, as a decorator: `@reading()`) may go to the replica."""
    token = _reading.set(True)
    try:
        yield
    finally:
        _reading.reset(token)


def pinned(queryset):
    """`queryset` bound to the database a read goes to now: a streamed export, read after the view has
    returned (outside `reading()`), still reads where the view did."""
    return queryset.using(queryset.db)


def configured() -> bool:
    return REPLICA in connections.settings


class ReplicaRouter:
    """settings.DATABASE_ROUTERS when the replica is configured (settings.py)."""

    def db_for_read(self, model, **hints):
        if not _reading.get() or not configured():
            return None
        if connections[DEFAULT_DB_ALIAS].in_atomic_block:
            return DEFAULT_DB_ALIAS
        return REPLICA

    def db_for_write(self, model, **hints):
        return DEFAULT_DB_ALIAS if configured() else None

    def allow_relation(self, obj1, obj2, **hints):
        # One database seen twice: an object read from the replica may point to one read from the primary.
        if {obj1._state.db, obj2._state.db} <= {DEFAULT_DB_ALIAS, REPLICA}:
            return True
        return None

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        # The replica receives the schema from the primary's write-ahead log, never from `migrate`.
        return False if db == REPLICA else None

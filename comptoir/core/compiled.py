"""Read queries of a fixed shape, compiled to SQL once per process and run again with new ids.

Django compiles a queryset to SQL every time it is evaluated: for a join of a dozen columns that is
about a millisecond of Python, more than PostgreSQL takes to answer it. The assistant reads the same
handful of queries for every chain it checks (the order's lines, its deliveries, its invoice lines…),
only the ids change. `Compiled` builds such a query once through the ORM — so the SQL, the joins and
the value converters stay the ORM's — with marker ids in place of the real ones, remembers where each
marker landed among the SQL parameters, and afterwards only substitutes the ids and executes.

Only for `values()` querysets whose parameters are ids given one by one (no list whose length varies:
an `IN (…)` of n ids compiles to n placeholders).
"""

from collections.abc import Callable

from django.db import connections, router

# Markers stand for the ids while the query compiles. Within 32 bits (Django turns an out-of-range id
# in a lookup into "matches nothing", which would drop the parameter) and unlikely to be a constant of
# the query itself; `_plan` checks that each appears (a marker may appear more than once, e.g. on
# both sides of a UNION).
_MARKER_BASE = 2_000_000_000


class Compiled:
    """`Compiled(lambda order_id: OrderLine.objects.filter(order_id=order_id).values(...))`, then
    `.rows(42)` gives the same dicts as `list(build(42))`."""

    def __init__(self, build: Callable):
        self._build = build
        self._model = None
        self._plans: dict[str, tuple] = {}

    def _plan(self, arity: int, alias: str) -> tuple:
        markers = [_MARKER_BASE + i for i in range(arity)]
        query = self._build(*markers).query
        compiler = query.get_compiler(alias)
        sql, params = compiler.as_sql()
        params = list(params)
        positions = []
        for marker in markers:
            found = [i for i, value in enumerate(params) if value == marker]
            if not found:
                raise ValueError(f"marker {marker} is not a parameter of the compiled query")
            positions.append(found)
        # The column names in the order ValuesIterable gives them (Django ≥ 5.2 records the selection).
        selected = getattr(query, "selected", None)
        names = (
            list(selected)
            if selected
            else [*query.extra_select, *query.values_select, *query.annotation_select]
        )
        return sql, params, positions, names, compiler

    def rows(self, *ids: int) -> list[dict]:
        if self._model is None:
            self._model = self._build(*(_MARKER_BASE for _ in ids)).model
        alias = router.db_for_read(self._model)
        plan = self._plans.get(alias)
        if plan is None:
            plan = self._plans[alias] = self._plan(len(ids), alias)
        sql, template, positions, names, compiler = plan
        params = list(template)
        for value, places in zip(ids, positions, strict=True):
            for i in places:
                params[i] = int(value)
        with connections[alias].cursor() as cursor:
            cursor.execute(sql, params)
            fetched = cursor.fetchall()
        return [dict(zip(names, row, strict=True)) for row in compiler.results_iter(results=[fetched])]

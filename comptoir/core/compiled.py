"""Queries of a fixed shape, compiled to SQL once per process and run again with new ids.

Django compiles a queryset to SQL every time it is evaluated: for a join of a dozen columns that is
about a millisecond of Python, more than the database takes to answer it. The services' hot paths and
the assistant read the same handful of queries for every document (the order locked for update, its
lines, its deliveries…), only the ids change. `Compiled` builds such a query once through the ORM — so
the SQL, the joins, the locks and the value converters stay the ORM's — with marker ids in place of
the real ones, remembers where each marker landed among the SQL parameters, and afterwards only
substitutes the ids and executes.

Only for querysets whose parameters are ids given one by one (no list whose length varies: an `IN (…)`
of n ids compiles to n placeholders), without prefetch_related. `rows()` serves `values()` querysets;
`objects()` and `one()` serve model querysets (select_related included) and return what iterating the
queryset would, with the parents they are given (`objects(order.pk, order=order)`) set on them.
"""

from collections.abc import Callable

from django.db import connections, router
from django.db.models.query import get_related_populators

# Markers stand for the ids while the query compiles. Within 32 bits (Django turns an out-of-range id
# in a lookup into "matches nothing", which would drop the parameter) and unlikely to be a constant of
# the query itself; `_plan` checks that each appears (a marker may appear more than once, e.g. on
# both sides of a UNION).
_MARKER_BASE = 2_000_000_000


class _Plan:
    __slots__ = ("sql", "params", "positions", "compiler", "converters", "names", "model_rows")

    def __init__(self, query, alias: str, markers: list[int]):
        compiler = query.get_compiler(alias)
        sql, params = compiler.as_sql()
        params = list(params)
        positions = []
        for marker in markers:
            found = [i for i, value in enumerate(params) if value == marker]
            if not found:
                raise ValueError(f"marker {marker} is not a parameter of the compiled query")
            positions.append(found)
        self.sql, self.params, self.positions, self.compiler = sql, params, positions, compiler
        # The value converters (decimals on SQLite, dates…), worked out once rather than per call as
        # results_iter() would; applied as apply_converters() does.
        selected_columns = [column[0] for column in compiler.select[0 : compiler.col_count]]
        if compiler.has_composite_fields(selected_columns):
            raise ValueError("composite primary keys are not supported")
        self.converters = [
            (position, tuple(functions), expression)
            for position, (functions, expression) in compiler.get_converters(selected_columns).items()
        ]
        # The column names in the order ValuesIterable gives them (Django ≥ 5.2 records the selection).
        selected = getattr(query, "selected", None)
        self.names = (
            list(selected)
            if selected
            else [*query.extra_select, *query.values_select, *query.annotation_select]
        )
        self.model_rows = None
        if compiler.klass_info is not None and not query.values_select:
            # What ModelIterable works out on every evaluation, worked out once.
            klass_info = compiler.klass_info
            select = compiler.select
            fields = klass_info["select_fields"]
            start, end = fields[0], fields[-1] + 1
            init_list = [column[0].target.attname for column in select[start:end]]
            self.model_rows = (
                klass_info["model"],
                start,
                end,
                init_list,
                get_related_populators(klass_info, select, alias),
                dict(compiler.annotation_col_map or {}),
            )

    def run(self, alias: str, ids) -> list:
        params = list(self.params)
        for value, places in zip(ids, self.positions, strict=True):
            for i in places:
                params[i] = int(value)
        connection = connections[alias]
        with connection.cursor() as cursor:
            cursor.execute(self.sql, params)
            fetched = cursor.fetchall()
        if not self.converters:
            return fetched
        converted = []
        for row in fetched:
            row = list(row)
            for position, functions, expression in self.converters:
                value = row[position]
                for function in functions:
                    value = function(value, expression, connection)
                row[position] = value
            converted.append(row)
        return converted


class Compiled:
    """`Compiled(lambda order_id: OrderLine.objects.filter(order_id=order_id).values(...))`, then
    `.rows(42)` gives the same dicts as `list(build(42))`; with a model queryset, `.objects(42)` gives
    the same instances, `.one(42)` the first or None and `.get(42)` the one or DoesNotExist."""

    def __init__(self, build: Callable):
        self._build = build
        self._route = None
        self._plans: dict[str, _Plan] = {}

    def _plan(self, arity: int) -> tuple[_Plan, str]:
        if self._route is None:
            queryset = self._build(*(_MARKER_BASE for _ in range(arity)))
            # A read that locks rows (select_for_update) goes where the transaction writes.
            route = router.db_for_write if queryset.query.select_for_update else router.db_for_read
            self._route = (route, queryset.model)
        route, model = self._route
        alias = route(model)
        plan = self._plans.get(alias)
        if plan is None:
            markers = [_MARKER_BASE + i for i in range(arity)]
            plan = self._plans[alias] = _Plan(self._build(*markers).query, alias, markers)
        return plan, alias

    def rows(self, *ids: int) -> list[dict]:
        plan, alias = self._plan(len(ids))
        return [dict(zip(plan.names, row, strict=True)) for row in plan.run(alias, ids)]

    def objects(self, *ids: int, **parents) -> list:
        """The instances; `parents` (e.g. `order=order`) are set on each, as a related manager
        (`order.lines.all()`) would, so reading them back costs no query."""
        plan, alias = self._plan(len(ids))
        if plan.model_rows is None:
            raise TypeError("objects() needs a model queryset; use rows() for values()")
        model, start, end, init_list, populators, annotations = plan.model_rows
        found = []
        for row in plan.run(alias, ids):
            obj = model.from_db(alias, init_list, row[start:end])
            for populator in populators:
                populator.populate(row, obj)
            for name, position in annotations.items():
                setattr(obj, name, row[position])
            for name, parent in parents.items():
                setattr(obj, name, parent)
            found.append(obj)
        return found

    def one(self, *ids: int):
        found = self.objects(*ids)
        return found[0] if found else None

    def get(self, *ids: int):
        """Like `QuerySet.get()`: the one instance, or the model's DoesNotExist."""
        found = self.objects(*ids)
        if not found:
            raise self._route[1].DoesNotExist(f"{self._route[1].__name__} matching {ids} does not exist")
        return found[0]

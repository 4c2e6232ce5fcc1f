"""Sortable list columns: `?tri=<key>` sorts a list up by one of its columns, `?tri=-<key>` down.

Each list declares a `SortSpec`: a whitelist of keys (the French words of its URL) mapped to what to
order by. A key that is not in it (typed by hand, or from an old bookmark) leaves the list in its
default order rather than failing. The primary key always breaks ties, so that pagination never shows a
row twice or skips one when several rows share a value. The page and its CSV/XLSX export read the same
parameter through the same spec, so the file comes out in the order the screen shows.

Column headers are drawn by `{% sort_th %}` (templatetags/comptoir_sort.py): a link that keeps the
search and filters of the URL, goes back to the first page, and says the direction (▲/▼ and aria-sort).
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.db.models import F
from django.db.models.expressions import BaseExpression

PARAM = "tri"
ASCENDING, DESCENDING = "ascending", "descending"


@dataclass(frozen=True)
class Sort:
    """The order a list is shown in: `key` is empty for the list's default order."""

    key: str = ""
    descending: bool = False

    @property
    def value(self) -> str:
        """The `tri` parameter that gives this order back (empty for the default)."""
        if not self.key:
            return ""
        return f"-{self.key}" if self.descending else self.key

    def header(self, key: str, query) -> dict:
        """What the header of column `key` shows: its link (the other direction when it is the sorted
        column, up otherwise), the arrow and aria-sort of the sorted column. `query` is the page's
        request.GET: every other parameter is kept, except the page number."""
        active = key == self.key
        params = query.copy()
        params[PARAM] = f"-{key}" if active and not self.descending else key
        params.pop("page", None)
        return {
            "href": f"?{params.urlencode()}",
            "active": active,
            "aria_sort": (DESCENDING if self.descending else ASCENDING) if active else "",
            "arrow": ("▼" if self.descending else "▲") if active else "",
        }


class SortSpec:
    """The columns a list may be sorted by.

    `columns` maps each key to one field or a tuple of fields: a field is a lookup path ("date",
    "customer__name"), the same path with a leading "-" to go the other way (an age sorts against its
    start date), or an expression (`Lower("customer__name")`, an annotation). For rows computed in
    Python, the fields are attribute names. Empty values go last in both directions.
    """

    def __init__(self, columns: Mapping[str, str | BaseExpression | tuple], *, tiebreaker: str = "pk"):
        self.columns = {
            key: fields if isinstance(fields, tuple) else (fields,) for key, fields in columns.items()
        }
        self.tiebreaker = tiebreaker

    def read(self, query) -> Sort:
        """The order asked for by `?tri=`, or the default one for a key not in the whitelist."""
        value = (query.get(PARAM) or "").strip()
        descending = value.startswith("-")
        key = value[1:] if descending else value
        if key not in self.columns:
            return Sort()
        return Sort(key, descending)

    def apply(self, qs, query):
        """(The queryset in the order asked for, that order). The default order is the queryset's own."""
        sort = self.read(query)
        if not sort.key:
            return qs, sort
        ordering = [_ordered(field, sort.descending) for field in self.columns[sort.key]]
        ordering.append(_ordered(self.tiebreaker, sort.descending))
        return qs.order_by(*ordering), sort

    def sort_rows(self, rows: Iterable, query) -> tuple[list, Sort]:
        """The same for rows already computed in Python (given in their default order)."""
        rows, sort = list(rows), self.read(query)
        if not sort.key:
            return rows, sort
        # Sorting is stable: sort by the tiebreaker first, then by each field from the last to the first.
        for field in (self.tiebreaker, *reversed(self.columns[sort.key])):
            name = field.lstrip("-")
            descending = sort.descending != field.startswith("-")
            present = [row for row in rows if getattr(row, name) is not None]
            missing = [row for row in rows if getattr(row, name) is None]
            present.sort(key=lambda row, name=name: _comparable(getattr(row, name)), reverse=descending)
            rows = present + missing
        return rows, sort


def _ordered(field, descending: bool):
    if isinstance(field, str):
        if field.startswith("-"):
            field, descending = field[1:], not descending
        field = F(field)
    return field.desc(nulls_last=True) if descending else field.asc(nulls_last=True)


def _comparable(value):
    return value.casefold() if isinstance(value, str) else value

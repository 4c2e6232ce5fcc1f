#!/usr/bin/env python
"""Year-end closing benchmark: how long `close_fiscal_year` takes on a year of N entry lines.

Builds a fresh database (SQLite in a temporary folder, or a new PostgreSQL database dropped afterwards)
with the books of bench/fec.py (the same `Books`: sales and bank entries every day, an opening entry,
most payments lettered), adds the open items the services would have left (every customer line not
lettered), then times `accounting.closing.close_fiscal_year` of that year: the checklist, the closing
entry (classes 6 and 7 to 120/129), the next year's opening entry with one line per open customer item
and the lock. The VAT of the books is never settled, so the closing is forced with a reason (an
administrator), which runs the checklist all the same. Target (issue 16): 1,000,000 lines in under
60 s on PostgreSQL.

    python bench/closing.py --lines 1000000 --database-url postgres://postgres@127.0.0.1:5432/postgres

One JSON line: `rows` (entry lines of the year), `closing_s`, `checklist_s` (the checklist alone, run
first), `closing_cpu_s` and `database_cpu_s` (CPU of this process and of its PostgreSQL backend during
the closing), `load_average_before`, `carried_items` (open items carried to the opening entry),
`opening_lines`, `result`, `balanced_after` (the trial balance of the closed books).
"""

import argparse
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
for folder in (ROOT, ROOT / "bench"):
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))

from fec import fill, fresh_database, setup_django  # noqa: E402  (bench/fec.py, the same books)


def add_open_items() -> int:
    """Every line of a lettered account not lettered is an open item, as `post_entry` and the lettering
    would have left it: one INSERT … SELECT."""
    from django.db import connection

    from comptoir.accounting.models import Account, EntryLine, OpenItem, ReconciledLine

    lettered = Account.objects.filter(reconcilable=True).values_list("pk", flat=True)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {OpenItem._meta.db_table} (line_id, account_id, entry_id) "
            f"SELECT l.id, l.account_id, l.entry_id FROM {EntryLine._meta.db_table} l "
            f"WHERE l.account_id IN ({', '.join(str(pk) for pk in lettered)}) AND NOT EXISTS "
            f"(SELECT 1 FROM {ReconciledLine._meta.db_table} r WHERE r.line_id = l.id)"
        )
        # The books were written with their ids: the sequences start after them, for the closing's rows.
        from django.apps import apps
        from django.core.management.color import no_style

        models = [*apps.get_app_config("accounting").get_models(), *apps.get_app_config("core").get_models()]
        for statement in connection.ops.sequence_reset_sql(no_style(), models):
            cursor.execute(statement)
        if connection.vendor == "postgresql":
            cursor.execute("ANALYZE")
    return OpenItem.objects.count()


def _backend_pid() -> int | None:
    from django.db import connection

    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def _cpu_seconds(pid: int | None) -> float | None:
    """User + system CPU time of a local process (the PostgreSQL backend), None when unreadable."""
    if pid is None:
        return None
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description="Year-end closing benchmark.")
    parser.add_argument("--lines", type=int, default=1_000_000, help="entry lines of the year (1,000,000)")
    parser.add_argument("--year", type=int, default=2025, help="fiscal year closed (2025)")
    parser.add_argument(
        "--database-url",
        help="PostgreSQL server URL: a fresh database is created there and dropped after "
        "(default: SQLite in a temporary folder)",
    )
    parser.add_argument("--profile", action="store_true", help="profile the closing with pyinstrument")
    args = parser.parse_args(argv)
    if args.lines < 10:
        parser.error("--lines: at least 10")
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    with fresh_database(args.database_url) as (url, backend):
        setup_django(url, migrate=True)
        rows = fill(args.year, args.lines)
        open_items = add_open_items()
        from django.contrib.auth import get_user_model

        from comptoir.accounting import closing, selectors

        admin = get_user_model().objects.get(username="admin")
        start = time.perf_counter()
        items = closing.checklist(args.year)
        checklist_s = time.perf_counter() - start
        profiler = None
        if args.profile:
            from pyinstrument import Profiler

            profiler = Profiler()
            profiler.start()
        load_before = os.getloadavg()[0]
        backend_pid = _backend_pid()
        db_cpu = _cpu_seconds(backend_pid)
        start, cpu = time.perf_counter(), time.process_time()
        done = closing.close_fiscal_year(args.year, by=admin, force_reason="Banc d'essai : TVA non liquidée")
        closing_s, cpu = time.perf_counter() - start, time.process_time() - cpu
        db_cpu = _cpu_seconds(backend_pid) - db_cpu if db_cpu is not None else None
        if profiler is not None:
            profiler.stop()
            sys.stderr.write(profiler.output_text(unicode=True))
        opening_lines = done.opening_entry.lines.count() if done.opening_entry_id else 0
        balance = selectors.trial_balance()
        result = {
            "system": "comptoir",
            "benchmark": "closing",
            "backend": backend,
            "rows": rows,
            "open_items": open_items,
            "checklist_s": round(checklist_s, 3),
            "closing_s": round(closing_s, 3),
            # Where the wall time went: this process, the PostgreSQL backend serving it (read from /proc
            # when the server runs on this machine), and how busy the machine was (a shared 2-core box).
            "closing_cpu_s": round(cpu, 3),
            "database_cpu_s": round(db_cpu, 3) if db_cpu is not None else None,
            "load_average_before": round(load_before, 2),
            "blocking_items": [item.code for item in items if item.blocking],
            "carried_items": done.carried.count(),
            "opening_lines": opening_lines,
            "result": str(done.result),
            "balanced_after": balance.is_balanced,
        }
    print(json.dumps(result))
    return 0 if result["balanced_after"] else 1


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python
"""The API against its published contract: schemathesis over the whole OpenAPI document of a running
instance (issue 15, « Done when »).

Builds a fresh database (SQLite in a temporary folder, or a new PostgreSQL database dropped afterwards),
seeds a small company through the real services (two customers, three products and their stock, one
document of each kind along the chain: quote, order, delivery, invoice, payment, return case), serves
the API on a local port (Django's threaded WSGI server), and runs `st run` over /api/v1/openapi.json
with a direction user's bearer token: every operation, positive and negative data, every check
(no 5xx, status codes, content types, headers and bodies as documented, invalid input refused, valid
input accepted…), a fixed number of examples per operation and a fixed seed. The operations that may
revoke the run's own token (`comptoir.api.contract.RUN_LAST`) are run after all the others, on their own.

Prints one JSON line: operations, cases, server_errors (5xx answers), schema_deviations (every other
failed check), failures by check, the first failures for a reader, and token_kept (the token still
worked after the main run: otherwise its later requests were all answered 401). Exits 1 on any failure.

    python bench/api_contract.py
    python bench/api_contract.py --database-url postgres://postgres@127.0.0.1:5432/postgres
    python bench/api_contract.py --max-examples 50 --seed 7 --keep-report /tmp/st-report
"""

import argparse
import base64
import collections
import contextlib
import json
import logging
import os
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from o2c import fresh_database, setup_django  # noqa: E402  (bench/ is not a package)

SCHEMA_PATH = "/api/v1/openapi.json"


def seed() -> str:
    """A small company (comptoir.api.contract); returns the bearer token of its direction user."""
    from comptoir.api.contract import seed_company
    from comptoir.core.tokens import create_token

    boss = seed_company()
    return create_token(boss, by=boss, name="api-contract", days=1).key


def token_active(key: str) -> bool:
    """Whether the run's token still works."""
    from comptoir.core.models import ApiToken

    return ApiToken.objects.get(key_hash=ApiToken.hash_key(key)).status() == "active"


# --- A running instance -------------------------------------------------------------------------


def serve() -> tuple[str, object]:
    """Serve the project on a free local port in a background thread; returns its origin and server."""
    from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler
    from django.core.wsgi import get_wsgi_application
    from django.db import connections

    class QuietHandler(WSGIRequestHandler):
        def log_message(self, format, *args):  # noqa: A002 - the signature of the base class
            pass

    connections.close_all()
    server = ThreadedWSGIServer(("127.0.0.1", 0), QuietHandler, allow_reuse_address=False)
    server.set_app(get_wsgi_application())
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_address[1]}", server


# --- The run ------------------------------------------------------------------------------------


def run_schemathesis(origin: str, token: str, args, report_dir: Path) -> dict:
    """Every operation but those that end the run's own authentication, then those alone (contract.RUN_LAST):
    one `st run` each, their events summarised together."""
    from comptoir.api.contract import CONFIG, RUN_LAST

    statuses = CONFIG["checks"]["positive_data_acceptance"]["expected-statuses"]
    config = report_dir / "schemathesis.toml"
    config.write_text(f"[checks.positive_data_acceptance]\nexpected-statuses = {json.dumps(statuses)}\n")
    # The document as the running instance publishes it, read once with a patient client (building it
    # takes a few seconds on a busy machine, past schemathesis' own loading timeout).
    document = report_dir / "openapi.json"
    with urllib.request.urlopen(origin + SCHEMA_PATH, timeout=120) as response:
        document.write_bytes(response.read())
    command = [
        str(Path(sys.executable).with_name("st")),
        "--config-file",
        str(config),
        "run",
        str(document),
        "--url",
        origin,
        "--header",
        f"Authorization: Bearer {token}",
        "--max-examples",
        str(args.max_examples),
        "--seed",
        str(args.seed),
        "--workers",
        "1",
        "--checks",
        "all",
        "--phases",
        args.phases,
        "--continue-on-failure",
        "--no-shrink",
        "--generation-database",
        "none",
        "--request-timeout",
        "60",
        "--suppress-health-check",
        "all",
        "--report",
        "ndjson",
        "--report-dir",
        str(report_dir),
    ]
    started = time.perf_counter()
    exit_codes = []
    for filters in (
        [option for name in RUN_LAST for option in ("--exclude-name", name)],
        [option for name in RUN_LAST for option in ("--include-name", name)],
    ):
        completed = subprocess.run(
            command + filters,
            capture_output=True,
            text=True,
            cwd=report_dir,
            env=os.environ | {"NO_COLOR": "1"},
        )
        exit_codes.append(completed.returncode)
        if args.verbose:
            print(completed.stdout[-20000:], file=sys.stderr)
            print(completed.stderr[-5000:], file=sys.stderr)
        if len(exit_codes) == 1:
            # Had the token stopped working, every later request would have been answered 401.
            token_kept = token_active(token)
    seconds = time.perf_counter() - started
    events = sorted(report_dir.glob("*.ndjson"))
    summary = summarise([line for path in events for line in path.read_text().splitlines() if line])
    summary["seconds"] = round(seconds, 1)
    summary["st_exit_codes"] = exit_codes
    summary["token_kept"] = token_kept
    return summary


def _decoded(payload) -> str:
    if isinstance(payload, dict) and "$base64" in payload:
        return base64.b64decode(payload["$base64"]).decode("utf-8", "replace")
    return "" if payload is None else str(payload)


def _example(recorder: dict, case_id: str) -> dict:
    """What was sent and answered for one failing case, short enough to read."""
    interaction = (recorder.get("interactions") or {}).get(case_id) or {}
    request, response = interaction.get("request") or {}, interaction.get("response") or {}
    answer = _decoded(response.get("content"))
    with contextlib.suppress(ValueError):
        body = json.loads(answer)
        answer = body.get("code", answer) if isinstance(body, dict) else answer
    return {
        "request": f"{request.get('method', '')} {request.get('uri', '')}"[:300],
        "content_type": ((request.get("headers") or {}).get("Content-Type") or [""])[0],
        "body": _decoded(request.get("body"))[:300],
        "status": response.get("status_code"),
        "answer": str(answer)[:300],
    }


def summarise(lines: list[str]) -> dict:
    """Operations, cases and failures (unique by operation and check) from schemathesis' ndjson events."""
    operations, cases = set(), 0
    failures: dict[tuple[str, str], dict] = {}
    errors = []
    for line in lines:
        event = json.loads(line)
        (kind, data), *_ = event.items()
        if kind == "ScenarioFinished":
            recorder = data.get("recorder") or {}
            label = recorder.get("label")
            if label and label != "Stateful tests":
                operations.add(label)
            cases += len(recorder.get("cases") or {})
            for case_id, check_list in (recorder.get("checks") or {}).items():
                for check in check_list:
                    if check.get("status") != "failure":
                        continue
                    failure = (check.get("failure_info") or {}).get("failure") or {}
                    operation = failure.get("operation") or label
                    failures.setdefault(
                        (operation, check.get("name")),
                        {
                            "operation": operation,
                            "check": check.get("name"),
                            "title": failure.get("title", ""),
                            "message": failure.get("message", "")[:300],
                            **_example(recorder, case_id),
                        },
                    )
        elif kind in ("NonFatalError", "FatalError"):
            errors.append(str(data.get("info") or data.get("exception") or data)[:300])
    from comptoir.api.contract import SERVER_ERROR_CHECK

    by_check = collections.Counter(check for _, check in failures)
    return {
        "operations": len(operations),
        "cases": cases,
        "server_errors": by_check.get(SERVER_ERROR_CHECK, 0),
        "schema_deviations": sum(n for check, n in by_check.items() if check != SERVER_ERROR_CHECK),
        "errors": len(errors),
        "failures_by_check": dict(sorted(by_check.items())),
        "failures": sorted(failures.values(), key=lambda f: (f["check"], f["operation"] or "")),
        "first_errors": errors[:10],
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="a PostgreSQL server URL (a new database is created there)")
    parser.add_argument("--max-examples", type=int, default=25, help="test cases per operation and phase")
    parser.add_argument("--seed", type=int, default=15)
    parser.add_argument("--phases", default="examples,coverage,fuzzing,stateful")
    parser.add_argument("--keep-report", help="a folder where schemathesis' ndjson events are kept")
    parser.add_argument(
        "--failures", help="a file where every failure is written, with its request and answer"
    )
    parser.add_argument("--verbose", action="store_true", help="show schemathesis' own output on stderr")
    args = parser.parse_args(argv)
    with fresh_database(args.database_url) as (url, backend):
        setup_django(url)
        token = seed()
        origin, server = serve()
        # Every refused request is logged as a warning by Django (hundreds per operation): errors only.
        # (After serve(): loading the WSGI application configures logging again.)
        logging.getLogger("django.request").setLevel(logging.ERROR)
        logging.getLogger("comptoir").setLevel(logging.ERROR)
        with tempfile.TemporaryDirectory(prefix="comptoir-st-") as folder:
            report_dir = Path(args.keep_report or folder)
            report_dir.mkdir(parents=True, exist_ok=True)
            for old in report_dir.glob("*.ndjson"):
                old.unlink()
            try:
                summary = run_schemathesis(origin, token, args, report_dir)
            finally:
                server.shutdown()
                server.server_close()
    result = {
        "bench": "api_contract",
        "database": backend,
        "max_examples": args.max_examples,
        "seed": args.seed,
        "phases": args.phases,
        **summary,
    }
    if args.failures:
        Path(args.failures).write_text(json.dumps(summary["failures"], indent=1, ensure_ascii=False))
    # The line stays short: the first failures by operation and check (all of them with --failures FILE).
    result["failures"] = [f"{f['check']}: {f['operation']} ({f['status']})" for f in summary["failures"][:20]]
    print(json.dumps(result, sort_keys=True, ensure_ascii=False))
    failed = (
        summary["server_errors"]
        or summary["schema_deviations"]
        or summary["errors"]
        or not summary["token_kept"]
    )
    return 1 if failed or not summary["operations"] else 0


if __name__ == "__main__":
    sys.exit(main())

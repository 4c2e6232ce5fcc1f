#!/usr/bin/env python
"""Load through the production server (issue 18, point 8): concurrent API clients run order-to-cash.

On a PostgreSQL server (127.0.0.1:5432, user postgres, by default), a seed database is created, migrated
and filled through Comptoir's services: the company, 20 customers, 100 products with stock (the O2C-1
set-up of bench/o2c.py) and one user with an API token per client. For each (workers, clients) asked, a
fresh copy of it (CREATE DATABASE … TEMPLATE) is served by `comptoir serve` (gunicorn, COMPTOIR_WORKERS
processes × COMPTOIR_THREADS threads), and each client, a process of its own, runs its orders' whole
cycle over HTTP with its bearer token, one request after the other:

    POST /api/v1/orders → /orders/{id}/confirm → POST /deliveries → /deliveries/{id}/validate
    → POST /invoices → /invoices/{id}/issue → POST /payments (allocated to the invoice)

Every request's latency is kept. Afterwards, in that database: the issued invoices' numbers are
contiguous in each series (`numbering_gap_free`), the trial balance's debit equals its credit
(`ledger_balanced`) and `comptoir verify-audit` passes (`audit_ok`). One JSON line per (workers,
clients); every database made here is dropped at the end. Exit 1 when a run had errors or a check failed.

    python bench/load.py --workers 1,2 --clients 8,16,32 --orders-per-client 10
    python bench/load.py --clients 16 --workers 1 --profile     # pyinstrument in each worker
"""

import argparse
import atexit
import contextlib
import json
import multiprocessing
import os
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
for path in (str(ROOT), str(HERE)):
    if path not in sys.path:
        sys.path.insert(0, path)

import o2c  # noqa: E402  (bench/o2c.py: the O2C-1 set-up and order lines)

LINES_PER_ORDER = 5
STEPS = ("order", "confirm", "delivery", "ship", "invoice", "issue", "pay")
DEFAULT_SERVER = "postgres://postgres@127.0.0.1:5432/postgres"


# --- Databases --------------------------------------------------------------------------------


def admin_conninfo(url: str) -> str:
    parts = urlsplit(url)
    if not parts.scheme.startswith("postgres"):
        raise SystemExit("--database-url: a PostgreSQL server URL (the load runs on PostgreSQL).")
    return urlunsplit(parts._replace(scheme="postgresql", query=""))


def database_url(url: str, name: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))


def admin_sql(url: str, *statements: str) -> None:
    import psycopg

    with psycopg.connect(admin_conninfo(url), autocommit=True) as conn:
        for statement in statements:
            conn.execute(statement)


# --- In a child process, with Django: seed, and check after a run -----------------------------


def comptoir_env(url: str, var_dir: Path, **extra: str) -> dict:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("COMPTOIR_", "DJANGO_"))}
    env.update({"DATABASE_URL": url, "COMPTOIR_VAR_DIR": str(var_dir), "COMPTOIR_LOG_LEVEL": "WARNING"})
    env.update(extra)
    return env


def run_python(env: dict, *args: str, timeout: int = 900) -> subprocess.CompletedProcess:
    done = subprocess.run(
        [sys.executable, *args], env=env, capture_output=True, text=True, timeout=timeout, cwd=ROOT
    )
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done


def seed(n_clients: int) -> dict:
    """Migrate and fill the database of DATABASE_URL; the ids and the clients' keys, as JSON."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "comptoir.settings")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0, interactive=False)
    from decimal import Decimal

    from comptoir.catalog.models import Product
    from comptoir.core import tokens
    from comptoir.core.permissions import Role
    from comptoir.core.testing import make_user
    from comptoir.parties.models import Customer

    o2c.set_up(Decimal(0), LINES_PER_ORDER, 0)
    keys = []
    for i in range(n_clients):
        user = make_user(f"client{i:02d}", Role.DIRECTION)
        keys.append(tokens.create_token(user, by=None, name="bench/load.py", days=1).key)
    return {
        "keys": keys,
        "customers": list(Customer.objects.order_by("name").values_list("pk", flat=True)),
        "products": list(Product.objects.order_by("sku").values_list("pk", flat=True)),
    }


def check() -> dict:
    """After a run, in the database of DATABASE_URL: numbering and ledger."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "comptoir.settings")
    import django

    django.setup()
    import re
    from collections import defaultdict

    from comptoir.accounting.selectors import trial_balance
    from comptoir.billing.models import Invoice

    series = defaultdict(list)
    for number in Invoice.objects.filter(status=Invoice.Status.ISSUED).values_list("number", flat=True):
        prefix, seq = re.fullmatch(r"(.*?)(\d+)", number).groups()
        series[prefix].append(int(seq))
    gap_free = all(sorted(seqs) == list(range(1, len(seqs) + 1)) for seqs in series.values())
    balance = trial_balance()
    return {
        "invoices_issued": sum(len(seqs) for seqs in series.values()),
        "numbering_gap_free": gap_free,
        "ledger_balanced": balance.total_debit == balance.total_credit and balance.total_debit > 0,
        "ledger_debit": str(balance.total_debit),
    }


# --- The server -------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def serving(env: dict, log: Path, profile_dir: Path | None):
    """`comptoir serve` under `env`; yields its base URL once /healthz answers. Stopped with SIGTERM."""
    import requests

    command = [sys.executable, "-c", "from comptoir.cli import main; main()", "serve"]
    if profile_dir is not None:
        command = [sys.executable, str(HERE / "load.py"), "--serve-profiled", str(profile_dir)]
    with log.open("w") as sink:
        process = subprocess.Popen(command, env=env, stdout=sink, stderr=subprocess.STDOUT, cwd=ROOT)
    base = f"http://{env['COMPTOIR_BIND']}"
    deadline = time.monotonic() + 120
    try:
        while True:
            if process.poll() is not None:
                raise SystemExit(f"comptoir serve stopped:\n{log.read_text()[-3000:]}")
            try:
                if requests.get(f"{base}/healthz", timeout=2).status_code == 200:
                    break
            except requests.ConnectionError:
                pass
            if time.monotonic() > deadline:
                raise SystemExit(f"comptoir serve did not answer in 120 s:\n{log.read_text()[-3000:]}")
            time.sleep(0.2)
        yield base, process.pid
    finally:
        process.terminate()
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def serve_profiled(profile_dir: str) -> None:
    """`comptoir serve` with pyinstrument around each request of each worker (--profile)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "comptoir.settings")
    import django

    django.setup()
    from django.core.handlers.wsgi import WSGIHandler
    from pyinstrument import Profiler
    from pyinstrument.renderers import ConsoleRenderer
    from pyinstrument.session import Session

    sessions = []  # one per request, combined when the worker stops
    lock = threading.Lock()
    original = WSGIHandler.__call__

    def profiled(self, environ, start_response):
        profiler = Profiler(interval=0.001, async_mode="disabled")
        profiler.start()
        try:
            return original(self, environ, start_response)
        finally:
            session = profiler.stop()
            with lock:
                sessions.append(session)

    WSGIHandler.__call__ = profiled

    def write():
        with lock:
            if not sessions:
                return
            combined = sessions[0]
            for session in sessions[1:]:
                combined = Session.combine(combined, session)
        out = Path(profile_dir) / f"worker-{os.getpid()}.txt"
        out.write_text(
            ConsoleRenderer(unicode=True, show_all=os.environ.get("LOAD_PROFILE_ALL") == "1").render(combined)
        )

    atexit.register(write)
    from comptoir.cli import main

    main(["comptoir", "serve"])


# --- Where the CPU went ---------------------------------------------------------------------


def _proc_stat(pid: int) -> tuple[int, float] | None:
    """(parent pid, CPU seconds) of a live process and of its children it has reaped (gunicorn's
    master reaps the workers `max_requests` recycles), from /proc."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    ticks = os.sysconf("SC_CLK_TCK")
    return int(fields[1]), sum(int(value) for value in fields[11:15]) / ticks


def cpu_split(server_pid: int, database: str) -> dict[str, float]:
    """CPU seconds so far of the server's processes (master and workers), of the PostgreSQL backends
    serving `database`."""
    pids = [int(entry.name) for entry in Path("/proc").iterdir() if entry.name.isdigit()]
    stats = {pid: stat for pid in pids if (stat := _proc_stat(pid)) is not None}
    tree, grew = {server_pid}, True
    while grew:
        grown = tree | {pid for pid, (parent, _) in stats.items() if parent in tree}
        grew, tree = grown != tree, grown
    backends = set()
    for pid in stats:
        try:
            title = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if title.startswith("postgres:") and f" {database} " in title:
            backends.add(pid)
    return {
        "app": sum(stats[pid][1] for pid in tree if pid in stats),
        "database": sum(stats[pid][1] for pid in backends),
    }


# --- The clients ------------------------------------------------------------------------------


def client(base: str, key: str, orders: list[dict], barrier, results) -> None:
    """One API client: its orders one after the other, each request timed. Puts (timings, errors,
    done, first start, last end, CPU seconds) on `results`."""
    import requests

    session = requests.Session()
    session.headers.update({"Authorization": f"Bearer {key}", "Content-Type": "application/json"})
    timings: list[tuple[str, float]] = []
    errors: list[str] = []
    done = 0

    def call(step: str, path: str, body: dict | None = None) -> dict:
        started = time.perf_counter()
        response = session.post(f"{base}/api/v1{path}", data=json.dumps(body or {}), timeout=120)
        timings.append((step, (time.perf_counter() - started) * 1000))
        if response.status_code not in (200, 201):
            raise RuntimeError(f"{step} {path}: {response.status_code} {response.text[:300]}")
        return response.json()

    barrier.wait()
    first, cpu = time.time(), time.process_time()
    for order in orders:
        try:
            sale = call("order", "/orders", order)
            call("confirm", f"/orders/{sale['id']}/confirm")
            delivery = call("delivery", "/deliveries", {"order": sale["id"]})
            call("ship", f"/deliveries/{delivery['id']}/validate")
            draft = call("invoice", "/invoices", {"order": sale["id"]})
            invoice = call("issue", f"/invoices/{draft['id']}/issue")
            call(
                "pay",
                "/payments",
                {
                    "customer": order["customer"],
                    "amount": invoice["total"],
                    "method": "transfer",
                    "allocations": [{"invoice": invoice["id"], "amount": invoice["total"]}],
                },
            )
            done += 1
        except (RuntimeError, requests.RequestException) as error:
            errors.append(str(error))
    results.put((timings, errors, done, first, time.time(), time.process_time() - cpu))


def orders_of(client_index: int, per_client: int, ids: dict) -> list[dict]:
    """The O2C-1 orders of bench/o2c.py, numbered across clients, as API bodies."""
    customers, products = ids["customers"], ids["products"]
    bodies = []
    for i in range(per_client):
        o = client_index * per_client + i
        lines = [
            {"product": products[j], "quantity": str(qty)} for j, qty in o2c.order_lines(o, LINES_PER_ORDER)
        ]
        bodies.append({"customer": customers[o % len(customers)], "lines": lines})
    return bodies


def percentile(sorted_values: list[float], p: float) -> float:
    if not sorted_values:
        return 0.0
    index = min(len(sorted_values) - 1, max(0, round(p / 100 * len(sorted_values) + 0.5) - 1))
    return round(sorted_values[index], 1)


def load(base: str, n_clients: int, per_client: int, ids: dict) -> dict:
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(n_clients + 1)
    results = context.Queue()
    processes = [
        context.Process(
            target=client, args=(base, ids["keys"][c], orders_of(c, per_client, ids), barrier, results)
        )
        for c in range(n_clients)
    ]
    for process in processes:
        process.start()
    barrier.wait()  # every client is up: they start together
    gathered = [results.get() for _ in processes]
    for process in processes:
        process.join()
    timings = [t for g in gathered for t in g[0]]
    errors = [e for g in gathered for e in g[1]]
    done = sum(g[2] for g in gathered)
    seconds = max(g[4] for g in gathered) - min(g[3] for g in gathered)
    latencies = sorted(ms for _, ms in timings)
    by_step = {
        step: percentile(sorted(ms for s, ms in timings if s == step), 95)
        for step in STEPS
        if any(s == step for s, _ in timings)
    }
    return {
        "orders": done,
        "requests": len(timings),
        "seconds": round(seconds, 2),
        "orders_per_second": round(done / seconds, 2) if seconds else 0.0,
        "requests_per_second": round(len(timings) / seconds, 1) if seconds else 0.0,
        "p50_ms": percentile(latencies, 50),
        "p95_ms": percentile(latencies, 95),
        "p99_ms": percentile(latencies, 99),
        "max_ms": round(latencies[-1], 1) if latencies else 0.0,
        "mean_ms": round(statistics.fmean(latencies), 1) if latencies else 0.0,
        "p95_ms_by_step": by_step,
        "errors": len(errors),
        "first_errors": errors[:3],
        "client_cpu_seconds": sum(g[5] for g in gathered),
    }


# --- Main -------------------------------------------------------------------------------------


def int_list(text: str) -> list[int]:
    values = [int(v) for v in text.split(",") if v.strip()]
    if not values or min(values) < 1:
        raise argparse.ArgumentTypeError("a list of positive integers, e.g. 8,16,32")
    return values


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description="Concurrent order-to-cash through `comptoir serve`.")
    parser.add_argument("--clients", type=int_list, default=[8, 16, 32], help="clients per run (8,16,32)")
    parser.add_argument("--workers", type=int_list, default=[1, 2], help="gunicorn workers (1,2)")
    parser.add_argument("--threads", type=int, default=4, help="threads per worker (4)")
    parser.add_argument("--orders-per-client", type=int, default=10, help="orders each client runs (10)")
    parser.add_argument(
        "--database-url", default=DEFAULT_SERVER, help=f"PostgreSQL server ({DEFAULT_SERVER})"
    )
    parser.add_argument("--profile", action="store_true", help="pyinstrument in each worker (text on stderr)")
    parser.add_argument("--seed", action="store_true", help=argparse.SUPPRESS)  # child: seed, print ids
    parser.add_argument("--check", action="store_true", help=argparse.SUPPRESS)  # child: checks as JSON
    parser.add_argument("--serve-profiled", metavar="DIR", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.orders_per_client < 1 or args.threads < 1:
        parser.error("--orders-per-client and --threads: 1 or more")
    return args


def one_run(args, workers: int, n_clients: int, ids: dict, url: str, var: Path) -> dict:
    """Serve the database of `url` with `workers` workers, load it with `n_clients` clients, check it."""
    env = comptoir_env(
        url,
        var,
        COMPTOIR_SECRET_KEY=secrets.token_urlsafe(50),
        COMPTOIR_BIND=f"127.0.0.1:{free_port()}",
        COMPTOIR_WORKERS=str(workers),
        COMPTOIR_THREADS=str(args.threads),
    )
    profile_dir = None
    if args.profile:
        profile_dir = var / "profile"
        profile_dir.mkdir()
    load_before = round(os.getloadavg()[0], 2)
    with serving(env, var / "serve.log", profile_dir) as (base, pid):
        database = urlsplit(url).path.lstrip("/")
        before = cpu_split(pid, database)
        measured = load(base, n_clients, args.orders_per_client, ids)
        after = cpu_split(pid, database)
    clients_cpu = measured.pop("client_cpu_seconds")
    if measured["requests"]:
        spent = {part: after[part] - before[part] for part in after} | {"clients": clients_cpu}
        measured["cpu_ms_per_request"] = {
            part: round(seconds * 1000 / measured["requests"], 1) for part, seconds in spent.items()
        }
    if profile_dir is not None:
        for report in sorted(profile_dir.iterdir()):
            print(report.read_text(), file=sys.stderr)
    checked = json.loads(run_python(env, str(HERE / "load.py"), "--check").stdout.splitlines()[-1])
    verify = [
        sys.executable,
        "-c",
        "from comptoir.cli import main; main()",
        "verify-audit",
        "--no-checkpoint",
    ]
    audit = subprocess.run(verify, env=env, capture_output=True, text=True, timeout=900, cwd=ROOT)
    if audit.returncode != 0:
        print(audit.stdout + audit.stderr, file=sys.stderr)
    return {
        "backend": "postgresql",
        "server": "gunicorn",
        "workers": workers,
        "threads": args.threads,
        "clients": n_clients,
        "orders_per_client": args.orders_per_client,
        **{k: v for k, v in measured.items() if k != "first_errors" or v},
        "invoices_issued": checked["invoices_issued"],
        "numbering_gap_free": checked["numbering_gap_free"],
        "ledger_balanced": checked["ledger_balanced"],
        "audit_ok": audit.returncode == 0,
        "load_average_before": load_before,
        "cpus": os.cpu_count(),
        "at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }


def passed(result: dict) -> bool:
    return (
        result["errors"] == 0
        and result["invoices_issued"] == result["orders"]
        and result["numbering_gap_free"]
        and result["ledger_balanced"]
        and result["audit_ok"]
    )


def main(argv=None) -> int:
    args = parse_args(argv)
    if args.seed:
        print(json.dumps(seed(max(args.clients))))
        return 0
    if args.check:
        print(json.dumps(check()))
        return 0
    if args.serve_profiled:
        serve_profiled(args.serve_profiled)
        return 0

    stem = f"comptoir_load_{os.getpid()}"
    made: list[str] = []
    failed = False
    with tempfile.TemporaryDirectory(prefix="comptoir-load-") as folder:
        folder = Path(folder)
        try:
            seed_name = f"{stem}_seed"
            admin_sql(args.database_url, f'CREATE DATABASE "{seed_name}"')
            made.append(seed_name)
            seed_var = folder / "seed"
            seed_env = comptoir_env(database_url(args.database_url, seed_name), seed_var)
            clients = ",".join(map(str, args.clients))
            seeded = run_python(seed_env, str(HERE / "load.py"), "--seed", "--clients", clients)
            ids = json.loads(seeded.stdout.strip().splitlines()[-1])
            for workers in args.workers:
                for n_clients in args.clients:
                    name = f"{stem}_w{workers}_c{n_clients}"
                    admin_sql(args.database_url, f'CREATE DATABASE "{name}" TEMPLATE "{seed_name}"')
                    made.append(name)
                    var = folder / name
                    shutil.copytree(seed_var, var)  # the audit key the seed's events were sealed with
                    url = database_url(args.database_url, name)
                    result = one_run(args, workers, n_clients, ids, url, var)
                    print(json.dumps(result), flush=True)
                    failed |= not passed(result)
                    admin_sql(args.database_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                    made.remove(name)
        finally:
            for name in reversed(made):
                admin_sql(args.database_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

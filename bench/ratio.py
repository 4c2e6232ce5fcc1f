"""Comptoir vs Tryton 8.2 on the O2C-1 workload, measured in one run, one JSON line.

Runs Tryton's harness (../shared/peers/tryton/run.sh, about 0.2 orders/s, so -n 50) and then
bench/o2c.py (-n 200) on the same database engine, and prints both results with the ratio of their
orders per second. Both must reach the invoice totals of WORKLOAD.md for the ratio to mean anything.

    python bench/ratio.py                      # SQLite
    python bench/ratio.py --postgres postgresql://postgres@127.0.0.1:5432/
"""

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

HERE = Path(__file__).resolve().parent
DEFAULT_PEER = HERE.parent.parent / "shared" / "peers" / "tryton" / "run.sh"


def last_json_line(output: str) -> dict:
    for line in reversed(output.strip().splitlines()):
        if line.startswith("{"):
            return json.loads(line)
    raise SystemExit(f"no JSON line in:\n{output[-2000:]}")


def run(command: list[str]) -> dict:
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")
    return last_json_line(done.stdout)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", help="PostgreSQL server URL (default: SQLite)")
    parser.add_argument("--peer", default=str(DEFAULT_PEER), help="Tryton's run.sh")
    parser.add_argument("--peer-orders", type=int, default=50)
    parser.add_argument("--orders", type=int, default=200)
    args = parser.parse_args(argv)

    peer_cmd = [args.peer, "-n", str(args.peer_orders), "-k", "5", "--db-name", f"ratio{os.getpid()}"]
    ours_cmd = [sys.executable, str(HERE / "o2c.py"), "-n", str(args.orders), "--count-queries"]
    if args.postgres:
        peer_cmd += ["--db-uri", args.postgres]
        server = urlsplit(args.postgres)
        ours_cmd += ["--database-url", urlunsplit(server._replace(scheme="postgres", path="/postgres"))]
    tryton = run(peer_cmd)
    comptoir = run(ours_cmd)
    # From the raw counts and seconds: both harnesses round orders_per_second to two decimals.
    ratio = (comptoir["n_orders"] / comptoir["seconds_total"]) / (
        tryton["n_orders"] / tryton["seconds_total"]
    )
    print(
        json.dumps(
            {
                "backend": comptoir["backend"],
                "ratio": round(ratio, 1),
                "totals_match": bool(tryton["totals_match"] and comptoir["totals_match"]),
                "tryton": tryton,
                "comptoir": comptoir,
            }
        )
    )
    return 0 if tryton["totals_match"] and comptoir["totals_match"] else 1


if __name__ == "__main__":
    sys.exit(main())

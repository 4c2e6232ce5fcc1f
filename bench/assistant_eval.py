#!/usr/bin/env python
"""The assistant's quality bench (issue #17, "Measure it honestly").

Every scenario (bench/assistant_scenarios.py) is produced through Comptoir's services — the calls the API
and the web UI make — in a fresh database, among other customers' history (noise). Labels come from the
business meaning of each kind, not from the checks. Then the assistant runs as the product runs it:
its findings on each order and invoice of the scenario, the gate at issue (met while the scenario issues
its invoices), the billing agent's pass and its proposals, each proposal about a true finding approved
through `assistant.services.approve_proposal`, and the findings read again.

Scored: an anomaly is detected when a finding with one of its acceptable codes appears (or the gate
refuses the draft for it); a clean chain is a false alarm when any warning or blocking finding appears;
`blocked_clean` counts the correct drafts the gate refused. An anomaly a service refused while the
scenario was built is `prevented`: reported apart, not scored.

One JSON line on stdout (the per-kind table in it, and as text on stderr):

    python bench/assistant_eval.py -n 170 --seed 1
    python bench/assistant_eval.py -n 170 --database-url postgres://postgres@127.0.0.1:5432/postgres

Targets (issue #17): precision ≥ 0.95, recall ≥ 0.90, clean_false_positive_rate < 0.01, blocked_clean 0,
proposal_fix_rate ≥ 0.80, harmful_proposals 0.
"""

import argparse
import datetime
import functools
import json
import random
import sys
import time
import traceback
from collections import Counter
from pathlib import Path

BENCH = Path(__file__).resolve().parent
if str(BENCH.parent) not in sys.path:
    sys.path.insert(0, str(BENCH.parent))
if str(BENCH) not in sys.path:
    sys.path.insert(0, str(BENCH))

import assistant_scenarios as sc  # noqa: E402

EXPECTED = sc.EXPECTED
ALARM = {"warning", "blocking"}
# What the agent proposes in the normal course of work, not about an anomaly.
ROUTINE_PROPOSALS = {"issue_invoice", "send_reminder", "create_invoice_from_order", "allocate_payment"}


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", "--count", type=int, default=170, help="scenarios (half clean, half anomalies)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--noise", type=int, default=8, help="other customers with their own history")
    parser.add_argument("--database-url", default=None, help="a PostgreSQL server (default: SQLite file)")
    parser.add_argument(
        "--in-place", action="store_true", help="use the database Django is already set up with (tests)"
    )
    return parser.parse_args(argv)


# --- The world around the scenarios -----------------------------------------------------------------------


def set_up_world(seed: int) -> sc.World:
    from comptoir.catalog.services import create_product
    from comptoir.core import dates
    from comptoir.core.permissions import Role
    from comptoir.core.testing import colleague_of, make_company, make_user
    from comptoir.stock.services import receive_stock

    admin = make_user("bench-admin", Role.ADMIN)
    # Months of history are entered for some customers (their habits): the company allows backdating them.
    make_company(admin, backdating_days=200)
    boss = make_user("bench-direction", Role.DIRECTION)
    today = dates.today()
    catalogue = [
        ("PERC-18V", "Perceuse visseuse 18 V", "120.00", "70.00"),
        ("DISQ-125", "Disques à tronçonner 125 mm (boîte de 25)", "32.50", "14.20"),
        ("GANT-T9", "Gants de manutention T9 (paire)", "4.90", "1.85"),
        ("VIS-640", "Vis bois 6×40 (boîte de 200)", "11.40", "5.10"),
        ("MEUL-230", "Meuleuse 230 mm 2 200 W", "189.00", "112.00"),
        ("NIV-60", "Niveau à bulle 60 cm", "27.90", "12.60"),
        ("ESCA-3P", "Escabeau 3 marches", "64.00", "38.00"),
        ("COLL-PU", "Colle polyuréthane 310 ml", "9.80", "4.30"),
    ]
    products = []
    for sku, name, price, cost in catalogue:
        item = create_product(by=boss, sku=sku, name=name, sale_price=price, purchase_cost=cost)
        products.append((item, cost))
    receive_stock(
        [{"product": item, "quantity": "100000", "unit_cost": cost} for item, cost in products],
        by=boss,
        date=today - datetime.timedelta(days=180),
    )
    world = sc.World(
        boss=boss, colleague=colleague_of(boss), products=products, rng=random.Random(seed), today=today
    )
    return world


def history(world: sc.World, buyer) -> None:
    """A customer's ordinary past: a paid cycle or two, and goods shipped awaiting the invoice run."""
    scratch = sc.Case("history")
    for _ in range(world.rng.randint(1, 2)):
        a, b = sc.pick(world, 2)
        sc.cycle(world, scratch, buyer, (a, sc.qty(world)), (b, sc.qty(world)), po=f"H-{world.next()}")
    if world.rng.random() < 0.5:
        (a,) = sc.pick(world)
        sc.ship(world, sc.sold(world, buyer, (a, sc.qty(world))))


# --- Reading what the assistant says ----------------------------------------------------------------------


def documents(case: sc.Case):
    from comptoir.billing.models import Invoice
    from comptoir.sales.models import Order

    customers = [c.pk for c in [case.customer, *case.also_customers] if c is not None]
    orders = list(
        Order.objects.filter(customer_id__in=customers, status=Order.Status.CONFIRMED).order_by("pk")
    )
    invoices = list(
        Invoice.objects.filter(customer_id__in=customers)
        .exclude(status=Invoice.Status.CANCELLED)
        .order_by("pk")
    )
    return orders, invoices


def findings(case: sc.Case) -> list:
    from comptoir.assistant.services import findings_for_invoice, findings_for_order

    orders, invoices = documents(case)
    found = {}
    for order in orders:
        for finding in findings_for_order(order):
            found.setdefault((finding.code, finding.message), finding)
    for invoice in invoices:
        for finding in findings_for_invoice(invoice):
            found.setdefault((finding.code, finding.message), finding)
    return list(found.values())


def alarms(found) -> set[str]:
    return {f.code for f in found if f.severity in ALARM}


# --- The run ----------------------------------------------------------------------------------------------


def _attempt(row, action) -> bool:
    from comptoir.core.errors import DomainError

    try:
        action()
    except DomainError as refusal:
        if row["expected"] == sc.ANOMALY:
            row["prevented"] = refusal.code
        else:  # a service refusing a correct chain: a defect (of the bench or the product), shown
            row["error"] = f"{refusal.code}: {refusal.message}"
    except Exception:  # a defect of the bench or of the product: shown, never scored
        row["error"] = traceback.format_exc(limit=3)
    return not (row["prevented"] or row["error"])


def build(world: sc.World, kinds: list[str], noise: int) -> list[dict]:
    """The customers' own histories (in date order), the other customers' business, then the scenarios."""
    rows = [
        {
            "kind": kind,
            "expected": sc.LABELS[kind][0],
            "case": sc.Case(kind),
            "prevented": None,
            "error": None,
        }
        for kind in kinds
    ]
    steps = []
    for row in rows:
        if row["kind"] in sc.HISTORY:
            steps += [
                (day, i, row, step)
                for i, (day, step) in enumerate(sc.HISTORY[row["kind"]](world, row["case"]))
            ]
    for _, _, row, step in sorted(steps, key=lambda s: (s[0], s[1], id(s[2]))):
        if not (row["prevented"] or row["error"]):
            _attempt(row, step)
    for _ in range(noise):
        history(world, sc.customer(world))
    for row in rows:
        if row["prevented"] or row["error"]:
            continue
        scenario, case = sc.LABELS[row["kind"]][1], row["case"]
        _attempt(row, functools.partial(scenario, world, case))
        if case.customer is None:
            row["error"] = row["error"] or "scenario made no customer"
    return rows


def score_findings(rows) -> None:
    for row in rows:
        if row["prevented"] or row["error"]:
            continue
        found = findings(row["case"])
        accepted = EXPECTED[row["kind"]]["codes"]
        row["codes"] = sorted({f.code for f in found})
        row["alarms"] = sorted(alarms(found))
        hits = [f for f in found if f.code in accepted]
        row["blocked"] = bool(row["case"].gate_refusals)
        if row["expected"] == sc.ANOMALY:
            row["detected"] = bool(hits)
            row["with_proposal"] = any(f.proposal is not None for f in hits)
        else:
            row["flagged"] = bool(row["alarms"])


def apply_proposals(rows, world: sc.World) -> None:
    """The agent's pass; each detected anomaly's proposal approved as a person would, then a second pass
    and the follow-up proposals on the same documents approved (the credit note drafted by the first is
    issued by the second, a draft whose VAT must follow a corrected customer record…); the chain is read
    again. Fixed: no finding of the anomaly's codes left. Harmful: a warning or a blocking finding that
    was not there before."""
    from comptoir.assistant.services import run_agent

    run_agent(by=world.boss, trigger="bench")
    pending = []
    for row in rows:
        if row["prevented"] or row["error"]:
            continue
        mine = _open_proposals(row["case"])
        if row["expected"] == sc.CLEAN:
            row["clean_proposals"] = sorted({p.kind for p in mine if p.kind not in ROUTINE_PROPOSALS})
            continue
        if not row["detected"]:
            continue
        accepted = EXPECTED[row["kind"]]["codes"]
        found = findings(row["case"])
        row["before"] = alarms(found)
        if not any(f.code in accepted for f in found):
            # The agent's own pass settled it (e.g. drafted the delivered units an invoice left off).
            row["proposal"], row["applied"] = "agent_pass", True
            continue
        proposal = next((p for p in mine if p.source in accepted), None)
        row["proposal"] = proposal.kind if proposal else None
        if proposal is not None:
            row["results"] = []
            row["applied"] = _approve(row, proposal, world.boss)
            pending.append(row)
    if pending:
        run_agent(by=world.boss, trigger="bench")
    for row in pending:
        accepted = EXPECTED[row["kind"]]["codes"]
        follow = accepted | (alarms(findings(row["case"])) - row["before"])
        for proposal in _open_proposals(row["case"]):
            about_result = proposal.payload.get("invoice_id") in row["results"]
            if proposal.source in follow or (proposal.kind == "issue_invoice" and about_result):
                _approve(row, proposal, world.colleague)
    for row in rows:
        if row.get("applied"):
            found = findings(row["case"])
            row["fixed"] = not any(f.code in EXPECTED[row["kind"]]["codes"] for f in found)
            row["new_alarms"] = sorted(alarms(found) - row["before"])
            row["harmful"] = bool(row["new_alarms"])


def _open_proposals(case):
    from comptoir.assistant.models import Proposal

    customers = [c.pk for c in [case.customer, *case.also_customers]]
    return list(
        Proposal.objects.filter(status=Proposal.Status.OPEN, customer_id__in=customers).order_by("pk")
    )


def _approve(row, proposal, by) -> bool:
    from comptoir.assistant.services import approve_proposal
    from comptoir.core.errors import DomainError

    try:
        done = approve_proposal(proposal, by=by, note="bench")
    except DomainError as refusal:
        row.setdefault("apply_refused", []).append(f"{proposal.kind}: {refusal.code}")
        return False
    if done.result.get("kind") == "invoice":
        row.setdefault("results", []).append(done.result["id"])
    row.setdefault("approved", []).append(proposal.kind)
    return True


def ratio(num, den):
    return round(num / den, 4) if den else None


def summarise(rows, seconds: float) -> dict:
    table = {}
    for kind, label in EXPECTED.items():
        mine = [r for r in rows if r["kind"] == kind]
        scored = [r for r in mine if not (r["prevented"] or r["error"])]
        entry = {
            "expected": label["expected"],
            "n": len(mine),
            "prevented": sum(1 for r in mine if r["prevented"]),
            "errors": sum(1 for r in mine if r["error"]),
        }
        if label["expected"] == sc.ANOMALY:
            entry |= {
                "detected": sum(1 for r in scored if r["detected"]),
                "missed": sum(1 for r in scored if not r["detected"]),
                "with_proposal": sum(1 for r in scored if r.get("with_proposal")),
                "fixed": sum(1 for r in scored if r.get("fixed")),
                "harmful": sum(1 for r in scored if r.get("harmful")),
            }
        else:
            entry |= {
                "false_alarms": sum(1 for r in scored if r["flagged"]),
                "blocked": sum(1 for r in scored if r["blocked"]),
            }
        seen = Counter(code for r in scored for code in r.get("alarms", ()))
        entry["alarm_codes"] = dict(sorted(seen.items()))
        prevented = Counter(r["prevented"] for r in mine if r["prevented"])
        if prevented:
            entry["prevented_by"] = dict(prevented)
        table[kind] = entry

    scored = [r for r in rows if not (r["prevented"] or r["error"])]
    anomalies = [r for r in scored if r["expected"] == sc.ANOMALY]
    clean = [r for r in scored if r["expected"] == sc.CLEAN]
    detected = [r for r in anomalies if r["detected"]]
    flagged = [r for r in clean if r["flagged"]]
    applied = [r for r in detected if r.get("applied")]
    return {
        "scenarios": len(rows),
        "clean_scenarios": len([r for r in rows if r["expected"] == sc.CLEAN]),
        "anomaly_scenarios": len([r for r in rows if r["expected"] == sc.ANOMALY]),
        "kinds": len(EXPECTED),
        "precision": ratio(len(detected), len(detected) + len(flagged)),
        "recall": ratio(len(detected), len(anomalies)),
        "clean_false_positive_rate": ratio(len(flagged), len(clean)),
        "blocked_clean": sum(1 for r in clean if r["blocked"]),
        "prevented": sum(1 for r in rows if r["prevented"]),
        "errors": sum(1 for r in rows if r["error"]),
        "findings_with_proposal_rate": ratio(
            sum(1 for r in detected if r.get("with_proposal")), len(detected)
        ),
        "proposals_applied": len(applied),
        "proposal_fix_rate": ratio(sum(1 for r in applied if r.get("fixed")), len(applied)),
        "fixed_by_proposal_rate": ratio(sum(1 for r in applied if r.get("fixed")), len(detected)),
        "harmful_proposals": sum(1 for r in applied if r.get("harmful")),
        "clean_with_proposals": sum(1 for r in clean if r.get("clean_proposals")),
        "clean_proposal_kinds": dict(Counter(kind for r in clean for kind in r.get("clean_proposals", ()))),
        "seconds": round(seconds, 1),
        "per_kind": table,
        "first_errors": [f"{r['kind']}: {r['error'].strip().splitlines()[-1]}" for r in rows if r["error"]][
            :5
        ],
    }


def evaluate(count: int, seed: int, noise: int = 8) -> tuple[dict, list]:
    """Build the world and `count` scenarios in the current database, run the assistant, score it."""
    started = time.perf_counter()
    world = set_up_world(seed)
    kinds = sc.plan(count, world.rng)
    rows = build(world, kinds, noise)
    score_findings(rows)
    apply_proposals(rows, world)
    return summarise(rows, time.perf_counter() - started), rows


def print_table(result: dict, out=sys.stderr) -> None:
    print(
        f"{'kind':34} {'exp':7} {'n':>3} {'prev':>4} {'det':>4} {'miss':>4} {'fa':>3} {'blk':>3} "
        f"{'prop':>4} {'fix':>3} {'harm':>4}  alarms",
        file=out,
    )
    for kind, e in result["per_kind"].items():
        print(
            f"{kind:34} {e['expected']:7} {e['n']:>3} {e['prevented']:>4} {e.get('detected', ''):>4} "
            f"{e.get('missed', ''):>4} {e.get('false_alarms', ''):>3} {e.get('blocked', ''):>3} "
            f"{e.get('with_proposal', ''):>4} {e.get('fixed', ''):>3} {e.get('harmful', ''):>4}  "
            f"{','.join(e['alarm_codes'])}{' prevented_by=' + str(e['prevented_by']) if 'prevented_by' in e else ''}",
            file=out,
        )


def main(argv=None) -> int:
    args = parse_args(argv)
    if args.in_place:
        result, _ = evaluate(args.count, args.seed, args.noise)
    else:
        from o2c import fresh_database, setup_django

        with fresh_database(args.database_url) as (url, backend):
            setup_django(url)
            result, _ = evaluate(args.count, args.seed, args.noise)
            from django.db import connections

            connections.close_all()
        result["backend"] = backend
    print_table(result)
    print(json.dumps(result, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())

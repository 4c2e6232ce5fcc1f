"""The assistant's quality bench (bench/assistant_eval.py) builds its scenarios through the services and
scores every kind it declares.

Run here at a tiny size in the test database: only the shape and the coverage are asserted; the quality
targets live in the bench script and its report."""

import importlib.util
import json
import random
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[3] / "bench"

pytestmark = pytest.mark.django_db


def _bench():
    if str(BENCH) not in sys.path:
        sys.path.insert(0, str(BENCH))
    spec = importlib.util.spec_from_file_location("assistant_eval", BENCH / "assistant_eval.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_bench_runs_every_kind_through_the_services_and_prints_one_json_line(capsys):
    bench = _bench()
    kinds = len(bench.EXPECTED)

    bench.main(["-n", str(kinds), "--seed", "3", "--noise", "1", "--in-place"])

    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 1
    result = json.loads(lines[0])
    for key in (
        "precision",
        "recall",
        "clean_false_positive_rate",
        "blocked_clean",
        "prevented",
        "proposal_fix_rate",
        "harmful_proposals",
        "findings_with_proposal_rate",
        "per_kind",
    ):
        assert key in result, key
    assert result["scenarios"] == kinds
    # Every kind ran once, and none broke (a scenario error is a defect of the bench or of the product).
    assert set(result["per_kind"]) == set(bench.EXPECTED)
    assert all(entry["n"] == 1 for entry in result["per_kind"].values())
    assert result["errors"] == 0, result["first_errors"]
    for kind, entry in result["per_kind"].items():
        if entry["expected"] == "anomaly" and not entry["prevented"]:
            assert entry["detected"] + entry["missed"] == 1, kind


def test_the_labels_are_business_kinds_with_enough_of_both():
    bench = _bench()
    import assistant_scenarios as sc

    clean = [kind for kind, label in bench.EXPECTED.items() if label["expected"] == "clean"]
    anomalies = [kind for kind, label in bench.EXPECTED.items() if label["expected"] == "anomaly"]
    assert len(clean) >= 20 and len(anomalies) >= 20
    # An anomaly says which findings would tell it; a clean chain expects none.
    assert all(bench.EXPECTED[kind]["codes"] for kind in anomalies)
    assert not any(bench.EXPECTED[kind]["codes"] for kind in clean)
    # The default size gives at least 60 of each, every kind included.
    kinds = sc.plan(130, random.Random(1))
    assert (
        sum(1 for kind in kinds if kind in clean) >= 60
        and sum(1 for kind in kinds if kind in anomalies) >= 60
    )
    assert set(kinds) == set(bench.EXPECTED)


def test_the_plan_is_reproducible():
    _bench()
    import assistant_scenarios as sc

    assert sc.plan(80, random.Random(11)) == sc.plan(80, random.Random(11))

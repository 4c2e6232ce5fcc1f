"""The assistant's quality bench (bench/assistant_eval.py) runs and covers every situation it knows.

Only the shape is asserted here; the quality and speed targets live in the bench script itself."""

import importlib.util
import json
from pathlib import Path

BENCH = Path(__file__).resolve().parents[3] / "bench" / "assistant_eval.py"


def _bench():
    spec = importlib.util.spec_from_file_location("assistant_eval", BENCH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_bench_prints_one_json_line_with_every_situation(capsys):
    bench = _bench()

    bench.main(["-n", "120", "--seed", "3"])

    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 1
    result = json.loads(lines[0])
    for key in (
        "chains",
        "precision",
        "recall",
        "clean_false_positive_rate",
        "clean_any_finding_rate",
        "per_check",
        "situations",
        "seconds",
        "check_ms_p50",
        "check_ms_p95",
    ):
        assert key in result, key
    assert result["chains"] == 120
    assert set(result["situations"]) == set(bench.EXPECTED)
    assert len(bench.EXPECTED) - len(bench.CLEAN) >= 20
    for stats in result["per_check"].values():
        assert set(stats) == {"tp", "fp", "fn", "precision", "recall"}
    # Every code a situation expects is scored.
    assert set().union(*bench.EXPECTED.values()) <= set(result["per_check"])


def test_the_generator_is_reproducible():
    bench = _bench()

    first = [(kind, chain) for kind, chain in bench.generate(40, seed=11)]
    second = [(kind, chain) for kind, chain in bench.generate(40, seed=11)]

    assert first == second

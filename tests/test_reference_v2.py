"""Random v2 instances (bench/generate_v2.py on bench/generate.py): `planner run` against the independent
raw-HiGHS solve of bench/reference.py, which implements every v2 extension a second way.

Both solve to proven optimality (mip_gap 0): the statuses must agree and, where optimal, the
objectives too; the planner's result files must keep the invariants (pool use within capacity,
area investment within its budget, history equal to the actuals).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from planner.cli import main

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.generate import generate  # noqa: E402
from bench.generate_v2 import FEATURES, add_v2  # noqa: E402
from bench.reference import solve_reference  # noqa: E402

ALL = [(seed, lp_only, FEATURES) for seed in range(6) for lp_only in (True, False)]
SINGLE = [(seed, lp_only, (feature,)) for feature in FEATURES for seed, lp_only in ((0, True), (1, False))]


def _instance(tmp_path: Path, seed: int, lp_only: bool, features: tuple[str, ...]) -> Path:
    spec = generate(12, tmp_path / "case", seed=seed, n_years=6, lp_only=lp_only)
    spec.write_text(spec.read_text(encoding="utf-8").replace("mip_gap = 1e-4", "mip_gap = 0"), encoding="utf-8")
    return add_v2(spec, seed, features)


def _solve_both(spec: Path, out: Path) -> tuple[dict, dict]:
    result = CliRunner().invoke(main, ["run", str(spec), "--out", str(out), "-q"], obj={})
    assert result.exit_code in (0, 4), result.output
    return json.loads((out / "summary.json").read_text(encoding="utf-8")), solve_reference(spec)


@pytest.mark.parametrize("seed,lp_only,features", ALL + SINGLE)
def test_v2_planner_matches_reference(tmp_path, seed, lp_only, features):
    spec = _instance(tmp_path, seed, lp_only, features)
    summary, reference = _solve_both(spec, tmp_path / "out")
    assert summary["status"] == reference["status"]
    if reference["status"] == "optimal":
        assert summary["objective"] == pytest.approx(reference["objective"], rel=1e-7, abs=1e-6)
        _check_invariants(spec, tmp_path / "out", summary)


def test_v2_instances_are_mostly_feasible(tmp_path):
    """Guards the generator: with every extension on, at least a third of the seeded instances must be
    feasible, or the comparison above would test infeasibility only."""
    optimal = 0
    for seed, lp_only, features in ALL:
        spec = _instance(tmp_path / f"{seed}{lp_only}", seed, lp_only, features)
        optimal += solve_reference(spec)["status"] == "optimal"
    assert optimal >= len(ALL) / 3, optimal


def _check_invariants(spec: Path, out: Path, summary: dict) -> None:
    inputs = spec.parent / "inputs"
    if (out / "pools.csv").is_file():
        pools = pd.read_csv(out / "pools.csv")
        assert (pools["used"] <= pools["capacity"] * (1 + 1e-7) + 1e-6).all()
    if (out / "areas.csv").is_file():
        areas = pd.read_csv(out / "areas.csv")
        limited = areas[areas["budget_wan_yuan"].notna()]
        assert (limited["capex_wan_yuan"] <= limited["budget_wan_yuan"] * (1 + 1e-7) + 1e-6).all()
    year_from = summary.get("replan_from")
    if year_from is not None:
        plan = pd.read_csv(out / "plan.csv")
        actuals = pd.read_csv(inputs / "actuals.csv")
        history = plan[plan["year"] < year_from].groupby(["measure", "year"])["added"].sum()
        history = history[history != 0]
        expected = actuals.groupby(["measure", "year"])["units_added"].sum()
        expected = expected[expected != 0]
        assert history.to_dict() == pytest.approx(expected.to_dict())
        targets = pd.read_csv(out / "targets.csv")
        assert (targets["enforced"] == (targets["year"] >= year_from)).all()

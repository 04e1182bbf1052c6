"""One time limit for the whole run, re-solves that do not inherit a Highs object's past run time,
and proven_optimal only where optimality is proven."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from helpers import write_dataset
from planner.cli import main
from planner.io.inputs import load_data
from planner.io.spec import load_spec
from planner.model.build import build_model
from planner.pipeline.run import run
from planner.solve.session import SolverSession

POLLUTANTS = ["co2", "nox", "so2", "vocs", "pm", "cod"]


def knapsack_spec(folder, n_measures: int, time_limit_s: float, mip_gap: float):
    """A multi-dimensional integer knapsack (six pollutant rows, whole units, one year) that HiGHS
    needs several seconds to prove optimal at 120 measures (7.4 s measured on the project machine)."""
    measures = []
    for i in range(n_measures):
        measure = {"id": f"m{i}", "integer": "true", "capex_wan_yuan": 10 + (i * 37) % 23, "potential": 3}
        for j, pollutant in enumerate(POLLUTANTS):
            measure[f"{pollutant}_t_per_yr"] = ((i + 1) * (j + 3) * 7919) % 101
        measures.append(measure)
    targets = [{"year": 2021, "pollutant": p, "kind": "reduction", "value": 2500 + 37 * j}
               for j, p in enumerate(POLLUTANTS)]
    spec = write_dataset(folder, measures, targets=targets, end_year=2021)
    text = spec.read_text(encoding="utf-8").replace("time_limit_s = 30", f"time_limit_s = {time_limit_s}")
    spec.write_text(text.replace("mip_gap = 0", f"mip_gap = {mip_gap}"), encoding="utf-8")
    return spec


def test_time_limited_mip_is_bounded_and_not_proven(tmp_path):
    """time_limit_s = 0.6 on the 120-measure knapsack: the run stops at the limit with a plan, exit 5,
    proven_optimal false and the gap it reached recorded. The solve and everything after it (fixed
    LP, step re-solves) share the one limit counted from the command's start; 1.5 s of slack is for
    the work HiGHS does between its time checks on a loaded 2-core machine. (2026-12-02: the limit
    was 1 s; once `planner run` stopped building Pyomo beside the solve, the full suite twice saw
    this knapsack proven within 1 s on the quiet machine. At 0.4 s it stops with an incumbent at a
    0.7 % gap, measured; 0.6 s keeps an incumbent under load and far from a proof.)"""
    spec = knapsack_spec(tmp_path / "case", 120, time_limit_s=0.6, mip_gap=0.0)
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["run", str(spec), "--out", str(out), "-q"], obj={})
    assert result.exit_code == 5, result.output
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["status"] == "time_limit" and summary["proven_optimal"] is False
    assert summary["solver"]["mip_gap_reached"] > 0
    timings = summary["timings_s"]
    solve_phases = timings["read_validate_s"] + timings["screen_s"] + timings["build_s"] + timings["solve_s"] \
        + timings["duals_s"] + timings["step_resolves_s"]
    assert solve_phases <= 0.6 + 1.5


def test_mip_stopped_at_its_gap_is_not_proven_optimal(tmp_path):
    """mip_gap = 0.05 on the 60-measure knapsack: HiGHS stops 'optimal' at a 4.6 % gap (measured), which
    is not a proof: proven_optimal is false and mip_gap_reached says how far it is."""
    spec = knapsack_spec(tmp_path / "case", 60, time_limit_s=30, mip_gap=0.05)
    outcome = run(spec, out_dir=tmp_path / "out")
    summary = outcome.summary
    assert summary["status"] == "optimal"
    assert 1e-9 < summary["solver"]["mip_gap_reached"] <= 0.05
    assert summary["proven_optimal"] is False


def test_lp_resolves_do_not_inherit_the_objects_past_run_time(tmp_path):
    """HiGHS counts an LP's time limit against the total run time of its Highs object: with a 0.15 s
    limit, re-solving one object from scratch again and again would hit it as soon as the solves add
    up to 0.15 s (after some 25 of these, without the fix). Each solve sets the limit to getRunTime()
    + what is left, so cold solves of a 40-measure x 10-year LP (a few ms each) until the object has
    run twice the limit are all optimal."""
    measures = [{"id": f"m{i}", "capex_wan_yuan": 5 + i % 7, "co2_t_per_yr": 50 + (13 * i) % 41,
                 "nox_t_per_yr": (7 * i) % 5, "potential": 20, "max_add_per_yr": 4, "lifetime_yr": 3 + i % 5}
                for i in range(40)]
    targets = [{"year": y, "pollutant": p, "kind": "reduction", "value": v}
               for y in range(2022, 2031) for p, v in (("co2", 9000 + 300 * (y - 2022)), ("nox", 80))]
    spec = write_dataset(tmp_path, measures, targets=targets, end_year=2030)
    spec_obj = load_spec(spec)
    planning = build_model(load_data(spec_obj))
    session = SolverSession(planning, type(spec_obj.solver)(time_limit_s=0.15, mip_gap=0.0))
    statuses = []
    # Cold solves until the object's run time is twice the limit (about 6 ms each; at most 2,000).
    while session.highs.getRunTime() <= 2 * 0.15 and len(statuses) < 2000:
        session.highs.clearSolver()  # a cold re-solve: HiGHS iterates, and checks its time limit
        statuses.append(session.solve().status)
    assert session.highs.getRunTime() > 0.15, "the solves should add up to more than one time limit"
    assert set(statuses) == {"optimal"}

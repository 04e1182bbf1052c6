"""Results are never damaged, runs are reproducible, and time limits are reported honestly."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest

from helpers import write_dataset
from planner.io.paths import shipped_spec
from planner.pipeline.run import run

RESULT_FILES = ["co_control.csv", "cost_effectiveness.csv", "emissions.csv", "plan.csv", "summary.json", "targets.csv",
                "unchosen.csv"]


def planner_process(*args: str, env_extra: dict | None = None) -> subprocess.Popen:
    env = dict(os.environ, **(env_extra or {}))
    return subprocess.Popen([sys.executable, "-m", "planner", *args], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def test_killed_mid_write_leaves_previous_results_intact(tmp_path):
    out = tmp_path / "out"
    first = planner_process("run", str(shipped_spec("tiny")), "--out", str(out))
    assert first.wait(timeout=120) == 0
    before = {name: (out / name).read_bytes() for name in RESULT_FILES}

    slow = planner_process("run", str(shipped_spec("tiny")), "--out", str(out), "--budget", "1000",
                           env_extra={"PLANNER_TEST_WRITE_DELAY_S": "2"})
    deadline = time.time() + 60
    while not list(out.glob(".planner-staging-*")) and time.time() < deadline:
        time.sleep(0.05)
    staging = list(out.glob(".planner-staging-*"))
    assert staging, "the slow run never started writing"
    time.sleep(0.3)  # at least one file is in the staging folder now
    slow.send_signal(signal.SIGKILL)
    slow.wait(timeout=30)

    assert sorted(p.name for p in out.iterdir() if not p.name.startswith(".planner-staging-")) == RESULT_FILES
    assert {name: (out / name).read_bytes() for name in RESULT_FILES} == before

    again = planner_process("run", str(shipped_spec("tiny")), "--out", str(out), "--budget", "1000")
    assert again.wait(timeout=120) == 0
    assert json.loads((out / "summary.json").read_text(encoding="utf-8"))["budget_wan_yuan_by_year"]["2021"] == 1000
    assert list(tmp_path.glob(".out.*")) == [], "the killed run's lock file was left behind"
    assert list(out.glob(".planner-*")) == [], "the killed run's staging folder was not cleaned up"


def test_two_runs_give_byte_identical_csvs(tmp_path):
    spec = write_dataset(tmp_path, [
        {"id": "a", "name": "甲", "co2_t_per_yr": 120, "nox_t_per_yr": 1.5, "max_add_per_yr": 3, "lifetime_yr": 4},
        {"id": "b", "name": "乙", "capex_wan_yuan": 33.3, "co2_t_per_yr": 210, "integer": "true", "group": "g"},
        {"id": "c", "name": "丙", "capex_wan_yuan": 7.1, "opex_wan_yuan_per_yr": -0.5, "co2_t_per_yr": 80,
         "group": "g", "first_year": 2022},
    ], targets=[{"year": 2023, "pollutant": "co2", "kind": "reduction", "value": 900},
                {"year": 2022, "pollutant": "nox", "kind": "reduction", "value": 3}], budget=60, discount_rate=0.05)
    outputs = []
    for name in ("one", "two"):
        run(spec, tmp_path / name)
        outputs.append({f: (tmp_path / name / f).read_bytes() for f in RESULT_FILES if f.endswith(".csv")})
    assert outputs[0] == outputs[1]


def test_time_limit_is_reported_not_hidden(tmp_path):
    spec = write_dataset(tmp_path, [{"id": f"m{i}", "integer": "true", "co2_t_per_yr": 97 + i, "capex_wan_yuan": 10 + i}
                                    for i in range(40)],
                         targets=[{"year": 2023, "pollutant": "co2", "kind": "reduction", "value": 12345}],
                         extra_toml="")
    text = spec.read_text(encoding="utf-8").replace("time_limit_s = 30", "time_limit_s = 1e-9")
    spec.write_text(text, encoding="utf-8")
    outcome = run(spec, tmp_path / "out")
    assert outcome.solution.status == "time_limit"
    summary = json.loads((tmp_path / "out" / "summary.json").read_text(encoding="utf-8"))
    assert summary["status"] == "time_limit" and summary["proven_optimal"] is False


def test_summary_records_provenance(tmp_path):
    outcome = run(shipped_spec("tiny"), tmp_path / "out")
    summary = outcome.summary
    assert set(summary["versions"]) >= {"planner", "pyomo", "highs", "python"}
    assert len(summary["inputs_sha256"]["measures.csv"]) == 64
    assert summary["spec_file"].endswith("tiny.toml")


def test_long_solves_report_progress(tmp_path, monkeypatch):
    """Better MIP plans and a heartbeat reach the progress callback (thresholds lowered for a tiny MIP)."""
    import planner.solve.session

    monkeypatch.setattr(planner.solve.session, "PROGRESS_AFTER_S", 0.0)
    monkeypatch.setattr(planner.solve.session, "HEARTBEAT_S", 0.0005)
    spec = write_dataset(tmp_path / "case", [{"id": "m", "integer": "true", "co2_t_per_yr": 100, "capex_wan_yuan": 3},
                                             {"id": "n", "co2_t_per_yr": 40, "capex_wan_yuan": 2}],
                         targets=[{"year": 2023, "pollutant": "co2", "kind": "reduction", "value": 730}])
    messages: list[str] = []
    outcome = run(spec, write=False, progress=messages.append)
    assert outcome.solution.status == "optimal"
    better = [m for m in messages if m.startswith("better plan found: ")]
    assert better and "万元, gap" in better[-1]
    assert all(m.startswith("still solving: ") and "s of at most 30 s" in m
               for m in messages if m.startswith("still"))

"""Issue 10, item 3: Ctrl-C in a long sweep keeps the finished points, and --resume continues them."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from planner.io.lock import lock_path
from planner.io.paths import shipped_spec

TINY = str(shipped_spec("tiny"))
BUDGETS = "2:60:2"  # 30 points


def planner(*args: str, env_extra: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "planner", *args], env=dict(os.environ, **(env_extra or {})),
                          capture_output=True, text=True, timeout=300)


def interrupted_sweep(out: Path) -> subprocess.CompletedProcess:
    """A sweep that solves one point every 0.3 s, sent SIGINT (Ctrl-C) a few points in."""
    process = subprocess.Popen([sys.executable, "-m", "planner", "sweep", TINY, "--budget", BUDGETS, "--out", str(out)],
                               env=dict(os.environ, PLANNER_TEST_POINT_DELAY_S="0.3"),
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 60
    while not lock_path(out).exists() and time.time() < deadline:
        time.sleep(0.05)
    time.sleep(3.0)
    process.send_signal(signal.SIGINT)
    stdout, stderr = process.communicate(timeout=120)
    return subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)


def test_ctrl_c_keeps_finished_points_and_resume_completes_them(tmp_path):
    out = tmp_path / "sweep"
    result = interrupted_sweep(out)
    assert result.returncode == 130, result.stderr
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    done = summary["points_done"]
    assert summary["complete"] is False and 0 < done < 30
    table = pd.read_csv(out / "sweep.csv", encoding="utf-8-sig")
    assert len(table) == done
    assert sorted(p.name for p in (out / "points").iterdir()) == sorted(
        f"budget-{b:.0f}" for b in table.budget_wan_yuan)
    assert f"Interrupted after {done} of 30 points" in result.stderr and "--resume" in result.stderr
    assert "Traceback" not in result.stderr

    kept = {p.name: (p / "summary.json").read_bytes() for p in (out / "points").iterdir()}
    resumed = planner("sweep", TINY, "--budget", BUDGETS, "--out", str(out), "--resume")
    assert resumed.returncode == 0, resumed.stderr
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["complete"] is True and summary["points_done"] == 30
    full = pd.read_csv(out / "sweep.csv", encoding="utf-8-sig")
    fresh_out = tmp_path / "fresh"
    assert planner("sweep", TINY, "--budget", BUDGETS, "--out", str(fresh_out)).returncode == 0
    fresh = pd.read_csv(fresh_out / "sweep.csv", encoding="utf-8-sig")
    assert list(full.budget_wan_yuan) == list(fresh.budget_wan_yuan)
    assert full.objective.to_numpy() == pytest.approx(fresh.objective.to_numpy(), rel=1e-9)
    # The finished points were reused, not solved again: their files (timings included) are byte-identical.
    assert len(list((out / "points").iterdir())) == 30
    assert {name: (out / "points" / name / "summary.json").read_bytes() for name in kept} == kept


def test_resume_refuses_a_sweep_of_other_inputs_or_budgets(tmp_path):
    out = tmp_path / "sweep"
    assert interrupted_sweep(out).returncode == 130
    other = planner("sweep", TINY, "--budget", "2:40:2", "--out", str(out), "--resume")
    assert other.returncode == 2, other.stderr
    assert "the budgets were 2, 4, 6" in other.stderr and "cannot be reused" in other.stderr
    inputs = tmp_path / "copy"
    assert planner("init", str(inputs), "--model", "tiny").returncode == 0
    spec = inputs / "models" / "copy.toml"
    nothing = planner("sweep", str(spec), "--budget", BUDGETS, "--out", str(tmp_path / "none"), "--resume")
    assert nothing.returncode == 2 and "holds no sweep to resume" in nothing.stderr
    changed = planner("sweep", str(spec), "--budget", BUDGETS, "--out", str(out), "--resume")
    assert changed.returncode == 2 and "the spec" in changed.stderr and "changed" in changed.stderr

"""The CLI end to end through click's runner: files written, exit codes, refusals."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from click.testing import CliRunner

from helpers import write_dataset
from planner import __version__
from planner.cli import main
from planner.io.paths import shipped_spec


def run_cli(*args: str):
    return CliRunner().invoke(main, list(args), obj={})


def test_version():
    result = run_cli("--version")
    assert result.exit_code == 0 and __version__ in result.output


def test_check_solves_the_toy_model():
    result = run_cli("check")
    assert result.exit_code == 0, result.output
    assert "objective 9.0 万元 (expected 9.0) -> OK" in result.output
    assert "highs" in result.output


def test_run_writes_results(tmp_path):
    out = tmp_path / "out"
    result = run_cli("run", str(shipped_spec("tiny")), "--out", str(out))
    assert result.exit_code == 0, result.output
    assert "status: optimal (objective 9.0 万元)" in result.output
    assert sorted(p.name for p in out.iterdir()) == ["co_control.csv", "cost_effectiveness.csv", "emissions.csv", "plan.csv",
                                                     "summary.json", "targets.csv", "unchosen.csv"]
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["status"] == "optimal" and summary["objective"] == pytest.approx(9.0)
    assert summary["targets_met"] is True
    assert set(summary["inputs_sha256"]) == {"measures.csv", "baseline.csv", "targets.csv"}
    plan = pd.read_csv(out / "plan.csv", encoding="utf-8-sig")
    assert set(plan.columns) >= {"measure", "year", "added", "active", "capex_wan_yuan", "co2_abated_t"}
    assert summary["totals"]["capex_wan_yuan"] == pytest.approx(plan.capex_wan_yuan.sum()) == 80
    emissions = pd.read_csv(out / "emissions.csv", encoding="utf-8-sig")
    assert set(emissions.columns) >= {"year", "pollutant", "bau_t", "abated_t", "emissions_t", "met"}


def test_rerun_replaces_own_results_but_refuses_foreign_folder(tmp_path):
    out = tmp_path / "out"
    assert run_cli("run", str(shipped_spec("tiny")), "--out", str(out)).exit_code == 0
    assert run_cli("run", str(shipped_spec("tiny")), "--out", str(out), "--budget", "1000").exit_code == 0
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["budget_wan_yuan_by_year"]["2021"] == 1000

    foreign = tmp_path / "thesis"
    foreign.mkdir()
    (foreign / "chapter1.docx").write_text("precious", encoding="utf-8")
    result = run_cli("run", str(shipped_spec("tiny")), "--out", str(foreign))
    assert result.exit_code == 6
    assert "not planner results" in result.output
    assert (foreign / "chapter1.docx").read_text(encoding="utf-8") == "precious"
    assert sorted(p.name for p in foreign.iterdir()) == ["chapter1.docx"]


def test_infeasible_run_exit_code(tmp_path):
    spec = write_dataset(tmp_path, [{"id": "m", "co2_t_per_yr": 100}],
                         targets=[{"year": 2021, "pollutant": "co2", "kind": "reduction", "value": 500}],
                         end_year=2021, budget=30)
    out = tmp_path / "out"
    result = run_cli("run", str(spec), "--out", str(out))
    assert result.exit_code == 4, result.output
    assert "status: infeasible" in result.output
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["status"] == "infeasible" and summary["objective"] is None


def test_budget_flag_overrides_spec(tmp_path):
    spec = write_dataset(tmp_path, [{"id": "m", "co2_t_per_yr": 100}],
                         targets=[{"year": 2021, "pollutant": "co2", "kind": "reduction", "value": 500}],
                         end_year=2021, budget=30)
    result = run_cli("run", str(spec), "--out", str(tmp_path / "out"), "--budget", "50")
    assert result.exit_code == 0, result.output


def test_init_writes_an_editable_copy(tmp_path):
    target = tmp_path / "mine"
    result = run_cli("init", str(target), "--model", "tiny")
    assert result.exit_code == 0, result.output
    assert (target / "models" / "mine.toml").is_file()
    assert (target / "inputs" / "mine" / "measures.csv").is_file()
    copied = run_cli("run", str(target / "models" / "mine.toml"), "--out", str(tmp_path / "out"))
    assert copied.exit_code == 0, copied.output
    again = run_cli("init", str(target), "--model", "tiny")
    assert again.exit_code == 2 and "not empty" in again.output


def test_help_lists_every_command():
    result = run_cli("--help")
    for command in ("run", "validate", "check", "init"):
        assert command in result.output


def test_run_without_spec_uses_the_shipped_default_from_any_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run_cli("run", "-q")
    assert result.exit_code == 0, result.output
    summary = json.loads((tmp_path / "results" / "guiyang" / "summary.json").read_text(encoding="utf-8"))
    assert summary["model"] == "guiyang" and summary["status"] == "optimal"


def test_init_default_model_copy_runs(tmp_path):
    target = tmp_path / "city"
    assert run_cli("init", str(target)).exit_code == 0
    assert (target / "inputs" / "city" / "SOURCES.md").is_file()
    result = run_cli("validate", str(target / "models" / "city.toml"))
    assert result.exit_code == 0, result.output

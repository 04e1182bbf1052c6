"""Issue 10, items 9 and 11-13: command-line values, closed pipes, exit codes, init naming and the
folder of a --budget run."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from planner.cli import main
from planner.io.paths import shipped_spec

TINY = str(shipped_spec("tiny"))


def cli(*args: str):
    return CliRunner().invoke(main, list(args), obj={})


@pytest.mark.parametrize("value", ["nan", "inf", "-5", "abc", "1,5", "-inf"])
def test_bad_budget_values_are_usage_errors_that_say_what_is_allowed(tmp_path, value):
    result = cli("run", TINY, "--out", str(tmp_path / "out"), "--budget", value)
    assert result.exit_code == 2, result.output
    assert "Invalid value for '--budget'" in result.output
    assert "a budget is a" in result.output and "万元 >= 0" in result.output
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("value", ["nan", "-1", "inf", "soon"])
def test_bad_wait_values_are_usage_errors(tmp_path, value):
    result = cli("run", TINY, "--out", str(tmp_path / "out"), "--wait-s", value)
    assert result.exit_code == 2 and "Invalid value for '--wait-s'" in result.output, result.output


def test_budget_with_thousands_separator_is_read_as_1200(tmp_path):
    result = cli("run", TINY, "--out", str(tmp_path / "out"), "--budget", "1,200")
    assert result.exit_code == 0, result.output
    summary = json.loads((tmp_path / "out" / "summary.json").read_text(encoding="utf-8"))
    assert summary["budget_wan_yuan_by_year"]["2021"] == 1200


def test_sweep_help_says_the_comma_separates_budgets():
    text = " ".join(cli("sweep", "--help").output.split())
    assert "The comma separates budgets, so write 100000, not 100,000" in text


def test_sweep_refuses_a_thousands_separator(tmp_path):
    result = cli("sweep", TINY, "--budget", "100,000", "--out", str(tmp_path / "s"))
    assert result.exit_code == 2 and "thousands separators are not accepted" in result.output


def test_a_closed_pipe_ends_quietly(tmp_path):
    shell = (f"{sys.executable} -m planner run {TINY} --out {tmp_path / 'out'} | head -1; "
             f"{sys.executable} -m planner --help | head -1")
    result = subprocess.run(["bash", "-c", shell], capture_output=True, text=True, timeout=120)
    assert "Internal error" not in result.stderr and "BrokenPipe" not in result.stderr
    assert "Traceback" not in result.stderr and "Exception ignored" not in result.stderr
    assert (tmp_path / "out" / "summary.json").is_file()
    piped = subprocess.run(["bash", "-c", f"set -o pipefail; {sys.executable} -m planner run {TINY} --out "
                                          f"{tmp_path / 'out2'} | head -1"], capture_output=True, text=True,
                           timeout=120)
    assert piped.returncode == 0, piped.stderr


def test_usage_errors_exit_2(tmp_path):
    (tmp_path / "my-city").mkdir()
    (tmp_path / "my-city" / "x.txt").write_text("x")
    not_empty = cli("init", str(tmp_path / "my-city"))
    assert not_empty.exit_code == 2 and "not empty" in not_empty.output
    unknown = cli("init", str(tmp_path / "new"), "--model", "foo")
    assert unknown.exit_code == 2 and "no shipped model 'foo'" in unknown.output
    assert cli("run", "--frobnicate").exit_code == 2
    assert cli("sweep", TINY, "--budget", "abc").exit_code == 2


def test_init_names_the_model_after_the_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = cli("init", "my-city", "--model", "tiny")
    assert result.exit_code == 0, result.output
    spec = Path("my-city") / "models" / "my-city.toml"
    assert 'name = "my-city"' in spec.read_text(encoding="utf-8")
    assert 'inputs = "../inputs/my-city"' in spec.read_text(encoding="utf-8")
    assert (Path("my-city") / "inputs" / "my-city" / "measures.csv").is_file()
    run = cli("run", str(spec), "-q")
    assert run.exit_code == 0, run.output
    assert (tmp_path / "results" / "my-city" / "summary.json").is_file()
    assert not (tmp_path / "results" / "tiny").exists()


def test_run_with_budget_writes_its_own_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert cli("run", TINY, "-q").exit_code == 0
    before = (tmp_path / "results" / "tiny" / "summary.json").read_bytes()
    result = cli("run", TINY, "-q", "--budget", "1,200")
    assert result.exit_code == 0, result.output
    assert "results in results/tiny/budget-1200" in result.output
    assert json.loads((tmp_path / "results" / "tiny" / "budget-1200" / "summary.json").read_text(
        encoding="utf-8"))["budget_wan_yuan_by_year"]["2021"] == 1200
    assert (tmp_path / "results" / "tiny" / "summary.json").read_bytes() == before
    assert cli("run", TINY, "-q", "--budget", "30", "--out", str(tmp_path / "mine")).exit_code == 0
    assert (tmp_path / "mine" / "summary.json").is_file()


def test_validate_exits_4_and_cites_the_scenarios_own_targets_file(tmp_path):
    """A scenario's targets_file with an unreachable target on its line 5: validate names that file and line."""
    assert cli("init", str(tmp_path / "c"), "--model", "tiny").exit_code == 0
    spec = tmp_path / "c" / "models" / "c.toml"
    shares = tmp_path / "c" / "inputs" / "c" / "targets_national_shares.csv"
    shares.write_text("year,pollutant,kind,value\n2023,co2,reduction,10\n\n2022,co2,reduction,20\n"
                      "2023,co2,reduction_x,1\n".replace("2023,co2,reduction_x,1\n", "2021,co2,reduction,99999\n"),
                      encoding="utf-8")
    spec.write_text(spec.read_text(encoding="utf-8") + '\n[scenarios.national]\ntargets_file = '
                    '"../inputs/c/targets_national_shares.csv"\n', encoding="utf-8")
    result = cli("validate", str(spec))
    assert result.exit_code == 4, result.output
    assert "targets_national_shares.csv line 5)" in result.output
    assert "targets.csv line 5" not in result.output.replace("targets_national_shares.csv line 5", "")
    assert "would be infeasible: scenario national" in result.output

"""planner sweep --parameter: every point equals a budget sweep of a data set with that figure written in."""

from __future__ import annotations

import pandas as pd
import pytest
from click.testing import CliRunner

from helpers import write_dataset
from test_sweep import MEASURES, TARGETS
from planner.cli import main
from planner.pipeline.parameter_sweep import parameter_sweep, parse_parameter, parse_values
from planner.pipeline.sweep import sweep


def run_cli(*args: str):
    return CliRunner().invoke(main, list(args), obj={})


def test_parse_values_includes_stop_within_tolerance():
    assert parse_values("0.1:0.3:0.1", "--parameter x") == pytest.approx([0.1, 0.2, 0.3])
    assert parse_values("1,2,5", "--parameter x") == [1, 2, 5]
    assert parse_parameter("capex:pv=5:15:5") == ("capex:pv", [5, 10, 15])
    with pytest.raises(Exception, match="NAME one of"):
        parse_parameter("budget=1,2")


# Fixed price caps: the derived default caps depend on the requirement, which targets_scale moves; the
# sweep keeps the built model's caps, so the comparison fixes them in the spec.
CAPS = "[targets]\npenalty_wan_yuan_per_t = 50\npenalty_wan_yuan_per_unit = 500\n"


def _cold(tmp_path, name, budgets, **changes):
    measures = [dict(m) for m in MEASURES]
    for m in measures:
        if m["id"] == "pv":
            m.update(changes.get("pv", {}))
    targets = changes.get("targets", TARGETS)
    spec = write_dataset(tmp_path / name, measures, targets=targets, budget=100,
                         discount_rate=changes.get("rate", 0.05), extra_toml=CAPS)
    return sweep(spec, budgets).table.objective.to_numpy()


@pytest.mark.parametrize("parameter,cases", [
    ("capex:pv=5,10,20", [({"pv": {"capex_wan_yuan": v}}) for v in (5, 10, 20)]),
    ("opex:pv=-1,2", [({"pv": {"opex_wan_yuan_per_yr": v}}) for v in (-1, 2)]),
    ("discount_rate=0.0:0.1:0.05", [({"rate": v}) for v in (0.0, 0.05, 0.1)]),
    ("targets_scale=0.8,1.2", [({"targets": [dict(t, value=t["value"] * s) for t in TARGETS]}) for s in (0.8, 1.2)]),
])
def test_parameter_points_equal_cold_sweeps(tmp_path, parameter, cases):
    measures = [dict(m) for m in MEASURES]
    for m in measures:
        if m["id"] == "pv":
            m["opex_wan_yuan_per_yr"] = 1  # non-zero, so that opex can be swept
    base = write_dataset(tmp_path / "base", measures, targets=TARGETS, budget=100, discount_rate=0.05,
                         extra_toml=CAPS)
    budgets = [60.0, 120.0]
    outcome = parameter_sweep(base, budgets, parameter)
    table = outcome.table
    assert len(table) == len(cases) * len(budgets)
    for j, changes in enumerate(cases):
        changes.setdefault("pv", {}).setdefault("opex_wan_yuan_per_yr", 1)
        expected = _cold(tmp_path, f"cold{j}", budgets, **changes)
        got = table.objective.to_numpy()[j * len(budgets):(j + 1) * len(budgets)]
        assert got == pytest.approx(expected, rel=1e-6), (parameter, j)


def test_sweep_cli_parameter_and_budget_list(tmp_path):
    spec = write_dataset(tmp_path / "case", MEASURES, targets=TARGETS, budget=100, discount_rate=0.05)
    out = tmp_path / "sw"
    result = run_cli("sweep", str(spec), "--budget", "60,1200", "--parameter", "capex:pv=5:10:5", "--out", str(out))
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out / "sweep.csv", encoding="utf-8-sig")
    assert list(table.parameter.unique()) == ["capex:pv"] and list(table.value) == [5, 5, 10, 10]
    assert list(table.budget_wan_yuan) == [60, 1200, 60, 1200]
    assert all((out / folder / "summary.json").is_file() for folder in table.run_folder)
    assert run_cli("sweep", str(spec), "--budget", "60,1200", "--out", str(tmp_path / "b")).exit_code == 0


@pytest.mark.parametrize("parameter,message", [
    ("foo=1,2", "NAME one of"),
    ("capex:nope=1,2", "unknown measure 'nope'"),
    ("discount_rate=3:1:1", "START <= STOP"),
    ("price:gas=1,2", "sets no gas price"),
])
def test_bad_parameter_is_usage_error(tmp_path, parameter, message):
    spec = write_dataset(tmp_path / "case", MEASURES, targets=TARGETS, budget=100)
    out = tmp_path / "o"
    result = run_cli("sweep", str(spec), "--parameter", parameter, "--out", str(out))
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert not out.exists()

"""Budget sweeps: monotone cost, points equal to cold runs, no-regret core, parallel = serial."""

from __future__ import annotations

import pandas as pd
import pytest
from click.testing import CliRunner

from helpers import write_dataset
from planner.cli import main
from planner.pipeline.run import run
from planner.pipeline.sweep import monotone_violations, parse_budget_range, sweep

MEASURES = [
    {"id": "pv", "co2_t_per_yr": 100, "nox_t_per_yr": 0.1, "potential": 8, "max_add_per_yr": 3},
    {"id": "rail", "capex_wan_yuan": 5, "opex_wan_yuan_per_yr": 2, "co2_t_per_yr": 100, "nox_t_per_yr": 2},
    {"id": "scr", "capex_wan_yuan": 40, "opex_wan_yuan_per_yr": 3, "co2_t_per_yr": -20, "nox_t_per_yr": 30,
     "integer": "true"},
    {"id": "kiln", "capex_wan_yuan": 25, "opex_wan_yuan_per_yr": -1, "co2_t_per_yr": 150, "group": "k"},
    {"id": "kiln2", "capex_wan_yuan": 15, "co2_t_per_yr": 90, "group": "k"},
]
TARGETS = [{"year": 2023, "pollutant": "co2", "kind": "reduction", "value": 1500},
           {"year": 2022, "pollutant": "nox", "kind": "reduction", "value": 40}]


@pytest.fixture
def spec(tmp_path):
    return write_dataset(tmp_path / "case", MEASURES, targets=TARGETS, budget=100, discount_rate=0.05)


def test_parse_budget_range():
    assert parse_budget_range("10:30:10") == [10, 20, 30]
    # Issue 10: the comma separates list values in a sweep, so thousands separators are refused.
    with pytest.raises(Exception, match="thousands separators are not accepted; write 100000:120000:5000"):
        parse_budget_range("100,000:120,000:5000")
    with pytest.raises(Exception, match="write 100000 "):
        parse_budget_range("100,000")
    assert parse_budget_range("40,10:30:10,25") == [10, 20, 25, 30, 40]
    with pytest.raises(Exception, match="START:STOP:STEP"):
        parse_budget_range("10-30")


def test_sweep_monotone_and_equal_to_cold_runs(spec):
    budgets = [float(b) for b in range(20, 141, 10)]
    outcome = sweep(spec, budgets)
    table = outcome.table
    assert list(table.budget_wan_yuan) == budgets
    assert monotone_violations(table) == []
    met = table[table.targets_met]
    assert 0 < len(met) < len(table), "the range should include under-funded and funded points"
    strict_costs = met.cost_wan_yuan.to_numpy()
    assert all(strict_costs[1:] <= strict_costs[:-1] + 1e-6)
    for row in table.iloc[::3].itertuples():
        cold = run(spec, write=False, budget_wan_yuan=row.budget_wan_yuan)
        if row.targets_met:
            assert cold.solution.status == "optimal"
            assert cold.solution.objective_wan_yuan == pytest.approx(row.objective, rel=1e-6)
        else:
            assert cold.solution.status == "infeasible"
    shortfall = table[["shortfall_co2_2023", "shortfall_nox_2022"]]
    assert ((shortfall[~table.targets_met] > 0).any(axis=1)).all()
    assert (table.targets_missed[~table.targets_met] > 0).all() and (table.targets_missed[table.targets_met] == 0).all()


def test_no_regret_core_is_chosen_everywhere(spec):
    outcome = sweep(spec, [60.0, 100.0, 140.0])
    for budget in (60.0, 100.0, 140.0):
        name = f"points/budget-{budget:.0f}/plan.csv"
        plan = pd.read_csv(pd.io.common.BytesIO(outcome.files[name]), encoding="utf-8-sig")
        assert set(outcome.no_regret) <= set(plan.loc[plan.added > 0, "measure"])


def test_parallel_sweep_equals_serial(spec):
    budgets = [40.0, 70.0, 100.0, 130.0]
    serial = sweep(spec, budgets).table
    parallel = sweep(spec, budgets, jobs=2).table
    pd.testing.assert_series_equal(serial.objective, parallel.objective, rtol=1e-6)


def test_sweep_cli_writes_folder(spec, tmp_path):
    out = tmp_path / "sweep"
    result = CliRunner().invoke(main, ["sweep", str(spec), "--budget", "40:100:30", "--out", str(out)], obj={})
    assert result.exit_code == 0, result.output
    assert "no-regret core" in result.output
    table = pd.read_csv(out / "sweep.csv", encoding="utf-8-sig")
    assert list(table.budget_wan_yuan) == [40, 70, 100]
    assert (out / "points" / "budget-40" / "summary.json").is_file()
    for column in ("status", "objective", "total_capex_wan_yuan", "co2_abated_t_2023", "nox_abated_t_2022",
                   "shortfall_co2_2023", "shortfall_nox_2022", "targets_missed", "run_folder"):
        assert column in table.columns

"""An infeasible run held back by the total budget is diagnosed: the fix names the total budget and by
how much; when yearly and total budgets both bind, the fixes name each. Hand-made cases."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from helpers import write_dataset
from planner.cli import main

# m: capex 10 万元 per unit of 100 t CO2, life 10, r = 0. CO2 >= 500 t in 2022 needs 5 units active in
# 2022: 50 万元 of capex over 2021-2022.
MEASURE = [{"id": "m", "co2_t_per_yr": 100}]
TARGET = [{"year": 2022, "pollutant": "co2", "kind": "reduction", "value": 500}]


def run_case(tmp_path, annual: float, total: float):
    spec = write_dataset(tmp_path, MEASURE, targets=TARGET, end_year=2022, budget=annual)
    text = spec.read_text(encoding="utf-8").replace("[budget]\n", f"[budget]\ntotal_wan_yuan = {total}\n")
    spec.write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["run", str(spec), "--out", str(out), "--no-unchosen"], obj={})
    assert result.exit_code == 4, result.output
    return result, json.loads((out / "summary.json").read_text(encoding="utf-8"))["diagnosis"]


def test_total_budget_alone_binds(tmp_path):
    """Yearly budgets 100 万元 (never binding), total 30: 3 units, 300 t of 500. Raising the yearly
    budgets cannot help (the total stays 30); raising the total by 50 - 30 = 20 万元 does."""
    result, diagnosis = run_case(tmp_path, annual=100, total=30)
    assert diagnosis["extra_total_budget_wan_yuan"] == pytest.approx(20.0)
    assert diagnosis["extra_budget_wan_yuan_by_year"] is None  # the yearly-only view is infeasible
    assert "raise the total budget by 20 万元 (from 30 to 50 万元" in result.output
    assert "raise the yearly budgets" not in result.output


def test_yearly_and_total_both_bind(tmp_path):
    """Yearly budgets 20 万元, total 30: neither alone is enough (yearly alone: total 30 < 50; total
    alone: 20 + 20 = 40 < 50). Both raised: the total by 20 (to 50), and one year by 10. Which year:
    a unit added in 2021 pays two annuities of 1 万元, one added in 2022 pays one, so the plan adds
    2 units in 2021 (20, within budget) and 3 in 2022 (30 = 20 + 10): 2022 +10 万元.
    The overrun of 30 万元 in all (10 + 20) beats the 50 of adding all five units in 2022."""
    result, diagnosis = run_case(tmp_path, annual=20, total=30)
    assert diagnosis["extra_budget_wan_yuan_by_year"] is None
    assert diagnosis["extra_total_budget_wan_yuan"] is None
    both = diagnosis["extra_budget_both"]
    assert both["total"] == pytest.approx(20.0)
    assert both["by_year"] == {"2022": pytest.approx(10.0)}
    assert "neither budget alone is enough: raise the yearly budgets (万元) — 2022: +10 — and the total " \
           "budget by 20 万元 together" in result.output


def test_yearly_budget_alone_binds_is_named_as_before(tmp_path):
    """Yearly 20, total 1,000 (never binding): the yearly view needs 50 - 40 = 10 more, all in 2022
    (a 2022 unit pays one annuity, a 2021 unit two); the total-budget view cannot help."""
    result, diagnosis = run_case(tmp_path, annual=20, total=1000)
    assert diagnosis["extra_budget_wan_yuan_by_year"] == {"2022": pytest.approx(10.0)}
    assert diagnosis["extra_total_budget_wan_yuan"] is None
    assert "raise the yearly budgets (万元) — 2022: +10 — and every target can be met" in result.output

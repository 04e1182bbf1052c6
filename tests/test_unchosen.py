"""unchosen.csv: what it would cost to include each measure the plan leaves out, worked by hand."""

from __future__ import annotations

import pandas as pd
import pytest
from click.testing import CliRunner

from helpers import write_dataset
from planner.cli import main

# One year (2021), r = 0, life 10: annualised cost = capex / 10 万元 per unit.
CHEAP = {"id": "cheap", "capex_wan_yuan": 10, "co2_t_per_yr": 100}                       # 1 万元 per 100 t
DEAR = {"id": "dear", "capex_wan_yuan": 30, "co2_t_per_yr": 100}                         # 3 万元 per 100 t
LUMPY = {"id": "lumpy", "capex_wan_yuan": 50, "co2_t_per_yr": 400, "integer": "true"}    # 5 万元 per 400 t
TARGET = [{"year": 2021, "pollutant": "co2", "kind": "reduction", "value": 500}]


def test_cost_to_include_by_hand(tmp_path):
    """CO2 >= 500 t: the plan is 5 cheap units, 5 万元 (the row's price 1 万元 per 100 t = 0.01 万元/t).

    - dear, continuous: its smallest unit is 1 % of its potential (10) = 0.1 unit, forced in 2021; it
      replaces 0.1 cheap unit: +0.1 x 3 - 0.1 x 1 = +0.2 万元. Reduced cost 3 - 100 x 0.01 = 2 万元/unit.
      Levelised 3 万元 / 100 t = 300 元/t.
    - lumpy, whole units: 1 unit forced gives 400 t, plus 1 cheap unit: 5 + 1 = 6 万元, +1 万元.
      Reduced cost (LP with the integers fixed) 5 - 400 x 0.01 = 1 万元/unit.
    The terminal names the cheapest to include: dear (+0.2) before lumpy (+1.0).
    """
    spec = write_dataset(tmp_path, [CHEAP, DEAR, LUMPY], targets=TARGET, end_year=2021)
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["run", str(spec), "--out", str(out)], obj={})
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out / "unchosen.csv", encoding="utf-8-sig").set_index("measure")
    assert list(table.index) == ["dear", "lumpy"]
    assert table.loc["dear", "smallest_unit"] == pytest.approx(0.1)
    assert table.loc["dear", "cost_to_include_wan_yuan"] == pytest.approx(0.2)
    assert table.loc["dear", "reduced_cost_wan_yuan_per_unit"] == pytest.approx(2.0)
    assert table.loc["dear", "co2_yuan_per_t"] == pytest.approx(300.0)
    assert table.loc["lumpy", "smallest_unit"] == 1
    assert table.loc["lumpy", "cost_to_include_wan_yuan"] == pytest.approx(1.0)
    assert table.loc["lumpy", "reduced_cost_wan_yuan_per_unit"] == pytest.approx(1.0)
    assert table.loc["lumpy", "reduced_cost_basis"] == "fixed_integer_lp"
    assert (table["first_year_addable"] == 2021).all()
    assert "措施 (dear) +0.2 万元; 措施 (lumpy) +1.0 万元" in result.output


def test_forcing_a_measure_the_budget_cannot_pay_for_is_said(tmp_path):
    """Budget 50 万元: 5 cheap units use it all. Forcing 0.1 dear (3 万元 of capex) leaves 47 for 4.7
    cheap units, 480 t < 500: infeasible; 1 lumpy (50) leaves nothing for the last 100 t: infeasible.
    No number, a note that says why."""
    spec = write_dataset(tmp_path, [CHEAP, DEAR, LUMPY], targets=TARGET, end_year=2021, budget=50)
    out = tmp_path / "out"
    assert CliRunner().invoke(main, ["run", str(spec), "--out", str(out)], obj={}).exit_code == 0
    table = pd.read_csv(out / "unchosen.csv", encoding="utf-8-sig").set_index("measure")
    assert table["cost_to_include_wan_yuan"].isna().all()
    assert table.loc["dear", "note"].startswith("forcing 0.1 unit in 2021 makes the plan infeasible")


def test_no_unchosen_and_infeasible_runs(tmp_path):
    """--no-unchosen writes no unchosen.csv; an infeasible run writes its header only."""
    spec = write_dataset(tmp_path / "a", [CHEAP, DEAR], targets=TARGET, end_year=2021)
    out = tmp_path / "off"
    assert CliRunner().invoke(main, ["run", str(spec), "--out", str(out), "--no-unchosen"], obj={}).exit_code == 0
    assert not (out / "unchosen.csv").exists()
    impossible = [{"year": 2021, "pollutant": "co2", "kind": "reduction", "value": 50_000}]
    spec = write_dataset(tmp_path / "b", [CHEAP, DEAR], targets=impossible, end_year=2021)
    out = tmp_path / "infeasible"
    assert CliRunner().invoke(main, ["run", str(spec), "--out", str(out)], obj={}).exit_code == 4
    table = pd.read_csv(out / "unchosen.csv", encoding="utf-8-sig")
    assert len(table) == 0 and "cost_to_include_wan_yuan" in table.columns

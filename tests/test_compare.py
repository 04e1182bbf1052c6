"""planner compare: side-by-side numbers equal the runs' own files; added/dropped measures are right."""

from __future__ import annotations

import pandas as pd
import pytest
from click.testing import CliRunner

from helpers import write_dataset
from planner.cli import main

MEASURES = [
    {"id": "cheap", "potential": 5, "co2_t_per_yr": 100},
    {"id": "dear", "capex_wan_yuan": 30, "opex_wan_yuan_per_yr": 1, "co2_t_per_yr": 200},
]
SCENARIOS = '[scenarios.low]\ntargets_file = "low.csv"\n'


def test_compare_two_runs(tmp_path):
    spec = write_dataset(tmp_path, MEASURES, targets=[{"year": 2023, "pollutant": "co2", "kind": "reduction",
                                                       "value": 700}], budget=1000, extra_toml=SCENARIOS)
    (tmp_path / "low.csv").write_text("year,pollutant,kind,value\n2023,co2,reduction,300\n", encoding="utf-8")
    runner = CliRunner()
    assert runner.invoke(main, ["run", str(spec), "--out", str(tmp_path / "base")], obj={}).exit_code == 0
    assert runner.invoke(main, ["run", str(spec), "--scenario", "low", "--out", str(tmp_path / "low")],
                         obj={}).exit_code == 0
    out = tmp_path / "cmp"
    result = runner.invoke(main, ["compare", str(tmp_path / "base"), str(tmp_path / "low"), "--out", str(out)], obj={})
    assert result.exit_code == 0, result.output
    assert "low: adds -; drops dear" in result.output
    table = pd.read_csv(out / "comparison.csv", encoding="utf-8-sig").set_index("metric")
    assert float(table.loc["objective", "base"]) == pytest.approx(9.0)
    assert float(table.loc["objective", "low"]) == pytest.approx(3.0)
    assert float(table.loc["capex 2023", "base"]) == pytest.approx(80.0)
    assert float(table.loc["CO2 abated 2023", "low"]) == pytest.approx(300.0)
    emissions = pd.read_csv(tmp_path / "low" / "emissions.csv", encoding="utf-8-sig")
    expected = emissions[(emissions.year == 2023) & (emissions.pollutant == "co2")].emissions_t.iloc[0]
    assert float(table.loc["CO2 emissions 2023", "low"]) == pytest.approx(expected)
    assert "# Comparison of 2 runs (reference: base)" in (out / "comparison.md").read_text(encoding="utf-8")


def test_compare_rejects_non_run_folder(tmp_path):
    (tmp_path / "x").mkdir()
    result = CliRunner().invoke(main, ["compare", str(tmp_path / "x"), "--out", str(tmp_path / "c")], obj={})
    assert result.exit_code == 3 and "not a planner run folder" in result.output

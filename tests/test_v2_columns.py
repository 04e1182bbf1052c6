"""Every column a v2 run writes (pools, indicators, areas, energy value, re-planning) is declared in planner/io/columns.py."""

from __future__ import annotations

import pandas as pd
from click.testing import CliRunner

from helpers import write_csv, write_dataset
from planner.cli import main
from planner.io import columns
from planner.io.schema import POLLUTANTS


def test_every_v2_column_is_declared(tmp_path):
    baseline = [{"year": y, "gdp_yi_yuan": 100, **{f"{p}_t": 10000 for p in POLLUTANTS}, "energy_tce": 1000,
                 "area": ""} for y in range(2020, 2024)]
    baseline += [{**row, "area": "qz", "gdp_yi_yuan": 10} for row in baseline]
    spec = write_dataset(tmp_path / "case", [
        {"id": "pv", "co2_t_per_yr": 100, "electricity_mwh_per_yr": 5, "area": "qz", "pool": "roofs",
         "energy_tce_per_yr": 3},
        {"id": "scr", "co2_t_per_yr": 50, "capex_wan_yuan": 30}],
        baseline=baseline, extra_toml="[prices]\nelectricity_yuan_per_kwh = 0.5\n[budget.areas]\nqz = 1000\n")
    inputs = tmp_path / "case" / "inputs"
    write_csv(inputs / "targets.csv", [
        {"year": 2023, "pollutant": "co2", "kind": "reduction", "value": 300, "area": ""},
        {"year": 2022, "pollutant": "co2", "kind": "non_increasing", "value": 0, "area": "qz"},
        {"year": 2023, "pollutant": "energy_tce", "kind": "reduction", "value": 3, "area": ""}])
    write_csv(inputs / "pools.csv", [{"pool": "roofs", "unit": "MW", "capacity": 8, "year": ""}])
    write_csv(inputs / "indicators.csv", [{"indicator": "energy_tce", "name": "能源", "unit": "tce", "denominator": ""}])
    write_csv(inputs / "areas.csv", [{"area": "qz", "name": "清镇"}])
    write_csv(inputs / "actuals.csv", [{"measure": "pv", "year": 2021, "units_added": 1}])
    write_csv(inputs / "measure_years.csv", [{"measure": "pv", "year": 2023, "capex_wan_yuan": 8}])
    runner = CliRunner()
    adopted, replan, cmp = tmp_path / "adopted", tmp_path / "replan", tmp_path / "cmp"
    for args, out in ((["run", str(spec)], adopted), (["run", str(spec), "--replan-from", "2022"], replan)):
        result = runner.invoke(main, [*args, "--out", str(out)], obj={})
        assert result.exit_code == 0, result.output
    result = runner.invoke(main, ["compare", "--reference", str(adopted), str(replan), "--out", str(cmp)], obj={})
    assert result.exit_code == 0, result.output
    for name in ("pools.csv", "indicators.csv", "areas.csv"):
        assert (replan / name).is_file(), name
    assert (cmp / "replan_changes.csv").is_file()
    missing = []
    for folder in (adopted, replan, cmp):
        for path in folder.glob("*.csv"):
            header = pd.read_csv(path, encoding="utf-8-sig", nrows=0).columns
            if path.name == "comparison.csv":
                header = header[:2]
            missing += [f"{path.name}: {name}" for name in header if columns.column(path.name, name) is None]
    assert missing == [], "declare these in planner/io/columns.py: " + ", ".join(missing)

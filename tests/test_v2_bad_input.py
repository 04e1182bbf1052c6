"""Model v2 inputs: every broken new file or key is named with file, line, column and the fix (exit 3)."""

from __future__ import annotations

from click.testing import CliRunner

from helpers import write_csv, write_dataset
from planner.cli import main
from planner.io.schema import POLLUTANTS

MEASURES = [{"id": "pv", "co2_t_per_yr": 100}, {"id": "kiln", "co2_t_per_yr": 50, "integer": "true"}]
TARGETS = [{"year": 2022, "pollutant": "co2", "kind": "reduction", "value": 100}]


def validate_error(spec) -> str:
    result = CliRunner().invoke(main, ["validate", str(spec)], obj={})
    assert result.exit_code == 3, result.output
    assert "Traceback" not in result.output
    return result.output


def test_unknown_pool_and_pool_year_without_capacity(tmp_path):
    spec = write_dataset(tmp_path, [{"id": "pv", "co2_t_per_yr": 100, "pool": "roofs"},
                                    {"id": "kiln", "co2_t_per_yr": 50, "pool": "clinker"}], targets=TARGETS)
    write_csv(tmp_path / "inputs" / "pools.csv", [{"pool": "clinker", "unit": "kt", "capacity": 5, "year": 2021},
                                                  {"pool": "clinker", "unit": "kt", "capacity": -1, "year": 2022}])
    output = validate_error(spec)
    assert "line 2, pool: unknown pool 'roofs'; add it to pools.csv" in output
    assert "line 3, capacity: must be a number >= 0 (got '-1')" in output
    assert "pool 'clinker' has no capacity for year(s) 2023; add a row with a blank year" in output


def test_indicator_ids_and_denominator(tmp_path):
    spec = write_dataset(tmp_path, [{"id": "pv", "co2_t_per_yr": 100}], targets=[
        {"year": 2022, "pollutant": "water_m3", "kind": "reduction", "value": 1}])
    write_csv(tmp_path / "inputs" / "indicators.csv", [
        {"indicator": "co2", "name": "x", "unit": "t", "denominator": ""},
        {"indicator": "energy_t", "name": "x", "unit": "t", "denominator": ""},
        {"indicator": "potential", "name": "x", "unit": "t", "denominator": ""},
        {"indicator": "energy_tce", "name": "能源", "unit": "tce", "denominator": "industry_va_yi_yuan"}])
    output = validate_error(spec)
    assert "line 2, indicator: 'co2' is a pollutant" in output
    assert "line 3, indicator: 'energy_t' ends in a reserved suffix" in output
    assert "line 4, indicator: 'potential' is the name of an input column" in output
    # baseline.csv has neither the indicator's column nor its denominator
    assert "column 'energy_tce' (indicator energy_tce, indicators.csv line 5) needs a value" in output
    assert "column 'industry_va_yi_yuan' (indicator energy_tce" in output
    assert "unknown pollutant 'water_m3'; use one of co2, nox, so2, vocs, pm, cod, nh3n, energy_tce" in output


def test_denominator_must_be_positive(tmp_path):
    baseline = [{"year": y, "gdp_yi_yuan": 100, **{f"{p}_t": 1000 for p in POLLUTANTS}, "energy_tce": 500,
                 "va_yi_yuan": 0 if y == 2022 else 50} for y in range(2020, 2024)]
    spec = write_dataset(tmp_path, [{"id": "pv", "energy_tce_per_yr": 1}], targets=TARGETS, baseline=baseline)
    write_csv(tmp_path / "inputs" / "indicators.csv", [
        {"indicator": "energy_tce", "name": "能源", "unit": "tce", "denominator": "va_yi_yuan"}])
    output = validate_error(spec)
    assert "line 4, va_yi_yuan: must be a number > 0 (got '0')" in output


def test_unknown_area_and_area_target_without_baseline(tmp_path):
    spec = write_dataset(tmp_path, [{"id": "pv", "co2_t_per_yr": 100, "area": "qz"}], targets=[],
                         extra_toml="[budget.areas]\nnowhere = 10\n")
    write_csv(tmp_path / "inputs" / "targets.csv", [
        {"year": 2022, "pollutant": "co2", "kind": "cap", "value": 9000, "area": "qz"},
        {"year": 2022, "pollutant": "co2", "kind": "reduction", "value": 10, "area": "mars"}])
    output = validate_error(spec)
    assert ("line 2, area: a cap target for area 'qz' needs that area's baseline: add rows with area = qz "
            "to baseline.csv, or use kind reduction") in output
    assert "line 3, area: unknown area 'mars'" in output
    assert "[budget.areas] names unknown area 'nowhere'" in output


def test_non_increasing_year_and_value(tmp_path):
    spec = write_dataset(tmp_path, MEASURES, targets=[
        {"year": 2023, "pollutant": "co2", "kind": "non_increasing", "value": 0},
        {"year": 2021, "pollutant": "nox", "kind": "non_increasing", "value": -0.1}])
    output = validate_error(spec)
    assert "line 2, year: a non_increasing target's year 2023 must satisfy base_year <= year < end_year" in output
    assert "line 3, value: a non_increasing target's value is the yearly growth allowed, >= 0" in output


def test_actuals_after_replan_from_and_breaking_potential(tmp_path):
    spec = write_dataset(tmp_path, [{"id": "pv", "co2_t_per_yr": 100, "potential": 2},
                                    {"id": "kiln", "co2_t_per_yr": 50, "integer": "true"},
                                    {"id": "a", "group": "g"}, {"id": "b", "group": "g"}], targets=TARGETS,
                         extra_toml="")
    spec.write_text(spec.read_text(encoding="utf-8").replace("discount_rate", "replan_from = 2022\ndiscount_rate"),
                    encoding="utf-8")
    write_csv(tmp_path / "inputs" / "actuals.csv", [
        {"measure": "pv", "year": 2021, "units_added": 3},
        {"measure": "pv", "year": 2022, "units_added": 1},
        {"measure": "kiln", "year": 2021, "units_added": 1.5},
        {"measure": "ghost", "year": 2021, "units_added": 1}])
    output = validate_error(spec)
    assert "line 3, year: year 2022 is not history: actuals must be of years before replan_from 2022" in output
    assert "line 4, units_added: kiln is a whole-unit measure; units_added must be a whole number" in output
    assert "line 5, measure: unknown measure 'ghost'" in output

    write_csv(tmp_path / "inputs" / "actuals.csv", [
        {"measure": "pv", "year": 2021, "units_added": 3},
        {"measure": "a", "year": 2021, "units_added": 1},
        {"measure": "b", "year": 2021, "units_added": 1}])
    output = validate_error(spec)
    assert "actuals of pv (lines 2) make 3 units active in 2021, above its potential 2" in output
    assert "actuals adopt 2 measures of exclusive group 'g' (a, b; lines 3, 4)" in output


def test_replan_from_outside_horizon(tmp_path):
    spec = write_dataset(tmp_path, MEASURES, targets=TARGETS)
    spec.write_text(spec.read_text(encoding="utf-8").replace("discount_rate", "replan_from = 2021\ndiscount_rate"),
                    encoding="utf-8")
    output = validate_error(spec)
    assert "[model] replan_from = 2021 must satisfy start_year < replan_from <= end_year (2021 < Y <= 2023)" in output
    result = CliRunner().invoke(main, ["run", str(write_dataset(tmp_path / "b", MEASURES, targets=TARGETS)),
                                       "--replan-from", "2030", "--out", str(tmp_path / "out")], obj={})
    assert result.exit_code == 3, result.output
    assert "--replan-from 2030 must satisfy start_year < Y <= end_year" in result.output
    assert not (tmp_path / "out").exists()


def test_measure_years_unknown_measure_and_year(tmp_path):
    spec = write_dataset(tmp_path, MEASURES, targets=TARGETS)
    write_csv(tmp_path / "inputs" / "measure_years.csv", [
        {"measure": "pv", "year": 2030, "capex_wan_yuan": 1},
        {"measure": "wind", "year": 2022, "capex_wan_yuan": 1},
        {"measure": "pv", "year": 2022, "capex_wan_yuan": -5}])
    output = validate_error(spec)
    assert "line 2, year: year 2030 is outside the model horizon 2021..2023" in output
    assert "line 3, measure: unknown measure 'wind'; use an id of measures.csv" in output
    assert "line 4, capex_wan_yuan: must be a number >= 0 (got '-5')" in output


def test_replan_without_actuals_warns(tmp_path):
    spec = write_dataset(tmp_path, MEASURES, targets=[{"year": 2023, "pollutant": "co2", "kind": "reduction",
                                                       "value": 100}])
    result = CliRunner().invoke(main, ["run", str(spec), "--replan-from", "2022", "--out", str(tmp_path / "out")],
                                obj={})
    assert result.exit_code == 0, result.output
    assert "replan_from 2022 with no actuals.csv: the history before 2022 is fixed at zero units added" in result.output


def test_actuals_breaking_a_pool_name_the_rows_and_the_fix(tmp_path):
    """Pool kiln, capacity 3 kt; a takes 2 kt a unit, b 1. Actuals of 2021: 1 a and 2 b, active in 2021
    and 2022 (life 10): 2 + 2 = 4 kt > 3 in both history years (replan_from 2023)."""
    spec = write_dataset(tmp_path, [{"id": "a", "co2_t_per_yr": 100, "pool": "kiln", "pool_use": 2},
                                    {"id": "b", "co2_t_per_yr": 100, "pool": "kiln"}], targets=TARGETS)
    spec.write_text(spec.read_text(encoding="utf-8").replace("discount_rate", "replan_from = 2023\ndiscount_rate"),
                    encoding="utf-8")
    write_csv(tmp_path / "inputs" / "pools.csv", [{"pool": "kiln", "unit": "kt", "capacity": 3, "year": ""}])
    write_csv(tmp_path / "inputs" / "actuals.csv", [{"measure": "a", "year": 2021, "units_added": 1},
                                                     {"measure": "b", "year": 2021, "units_added": 2}])
    output = validate_error(spec)
    for year in (2021, 2022):
        assert f"use 4 kt of pool kiln in {year}, above its capacity 3; correct the actuals or pools.csv" in output
    assert "actuals.csv" in output

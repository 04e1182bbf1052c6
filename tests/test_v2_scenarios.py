"""Scenarios set the v2 keys and files: prices, replan_from, budget.areas, actuals_file, baseline_file."""

from __future__ import annotations

import json

import pytest

from helpers import write_csv, write_dataset
from planner.io.schema import POLLUTANTS
from planner.pipeline.run import run

# From tests/test_v2_hand_solved.py: led (1.5 万元/unit-yr, 10 MWh) vs gas (1.0); m with 3 history units.
SCENARIOS = """
[scenarios.priced]
prices = { electricity_yuan_per_kwh = 1.0 }

[scenarios.replanned]
model = { replan_from = 2022 }
actuals_file = "actuals_alt.csv"

[scenarios.area_budget]
budget = { areas = { qz = 10 } }

[scenarios.other_baseline]
baseline_file = "baseline_alt.csv"
"""


def _spec(tmp_path):
    spec = write_dataset(tmp_path, [
        {"id": "led", "opex_wan_yuan_per_yr": 0.5, "electricity_mwh_per_yr": 10, "co2_t_per_yr": 100, "area": "qz"},
        {"id": "gas", "co2_t_per_yr": 100, "area": "qz"},
        {"id": "far", "capex_wan_yuan": 30, "co2_t_per_yr": 100}],
        targets=[{"year": 2023, "pollutant": "co2", "kind": "reduction", "value": 300}], extra_toml=SCENARIOS)
    write_csv(tmp_path / "actuals_alt.csv", [{"measure": "gas", "year": 2021, "units_added": 3}])
    write_csv(tmp_path / "baseline_alt.csv", [{"year": y, "gdp_yi_yuan": 100, **{f"{p}_t": 10000 for p in POLLUTANTS}}
                                              for y in range(2020, 2024)])
    return spec


def test_scenarios_set_the_v2_keys(tmp_path):
    """Base: 3 gas in 2023 = 3. priced: led costs 0.5 => 1.5. replanned: the 3 gas of 2021 (actuals_alt.csv)
    cover 2023, objective 3 units x 3 years = 9. area_budget: qz (led, gas) may invest 10 a year, one
    unit: gas in 2023 (1) and in 2022 (2 for two years); the third unit costs 3 either way (gas in 2021
    or far, outside qz, in 2023), so the optimum is 1 + 2 + 3 = 6 (the portfolio is not unique).
    other_baseline: the same flat baseline read from another file => 3.
    """
    spec = _spec(tmp_path)
    assert run(spec, write=False).solution.objective_wan_yuan == pytest.approx(3.0)
    priced = run(spec, scenario="priced", out_dir=tmp_path / "priced")
    assert priced.solution.objective_wan_yuan == pytest.approx(1.5)
    summary = json.loads((tmp_path / "priced" / "summary.json").read_text(encoding="utf-8"))
    assert summary["prices"]["electricity_yuan_per_kwh"] == 1.0
    replanned = run(spec, scenario="replanned", write=False)
    assert replanned.spec.replan_from == 2022
    assert replanned.solution.objective_wan_yuan == pytest.approx(9.0)
    assert "actuals.csv" in replanned.data.input_sha256
    area = run(spec, scenario="area_budget", write=False)
    assert area.spec.budget_areas_wan_yuan == {"qz": 10.0}
    assert area.solution.objective_wan_yuan == pytest.approx(6.0)
    other = run(spec, scenario="other_baseline", write=False)
    assert other.spec.baseline_file.name == "baseline_alt.csv"
    assert other.solution.objective_wan_yuan == pytest.approx(3.0)


def test_diagnosis_names_a_pool_too_small_and_an_area_budget(tmp_path):
    """a and b share pool kiln (capacity 3 units); 500 t in 2023 needs 5 units of 100 t: infeasible.
    Screening caps the pool's reach at 3 x 100 = 300 t; the conflict names the pool. Then an area
    budget of 5 万元 a year for qz, whose only measure costs 10 a unit, against a qz target of 100 t in
    2021: one unit (10 万元) is needed in 2021 but the area may invest 5; screening and the conflict
    both name the area budget."""
    from click.testing import CliRunner

    from planner.cli import main

    spec = write_dataset(tmp_path / "pool", [{"id": "a", "co2_t_per_yr": 100, "pool": "kiln"},
                                             {"id": "b", "co2_t_per_yr": 100, "pool": "kiln"}],
                         targets=[{"year": 2023, "pollutant": "co2", "kind": "reduction", "value": 500}])
    write_csv(tmp_path / "pool" / "inputs" / "pools.csv", [{"pool": "kiln", "unit": "kt", "capacity": 3, "year": ""}])
    result = CliRunner().invoke(main, ["run", str(spec), "--out", str(tmp_path / "out1")], obj={})
    assert result.exit_code == 4, result.output
    assert "can reach at most 300.0 in 2023" in result.output
    assert "held down by pool kiln (3 kt), too small" in result.output
    assert "pool kiln in 2023: 3 kt" in result.output
    assert ("relax CO2 reduction >= 500 t in 2023 (targets.csv line 2) by at least 200.0 t abated, or raise the "
            "capacity of pool kiln (3 kt) in pools.csv for 2023") in result.output

    spec = write_dataset(tmp_path / "area", [{"id": "a", "co2_t_per_yr": 100, "area": "qz"}],
                         extra_toml="[budget.areas]\nqz = 5\n")
    write_csv(tmp_path / "area" / "inputs" / "targets.csv", [
        {"year": 2021, "pollutant": "co2", "kind": "reduction", "value": 100, "area": "qz"}])
    result = CliRunner().invoke(main, ["run", str(spec), "--out", str(tmp_path / "out2")], obj={})
    assert result.exit_code == 4, result.output
    assert "the area budgets of qz of 2021-2021 allow 5" in result.output
    assert "area budget of qz in 2021: 5 万元" in result.output
    assert ("raise the area budget of qz ([budget.areas] in the model spec) by at least 5 万元 a year "
            "(from 5 to 10; 5 万元 more over 2021-2021)") in result.output


def test_diagnosis_says_a_peak_cannot_hold(tmp_path):
    """BAU CO2 10,000 t in 2020-2022 and 10,300 t in 2023; 2022 non_increasing 0 binds in 2023:
    E_2023 <= E_2022, so abatement must rise by 300 t from 2022 to 2023. The only measure abates 100 t
    a unit and may be added 1 a year: the growth from 2022 to 2023 is at most the one unit added in
    2023, 100 t, whatever the budget (3 units active in 2023 do not help: 2 were active in 2022).
    Short by 300 - 100 = 200 t; the fix allows 200 t more growth or a later peak."""
    from click.testing import CliRunner

    from planner.cli import main
    from planner.io.schema import POLLUTANTS

    rows = [{"year": y, "gdp_yi_yuan": 100, **{f"{p}_t": 10000 for p in POLLUTANTS}} for y in range(2020, 2024)]
    rows[-1]["co2_t"] = 10300
    spec = write_dataset(tmp_path, [{"id": "a", "co2_t_per_yr": 100, "potential": 100, "max_add_per_yr": 1}],
                         baseline=rows,
                         targets=[{"year": 2022, "pollutant": "co2", "kind": "non_increasing", "value": 0}])
    result = CliRunner().invoke(main, ["run", str(spec), "--out", str(tmp_path / "out")], obj={})
    assert result.exit_code == 4, result.output
    assert ("CO2 peak (at most +0 % on 2022) in 2023 (targets.csv line 2) cannot hold: BAU grows so that abatement "
            "must rise by 300.0 t from 2022 to 2023, but its measures can add at most 100.0 in that year") \
        in result.output
    assert "short by 200.0." in result.output
    assert "allow more growth in CO2 peak (at most +0 % on 2022) in 2023 (targets.csv line 2) (about 200.0 t more " \
           "in 2023), move the peak year later" in result.output


def test_budget_sweep_of_a_replan(tmp_path):
    """A sweep re-solves one model with new yearly budgets: with replan_from the history years have no
    budget row, so the sweep changes only the planned years' rows (it used to stop on them)."""
    from click.testing import CliRunner

    from planner.cli import main

    spec = _spec(tmp_path)
    text = spec.read_text(encoding="utf-8").replace("discount_rate", "replan_from = 2022\ndiscount_rate")
    spec.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(main, ["sweep", str(spec), "--budget", "10:30:10", "--out", str(tmp_path / "sw")],
                                obj={})
    assert result.exit_code == 0, result.output
    import pandas as pd

    sweep = pd.read_csv(tmp_path / "sw" / "sweep.csv", encoding="utf-8-sig")
    assert len(sweep) == 3 and (sweep["status"] == "optimal").all()


def test_targets_scale_divides_a_peaks_allowed_growth(tmp_path):
    """BAU CO2 10,000 t in 2020-2022 and 11,000 t in 2023; 2022 non_increasing 0.1 binds in 2023:
    E_2023 <= 1.1 E_2022. With nothing built in 2022, E_2022 = 10,000 and the limit 11,000 = BAU:
    no measure needed, objective 0. targets_scale = 2 allows 0.1 / 2 = 0.05: A_2023 - 1.05 A_2022 >=
    11,000 - 10,500 = 500 t; m abates 100 t a unit at 1 万元 a unit-year (capex 10, life 10, r = 0),
    cheapest added in 2023 only: 5 units, objective 5. targets.csv's required is the allowed level
    1.05 x 10,000 = 10,500 t. A flat peak (v = 0) stays flat whatever the scale."""
    rows = [{"year": y, "gdp_yi_yuan": 100, **{f"{p}_t": 10000 for p in POLLUTANTS}} for y in range(2020, 2024)]
    rows[-1]["co2_t"] = 11000
    spec = write_dataset(tmp_path, [{"id": "m", "co2_t_per_yr": 100}], baseline=rows,
                         targets=[{"year": 2022, "pollutant": "co2", "kind": "non_increasing", "value": 0.1}],
                         extra_toml="[scenarios.stricter]\ntargets_scale = 2.0\n")
    assert run(spec, write=False).solution.objective_wan_yuan == pytest.approx(0.0)
    stricter = run(spec, scenario="stricter", write=False)
    assert stricter.solution.objective_wan_yuan == pytest.approx(5.0)
    row = stricter.tables.targets.query("kind == 'non_increasing'").iloc[0]
    assert row["value"] == pytest.approx(0.05) and row["required"] == pytest.approx(10_500)
    import dataclasses

    from planner.io.inputs import scaled_target_value

    peak = next(t for t in stricter.data.targets if t.kind == "non_increasing")
    assert scaled_target_value(dataclasses.replace(peak, value=0.0), 2.0, 0.0) == 0.0

"""Model v2: one tiny instance per extension, its optimum and portfolio worked out by hand.

As in test_hand_solved.py: no discounting (CRF = 1/L), base year 2020, years 2021-2023, flat
baseline of 10,000 t per pollutant and GDP 100 亿元; a measure with capex 10 万元 and a 10-year
life costs 10/10 = 1 万元 per active unit per year (opex 0 unless given).
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from helpers import active, added, solve_spec, write_csv, write_dataset
from planner.io.schema import POLLUTANTS
from planner.pipeline.run import run


def baseline_rows(**extra):
    """Flat baseline 2020-2023; ``extra`` maps a column to a value or a {year: value} dict."""
    rows = []
    for year in range(2020, 2024):
        row = {"year": year, "gdp_yi_yuan": 100, **{f"{p}_t": 10000 for p in POLLUTANTS}}
        for column, value in extra.items():
            row[column] = value[year] if isinstance(value, dict) else value
        rows.append(row)
    return rows


def test_measure_years_capex_and_abatement_of_the_year(tmp_path):
    """pv: capex 10, co2 100 t per unit; measure_years gives 2023 capex 4 and co2 50 t.

    Target: 200 t in 2023. Units active in 2023 abate 50 t whatever their vintage, so 4 units are
    needed. Added in 2023 each costs 4 x CRF = 0.4 万元 (one year in the horizon); added in 2022
    it would cost 10/10 x 2 years = 2. So 4 units in 2023, objective 4 x 0.4 = 1.6, and plan.csv's
    capex in 2023 is 4 x 4 = 16 万元 (the budget row of 2023 sees the same 16 <= 16).
    """
    spec = write_dataset(tmp_path, [{"id": "pv", "co2_t_per_yr": 100}],
                         targets=[{"year": 2023, "pollutant": "co2", "kind": "reduction", "value": 200}], budget=16)
    write_csv(tmp_path / "inputs" / "measure_years.csv",
              [{"measure": "pv", "year": 2023, "capex_wan_yuan": 4, "co2_t_per_yr": 50}])
    planning, solution, tables = solve_spec(spec)
    assert solution.status == "optimal"
    assert solution.objective_wan_yuan == pytest.approx(1.6)
    assert added(planning, solution, "pv") == {2023: pytest.approx(4)}
    row = tables.plan.set_index("year").loc[2023]
    assert row["capex_wan_yuan"] == pytest.approx(16)
    assert row["co2_abated_t"] == pytest.approx(200)
    assert row["annualised_cost_wan_yuan"] == pytest.approx(1.6)


def test_measure_years_opex_applies_to_active_units(tmp_path):
    """Two measures of 100 t each; a: capex 10 (1 万元/unit-yr), opex 0 but 2 in 2023 (measure_years);
    b: capex 20 (2 万元/unit-yr). Target 100 t in 2023: a costs 1 + 2 = 3 in 2023, b costs 2 => b, objective 2.
    Without the 2023 row a would win at 1.
    """
    spec = write_dataset(tmp_path, [{"id": "a", "co2_t_per_yr": 100},
                                    {"id": "b", "capex_wan_yuan": 20, "co2_t_per_yr": 100}],
                         targets=[{"year": 2023, "pollutant": "co2", "kind": "reduction", "value": 100}])
    assert solve_spec(spec)[1].objective_wan_yuan == pytest.approx(1.0)
    write_csv(tmp_path / "inputs" / "measure_years.csv",
              [{"measure": "a", "year": 2023, "opex_wan_yuan_per_yr": 2}], header=["measure", "year",
                                                                                     "opex_wan_yuan_per_yr"])
    planning, solution, _ = solve_spec(spec)
    assert solution.objective_wan_yuan == pytest.approx(2.0)
    assert added(planning, solution, "b") == {2023: pytest.approx(1)}
    assert added(planning, solution, "a") == {}


def test_energy_value_changes_the_choice(tmp_path):
    """led: capex 10 (1 万元/unit-yr) + opex 0.5, saves 10 MWh/yr; gas: capex 10, opex 0. Both 100 t.
    Target 300 t in 2023. Without prices: gas 1.0 < led 1.5 per unit-yr => 3 gas, objective 3.
    With 1 元/kWh: energy value 0.1 x 1 x 10 = 1 万元/unit-yr, led costs 1 + 0.5 - 1 = 0.5 => 3 led,
    objective 1.5; plan.csv: opex 1.5, energy value 3, opex net -1.5.
    """
    measures = [{"id": "led", "opex_wan_yuan_per_yr": 0.5, "electricity_mwh_per_yr": 10, "co2_t_per_yr": 100},
                {"id": "gas", "co2_t_per_yr": 100}]
    targets = [{"year": 2023, "pollutant": "co2", "kind": "reduction", "value": 300}]
    plain = write_dataset(tmp_path / "plain", measures, targets=targets)
    planning, solution, _ = solve_spec(plain)
    assert solution.objective_wan_yuan == pytest.approx(3.0)
    assert added(planning, solution, "gas") == {2023: pytest.approx(3)}

    priced = write_dataset(tmp_path / "priced", measures, targets=targets,
                           extra_toml="[prices]\nelectricity_yuan_per_kwh = 1.0\n")
    outcome = run(priced, out_dir=tmp_path / "out")
    assert outcome.solution.objective_wan_yuan == pytest.approx(1.5)
    assert added(outcome.planning, outcome.solution, "led") == {2023: pytest.approx(3)}
    plan = pd.read_csv(tmp_path / "out" / "plan.csv").set_index("measure").loc["led"]
    assert plan["opex_wan_yuan"] == pytest.approx(1.5)
    assert plan["energy_value_wan_yuan"] == pytest.approx(3.0)
    assert plan["opex_net_of_energy_value_wan_yuan"] == pytest.approx(-1.5)
    summary = json.loads((tmp_path / "out" / "summary.json").read_text(encoding="utf-8"))
    assert summary["prices"] == {"electricity_yuan_per_kwh": 1.0, "gas_yuan_per_m3": 0.0}


def test_pool_limits_measures_on_one_stock(tmp_path):
    """Pool kiln: capacity 100 in every year but 6 in 2023 (a row with a year overrides the blank row).
    a: 1 万元/unit-yr, takes 2 pool units; b: 2 万元/unit-yr, takes 1; c: 5 万元/unit-yr, no pool. All 100 t.
    Target 600 t in 2023: n_a + n_b + n_c = 6 with 2 n_a + n_b <= 6. n_c = 0 forces n_a = 0, n_b = 6:
    cost 12; every unit of c (5) replacing a b frees 1 pool unit worth at most half an a... e.g. n_a=1,
    n_b=4, n_c=1 costs 14. Optimum 6 b, objective 12. One more pool unit: n_a=1, n_b=5 costs 11, so the
    pool's shadow price is 1 万元 = 10,000 元 per pool unit.
    """
    spec = write_dataset(tmp_path, [
        {"id": "a", "co2_t_per_yr": 100, "pool": "kiln", "pool_use": 2},
        {"id": "b", "capex_wan_yuan": 20, "co2_t_per_yr": 100, "pool": "kiln"},
        {"id": "c", "capex_wan_yuan": 50, "co2_t_per_yr": 100},
    ], targets=[{"year": 2023, "pollutant": "co2", "kind": "reduction", "value": 600}])
    write_csv(tmp_path / "inputs" / "pools.csv", [
        {"pool": "kiln", "unit": "kt clinker", "capacity": 100, "year": ""},
        {"pool": "kiln", "unit": "kt clinker", "capacity": 6, "year": 2023}])
    outcome = run(spec, out_dir=tmp_path / "out")
    assert outcome.solution.objective_wan_yuan == pytest.approx(12.0)
    assert added(outcome.planning, outcome.solution, "b") == {2023: pytest.approx(6)}
    pools = pd.read_csv(tmp_path / "out" / "pools.csv").set_index("year")
    assert list(pools.columns) == ["pool", "used", "capacity", "unit", "binding", "shadow_price_yuan_per_unit"]
    assert pools.loc[2023, "used"] == pytest.approx(6) and pools.loc[2023, "capacity"] == 6
    assert bool(pools.loc[2023, "binding"]) and not bool(pools.loc[2022, "binding"])
    assert pools.loc[2023, "shadow_price_yuan_per_unit"] == pytest.approx(10000)
    assert (pools["used"] <= pools["capacity"] + 1e-6).all()


def test_indicator_intensity_uses_its_denominator(tmp_path):
    """Indicator energy_tce (tce), denominator industry_va_yi_yuan: 50 in 2020-2022, 60 in 2023; BAU 1000 tce.
    Target 2023 energy_tce intensity_reduction 0.25: level/60 <= 0.75 x 1000/50 = 15 => level <= 900,
    abated >= 100 tce. eff saves 20 tce per unit at 1 万元/unit-yr => 5 units in 2023, objective 5.
    (With GDP, flat, it would need 250 tce: 12.5 units, above the potential of 10.)
    """
    spec = write_dataset(tmp_path, [{"id": "eff", "energy_tce_per_yr": 20}],
                         targets=[{"year": 2023, "pollutant": "energy_tce", "kind": "intensity_reduction",
                                   "value": 0.25}],
                         baseline=baseline_rows(energy_tce=1000, industry_va_yi_yuan={2020: 50, 2021: 50, 2022: 50,
                                                                                      2023: 60}))
    write_csv(tmp_path / "inputs" / "indicators.csv", [
        {"indicator": "energy_tce", "name": "能源消费量", "unit": "tce", "denominator": "industry_va_yi_yuan"}])
    outcome = run(spec, out_dir=tmp_path / "out")
    assert outcome.solution.objective_wan_yuan == pytest.approx(5.0)
    assert added(outcome.planning, outcome.solution, "eff") == {2023: pytest.approx(5)}
    indicators = pd.read_csv(tmp_path / "out" / "indicators.csv").set_index("year")
    assert indicators.loc[2023, "abated"] == pytest.approx(100)
    assert indicators.loc[2023, "level"] == pytest.approx(900)
    assert indicators.loc[2023, "intensity"] == pytest.approx(15)
    assert indicators.loc[2023, "unit"] == "tce"
    target = pd.read_csv(tmp_path / "out" / "targets.csv").iloc[0]
    assert target["quantity_unit"] == "tce" and target["unit"] == "fraction"
    assert target["required"] == pytest.approx(100) and bool(target["met"])
    assert np.isnan(target["emission_limit_t"]), "a tce row is never read as tonnes of a pollutant"
    emissions = pd.read_csv(tmp_path / "out" / "emissions.csv")
    assert set(emissions["pollutant"]) == set(POLLUTANTS)


def test_non_increasing_peak(tmp_path):
    """BAU CO2 10,000 (2020, 2021), 10,500 (2022), 11,000 (2023). Target `2021,co2,non_increasing,0`:
    E_2022 <= E_2021 and E_2023 <= E_2022. Nothing is gained by abating in 2021 (it lowers E_2021 and
    tightens the next row), so A_2021 = 0, A_2022 >= 500 (5 units), A_2023 - A_2022 >= 500 => A_2023 >= 1000
    (10 units). Units at 1 万元/unit-yr: added 5 in 2022 and 5 in 2023; objective 5 + 10 = 15.
    targets.csv: rows for 2022 and 2023, required = allowed level E_{t-1} = 10,000 both, achieved 10,000.
    """
    co2 = {2020: 10000, 2021: 10000, 2022: 10500, 2023: 11000}
    spec = write_dataset(tmp_path, [{"id": "m", "co2_t_per_yr": 100, "potential": 20}],
                         targets=[{"year": 2021, "pollutant": "co2", "kind": "non_increasing", "value": 0}],
                         baseline=baseline_rows(co2_t=co2))
    planning, solution, tables = solve_spec(spec)
    assert solution.objective_wan_yuan == pytest.approx(15.0)
    assert added(planning, solution, "m") == {2022: pytest.approx(5), 2023: pytest.approx(5)}
    rows = tables.targets.set_index("year")
    assert list(rows.index) == [2022, 2023]
    assert rows["required"].tolist() == pytest.approx([10000, 10000])
    assert rows["achieved"].tolist() == pytest.approx([10000, 10000])
    assert rows["met"].all()


def test_non_increasing_with_growth_from_the_base_year(tmp_path):
    """Same BAU, `2020,co2,non_increasing,0.02`: rows for 2021, 2022, 2023.
    2021: E_2021 <= 1.02 x BAU_2020 = 10,200 holds without measures. 2022: A_2022 - 1.02 A_2021 >= 10,500 -
    10,200 = 300. 2023: A_2023 - 1.02 A_2022 >= 11,000 - 10,710 = 290. Cheapest: A_2021 = 0, A_2022 = 300,
    A_2023 = 290 + 306 = 596 (all at 1 万元 per 100 t-yr): objective 3 + 5.96 = 8.96.
    """
    co2 = {2020: 10000, 2021: 10000, 2022: 10500, 2023: 11000}
    spec = write_dataset(tmp_path, [{"id": "m", "co2_t_per_yr": 100, "potential": 20}],
                         targets=[{"year": 2020, "pollutant": "co2", "kind": "non_increasing", "value": 0.02}],
                         baseline=baseline_rows(co2_t=co2))
    planning, solution, tables = solve_spec(spec)
    assert solution.objective_wan_yuan == pytest.approx(8.96)
    assert active(planning, solution, "m") == {2022: pytest.approx(3), 2023: pytest.approx(5.96)}
    assert tables.targets["year"].tolist() == [2021, 2022, 2023]
    assert tables.targets.set_index("year").loc[2023, "required"] == pytest.approx(1.02 * 10200)


def test_areas_budget_and_area_target(tmp_path):
    """a1 (qz, 1 万元/unit-yr, capex 10), a2 (qz, capex 30), b1 (ky, capex 15: 1.5 万元/unit-yr). All 100 t.
    Targets 2023: qz reduction 300 t, city reduction 500 t. [budget.areas] qz = 20 万元 a year.
    qz needs 3 units active in 2023; its budget allows 2 a1 a year. Cheapest: 2 a1 in 2023 (1 each) and
    1 a1 in 2022 (2 for two years) = 4; a2 costs 3 and 30 of budget. The city's other 2 units: b1 in 2023
    at 1.5 each = 3 (a1 in 2022 would cost 2). Objective 7. Without the area budget: 5 a1 in 2023 = 5.
    """
    spec = write_dataset(tmp_path, [
        {"id": "a1", "co2_t_per_yr": 100, "area": "qz"},
        {"id": "a2", "capex_wan_yuan": 30, "co2_t_per_yr": 100, "area": "qz"},
        {"id": "b1", "capex_wan_yuan": 15, "co2_t_per_yr": 100, "area": "ky"},
    ], extra_toml="[budget.areas]\nqz = 20\n")
    write_csv(tmp_path / "inputs" / "targets.csv", [
        {"year": 2023, "pollutant": "co2", "kind": "reduction", "value": 300, "area": "qz"},
        {"year": 2023, "pollutant": "co2", "kind": "reduction", "value": 500, "area": ""}])
    write_csv(tmp_path / "inputs" / "areas.csv", [{"area": "qz", "name": "清镇"}, {"area": "ky", "name": "开阳"}])
    outcome = run(spec, out_dir=tmp_path / "out")
    planning, solution = outcome.planning, outcome.solution
    assert solution.objective_wan_yuan == pytest.approx(7.0)
    assert added(planning, solution, "a1") == {2022: pytest.approx(1), 2023: pytest.approx(2)}
    assert added(planning, solution, "b1") == {2023: pytest.approx(2)}
    assert added(planning, solution, "a2") == {}
    plan = pd.read_csv(tmp_path / "out" / "plan.csv", keep_default_na=False)
    assert set(zip(plan["measure"], plan["area"])) == {("a1", "qz"), ("b1", "ky")}
    areas = pd.read_csv(tmp_path / "out" / "areas.csv")
    qz = areas[areas["area"] == "qz"].set_index("year")
    assert qz.loc[2023, "name"] == "清镇" and qz.loc[2023, "co2_abated_t"] == pytest.approx(300)
    assert (qz["capex_wan_yuan"] <= qz["budget_wan_yuan"] + 1e-6).all()
    assert qz.loc[2023, "capex_wan_yuan"] == pytest.approx(20)


def test_replan_from_fixes_history(tmp_path):
    """m: capex 10 (1 万元/unit-yr), at most 2 added a year; n: capex 20. Both 100 t. Budget 20 a year.
    actuals.csv: 3 units of m in 2021 (above the ramp and the budget: history is what it was).
    replan_from 2022. Targets: 2021 reduction 1,000 t (history: reported, missed, not enforced) and
    2023 reduction 700 t. The 3 history units are active in 2023; 4 more needed. 2023: 2 m (ramp and
    budget) at 1 each; 2022: 2 m at 2 each (n would cost 4 a unit). Planned 6 + history 3 units x 3 yr
    = 9: objective 15.
    """
    spec = write_dataset(tmp_path, [
        {"id": "m", "co2_t_per_yr": 100, "max_add_per_yr": 2},
        {"id": "n", "capex_wan_yuan": 20, "co2_t_per_yr": 100},
    ], targets=[{"year": 2021, "pollutant": "co2", "kind": "reduction", "value": 1000},
                {"year": 2023, "pollutant": "co2", "kind": "reduction", "value": 700}], budget=20)
    write_csv(tmp_path / "inputs" / "actuals.csv", [{"measure": "m", "year": 2021, "units_added": 3}])
    outcome = run(spec, out_dir=tmp_path / "plain", write=False)
    assert outcome.solution.objective_wan_yuan != pytest.approx(15.0)
    assert any("actuals.csv is not used" in w for w in outcome.data.warnings)

    text = spec.read_text(encoding="utf-8").replace("discount_rate", "replan_from = 2022\ndiscount_rate")
    spec.write_text(text, encoding="utf-8")
    outcome = run(spec, out_dir=tmp_path / "out")
    planning, solution = outcome.planning, outcome.solution
    assert solution.objective_wan_yuan == pytest.approx(15.0)
    assert added(planning, solution, "m") == {2021: pytest.approx(3), 2022: pytest.approx(2), 2023: pytest.approx(2)}
    assert added(planning, solution, "n") == {}
    targets = pd.read_csv(tmp_path / "out" / "targets.csv").set_index("year")
    assert not targets.loc[2021, "enforced"] and not targets.loc[2021, "met"]
    assert targets.loc[2021, "achieved"] == pytest.approx(300)
    assert targets.loc[2023, "enforced"] and targets.loc[2023, "met"]
    summary = json.loads((tmp_path / "out" / "summary.json").read_text(encoding="utf-8"))
    assert summary["replan_from"] == 2022 and len(summary["actuals_sha256"]) == 64
    assert summary["targets_met"] is True
    plan = pd.read_csv(tmp_path / "out" / "plan.csv")
    assert plan.loc[plan["year"] == 2021, "history"].all() and not plan.loc[plan["year"] > 2021, "history"].any()


def test_compare_replan_against_adopted_plan(tmp_path):
    """m: 1 万元/unit-yr (capex 10), at most 2 added a year; n: capex 25 (2.5 万元/unit-yr). Budget 30 a year.
    Target 700 t (7 units active) in 2023. Cost per unit by year added: m 2023 1, m 2022 2, n 2023 2.5,
    m 2021 3, n 2022 5, n 2021 7.5. Adopted plan: m 2 a year (2021-2023) and n with the budget left (10
    a year = 0.4 unit): 0.4 in 2023, 0.4 in 2022, 0.2 in 2021. Objective 2 + 4 + 6 + 1 + 2 + 1.5 = 16.5.
    Re-plan from 2022 with 3 m really built in 2021: 4 more units, m 2 in 2022 and 2 in 2023; objective
    9 (history) + 4 + 2 = 15. From 2022 on the re-plan drops n in 2022 and 2023; m is unchanged.
    """
    measures = [{"id": "m", "co2_t_per_yr": 100, "max_add_per_yr": 2},
                {"id": "n", "capex_wan_yuan": 25, "co2_t_per_yr": 100}]
    targets = [{"year": 2023, "pollutant": "co2", "kind": "reduction", "value": 700}]
    spec = write_dataset(tmp_path, measures, targets=targets, budget=30)
    write_csv(tmp_path / "inputs" / "actuals.csv", [{"measure": "m", "year": 2021, "units_added": 3}])
    from click.testing import CliRunner

    from planner.cli import main

    runner = CliRunner()
    result = runner.invoke(main, ["run", str(spec), "--out", str(tmp_path / "adopted")], obj={})
    assert result.exit_code == 0, result.output
    assert json.loads((tmp_path / "adopted" / "summary.json").read_text())["objective"] == pytest.approx(16.5)
    result = runner.invoke(main, ["run", str(spec), "--replan-from", "2022", "--out", str(tmp_path / "replan")],
                           obj={})
    assert result.exit_code == 0, result.output
    assert json.loads((tmp_path / "replan" / "summary.json").read_text())["objective"] == pytest.approx(15)
    assert "history 已建 (actuals, 2021-2021)" in result.output and "plan 规划 (re-planned from 2022)" in result.output
    result = runner.invoke(main, ["compare", "--reference", str(tmp_path / "adopted"), str(tmp_path / "replan"),
                                  "--out", str(tmp_path / "cmp")], obj={})
    assert result.exit_code == 0, result.output
    assert "replan re-plans from 2022: 2 measure-years differ from adopted" in result.output
    changes = pd.read_csv(tmp_path / "cmp" / "replan_changes.csv")
    assert [(r.measure, r.year, r.change) for r in changes.itertuples()] == [("n", 2022, "dropped"),
                                                                             ("n", 2023, "dropped")]
    assert changes["added_reference"].tolist() == pytest.approx([0.4, 0.4])


def test_cost_effectiveness_has_a_row_per_year_whose_figures_change(tmp_path):
    """pv: capex 10, life 10, r = 0 (1 万元 a unit-year), 100 t CO2; measure_years gives 2023 capex 4
    and 50 t. cost_effectiveness.csv: 2021 (start_year) 1 万元 / 100 t = 100 元/t; 2022 has the same
    figures, no row; 2023 0.4 万元 / 50 t = 80 元/t, figures_year 2023. Unchanged measure b: one row."""
    spec = write_dataset(tmp_path, [{"id": "pv", "co2_t_per_yr": 100}, {"id": "b", "co2_t_per_yr": 10}],
                         targets=[{"year": 2023, "pollutant": "co2", "kind": "reduction", "value": 200}])
    write_csv(tmp_path / "inputs" / "measure_years.csv",
              [{"measure": "pv", "year": 2023, "capex_wan_yuan": 4, "co2_t_per_yr": 50}])
    run(spec, out_dir=tmp_path / "out")
    table = pd.read_csv(tmp_path / "out" / "cost_effectiveness.csv", encoding="utf-8-sig")
    assert list(zip(table["measure"], table["figures_year"])) == [("pv", 2021), ("b", 2021), ("pv", 2023)]
    assert table["co2_yuan_per_t"].tolist() == pytest.approx([100.0, 1000.0, 80.0])
    assert table["annualised_cost_wan_yuan_per_unit_yr"].tolist() == pytest.approx([1.0, 1.0, 0.4])

"""Tiny instances whose optimum and portfolio are worked out by hand, one per constraint kind.

Unless a test says otherwise: no discounting (CRF = 1/L), base year 2020, flat baseline of
10,000 t per pollutant and GDP 100 亿元, and a measure with capex 10 万元 and a 10-year life costs
10/10 = 1 万元 per active unit per year.
"""

from __future__ import annotations

import pytest

from helpers import active, added, solve_spec, write_dataset
from planner.model.finance import capital_recovery_factor

import numpy as np


def test_reduction_target_cheapest_first(tmp_path):
    # cheap: 1 万元/unit-yr for 100 t; dear: 3+1 = 4 万元 for 200 t. 700 t in 2023 => 5 cheap + 1 dear, all in 2023.
    spec = write_dataset(tmp_path, [
        {"id": "cheap", "potential": 5, "co2_t_per_yr": 100},
        {"id": "dear", "capex_wan_yuan": 30, "opex_wan_yuan_per_yr": 1, "co2_t_per_yr": 200},
    ], targets=[{"year": 2023, "pollutant": "co2", "kind": "reduction", "value": 700}], budget=100)
    planning, solution, _ = solve_spec(spec)
    assert solution.status == "optimal"
    assert solution.objective_wan_yuan == pytest.approx(9.0)
    assert added(planning, solution, "cheap") == {2023: pytest.approx(5)}
    assert added(planning, solution, "dear") == {2023: pytest.approx(1)}


def test_lifetime_expiry_forces_a_second_unit(tmp_path):
    # Life 2, capex 20 => 10 万元 per active unit-yr. Targets in 2021 and 2024: the 2021 unit is active in
    # 2021-2022 and has expired by 2024, so a second unit is added in 2024. Objective 3 unit-years = 30.
    spec = write_dataset(tmp_path, [
        {"id": "short", "capex_wan_yuan": 20, "lifetime_yr": 2, "co2_t_per_yr": 100},
    ], targets=[{"year": 2021, "pollutant": "co2", "kind": "reduction", "value": 100},
                {"year": 2024, "pollutant": "co2", "kind": "reduction", "value": 100}], end_year=2024)
    planning, solution, _ = solve_spec(spec)
    assert solution.objective_wan_yuan == pytest.approx(30.0)
    assert added(planning, solution, "short") == {2021: pytest.approx(1), 2024: pytest.approx(1)}
    assert active(planning, solution, "short") == {2021: pytest.approx(1), 2022: pytest.approx(1),
                                                   2024: pytest.approx(1)}


def test_ramp_limit_spreads_additions(tmp_path):
    # 5 units needed by 2023, at most 2 added a year, added as late as possible: 1, 2, 2.
    # Active 1, 3, 5 => objective 9.
    spec = write_dataset(tmp_path, [
        {"id": "ramped", "max_add_per_yr": 2, "co2_t_per_yr": 100},
    ], targets=[{"year": 2023, "pollutant": "co2", "kind": "reduction", "value": 500}])
    planning, solution, _ = solve_spec(spec)
    assert solution.objective_wan_yuan == pytest.approx(9.0)
    assert added(planning, solution, "ramped") == {2021: pytest.approx(1), 2022: pytest.approx(2),
                                                   2023: pytest.approx(2)}


def test_first_year_keeps_a_measure_out_until_it_is_available(tmp_path):
    # late (1 万元/unit-yr) is only available from 2023; the 2022 target needs early (4 万元/unit-yr),
    # whose 2022 unit also covers 2023. Objective 4 + 4 = 8; late is never used.
    spec = write_dataset(tmp_path, [
        {"id": "late", "first_year": 2023, "co2_t_per_yr": 100},
        {"id": "early", "capex_wan_yuan": 40, "co2_t_per_yr": 100},
    ], targets=[{"year": 2022, "pollutant": "co2", "kind": "reduction", "value": 100},
                {"year": 2023, "pollutant": "co2", "kind": "reduction", "value": 100}])
    planning, solution, _ = solve_spec(spec)
    assert solution.objective_wan_yuan == pytest.approx(8.0)
    assert added(planning, solution, "early") == {2022: pytest.approx(1)}
    assert added(planning, solution, "late") == {}


@pytest.mark.parametrize("integer, objective", [("true", 3.0), ("false", 2.5)])
def test_integer_measures_round_up(tmp_path, integer, objective):
    # 250 t with 100 t units: 3 whole units (MIP) or 2.5 (LP).
    spec = write_dataset(tmp_path, [
        {"id": "lumpy", "integer": integer, "co2_t_per_yr": 100},
    ], targets=[{"year": 2021, "pollutant": "co2", "kind": "reduction", "value": 250}], end_year=2021)
    planning, solution, _ = solve_spec(spec)
    assert solution.is_mip == (integer == "true")
    assert solution.objective_wan_yuan == pytest.approx(objective)


def test_exclusive_group_allows_one_alternative(tmp_path):
    # a (1/unit, at most 3) and b (2/unit) are alternatives; c costs 3/unit. 500 t in 2021:
    # without the group a3 + b2 = 7; with it a3 + c2 = 9 beats b5 = 10.
    measures = [
        {"id": "a", "potential": 3, "co2_t_per_yr": 100, "group": "alt"},
        {"id": "b", "capex_wan_yuan": 20, "co2_t_per_yr": 100, "group": "alt"},
        {"id": "c", "capex_wan_yuan": 30, "co2_t_per_yr": 100},
    ]
    target = [{"year": 2021, "pollutant": "co2", "kind": "reduction", "value": 500}]
    planning, solution, _ = solve_spec(write_dataset(tmp_path, measures, targets=target, end_year=2021))
    assert solution.objective_wan_yuan == pytest.approx(9.0)
    assert added(planning, solution, "a") == {2021: pytest.approx(3)}
    assert added(planning, solution, "c") == {2021: pytest.approx(2)}
    assert added(planning, solution, "b") == {}
    ungrouped = [{k: v for k, v in m.items() if k != "group"} for m in measures]
    _, free, _ = solve_spec(write_dataset(tmp_path / "free", ungrouped, targets=target, end_year=2021))
    assert free.objective_wan_yuan == pytest.approx(7.0)


def test_intensity_target_against_base_year(tmp_path):
    # Base 2020: 10,000 t CO2, GDP 100. 2021: BAU 10,500 t, GDP 110. -10 % intensity allows
    # 0.9 * 10,000 * 110/100 = 9,900 t, so 600 t must be abated: 6 units, objective 6.
    baseline = [
        {"year": 2020, "gdp_yi_yuan": 100, "co2_t": 10000, "nox_t": 1, "so2_t": 1, "vocs_t": 1, "pm_t": 1,
         "cod_t": 1, "nh3n_t": 1},
        {"year": 2021, "gdp_yi_yuan": 110, "co2_t": 10500, "nox_t": 1, "so2_t": 1, "vocs_t": 1, "pm_t": 1,
         "cod_t": 1, "nh3n_t": 1},
    ]
    spec = write_dataset(tmp_path, [{"id": "pv", "co2_t_per_yr": 100}],
                         targets=[{"year": 2021, "pollutant": "co2", "kind": "intensity_reduction", "value": 0.1}],
                         baseline=baseline, end_year=2021)
    planning, solution, tables = solve_spec(spec)
    assert solution.objective_wan_yuan == pytest.approx(6.0)
    row = tables.emissions[(tables.emissions.year == 2021) & (tables.emissions.pollutant == "co2")].iloc[0]
    assert row.emissions_t == pytest.approx(9900)
    assert row.intensity_t_per_yi_yuan == pytest.approx(90.0)
    assert row.intensity_change_vs_base == pytest.approx(-0.1)
    assert bool(row.met)


def test_cap_target(tmp_path):
    # Cap 9,800 t against a BAU of 10,000 t in the last year 2022: 200 t abated, 2 units.
    spec = write_dataset(tmp_path, [{"id": "m", "nox_t_per_yr": 100}],
                         targets=[{"year": 2022, "pollutant": "nox", "kind": "cap", "value": 9800}], end_year=2022)
    planning, solution, tables = solve_spec(spec)
    assert solution.objective_wan_yuan == pytest.approx(2.0)
    assert added(planning, solution, "m") == {2022: pytest.approx(2)}
    assert tables.targets.iloc[0].emissions_t == pytest.approx(9800)


def test_negative_abatement_is_a_tradeoff(tmp_path):
    # scr cuts NOx 100 t but adds 50 t CO2; a CO2 reduction of 100 t must then be met by pv with 150 t.
    spec = write_dataset(tmp_path, [
        {"id": "scr", "nox_t_per_yr": 100, "co2_t_per_yr": -50},
        {"id": "pv", "co2_t_per_yr": 100},
    ], targets=[{"year": 2021, "pollutant": "nox", "kind": "reduction", "value": 100},
                {"year": 2021, "pollutant": "co2", "kind": "reduction", "value": 100}], end_year=2021)
    planning, solution, _ = solve_spec(spec)
    assert added(planning, solution, "pv") == {2021: pytest.approx(1.5)}
    assert solution.objective_wan_yuan == pytest.approx(2.5)


def test_deployment_target_adds_up_tagged_units(tmp_path):
    # 5 MW of non-fossil power in 2021: pv (2/MW, at most 3 MW) then wind (3/MW) => 6 + 6 = 12.
    spec = write_dataset(tmp_path, [
        {"id": "pv", "unit": "MW", "capex_wan_yuan": 20, "potential": 3, "tags": "nonfossil"},
        {"id": "wind", "unit": "MW", "capex_wan_yuan": 30, "tags": "nonfossil;wind"},
        {"id": "other", "unit": "MW", "capex_wan_yuan": 1},
    ], deployment=[{"year": 2021, "tag": "nonfossil", "min_units": 5}], end_year=2021)
    planning, solution, tables = solve_spec(spec)
    assert solution.objective_wan_yuan == pytest.approx(12.0)
    assert added(planning, solution, "wind") == {2021: pytest.approx(2)}
    assert added(planning, solution, "other") == {}
    row = tables.targets.iloc[0]
    assert row.kind == "deployment" and row.achieved == pytest.approx(5) and bool(row.met)


def test_discounting_to_start_year(tmp_path):
    # r = 10 %, life 1 => CRF = 1.1, annual cost 11 per unit; the unit is needed in 2022 only,
    # one year after start: 11 / 1.1 = 10.
    spec = write_dataset(tmp_path, [{"id": "m", "lifetime_yr": 1, "co2_t_per_yr": 100}],
                         targets=[{"year": 2022, "pollutant": "co2", "kind": "reduction", "value": 100}],
                         end_year=2022, discount_rate=0.1)
    _, solution, _ = solve_spec(spec)
    assert solution.objective_wan_yuan == pytest.approx(10.0)


def test_capital_recovery_factor():
    assert capital_recovery_factor(0.1, np.array([2]))[0] == pytest.approx(0.1 * 1.21 / 0.21)
    assert capital_recovery_factor(0.0, np.array([4]))[0] == pytest.approx(0.25)


def test_budget_limit_spreads_investment(tmp_path):
    # 5 units by 2022 but only 30 万元 a year (3 units): 2 in 2021, 3 in 2022 => active 2 + 5 = 7.
    spec = write_dataset(tmp_path, [{"id": "m", "co2_t_per_yr": 100}],
                         targets=[{"year": 2022, "pollutant": "co2", "kind": "reduction", "value": 500}],
                         end_year=2022, budget=30)
    planning, solution, tables = solve_spec(spec)
    assert solution.objective_wan_yuan == pytest.approx(7.0)
    assert added(planning, solution, "m") == {2021: pytest.approx(2), 2022: pytest.approx(3)}
    assert (tables.by_year.capex_wan_yuan <= 30 + 1e-6).all()


def test_budget_too_small_is_infeasible(tmp_path):
    spec = write_dataset(tmp_path, [{"id": "m", "co2_t_per_yr": 100}],
                         targets=[{"year": 2021, "pollutant": "co2", "kind": "reduction", "value": 500}],
                         end_year=2021, budget=30)
    _, solution, _ = solve_spec(spec)
    assert solution.status == "infeasible"
    assert solution.objective_wan_yuan is None

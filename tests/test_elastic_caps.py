"""Elastic targets priced per row: the row's cap, the spec's, the old spec-wide key, the derived default."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from helpers import write_csv, write_dataset
from planner.cli import main
from planner.model.price_caps import derived_cap_yuan

# One year (2021), r = 0, life 10 -> annual cost = capex / 10 per unit.
MEASURES = [
    {"id": "pv", "capex_wan_yuan": 10, "co2_t_per_yr": 100},               # 1 万元/yr: 100 元/t CO2
    {"id": "wwtp", "capex_wan_yuan": 50, "cod_t_per_yr": 1},               # 5 万元/yr: 50,000 元/t COD
    {"id": "scr", "capex_wan_yuan": 10, "nox_t_per_yr": 1},                # 1 万元/yr: 10,000 元/t NOx
    {"id": "ev", "capex_wan_yuan": 20, "tags": "ev", "integer": "true", "potential": 5},  # 2 万元/yr/unit
]


def test_derived_default_by_hand():
    """Cheapest first up to potential: 500 元/t reaches 10 t, 2,000 元/t the next 10; a requirement of
    15 t stops at the second, so the cap is 10 x 2,000 = 20,000 元/t. If the requirement is out of
    reach (50 t), 10 x the dearest (2,000): 20,000. Money-saving measures alone: the floor 1,000."""
    levelised, reach = np.array([2000.0, 500.0, 9000.0]), np.array([10.0, 10.0, 10.0])
    assert derived_cap_yuan(levelised, reach, 15.0) == pytest.approx(20_000.0)
    assert derived_cap_yuan(levelised, reach, 5.0) == pytest.approx(5_000.0)
    assert derived_cap_yuan(levelised, reach, 25.0) == pytest.approx(90_000.0)
    assert derived_cap_yuan(levelised[:2], reach[:2], 50.0) == pytest.approx(20_000.0)
    assert derived_cap_yuan(np.array([-300.0]), np.array([10.0]), 5.0) == pytest.approx(1_000.0)
    assert derived_cap_yuan(np.zeros(0), np.zeros(0), 5.0) == pytest.approx(1_000.0)


def test_caps_per_row_decide_what_is_missed(tmp_path):
    """Four rows in 2021, each priced by a different rule, mixed pollutants and a tag:

    - CO2 >= 500 t, its own cap 50 元/t in targets.csv; pv costs 100 元/t > 50, so all 500 t are left
      short: penalty 500 x 50 = 25,000 元 = 2.5 万元.
    - COD >= 5 t, spec table { cod = 100000 } 元/t > wwtp's 50,000 元/t: met, 5 units x 5 = 25 万元.
    - NOx >= 2 t, no cap of its own nor in the table: the old spec-wide penalty_wan_yuan_per_t =
      0.001 万元/t = 10 元/t < scr's 10,000 元/t: missed, 2 x 10 = 20 元 = 0.002 万元.
    - deployment ev >= 3 units: derived default, 10 x the larger of ev's 2 万元/yr and its capex 20 万元
      (its potential 5 reaches 3) = 10 x 200,000 = 2,000,000 元/unit: met, 3 x 2 = 6 万元.
    Cost 25 + 6 = 31 万元, penalty 2.5 + 0.002 = 2.502 万元, objective 33.502 万元; 2 of 4 rows missed,
    so `planner run` exits 7. Each missed row's shadow price is its cap.
    """
    spec = write_dataset(tmp_path, MEASURES, end_year=2021,
                         deployment=[{"year": 2021, "tag": "ev", "min_units": 3}],
                         extra_toml='[targets]\nmode = "elastic"\nprice_cap_yuan_per_t = { cod = 100000 }\n'
                                    "penalty_wan_yuan_per_t = 0.001\n")
    write_csv(tmp_path / "inputs" / "targets.csv", [
        {"year": 2021, "pollutant": "co2", "kind": "reduction", "value": 500, "price_cap_yuan_per_t": 50},
        {"year": 2021, "pollutant": "cod", "kind": "reduction", "value": 5, "price_cap_yuan_per_t": ""},
        {"year": 2021, "pollutant": "nox", "kind": "reduction", "value": 2, "price_cap_yuan_per_t": ""},
    ])
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["run", str(spec), "--out", str(out)], obj={})
    assert result.exit_code == 7, result.output
    assert "2 of 4 targets missed (see targets.csv); cost 31.00 万元, penalty 2.50 万元" in result.output
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["cost_wan_yuan"] == pytest.approx(31.0)
    assert summary["penalty_wan_yuan"] == pytest.approx(2.502)
    assert summary["objective"] == pytest.approx(33.502)
    assert summary["targets_missed"] == 2
    targets = pd.read_csv(out / "targets.csv", encoding="utf-8-sig").set_index("subject")
    assert targets["price_cap_source"].to_dict() == {"co2": "row", "cod": "spec", "nox": "spec_wide", "ev": "derived"}
    assert targets.loc["co2", "price_cap_yuan"] == pytest.approx(50)
    assert targets.loc["cod", "price_cap_yuan"] == pytest.approx(100_000)
    assert targets.loc["nox", "price_cap_yuan"] == pytest.approx(10)
    assert targets.loc["ev", "price_cap_yuan"] == pytest.approx(2_000_000)
    assert targets.loc["co2", "shortfall"] == pytest.approx(500) and targets.loc["nox", "shortfall"] == pytest.approx(2)
    assert targets.loc["cod", "met"] and targets.loc["ev", "met"]
    assert targets.loc["co2", "shadow_price_basis"] == targets.loc["nox", "shadow_price_basis"] == "price_cap"
    assert targets.loc["co2", "shadow_price_yuan_per_t"] == pytest.approx(50)
    assert targets.loc["nox", "shadow_price_yuan_per_t"] == pytest.approx(10)
    assert "价格上限 price cap 元" in result.output and "spec_wide" in result.output


def test_unknown_pollutant_and_tag_in_caps_are_input_errors(tmp_path):
    spec = write_dataset(tmp_path, MEASURES, end_year=2021,
                         targets=[{"year": 2021, "pollutant": "co2", "kind": "reduction", "value": 5}],
                         extra_toml='[targets]\nmode = "elastic"\nprice_cap_yuan_per_t = { nx = 100 }\n')
    result = CliRunner().invoke(main, ["run", str(spec), "--out", str(tmp_path / "out")], obj={})
    assert result.exit_code == 3
    assert "price_cap_yuan_per_t names 'nx'" in result.output
    spec.write_text(spec.read_text(encoding="utf-8").replace("price_cap_yuan_per_t = { nx = 100 }",
                                                             "price_cap_yuan_per_unit = { evs = 100 }"),
                    encoding="utf-8")
    result = CliRunner().invoke(main, ["run", str(spec), "--out", str(tmp_path / "out")], obj={})
    assert result.exit_code == 3
    assert "evs" in result.output and "known tags: ev" in result.output


def test_derived_cap_reads_ramps_and_clips_money_savers(tmp_path):
    """One year (2021), r = 0, life 10. a: capex 10, opex -5 (annual 1 - 5 = -4 万元: it saves money),
    100 t CO2, potential 100 but at most 2 added a year; b: capex 200 (20 万元/yr, 2,000 元/t), 100 t.
    Target 500 t in 2021.

    Before (issue 11): a's levelised cost -400 元/t and its potential (10,000 t) alone reached 500 t,
    so the cap fell to the floor 1,000 元/t < b's 2,000: an elastic run left 300 t short although a
    strict run meets it (2 a + 3 b, objective 2 x -4 + 3 x 20 = 52).
    Now a reaches 2 x 100 = 200 t in 2021 (its ramp) at max(-4 clipped to 0, capex 10) / 100 t =
    1,000 元/t; the remaining 300 t need b at max(20, 200) / 100 t = 20,000 元/t; cap 10 x 20,000 =
    200,000 元/t, and the elastic run meets the target like the strict one."""
    measures = [{"id": "a", "opex_wan_yuan_per_yr": -5, "co2_t_per_yr": 100, "potential": 100, "max_add_per_yr": 2},
                {"id": "b", "capex_wan_yuan": 200, "co2_t_per_yr": 100, "potential": 100}]
    targets = [{"year": 2021, "pollutant": "co2", "kind": "reduction", "value": 500}]
    strict = write_dataset(tmp_path / "strict", measures, targets=targets, end_year=2021)
    result = CliRunner().invoke(main, ["run", str(strict), "--out", str(tmp_path / "o1")], obj={})
    assert result.exit_code == 0, result.output
    assert json.loads((tmp_path / "o1" / "summary.json").read_text(encoding="utf-8"))["objective"] == pytest.approx(52)
    elastic = write_dataset(tmp_path / "elastic", measures, targets=targets, end_year=2021,
                            extra_toml='[targets]\nmode = "elastic"\n')
    result = CliRunner().invoke(main, ["run", str(elastic), "--out", str(tmp_path / "o2")], obj={})
    assert result.exit_code == 0, result.output
    summary = json.loads((tmp_path / "o2" / "summary.json").read_text(encoding="utf-8"))
    assert summary["price_caps"][0]["price_cap_yuan"] == pytest.approx(200_000)
    assert summary["price_caps"][0]["source"] == "derived"
    assert summary["objective"] == pytest.approx(52) and summary["targets_missed"] == 0


def test_peak_reach_is_the_growth_a_ramp_allows(tmp_path):
    """A peak row counts the growth of abatement from t-1 to t. BAU CO2 10,000 t in 2020-2022 and
    10,300 t in 2023; 2022 non_increasing 0: E_2023 <= E_2022, i.e. A_2023 - A_2022 >= 300 t.
    a: 100 t a unit, potential 100, ramp 1 a year, no pool: it can have 3 units active in 2023, but
    its growth from 2022 is at most one unit added in 2023: reach 100 t (the vertex a_2022 = 0,
    a_2023 = 1), not 300. b: 100 t, no ramp: 100 x 100 = 10,000 t. So what screening and the
    derived price cap of the row read."""
    from planner.io.inputs import load_data
    from planner.io.schema import POLLUTANTS
    from planner.io.spec import load_spec
    from planner.model.reach import target_reach

    rows = [{"year": y, "gdp_yi_yuan": 100, **{f"{p}_t": 10000 for p in POLLUTANTS}} for y in range(2020, 2024)]
    rows[-1]["co2_t"] = 10300
    measures = [{"id": "a", "co2_t_per_yr": 100, "potential": 100, "max_add_per_yr": 1},
                {"id": "b", "co2_t_per_yr": 100, "potential": 100}]
    spec = write_dataset(tmp_path, measures, baseline=rows,
                         targets=[{"year": 2022, "pollutant": "co2", "kind": "non_increasing", "value": 0}])
    data = load_data(load_spec(spec))
    k = next(i for i, t in enumerate(data.targets) if t.kind == "non_increasing" and t.year == 2023)
    reach, rate, capped = target_reach(data, k)
    assert reach.tolist() == pytest.approx([100.0, 10_000.0]) and capped == []

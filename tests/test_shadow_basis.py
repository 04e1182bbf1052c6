"""Shadow prices say where they come from (targets.csv shadow_price_basis); hand-solved cases of each basis."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from click.testing import CliRunner

from helpers import write_csv, write_dataset
from planner.cli import main
from planner.pipeline.run import run

# One model year (2021), r = 0, life 10: a unit's annualised cost is capex / 10 万元 and the
# objective is the sum of those over the units added.
BIG = {"id": "big", "capex_wan_yuan": 100, "co2_t_per_yr": 100, "integer": "true", "potential": 5}     # 10 万元, 0.1 万元/t
LUMPY = {"id": "lumpy", "capex_wan_yuan": 150, "co2_t_per_yr": 200, "integer": "true", "potential": 5}  # 15 万元, 0.075 万元/t


def co2_target(value):
    return [{"year": 2021, "pollutant": "co2", "kind": "reduction", "value": value}]


def test_binding_whole_unit_row_is_priced_by_a_step_resolve(tmp_path):
    """CO2 >= 300 t from whole units: 1 lumpy + 1 big = 15 + 10 = 25 万元 gives exactly 300 t (3 big = 30,
    2 lumpy = 30). The row binds but, with the integers fixed, its dual is 0.

    Step: the integer measure with the lowest annualised cost per t that can still be added is lumpy
    (15 万元 / 200 t = 0.075 万元/t < big's 0.1), so the step is 200 t. Re-solved at 500 t: 2 lumpy + 1 big
    = 40 万元 (1 lumpy + 3 big = 45, 3 lumpy = 45). Price = (40 - 25) / 200 = 0.075 万元/t = 750 元/t.
    """
    spec = write_dataset(tmp_path, [BIG, LUMPY], targets=co2_target(300), end_year=2021)
    outcome = run(spec, write=False)
    assert outcome.solution.objective_wan_yuan == pytest.approx(25.0)
    row = outcome.tables.targets.iloc[0]
    assert row["shadow_price_basis"] == "step_resolve"
    assert row["shadow_price_yuan_per_t"] == pytest.approx(750.0)
    assert "200 t" in row["shadow_price_note"]
    assert outcome.summary["step_resolves"] == 1


def test_slack_whole_unit_row_keeps_its_zero_dual(tmp_path):
    """CO2 >= 250 t: the cheapest plan is still 1 lumpy + 1 big (25 万元, 300 t): 50 t over, slack, so the
    next tonne costs nothing: 0 元/t from the fixed-integer LP, no step re-solve."""
    spec = write_dataset(tmp_path, [BIG, LUMPY], targets=co2_target(250), end_year=2021)
    outcome = run(spec, write=False)
    row = outcome.tables.targets.iloc[0]
    assert row["shadow_price_basis"] == "fixed_integer_lp"
    assert row["shadow_price_yuan_per_t"] == 0.0
    assert outcome.summary["step_resolves"] == 0


def test_continuous_margin_of_a_mip_is_the_fixed_integer_dual(tmp_path):
    """Add a continuous measure at 0.2 万元/t (capex 20 -> 2 万元/yr per unit of 10 t). CO2 >= 420 t:
    2 lumpy (30 万元, 400 t) + 2 units of cont (20 t, 4 万元) = 34 万元 beats 2 lumpy + 1 big (40),
    1 lumpy + 2 big + 2 cont (39) and 1 lumpy + 1 big + 12 cont (49). The continuous measure serves
    the margin, so the fixed-integer dual is its cost: 0.2 万元/t = 2,000 元/t."""
    cont = {"id": "cont", "capex_wan_yuan": 20, "co2_t_per_yr": 10, "potential": 100}
    spec = write_dataset(tmp_path, [BIG, LUMPY, cont], targets=co2_target(420), end_year=2021)
    outcome = run(spec, write=False)
    assert outcome.solution.objective_wan_yuan == pytest.approx(34.0)
    row = outcome.tables.targets.iloc[0]
    assert row["shadow_price_basis"] == "fixed_integer_lp"
    assert row["shadow_price_yuan_per_t"] == pytest.approx(2000.0)


def test_lp_rows_are_lp_duals_and_budget_prices_have_a_basis(tmp_path):
    """LP, one year, budget 100 万元: cheap (capex 20 -> 2 万元/yr for 10 t: 0.2 万元/t) and opex_only
    (no capex, 5 万元/yr for 10 t: 0.5 万元/t). CO2 >= 100 t: 10 cheap units would need 200 万元 of
    capex, so 5 cheap (100 万元, 50 t, 10 万元) + 5 opex_only (50 t, 25 万元) = 35 万元.
    - The next tonne comes from opex_only: 0.5 万元/t = 5,000 元/t, basis lp_dual.
    - One more 万元 of budget buys 1/20 cheap unit (0.5 t) instead of 0.5 t of opex_only:
      0.5 x (0.5 - 0.2) = 0.15 万元 saved per 万元, basis lp_dual (summary.json budget_shadow_prices).
    """
    cheap = {"id": "cheap", "capex_wan_yuan": 20, "co2_t_per_yr": 10, "potential": 100}
    opex_only = {"id": "opex_only", "capex_wan_yuan": 0, "opex_wan_yuan_per_yr": 5, "co2_t_per_yr": 10,
                 "potential": 100}
    spec = write_dataset(tmp_path, [cheap, opex_only], targets=co2_target(100), end_year=2021, budget=100)
    outcome = run(spec, out_dir=tmp_path / "out")
    assert outcome.solution.objective_wan_yuan == pytest.approx(35.0)
    row = outcome.tables.targets.iloc[0]
    assert row["shadow_price_basis"] == "lp_dual"
    assert row["shadow_price_yuan_per_t"] == pytest.approx(5000.0)
    summary = json.loads((tmp_path / "out" / "summary.json").read_text(encoding="utf-8"))
    assert summary["budget_shadow_prices"] == {"2021": {"wan_yuan_per_wan_yuan": pytest.approx(0.15),
                                                        "basis": "lp_dual"}}
    assert summary["proven_optimal"] is True and summary["solver"]["is_mip"] is False


def test_full_whole_unit_row_gets_none_with_the_reason(tmp_path):
    """Deployment ev >= 3 with 3 of 3 possible units (potential 3): no integer measure can add one, so the
    step is 1 % of the requirement (0.03 units), and the re-solve is infeasible: basis none, never 0."""
    ev = {"id": "ev", "capex_wan_yuan": 20, "tags": "ev", "integer": "true", "potential": 3}
    spec = write_dataset(tmp_path, [ev], end_year=2021, deployment=[{"year": 2021, "tag": "ev", "min_units": 3}])
    outcome = run(spec, out_dir=tmp_path / "out")
    targets = pd.read_csv(tmp_path / "out" / "targets.csv", encoding="utf-8-sig")
    assert targets.loc[0, "shadow_price_basis"] == "none"
    assert pd.isna(targets.loc[0, "shadow_price_yuan_per_unit"])
    assert "0.03 units makes the plan infeasible" in targets.loc[0, "shadow_price_note"]
    assert outcome.summary["step_resolves"] == 1


def test_at_most_twenty_step_resolves(tmp_path):
    """21 tags, each met exactly by 1 whole unit of its own measure (2 万元/yr each): 20 rows get
    step_resolve at 2 万元 per unit = 20,000 元/unit, the 21st none with a note."""
    measures = [{"id": f"m{i}", "capex_wan_yuan": 20, "tags": f"t{i}", "integer": "true"} for i in range(21)]
    deployment = [{"year": 2021, "tag": f"t{i}", "min_units": 1} for i in range(21)]
    spec = write_dataset(tmp_path, measures, end_year=2021, deployment=deployment)
    outcome = run(spec, write=False)
    targets = outcome.tables.targets
    stepped = targets[targets["shadow_price_basis"] == "step_resolve"]
    assert len(stepped) == 20
    assert stepped["shadow_price_yuan_per_unit"].tolist() == pytest.approx([20_000.0] * 20)
    [left] = targets[targets["shadow_price_basis"] == "none"].itertuples()
    assert "more than 20 rows" in left.shadow_price_note
    assert outcome.summary["step_resolves"] == 20


def test_missed_elastic_row_reports_its_cap_never_the_penalty_as_a_mac(tmp_path):
    """Elastic, CO2 >= 500 t with its own cap 50 元/t; pv costs 100 元/t (10 万元 capex, 100 t), so the row
    is missed: its price is the cap, 50 元/t, basis price_cap. ev >= 3 whole units is met exactly:
    step re-solve at 4 units costs one more ev, 2 万元 = 20,000 元/unit."""
    pv = {"id": "pv", "capex_wan_yuan": 10, "co2_t_per_yr": 100}
    ev = {"id": "ev", "capex_wan_yuan": 20, "tags": "ev", "integer": "true"}
    spec = write_dataset(tmp_path, [pv, ev], end_year=2021, deployment=[{"year": 2021, "tag": "ev", "min_units": 3}],
                         extra_toml='[targets]\nmode = "elastic"\n')
    write_csv(tmp_path / "inputs" / "targets.csv",
              [{"year": 2021, "pollutant": "co2", "kind": "reduction", "value": 500, "price_cap_yuan_per_t": 50}])
    result = CliRunner().invoke(main, ["run", str(spec), "--out", str(tmp_path / "out")], obj={})
    assert result.exit_code == 7, result.output
    targets = pd.read_csv(tmp_path / "out" / "targets.csv", encoding="utf-8-sig").set_index("subject")
    assert targets.loc["co2", "shadow_price_basis"] == "price_cap"
    assert targets.loc["co2", "shadow_price_yuan_per_t"] == pytest.approx(50.0)
    assert targets.loc["ev", "shadow_price_basis"] == "step_resolve"
    assert targets.loc["ev", "shadow_price_yuan_per_unit"] == pytest.approx(20_000.0)

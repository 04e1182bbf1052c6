"""Shadow prices (marginal abatement costs) match a finite-difference re-solve."""

from __future__ import annotations

import numpy as np
import pytest

from helpers import write_dataset
from planner.pipeline.run import run

MEASURES = [
    {"id": "pv", "co2_t_per_yr": 100, "nox_t_per_yr": 0.1, "potential": 8, "max_add_per_yr": 3},
    {"id": "rail", "capex_wan_yuan": 5, "opex_wan_yuan_per_yr": 2, "co2_t_per_yr": 100, "nox_t_per_yr": 2},
    {"id": "scr", "capex_wan_yuan": 40, "opex_wan_yuan_per_yr": 3, "co2_t_per_yr": -20, "nox_t_per_yr": 30},
]


def solve(folder, co2=900.0, nox=40.0, budget_2022=45.0, integer=False):
    spec = write_dataset(folder, [dict(m, integer="true") if integer and m["id"] == "scr" else m for m in MEASURES],
                         targets=[{"year": 2023, "pollutant": "co2", "kind": "reduction", "value": co2},
                                  {"year": 2022, "pollutant": "nox", "kind": "reduction", "value": nox}],
                         discount_rate=0.05)
    text = spec.read_text(encoding="utf-8").replace(
        "[solver]", f"[budget]\nannual_wan_yuan = 60\nby_year = {{ 2022 = {budget_2022} }}\n[solver]")
    spec.write_text(text, encoding="utf-8")
    outcome = run(spec, write=False)
    assert outcome.solution.status == "optimal"
    return outcome


@pytest.mark.parametrize("integer", [False, True])
def test_target_shadow_prices_match_finite_differences(tmp_path, integer):
    base = solve(tmp_path / "base", integer=integer)
    targets = base.tables.targets.set_index("subject")
    step = 1.0
    up_co2 = solve(tmp_path / "co2", co2=900 + step, integer=integer)
    up_nox = solve(tmp_path / "nox", nox=40 + step * 0.1, integer=integer)
    fd_co2 = (up_co2.solution.objective_wan_yuan - base.solution.objective_wan_yuan) / step * 1e4
    fd_nox = (up_nox.solution.objective_wan_yuan - base.solution.objective_wan_yuan) / (step * 0.1) * 1e4
    assert targets.loc["co2", "shadow_price_yuan_per_t"] == pytest.approx(fd_co2, rel=1e-4)
    assert targets.loc["nox", "shadow_price_yuan_per_t"] == pytest.approx(fd_nox, rel=1e-4)
    assert targets.loc["co2", "shadow_price_yuan_per_t"] > 0
    assert base.summary["shadow_prices_from"].startswith("duals of the LP with the integer" if integer else "LP")


def test_budget_shadow_price_matches_finite_difference(tmp_path):
    base = solve(tmp_path / "base")
    value = base.tables.by_year.set_index("year")["budget_shadow_price_wan_yuan_per_wan_yuan"]
    assert value[2022] > 0, "the 2022 budget should bind in this case"
    more = solve(tmp_path / "more", budget_2022=45.5)
    fd = (base.solution.objective_wan_yuan - more.solution.objective_wan_yuan) / 0.5
    assert value[2022] == pytest.approx(fd, rel=1e-4)
    assert np.isclose(value[2021], 0.0) or value[2021] >= 0


def test_cost_effectiveness_table(tmp_path):
    base = solve(tmp_path / "base")
    table = base.tables.cost_effectiveness.set_index("measure")
    crf = 0.05 * 1.05 ** 10 / (1.05 ** 10 - 1)
    assert table.loc["pv", "co2_yuan_per_t"] == pytest.approx(10 * crf * 1e4 / 100)
    assert table.loc["rail", "nox_yuan_per_t"] == pytest.approx((5 * crf + 2) * 1e4 / 2)
    assert np.isnan(table.loc["scr", "co2_yuan_per_t"])  # scr adds CO2

"""End of horizon: the annuity rule (default) and full_capex, solved by hand, and the shares that say
how much of the chosen assets' lives the objective covers."""

from __future__ import annotations

import pytest

from helpers import write_dataset
from planner.pipeline.run import run

# Horizon 2021-2025. early: capex 100, life 10, CO2 100 t, needed by a 2021 target (1 unit in 2021,
# active 2021-2030, 5 of its 10 years inside). late: capex 100, life 4, NOx 10 t, first year 2025,
# needed by a 2025 target (1 unit in 2025, 1 of its 4 years inside). No opex.
MEASURES = [{"id": "early", "capex_wan_yuan": 100, "lifetime_yr": 10, "co2_t_per_yr": 100, "potential": 1},
            {"id": "late", "capex_wan_yuan": 100, "lifetime_yr": 4, "nox_t_per_yr": 10, "potential": 1,
             "first_year": 2025}]
TARGETS = [{"year": 2021, "pollutant": "co2", "kind": "reduction", "value": 100},
           {"year": 2025, "pollutant": "nox", "kind": "reduction", "value": 10}]


def solve(tmp_path, rate: float, end_effects: str | None):
    extra = f'[model]\nend_effects = "{end_effects}"\n' if end_effects else ""
    spec = write_dataset(tmp_path, MEASURES, targets=TARGETS, end_year=2025, discount_rate=rate)
    if extra:  # the key belongs in the existing [model] table
        text = spec.read_text(encoding="utf-8").replace("[model]\n", extra, 1)
        spec.write_text(text, encoding="utf-8")
    outcome = run(spec, write=False, unchosen=False)
    assert outcome.solution.status == "optimal"
    return outcome


@pytest.mark.parametrize("rate, end_effects, objective", [
    # annuity, r = 0: early pays 5 of its 10 annuities of 10 = 50; late 1 of 4 annuities of 25 = 25.
    (0.0, None, 75.0),
    # annuity, r = 5 %: early 100 CRF(5 %, 10) (1 + 1.05^-1 + ... + 1.05^-4) = 12.950457 x 4.545951
    # = 58.872139; late 100 CRF(5 %, 4) 1.05^-4 = 28.201183 x 0.822702 = 23.201183; sum 82.073322.
    (0.05, "annuity", 82.073322),
    # full_capex, r = 0: every annuity is paid, so each unit pays its capex: 100 + 100 = 200.
    (0.0, "full_capex", 200.0),
    # full_capex, r = 5 %: c (1+r)^(1-(tau-t0)): early 100 x 1.05 = 105, late 100 x 1.05^-3 = 86.383760
    # (= 100 CRF(5 %, 4) sum_{t=2025}^{2028} 1.05^-(t-2021), the sum the issue writes); 191.383760.
    (0.05, "full_capex", 191.383760),
])
def test_end_effects_by_hand(tmp_path, rate, end_effects, objective):
    outcome = solve(tmp_path, rate, end_effects)
    assert outcome.solution.objective_wan_yuan == pytest.approx(objective, rel=1e-7)
    assert outcome.summary["end_effects"] == (end_effects or "annuity")


def test_end_of_horizon_shares(tmp_path):
    """Capex 100 in 2021 and 100 in 2025: the last three years (2023-2025) hold 100 of 200 = 0.5.
    Life inside the horizon, capex-weighted: (100 x 5/10 + 100 x 1/4) / 200 = 0.375."""
    summary = solve(tmp_path, 0.0, None).summary
    assert summary["capex_in_last_3_years_share"] == pytest.approx(0.5)
    assert summary["asset_life_inside_horizon_share"] == pytest.approx(0.375)


def test_end_effects_must_be_known(tmp_path):
    from planner.errors import InputError

    with pytest.raises(InputError, match="end_effects must be one of annuity, full_capex"):
        solve(tmp_path, 0.0, "salvage")

"""Monte Carlo on model v2 figures: an uncertain energy price and an uncertain indicator, each solved by hand."""

from __future__ import annotations

import numpy as np
import pytest

from helpers import write_csv, write_dataset
from test_uncertainty import HEADER
from test_v2_hand_solved import baseline_rows
from planner.pipeline.uncertainty import uncertainty
from planner.pipeline.sensitivity import sensitivity


def _energy_intensity_case(folder, rows: list[dict]):
    """Indicator energy_tce over industry_va_yi_yuan (50, then 60 in 2023), BAU 1000 tce; eff saves 20 tce
    per unit at 1 万元; the 2023 intensity cut of 25 % asks 100 tce; ``rows`` is uncertainty.csv."""
    spec = write_dataset(folder, [{"id": "eff", "energy_tce_per_yr": 20}],
                         targets=[{"year": 2023, "pollutant": "energy_tce", "kind": "intensity_reduction",
                                   "value": 0.25}],
                         baseline=baseline_rows(energy_tce=1000, industry_va_yi_yuan={2020: 50, 2021: 50, 2022: 50,
                                                                                      2023: 60}))
    write_csv(folder / "inputs" / "indicators.csv", [
        {"indicator": "energy_tce", "name": "能源消费量", "unit": "tce", "denominator": "industry_va_yi_yuan"}])
    write_csv(folder / "inputs" / "uncertainty.csv", rows, header=HEADER)
    return spec


def test_uncertain_electricity_price_by_hand(tmp_path):
    """led: capex 10 (1 万元/unit-yr, no discounting) + opex 0.5, saves 10 MWh/yr worth 0.1 x p x 10 = k 万元/yr
    at p = k x 1 元/kWh; gas: 1 万元/unit-yr. Both abate 100 t; the target asks 300 t in 2023 (3 units).
    led costs 1.5 - k per unit-yr: chosen iff 1.5 - k < 1, k > 0.5. Re-optimised cost 3 min(1.5 - k, 1);
    the fixed central plan (3 led, k = 1) costs 3 (1.5 - k) with the sample's price."""
    measures = [{"id": "led", "opex_wan_yuan_per_yr": 0.5, "electricity_mwh_per_yr": 10, "co2_t_per_yr": 100},
                {"id": "gas", "co2_t_per_yr": 100}]
    spec = write_dataset(tmp_path, measures, targets=[{"year": 2023, "pollutant": "co2", "kind": "reduction",
                                                       "value": 300}],
                         extra_toml="[prices]\nelectricity_yuan_per_kwh = 1.0\n")
    write_csv(tmp_path / "inputs" / "uncertainty.csv", [
        {"applies_to": "price:electricity", "quantity": "value", "distribution": "uniform", "low": 0.2, "high": 1.0,
         "reason": "test"}], header=HEADER)
    outcome = uncertainty(spec, samples=60, seed=4)
    samples = outcome.samples
    k = samples["x:price:electricity:value"].to_numpy()
    np.testing.assert_allclose(samples.cost_reoptimised_wan_yuan, 3 * np.minimum(1.5 - k, 1.0), rtol=1e-6)
    np.testing.assert_allclose(samples.cost_fixed_plan_wan_yuan, 3 * (1.5 - k), rtol=1e-6)
    led = outcome.measures.set_index("measure").loc["led", "share_chosen"]
    assert led == pytest.approx((k > 0.5).mean())
    # sensitivity varies the price it carries
    table = sensitivity(spec, range_=0.2)["table"].set_index("parameter")
    assert table.loc["price:electricity", "objective_low"] == pytest.approx(3 * (1.5 - 0.8))
    assert table.loc["price:electricity", "objective_high"] == pytest.approx(3 * (1.5 - 1.2))


def test_uncertain_indicator_abatement_by_hand(tmp_path):
    """Indicator energy_tce with denominator industry_va_yi_yuan (50, then 60 in 2023), BAU 1000 tce: the
    2023 intensity cut of 25 % asks 100 tce. eff saves 20 k tce per unit, k ~ U(0.8, 1.25): the central plan
    buys 5 units and meets the row iff k >= 1, P = 0.25 / 0.45; re-optimised it buys 5/k <= 6.25 units
    (potential 10), cost 5/k."""
    spec = _energy_intensity_case(tmp_path, [
        {"applies_to": "eff", "quantity": "energy_tce", "distribution": "uniform", "low": 0.8, "high": 1.25},
        {"applies_to": "bau:energy_tce", "quantity": "growth", "distribution": "uniform", "low": 0.5, "high": 1.5},
    ])
    outcome = uncertainty(spec, samples=200, seed=9)
    samples = outcome.samples
    k = samples["x:eff:energy_tce"].to_numpy()
    label = "energy_tce_intensity_reduction_2023"
    assert (samples[f"met_fixed:{label}"].to_numpy() == (k >= 1 - 1e-9)).all()
    np.testing.assert_allclose(samples.cost_reoptimised_wan_yuan, 5 / k, rtol=1e-6)
    assert outcome.targets.iloc[0].p_met_fixed_plan == pytest.approx(0.25 / 0.45, abs=0.11)


def test_uncertain_denominator_growth_by_hand(tmp_path):
    """baseline:industry_va_yi_yuan scales the indicator's denominator growth since 2020 (50 -> 60 in
    2023) by k: VA'_2023 = 50 + 10 k. The 2023 row asks 1000 - 0.75 x 1000 x VA'/50 = 1000 - 15 (50 + 10 k)
    = 250 - 150 k tce (k = 1: 100 tce, 5 units of 20 tce at 1 万元 each). Re-optimised cost (250 - 150 k)/20."""
    spec = _energy_intensity_case(tmp_path, [
        {"applies_to": "baseline:industry_va_yi_yuan", "quantity": "growth", "distribution": "uniform",
         "low": 0.5, "high": 1.5}])
    outcome = uncertainty(spec, samples=40, seed=1)
    k = outcome.samples["x:baseline:industry_va_yi_yuan:growth"].to_numpy()
    np.testing.assert_allclose(outcome.samples.cost_reoptimised_wan_yuan, (250 - 150 * k) / 20, rtol=1e-6)


def test_sensitivity_varies_an_indicator_denominator_by_hand(tmp_path):
    """As above: the row asks 250 - 150 k tce at denominator growth k, 1 万元 per 20 tce, so the
    objective is (250 - 150 k) / 20: 6.5 at k = 0.8 and 3.5 at k = 1.2 (faster value-added growth
    allows more energy, so it never makes the intensity target harder)."""
    spec = _energy_intensity_case(tmp_path, [
        {"applies_to": "eff", "quantity": "energy_tce", "distribution": "uniform", "low": 0.8, "high": 1.25}])
    table = sensitivity(spec, range_=0.2)["table"].set_index("parameter")
    row = table.loc["growth:baseline:industry_va_yi_yuan"]
    assert row.objective_low == pytest.approx(6.5, rel=1e-6)
    assert row.objective_high == pytest.approx(3.5, rel=1e-6)
    assert "growth:gdp" not in table.index  # no target is an intensity over GDP

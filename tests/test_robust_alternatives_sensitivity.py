"""planner robust, alternatives and sensitivity: hand-solved robust plan, slack and targets of every
alternative, economic signs of the tornado."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from helpers import write_csv, write_dataset
from test_uncertainty import HEADER, _multi_case, one_measure_case
from planner.cli import main
from planner.io.inputs import load_data
from planner.io.spec import load_spec
from planner.io.uncertainty_file import load_uncertainty
from planner.pipeline.ensemble import EnsemblePayload, EnsembleWorker
from planner.pipeline.robust import robust
from planner.pipeline.alternatives import alternatives
from planner.pipeline.sensitivity import sensitivity


def run_cli(*args: str):
    return CliRunner().invoke(main, list(args), obj={})


def _worker(spec, seed: int):
    spec_obj = load_spec(spec)
    data = load_data(spec_obj)
    return EnsembleWorker(EnsemblePayload(data, load_uncertainty(data), seed, spec_obj.solver))


def test_robust_single_measure_by_hand(tmp_path):
    """Hand working. One measure abates 100 k_s t per unit in sample s, k_s ~ U(0.9, 1.3); the 2023
    target asks 500 t. Meeting it in every sample (and at k = 1) needs x >= 5 / min(1, min_s k_s) units,
    so the robust cost is the central cost / min k (cost is linear in x), the premium
    central cost x (1/min k - 1), and on fresh samples the robust plan meets the target iff
    k >= min k: P = (1.3 - min k) / 0.4; the central plan (5 units) iff k >= 1: P = 0.75."""
    spec = one_measure_case(tmp_path, [{"applies_to": "m0", "quantity": "co2", "distribution": "uniform",
                                         "low": 0.9, "high": 1.3}])
    outcome = robust(spec, samples=30, seed=2, check_samples=2000)
    worker = _worker(spec, 2)
    k_min = min(1.0, min(worker.figures(i)[0].rate[0, 0] for i in range(30)))
    row = outcome.table.iloc[0]
    central = row.cost_central_wan_yuan
    assert row.cost_robust_wan_yuan == pytest.approx(central / k_min, rel=1e-6)
    assert row.premium_wan_yuan == pytest.approx(central * (1 / k_min - 1), rel=1e-6)
    assert row.p_met_robust == pytest.approx((1.3 - k_min) / 0.4, abs=0.04)
    assert row.p_met_central == pytest.approx(0.75, abs=0.04)


def test_robust_plan_meets_every_sample(tmp_path):
    spec = _multi_case(tmp_path / "case")
    outcome = robust(spec, samples=25, seed=1, check_samples=300)
    worker = _worker(spec, 1)
    for i in range(25):
        figures = worker.figures(i)[0]
        achieved = worker.abatement(figures, outcome.x)
        assert (achieved >= figures.required_abatement_t - 1e-6 * np.maximum(1, figures.required_abatement_t)).all(), i
    row = outcome.table.iloc[0]
    assert row.premium_wan_yuan >= -1e-6
    assert row.p_met_robust >= row.p_met_central
    assert "plan/plan.csv" in outcome.files and "robust.csv" in outcome.files


def test_robust_cli_infeasible_names_samples(tmp_path):
    """Hand working. Potential 5.2 units abate 520 k_s t: sample s cannot be met by any plan iff
    k_s < 500 / 520; every other sample is met by building all 5.2 units, so one plan covers exactly
    the samples with k_s >= 500 / 520, together."""
    spec = one_measure_case(tmp_path, [{"applies_to": "m0", "quantity": "co2", "distribution": "uniform",
                                         "low": 0.9, "high": 1.3}], potential=5.2)
    worker = _worker(spec, 0)
    k = np.array([worker.figures(i)[0].rate[0, 0] for i in range(40)])
    bad = [i for i in range(40) if k[i] * 520 < 500 * (1 - 1e-9)]
    assert 0 < len(bad) < 40
    out = tmp_path / "out"
    result = run_cli("robust", str(spec), "--samples", "40", "--check-samples", "10", "--out", str(out))
    assert result.exit_code == 4, result.output
    assert f"{len(bad)} sample(s) cannot be met even on their own" in result.output
    for i in bad[:20]:
        assert f"sample {i}: co2_reduction_2023" in result.output
    assert f"co2_reduction_2023 in {len(bad)}" in result.output
    assert f"One plan can cover {40 - len(bad)} of the 40 samples" in result.output
    assert "Traceback" not in result.output
    assert not out.exists()


@pytest.mark.parametrize("args", [["--samples", "0"], ["--samples", "501"], ["--check-samples", "0"]])
def test_robust_bad_options(tmp_path, args):
    spec = one_measure_case(tmp_path, [{"applies_to": "m0", "quantity": "co2", "distribution": "uniform",
                                         "low": 0.9, "high": 1.3}])
    assert run_cli("robust", str(spec), "--out", str(tmp_path / "o"), *args).exit_code == 2


def test_robust_cli_writes_folder(tmp_path):
    spec = _multi_case(tmp_path / "case")
    out = tmp_path / "out"
    result = run_cli("robust", str(spec), "--samples", "10", "--check-samples", "50", "--out", str(out))
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out / "robust.csv", encoding="utf-8-sig")
    for column in ("cost_robust_wan_yuan", "cost_central_wan_yuan", "premium_wan_yuan", "premium_pct",
                   "p_met_robust", "p_met_central"):
        assert column in table.columns
    assert (out / "plan" / "targets.csv").is_file()


@pytest.mark.parametrize("method", ["hsj", "random"])
def test_alternatives_within_slack_and_meet_every_target(tmp_path, method):
    spec = _multi_case(tmp_path / "case")
    out = tmp_path / "alt"
    result = run_cli("alternatives", str(spec), "--slack", "0.1", "--count", "4", "--method", method,
                     "--out", str(out))
    assert result.exit_code == 0, result.output
    summary = pd.read_csv(out / "summary.csv", encoding="utf-8-sig")
    optimum = summary.cost_wan_yuan.iloc[0]
    assert summary.alternative.iloc[0] == "alt-0" and summary.increase_wan_yuan.iloc[0] == 0
    assert (summary.cost_wan_yuan <= optimum + 0.1 * abs(optimum) + 1e-6 * max(1, abs(optimum))).all()
    assert (summary.cost_wan_yuan >= optimum - 1e-6 * max(1, abs(optimum))).all()
    for name in summary.alternative:
        targets = pd.read_csv(out / name / "targets.csv", encoding="utf-8-sig")
        assert targets["met"].astype(str).str.lower().isin(["true", "yes"]).all(), name
    measures = pd.read_csv(out / "measures.csv", encoding="utf-8-sig")
    assert set(measures.columns) >= {"measure", "alternatives", "must_have"}
    assert (measures.must_have == (measures.alternatives == len(summary))).all()


@pytest.mark.parametrize("slack", ["0", "-0.1", "1.5"])
def test_alternatives_slack_outside_range_is_usage_error(tmp_path, slack):
    spec = _multi_case(tmp_path / "case")
    result = run_cli("alternatives", str(spec), "--slack", slack, "--out", str(tmp_path / "o"))
    assert result.exit_code == 2
    assert "--slack" in result.output
    assert not (tmp_path / "o").exists()


def test_sensitivity_signs_fixed_by_economics(tmp_path):
    """A dearer chosen measure never lowers the optimum, a cheaper one never raises it; more abatement
    per unit never raises it, less never lowers it (the central plan stays feasible in the better case)."""
    spec = _multi_case(tmp_path / "case")
    outcome = sensitivity(spec, range_=0.2)
    table = outcome["table"]
    optimum = outcome["record"]["optimum_wan_yuan"]
    tol = 1e-6 * max(1.0, abs(optimum))
    assert list(table.swing_wan_yuan) == sorted(table.swing_wan_yuan, reverse=True)
    cost_rows = table[table.parameter.str.startswith(("capex:", "opex:"))]
    assert len(cost_rows) >= 3
    for row in cost_rows.itertuples():
        if row.status_low == "optimal" and row.status_high == "optimal":
            assert row.objective_low <= optimum + tol <= row.objective_high + 2 * tol, row.parameter
    for row in table[table.parameter.str.startswith("abatement:")].itertuples():
        if row.status_low == "optimal" and row.status_high == "optimal":
            assert row.objective_high <= optimum + tol <= row.objective_low + 2 * tol, row.parameter
    assert "discount_rate" in set(table.parameter)
    assert "growth:bau:co2" in set(table.parameter)


def test_sensitivity_cli(tmp_path):
    spec = _multi_case(tmp_path / "case")
    out = tmp_path / "s"
    result = run_cli("sensitivity", str(spec), "--range", "0.2", "--out", str(out))
    assert result.exit_code == 0, result.output
    tornado = pd.read_csv(out / "tornado.csv", encoding="utf-8-sig")
    assert {"parameter", "objective_low", "objective_high", "swing_wan_yuan", "portfolio_changes",
            "targets_missed_low", "targets_missed_high"} <= set(tornado.columns)
    assert json.loads((out / "summary.json").read_text(encoding="utf-8"))["kind"] == "sensitivity"
    assert run_cli("sensitivity", str(spec), "--range", "1.5", "--out", str(tmp_path / "x")).exit_code == 2


def test_sensitivity_growth_and_price_by_hand(tmp_path):
    """Hand working. pv abates 100 t CO2 per unit (potential 40) and saves 10 MWh/yr valued at the
    electricity price. GDP 100 -> 120 and BAU CO2 10,000 -> 11,000 in 2023 (flat before); the 2023
    CO2 intensity cut of 25 % allows 0.75 x 10,000 x GDP'/100 t. With GDP growth scaled by g and BAU
    growth by b: required R = 10,000 + 1,000 b - 75 (100 + 20 g) = 2,500 + 1,000 b - 1,500 g
    (2,000 t at g = b = 1). One measure, so the plan is R / 100 units and the optimum is
    proportional to R: GDP growth x 0.8 -> 2,300 t (x 1.15), x 1.2 -> 1,700 t (x 0.85); BAU growth
    x 0.8 -> 1,800 t (x 0.9), x 1.2 -> 2,200 t (x 1.1). The price and the capex enter the objective
    linearly with the plan fixed: objective_low + objective_high = 2 x optimum; a dearer
    electricity never raises the cost (pv saves it), a dearer pv never lowers it."""
    growth = {2020: (100, 10000), 2021: (100, 10000), 2022: (100, 10000), 2023: (120, 11000)}
    baseline = [{"year": y, "gdp_yi_yuan": gdp, "co2_t": co2, **{f"{p}_t": 10000 for p in
                                                                 ("nox", "so2", "vocs", "pm", "cod", "nh3n")}}
                for y, (gdp, co2) in growth.items()]
    spec = write_dataset(tmp_path, [{"id": "pv", "co2_t_per_yr": 100, "electricity_mwh_per_yr": 10,
                                     "potential": 40}],
                         targets=[{"year": 2023, "pollutant": "co2", "kind": "intensity_reduction", "value": 0.25}],
                         baseline=baseline, extra_toml="[prices]\nelectricity_yuan_per_kwh = 0.2\n")
    write_csv(tmp_path / "inputs" / "uncertainty.csv", [
        {"applies_to": "pv", "quantity": "capex", "distribution": "uniform", "low": 0.8, "high": 1.2}],
        header=HEADER)
    outcome = sensitivity(spec, range_=0.2)
    table = outcome["table"].set_index("parameter")
    optimum = outcome["record"]["optimum_wan_yuan"]
    assert optimum > 0
    assert (table.status_low == "optimal").all() and (table.status_high == "optimal").all()
    gdp, bau = table.loc["growth:gdp"], table.loc["growth:bau:co2"]
    assert gdp.objective_low == pytest.approx(1.15 * optimum, rel=1e-6)
    assert gdp.objective_high == pytest.approx(0.85 * optimum, rel=1e-6)
    assert bau.objective_low == pytest.approx(0.9 * optimum, rel=1e-6)
    assert bau.objective_high == pytest.approx(1.1 * optimum, rel=1e-6)
    for name in ("price:electricity", "capex:pv", "opex:pv"):
        row = table.loc[name]
        assert row.objective_low + row.objective_high == pytest.approx(2 * optimum, rel=1e-6), name
    assert table.loc["price:electricity", "objective_high"] < optimum < table.loc["price:electricity", "objective_low"]
    assert table.loc["capex:pv", "objective_low"] < optimum < table.loc["capex:pv", "objective_high"]
    assert table.loc["abatement:pv", "objective_high"] < optimum < table.loc["abatement:pv", "objective_low"]
    assert "discount_rate" not in table.index  # r = 0: nothing to scale

"""Infeasible strict runs: the right culprit named, the shortfall and the fix quantified."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from click.testing import CliRunner

from helpers import write_dataset
from planner.cli import main
from planner.pipeline.run import run


def diagnose_case(tmp_path, measures, targets, **kwargs):
    outcome = run(write_dataset(tmp_path, measures, targets=targets, **kwargs), write=False)
    assert outcome.solution.status == "infeasible"
    return outcome.diagnosis


def test_potential_too_small_is_unreachable_whatever_the_budget(tmp_path):
    diagnosis = diagnose_case(tmp_path, [{"id": "m", "name": "光伏", "potential": 3, "co2_t_per_yr": 100}],
                              [{"year": 2022, "pollutant": "co2", "kind": "reduction", "value": 500}])
    [item] = diagnosis.unreachable
    assert item["target"] == "CO2 reduction >= 500 t in 2022 (targets.csv line 2)"
    assert item["max_reachable"] == pytest.approx(300) and item["missing"] == pytest.approx(200)
    assert diagnosis.shortfalls[0]["shortfall"] == pytest.approx(200)
    assert diagnosis.extra_budget_wan_yuan is None  # no budget makes it feasible
    assert "potential of 光伏 (m): 3 unit" in diagnosis.conflict
    assert any("relax CO2 reduction >= 500 t in 2022 (targets.csv line 2) by at least 200.0 t" in f
               for f in diagnosis.fixes)


def test_ramp_limit_is_named(tmp_path):
    # 2 units a year from 2021: at most 4 active in 2022, 500 t needs 5.
    diagnosis = diagnose_case(tmp_path, [{"id": "rail", "name": "公转铁", "max_add_per_yr": 2, "co2_t_per_yr": 100}],
                              [{"year": 2022, "pollutant": "co2", "kind": "reduction", "value": 500}])
    assert diagnosis.unreachable[0]["max_reachable"] == pytest.approx(400)
    assert "ramp limit of 公转铁 (rail): 2 unit/yr" in diagnosis.conflict


def test_budget_conflict_names_budget_year_and_extra_money(tmp_path):
    # 5 units of 10 万元 needed in 2021, budget 30 万元: 20 万元 more in 2021.
    diagnosis = diagnose_case(tmp_path, [{"id": "m", "co2_t_per_yr": 100}],
                              [{"year": 2021, "pollutant": "co2", "kind": "reduction", "value": 500}],
                              end_year=2021, budget=30)
    assert diagnosis.unreachable == []
    [bound] = diagnosis.budget_bound
    assert bound["min_capex_wan_yuan"] == pytest.approx(50) and bound["budget_wan_yuan"] == pytest.approx(30)
    assert diagnosis.extra_budget_wan_yuan == {2021: pytest.approx(20)}
    assert set(diagnosis.conflict) >= {"budget 2021: 30 万元", "CO2 reduction >= 500 t in 2021 (targets.csv line 2)"}
    assert any("2021: +20" in fix for fix in diagnosis.fixes)


def test_two_targets_compete_for_one_budget(tmp_path):
    # NH3-N needs 2 sewer units (2 x 40 万元), CO2 needs 3 PV units (3 x 10 万元); 100 万元 in 2025 is 10 short.
    measures = [{"id": "sewer", "capex_wan_yuan": 40, "nh3n_t_per_yr": 50},
                {"id": "pv", "capex_wan_yuan": 10, "co2_t_per_yr": 100}]
    targets = [{"year": 2021, "pollutant": "nh3n", "kind": "reduction", "value": 100},
               {"year": 2021, "pollutant": "co2", "kind": "reduction", "value": 300}]
    diagnosis = diagnose_case(tmp_path, measures, targets, end_year=2021, budget=100)
    assert diagnosis.extra_budget_wan_yuan == {2021: pytest.approx(10)}
    assert {"budget 2021: 100 万元", "NH3-N reduction >= 100 t in 2021 (targets.csv line 2)",
            "CO2 reduction >= 300 t in 2021 (targets.csv line 3)"} <= set(diagnosis.conflict)


def test_integer_only_infeasibility_is_explained(tmp_path):
    # Whole units only: 2 units of 100 t fit the potential of 2.5, 250 t needs 3.
    diagnosis = diagnose_case(tmp_path, [{"id": "kiln", "integer": "true", "potential": 2.5, "co2_t_per_yr": 100}],
                              [{"year": 2021, "pollutant": "co2", "kind": "reduction", "value": 250}], end_year=2021)
    assert diagnosis.conflict == []
    assert any("integer" in note for note in diagnosis.notes)
    assert diagnosis.shortfalls[0]["shortfall"] == pytest.approx(50)


def test_cli_prints_the_diagnosis_and_records_it(tmp_path):
    spec = write_dataset(tmp_path, [{"id": "m", "co2_t_per_yr": 100}],
                         targets=[{"year": 2021, "pollutant": "co2", "kind": "reduction", "value": 500}],
                         end_year=2021, budget=30)
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["run", str(spec), "--out", str(out)], obj={})
    assert result.exit_code == 4
    assert "Why the plan is infeasible" in result.output
    assert "raise the yearly budgets" in result.output
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["diagnosis"]["extra_budget_wan_yuan_by_year"] == {"2021": pytest.approx(20)}


def test_elastic_mode_reports_shortfalls_instead_of_failing(tmp_path):
    """Elastic, one year, r = 0: m costs 10 万元 per unit, life 10 -> 1 万元/yr, for 100 t CO2.

    Budget 30 -> 3 units, 300 t of 500; the rest is short. Derived cap: the larger of the annual cost
    (1 万元) and the capex (10 万元) per 100 t = 1,000 元/t; its potential (1,000 t) reaches 500 t, so the
    cap is 10 x 1,000 = 10,000 元/t. Penalty 200 t x 10,000 元 = 2,000,000 元 = 200 万元; cost 3 x 1 = 3 万元;
    objective 203 万元.
    """
    spec = write_dataset(tmp_path, [{"id": "m", "co2_t_per_yr": 100}],
                         targets=[{"year": 2021, "pollutant": "co2", "kind": "reduction", "value": 500}],
                         end_year=2021, budget=30, extra_toml='[targets]\nmode = "elastic"\n')
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["run", str(spec), "--out", str(out)], obj={})
    assert result.exit_code == 7, result.output
    assert "status: optimal with shortfall: 1 of 1 targets missed (see targets.csv); cost 3.00 万元, " \
           "penalty 200.00 万元" in result.output
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert "total_shortfall_t" not in summary
    assert summary["targets_missed"] == 1
    assert summary["cost_wan_yuan"] == pytest.approx(3.0)
    assert summary["penalty_wan_yuan"] == pytest.approx(200.0)
    assert summary["objective"] == pytest.approx(203.0)
    assert summary["price_caps"][0]["price_cap_yuan"] == pytest.approx(10_000.0)
    assert summary["price_caps"][0]["source"] == "derived"
    assert summary["targets_met"] is False
    assert summary["targets"][0]["shortfall"] == pytest.approx(200)
    emissions = pd.read_csv(out / "emissions.csv", encoding="utf-8-sig").set_index("pollutant")
    assert emissions.loc["co2", "shortfall_t"] == pytest.approx(200)
    assert emissions.loc["co2", "abated_t"] == pytest.approx(300) and not emissions.loc["co2", "met"]
    assert emissions["shortfall_t"].drop("co2").isna().all()  # no target on the other pollutants


def test_old_penalty_key_is_a_spec_wide_cap_in_wan_yuan(tmp_path):
    """The same case with [targets] penalty_wan_yuan_per_t = 1000 (万元/t): a cap of 1e7 元/t, so the
    objective is 3 + 200 x 1,000 = 200,003 万元 and the cost still 3 万元."""
    spec = write_dataset(tmp_path, [{"id": "m", "co2_t_per_yr": 100}],
                         targets=[{"year": 2021, "pollutant": "co2", "kind": "reduction", "value": 500}],
                         end_year=2021, budget=30,
                         extra_toml='[targets]\nmode = "elastic"\npenalty_wan_yuan_per_t = 1000\n')
    outcome = run(spec, write=False)
    assert outcome.summary["objective"] == pytest.approx(200_003.0)
    assert outcome.summary["cost_wan_yuan"] == pytest.approx(3.0)
    assert outcome.summary["price_caps"][0]["price_cap_yuan"] == pytest.approx(1e7)
    assert outcome.summary["price_caps"][0]["source"] == "spec_wide"


def test_screening_is_said_and_recorded(tmp_path):
    """An unreachable target is named by the screening (`planner run` makes it on the second core while
    HiGHS solves) on the terminal and in summary.json, and by `planner validate`."""
    spec = write_dataset(tmp_path / "case", [{"id": "m", "name": "光伏", "potential": 3, "co2_t_per_yr": 100}],
                         targets=[{"year": 2022, "pollutant": "co2", "kind": "reduction", "value": 500}])
    result = CliRunner().invoke(main, ["run", str(spec), "--out", str(tmp_path / "out")])
    assert result.exit_code == 4
    assert "screening: cannot be met" in result.output
    summary = json.loads((tmp_path / "out" / "summary.json").read_text(encoding="utf-8"))
    [item] = summary["screening"]["unreachable_targets"]
    assert item["max_reachable"] == pytest.approx(300) and item["required"] == pytest.approx(500)
    validated = CliRunner().invoke(main, ["validate", str(spec)])
    assert validated.exit_code == 4, validated.output  # validate exits with the infeasible code (issue 10)
    assert "screening: these targets cannot be met" in validated.output
    assert "CO2 reduction >= 500 t in 2022 (targets.csv line 2) needs 500.0 t abated" in validated.output


def test_screening_is_silent_when_every_target_is_reachable(tmp_path):
    spec = write_dataset(tmp_path / "case", [{"id": "m", "potential": 10, "co2_t_per_yr": 100}],
                         targets=[{"year": 2022, "pollutant": "co2", "kind": "reduction", "value": 500}])
    outcome = run(spec, out_dir=tmp_path / "out")
    assert outcome.solution.status == "optimal"
    assert outcome.summary["screening"] == {"unreachable_targets": [], "budget_bound_targets": []}
    assert "screening:" not in CliRunner().invoke(main, ["validate", str(spec)]).output

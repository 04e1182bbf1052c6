"""Named scenarios: each kind of override changes exactly what it says, and bad names are explained."""

from __future__ import annotations

import shutil

import pytest
from click.testing import CliRunner

from helpers import write_csv, write_dataset
from planner.cli import main
from planner.pipeline.run import run

# cheap: 1 万元/unit-yr, 100 t, at most 5 units; dear: 4 万元/unit-yr, 200 t. Base plan: 700 t in 2023
# only => 5 cheap + 1 dear in 2023, objective 9, capex 80.
MEASURES = [
    {"id": "cheap", "potential": 5, "co2_t_per_yr": 100, "tags": "solar", "unit": "MW"},
    {"id": "dear", "capex_wan_yuan": 30, "opex_wan_yuan_per_yr": 1, "co2_t_per_yr": 200},
]
TARGETS = [{"year": 2023, "pollutant": "co2", "kind": "reduction", "value": 700}]
SCENARIOS = """
[scenarios.tight]
description = "only 50 万元 a year"
budget = { annual_wan_yuan = 50 }

[scenarios.ambitious]
description = "targets 2x"
targets_scale = 2.0

[scenarios.discounted]
model = { discount_rate = 0.1 }

[scenarios.no_cheap]
exclude_measures = ["cheap"]

[scenarios.force_dear]
force_measures = { dear = 3 }

[scenarios.other_targets]
targets_file = "other_targets.csv"

[scenarios.other_data]
model = { inputs = "inputs2" }

[scenarios.more_solar]
deployment_scale = 2.0
"""


def objective(spec, scenario):
    outcome = run(spec, write=False, scenario=scenario)
    return outcome.solution.status, outcome.solution.objective_wan_yuan, outcome


@pytest.fixture
def spec(tmp_path):
    path = write_dataset(tmp_path, MEASURES, targets=TARGETS, budget=1000, extra_toml=SCENARIOS,
                         deployment=[{"year": 2023, "tag": "solar", "min_units": 2}])
    write_csv(tmp_path / "other_targets.csv", [{"year": 2023, "pollutant": "co2", "kind": "reduction", "value": 300}])
    shutil.copytree(tmp_path / "inputs", tmp_path / "inputs2")
    write_csv(tmp_path / "inputs2" / "targets.csv", [{"year": 2023, "pollutant": "co2", "kind": "reduction",
                                                      "value": 100}])
    return path


def test_base_and_every_override_kind(spec):
    assert objective(spec, None)[1] == pytest.approx(9.0)
    # tight: 50 万元 a year, so 5 cheap + 1 dear (80) cannot all be bought in 2023: 3 cheap in 2022,
    # 2 cheap + 1 dear in 2023 (50): 3 + (5 + 4) = 12.
    assert objective(spec, "tight")[1] == pytest.approx(12.0)
    # ambitious: 1,400 t: 5 cheap + 4.5 dear = 5 + 18 = 23.
    assert objective(spec, "ambitious")[1] == pytest.approx(23.0)
    # discounted: CRF(0.1, 10) = 0.16275, two years to 2023 => (5*10*crf + 30*crf + 1) / 1.21.
    crf = 0.1 * 1.1 ** 10 / (1.1 ** 10 - 1)
    assert objective(spec, "discounted")[1] == pytest.approx((80 * crf + 1) / 1.21)
    # no_cheap: 3.5 dear = 14, and the solar deployment row has no measure left: infeasible.
    status, _, outcome = objective(spec, "no_cheap")
    assert status == "infeasible" and "cheap" not in outcome.data.measures.ids
    # force_dear: 3 dear active in 2023 (600 t) + 1 cheap for 700 t... but 2 solar are required: 12 + 2 = 14.
    assert objective(spec, "force_dear")[1] == pytest.approx(14.0)
    # other_targets: 300 t => 3 cheap = 3.
    assert objective(spec, "other_targets")[1] == pytest.approx(3.0)
    # other_data: inputs2 asks 100 t, but 2 solar units are still required => 2.
    assert objective(spec, "other_data")[1] == pytest.approx(2.0)
    # more_solar: 4 solar units required; 700 t => 5 cheap + 1 dear still: 9.
    status, value, outcome = objective(spec, "more_solar")
    assert value == pytest.approx(9.0) and outcome.data.deployment[0].min_units == 4


def test_scenario_results_folder(spec, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["run", str(spec), "--scenario", "tight", "-q"], obj={})
    assert result.exit_code == 0, result.output
    assert (tmp_path / "results" / "case" / "tight" / "summary.json").is_file()
    base = CliRunner().invoke(main, ["run", str(spec), "-q"], obj={})
    assert base.exit_code == 0
    assert (tmp_path / "results" / "case" / "tight" / "summary.json").is_file(), "base run deleted scenario runs"


def test_unknown_scenario_and_key_list_the_valid_ones(spec):
    result = CliRunner().invoke(main, ["run", str(spec), "--scenario", "nope"], obj={})
    assert result.exit_code == 2  # a command-line value the spec does not define: usage (issue 10)
    assert "unknown scenario 'nope'; valid scenarios: tight, ambitious, discounted" in result.output
    spec.write_text(spec.read_text(encoding="utf-8") + "\n[scenarios.bad]\nbudgett = 1\n"
                    "exclude_measures = [\"ghost\"]\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["validate", str(spec)], obj={})
    assert result.exit_code == 3
    assert "unknown key 'budgett' in [scenarios.bad]; valid keys are description, model, budget" in result.output
    result = CliRunner().invoke(main, ["run", str(spec), "--scenario", "bad"], obj={})
    assert "unknown key 'budgett'" in result.output


def test_unknown_measure_in_scenario(spec):
    spec.write_text(spec.read_text(encoding="utf-8") + "\n[scenarios.ghost]\nexclude_measures = [\"ghost\"]\n",
                    encoding="utf-8")
    result = CliRunner().invoke(main, ["run", str(spec), "--scenario", "ghost"], obj={})
    assert result.exit_code == 3
    assert "[scenarios.ghost] has 1 problem" in result.output and "unknown measure 'ghost'" in result.output

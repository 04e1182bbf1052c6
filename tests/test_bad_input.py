"""Broken inputs give one message naming file, line, column and the fix, exit code 3, and write nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from helpers import write_dataset
from planner.cli import main

GOOD_MEASURES = [
    {"id": "pv", "unit": "MW", "co2_t_per_yr": 100, "tags": "nonfossil"},
    {"id": "wind", "unit": "MW", "co2_t_per_yr": 100, "tags": "nonfossil"},
]
GOOD_TARGETS = [{"year": 2022, "pollutant": "co2", "kind": "reduction", "value": 100}]


def run_cli(*args: str):
    return CliRunner().invoke(main, list(args), obj={})


def validate_error(spec: Path) -> str:
    result = run_cli("validate", str(spec))
    assert result.exit_code == 3, result.output
    assert "Traceback" not in result.output
    return result.output


def test_valid_dataset_passes(tmp_path):
    result = run_cli("validate", str(write_dataset(tmp_path, GOOD_MEASURES, targets=GOOD_TARGETS)))
    assert result.exit_code == 0, result.output
    assert "valid. 2 measures, 1 targets" in result.output


def test_all_measure_problems_reported_at_once(tmp_path):
    measures = [
        {"id": "pv", "capex_wan_yuan": -1200, "co2_t_per_yr": 100},
        {"id": "Bad-Id", "lifetime_yr": "ten"},
        {"id": "pv", "potential": 0},
    ]
    output = validate_error(write_dataset(tmp_path, measures, targets=GOOD_TARGETS))
    assert "measures.csv has 5 problems:" in output
    assert "line 2, capex_wan_yuan: must be a number >= 0 (got '-1200')" in output
    assert "line 3, lifetime_yr: must be a whole number >= 1 (got 'ten')" in output
    assert "line 3, id: must be text of lower-case letters, digits and _ (got 'Bad-Id')" in output
    assert "line 4, id: duplicate id 'pv' (first on line 2)" in output
    assert "line 4, potential: must be a number > 0 (got '0')" in output


def test_potential_must_be_positive(tmp_path):
    output = validate_error(write_dataset(tmp_path, [{"id": "pv", "potential": 0}], targets=GOOD_TARGETS))
    assert "line 2, potential: must be a number > 0 (got '0')" in output


def test_unknown_column_and_missing_required_column(tmp_path):
    spec = write_dataset(tmp_path, [{"id": "pv", "colour": "red"}], targets=GOOD_TARGETS)
    measures = tmp_path / "inputs" / "measures.csv"
    text = measures.read_text(encoding="utf-8").replace("lifetime_yr", "life")
    measures.write_text(text, encoding="utf-8")
    output = validate_error(spec)
    assert "line 1: unknown column 'colour'" in output
    assert "line 1: unknown column 'life'" in output
    assert "missing required column 'lifetime_yr'" in output


def test_target_problems(tmp_path):
    targets = [
        {"year": 2035, "pollutant": "co2", "kind": "reduction", "value": 1},
        {"year": 2022, "pollutant": "ozone", "kind": "reduction", "value": 1},
        {"year": 2022, "pollutant": "co2", "kind": "limit", "value": 1},
        {"year": 2022, "pollutant": "co2", "kind": "intensity_reduction", "value": 18},
    ]
    output = validate_error(write_dataset(tmp_path, GOOD_MEASURES, targets=targets))
    assert "targets.csv has 4 problems:" in output
    assert "line 2, year: year 2035 is outside the model horizon 2021..2023" in output
    assert "line 3, pollutant: unknown pollutant 'ozone'; use one of co2, nox, so2, vocs, pm, cod, nh3n" in output
    assert "line 4, kind: unknown kind 'limit'; use one of intensity_reduction, reduction, cap" in output
    assert "line 5, value: an intensity_reduction is a fraction below 1 (got 18); write 0.18 for -18 %" in output


def test_baseline_missing_years(tmp_path):
    baseline = [{"year": 2020, "gdp_yi_yuan": 100, "co2_t": 1, "nox_t": 1, "so2_t": 1, "vocs_t": 1, "pm_t": 1,
                 "cod_t": 1, "nh3n_t": 1}]
    output = validate_error(write_dataset(tmp_path, GOOD_MEASURES, targets=GOOD_TARGETS, baseline=baseline))
    assert "baseline.csv has 1 problem:" in output
    assert "has no row for year(s) 2021, 2022, 2023" in output


def test_deployment_tag_nobody_carries_and_mixed_units(tmp_path):
    measures = [
        {"id": "pv", "unit": "MW", "tags": "nonfossil"},
        {"id": "pipe", "unit": "km", "tags": "nonfossil"},
    ]
    deployment = [{"year": 2022, "tag": "methanol_station", "min_units": 10}]
    output = validate_error(write_dataset(tmp_path, measures, targets=GOOD_TARGETS, deployment=deployment))
    assert "line 3, tags: tag 'nonfossil' is carried by measures with different units ('km' here, 'MW' on line 2)" \
        in output
    assert "deployment.csv has 1 problem:" in output
    assert "line 2, tag: no measure carries tag 'methanol_station'" in output


def test_missing_file_and_spec_problems(tmp_path):
    spec = write_dataset(tmp_path, GOOD_MEASURES, targets=GOOD_TARGETS)
    (tmp_path / "inputs" / "baseline.csv").unlink()
    output = validate_error(spec)
    assert "baseline.csv has 1 problem:" in output and "file not found" in output

    spec.write_text('[model]\nname = "x"\ninputs = "inputs"\nbase_year = 2020\nstart_year = 2025\n'
                    'end_year = 2021\ncolour = 1\n[budgett]\n', encoding="utf-8")
    output = validate_error(spec)
    assert "unknown table [budgett]; valid tables are [model], [budget], [prices], [targets], [solver]" in output
    assert "unknown key 'colour' in [model]" in output

    spec.write_text('[model]\nname = "x"\ninputs = "inputs"\nbase_year = 2020\nstart_year = 2025\n'
                    'end_year = 2021\n', encoding="utf-8")
    assert "base_year <= start_year <= end_year (got 2020, 2025, 2021)" in validate_error(spec)

    spec.write_text('[model\nname = "x"\n', encoding="utf-8")
    assert "is not valid TOML" in validate_error(spec)


def test_not_utf8_names_the_line(tmp_path):
    spec = write_dataset(tmp_path, GOOD_MEASURES, targets=GOOD_TARGETS)
    measures = tmp_path / "inputs" / "measures.csv"
    measures.write_bytes(measures.read_bytes() + "bad,光伏,energy,MW,1,1,1,1,1,\n".encode("gbk"))
    output = validate_error(spec)
    assert "line 4: is not UTF-8 text" in output


def test_bom_is_accepted(tmp_path):
    spec = write_dataset(tmp_path, GOOD_MEASURES, targets=GOOD_TARGETS)
    measures = tmp_path / "inputs" / "measures.csv"
    measures.write_bytes(b"\xef\xbb\xbf" + measures.read_bytes())
    assert run_cli("validate", str(spec)).exit_code == 0


def test_bad_input_writes_nothing(tmp_path):
    spec = write_dataset(tmp_path, [{"id": "pv", "capex_wan_yuan": "=SUM(A1)"}], targets=GOOD_TARGETS)
    out = tmp_path / "out"
    result = run_cli("run", str(spec), "--out", str(out))
    assert result.exit_code == 3
    assert "capex_wan_yuan: must be a number >= 0 (got '=SUM(A1)')" in result.output
    assert not out.exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []

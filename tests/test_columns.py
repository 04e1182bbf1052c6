"""One declaration per column (planner/io/columns.py): every column the planner writes is declared,
every input column has its labels, and docs/outputs.md is the table's own rendering."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from click.testing import CliRunner

from helpers import write_dataset
from planner.cli import main
from planner.io import columns
from planner.io.schema import FILES

ROOT = Path(__file__).resolve().parents[1]
MEASURES = [{"id": "pv", "co2_t_per_yr": 100, "nox_t_per_yr": 1, "tags": "solar"},
            {"id": "scr", "nox_t_per_yr": 20, "capex_wan_yuan": 30}]


def test_every_written_column_is_declared(tmp_path):
    spec = write_dataset(tmp_path / "case", MEASURES, targets=[{"year": 2023, "pollutant": "co2", "kind": "reduction",
                                                               "value": 300}],
                         deployment=[{"year": 2023, "tag": "solar", "min_units": 2}], budget=1000)
    runner = CliRunner()
    run, sweep, cmp = tmp_path / "run", tmp_path / "sweep", tmp_path / "cmp"
    assert runner.invoke(main, ["run", str(spec), "--out", str(run)], obj={}).exit_code == 0
    assert runner.invoke(main, ["sweep", str(spec), "--budget", "0:100:50", "--out", str(sweep)], obj={}).exit_code == 0
    assert runner.invoke(main, ["compare", str(run), str(sorted((sweep / "points").iterdir())[-1]), "--out", str(cmp)],
                         obj={}).exit_code == 0
    missing = []
    for folder in (run, sweep, cmp):
        for path in folder.glob("*.csv"):
            header = pd.read_csv(path, encoding="utf-8-sig", nrows=0).columns
            if path.name == "comparison.csv":
                header = header[:2]
            missing += [f"{path.name}: {name}" for name in header if columns.column(path.name, name) is None]
    assert missing == [], "declare these in planner/io/columns.py:\n" + "\n".join(missing)


def test_every_input_column_has_labels():
    for file, declared in FILES.items():
        for column in declared:
            info = columns.input_column(file, column.name)
            assert info is not None and info.direction == "input"
            assert info.unit == column.unit and info.kind == column.kind
            assert info.label_zh != column.name and info.label_en != column.name, f"{file}: {column.name} has no label"


def test_labels_come_from_the_table():
    assert columns.label("capex_wan_yuan", "zh", "plan.csv") == "投资(万元)"
    assert columns.label("capex_wan_yuan", "zh", "cost_effectiveness.csv") == "单位投资(万元/单位)"
    assert columns.label("nox_abated_t_2025", "en", "sweep.csv") == "NOx abated 2025 (t)"
    assert columns.label("shortfall_co2_2030", "zh", "sweep.csv") == "co2 2030年缺口"
    assert columns.label("not_a_column", "zh") == "not_a_column"


def test_docs_outputs_is_generated_from_the_table():
    text = (ROOT / "docs" / "outputs.md").read_text(encoding="utf-8")
    assert text == columns.outputs_markdown(), "regenerate: python -m planner.io.columns > docs/outputs.md"


# Files of the ensemble commands that share a name with a run's file are declared under the command's folder.
ENSEMBLE_FILES = {("uncertainty", "samples.csv"): "uncertainty/samples.csv",
                  ("uncertainty", "targets.csv"): "uncertainty/targets.csv",
                  ("uncertainty", "measures.csv"): "uncertainty/measures.csv",
                  ("alternatives", "summary.csv"): "alternatives/summary.csv",
                  ("alternatives", "measures.csv"): "alternatives/measures.csv"}


def test_every_column_of_the_ensemble_commands_is_declared(tmp_path):
    """uncertainty (per-draw and per-target columns too), robust, alternatives, sensitivity and a
    parameter sweep (shortfall_<subject>_<year>, <p>_abated_t_<year>): every header, at the top and in
    every run folder they write, is in planner/io/columns.py."""
    from test_uncertainty import _multi_case

    spec = _multi_case(tmp_path / "case")
    runner = CliRunner()
    commands = {
        "uncertainty": ["uncertainty", str(spec), "--samples", "6"],
        "robust": ["robust", str(spec), "--samples", "4", "--check-samples", "10"],
        "alternatives": ["alternatives", str(spec), "--slack", "0.1", "--count", "2"],
        "sensitivity": ["sensitivity", str(spec)],
        "sweep": ["sweep", str(spec), "--parameter", "discount_rate=0.03:0.05:0.02"],
    }
    missing = []
    for command, args in commands.items():
        out = tmp_path / command
        result = runner.invoke(main, [*args, "--out", str(out)], obj={})
        assert result.exit_code == 0, (command, result.output)
        paths = list(out.rglob("*.csv"))
        assert paths, command
        for path in paths:
            top = path.parent == out
            file = ENSEMBLE_FILES.get((command, path.name), path.name) if top else path.name
            if not path.read_bytes().strip(b"\xef\xbb\xbf\r\n"):
                missing.append(f"{command}: {path.relative_to(out)} has no header")
                continue
            header = pd.read_csv(path, encoding="utf-8-sig", nrows=0).columns
            missing += [f"{command}: {file}: {name}" for name in header if columns.column(file, name) is None]
    assert missing == [], "declare these in planner/io/columns.py:\n" + "\n".join(missing)

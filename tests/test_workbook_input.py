"""Data in a workbook: `planner init --xlsx`, runs from a .xlsx spec, `planner convert` round trip,
errors by sheet and cell, formulas without saved values."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import openpyxl
import pytest
from click.testing import CliRunner

from helpers import write_dataset
from planner.cli import main
from planner.io.inputs import load_data
from planner.io.spec import load_spec

ROOT = Path(__file__).resolve().parents[1]


def _run(args):
    return CliRunner().invoke(main, args, obj={})


def _objective(folder: Path) -> float:
    return json.loads((folder / "summary.json").read_text(encoding="utf-8"))["objective"]


def _default_workbook_spec(tmp_path: Path) -> Path:
    """The default model's spec with its inputs converted to one workbook by `planner convert`."""
    book = tmp_path / "book" / "guiyang.xlsx"
    assert _run(["convert", str(ROOT / "inputs" / "guiyang"), str(book)]).exit_code == 0
    text = (ROOT / "models" / "guiyang.toml").read_text(encoding="utf-8")
    lines = [f'inputs = "{book.as_posix()}"' if line.startswith("inputs =") else line for line in text.splitlines()]
    spec = tmp_path / "book.toml"
    spec.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return spec


def test_init_xlsx_edit_and_run_matches_the_csv_route(tmp_path):
    """A workbook from `init --xlsx`, edited with openpyxl (the rooftop PV capex doubled), gives the
    same objective as the CSV folder with the same edit."""
    assert _run(["init", str(tmp_path / "xl"), "--xlsx"]).exit_code == 0
    spec = tmp_path / "xl" / "models" / "xl.toml"
    book_path = tmp_path / "xl" / "inputs" / "xl.xlsx"
    assert (tmp_path / "xl" / "inputs" / "SOURCES.md").is_file()
    book = openpyxl.load_workbook(book_path)
    assert {"measures", "baseline", "targets", "deployment"} <= set(book.sheetnames)
    measures = book["measures"]
    assert measures.freeze_panes == "A2"
    header = [c.value for c in measures[1]]
    capex = header.index("capex_wan_yuan") + 1
    assert measures.cell(1, capex).comment is not None and "万元" in measures.cell(1, capex).comment.text
    assert any("sector" in str(v.sqref) or v.formula1 for v in measures.data_validations.dataValidation)
    baseline = book["baseline"]
    assert baseline["A1"].value == "quantity" and isinstance(baseline["B1"].value, int)
    row = next(r for r in range(2, measures.max_row + 1) if measures.cell(r, 1).value == "rooftop_pv")
    measures.cell(row, capex).value = measures.cell(row, capex).value * 2
    book.save(book_path)
    assert _run(["run", str(spec), "--out", str(tmp_path / "from-xlsx")]).exit_code == 0

    assert _run(["init", str(tmp_path / "csv")]).exit_code == 0
    csv_path = tmp_path / "csv" / "inputs" / "csv" / "measures.csv"
    lines = csv_path.read_text(encoding="utf-8-sig").splitlines()
    head = lines[0].split(",")
    for k, line in enumerate(lines):
        if line.startswith("rooftop_pv,"):
            cells = next(__import__("csv").reader([line]))
            cells[head.index("capex_wan_yuan")] = str(float(cells[head.index("capex_wan_yuan")]) * 2)
            import csv as csvmod
            import io
            buffer = io.StringIO()
            csvmod.writer(buffer, lineterminator="").writerow(cells)
            lines[k] = buffer.getvalue()
    csv_path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert _run(["run", str(tmp_path / "csv" / "models" / "csv.toml"), "--out", str(tmp_path / "from-csv")]).exit_code == 0
    assert _objective(tmp_path / "from-xlsx") == pytest.approx(_objective(tmp_path / "from-csv"), rel=1e-9)


def test_convert_round_trip_is_lossless(tmp_path):
    """Default data folder -> workbook -> folder: the same parsed values; SOURCES.md travels."""
    source = ROOT / "inputs" / "guiyang"
    book = tmp_path / "book" / "guiyang.xlsx"
    assert _run(["convert", str(source), str(book)]).exit_code == 0
    assert (book.parent / "SOURCES.md").read_bytes() == (source / "SOURCES.md").read_bytes()
    back = tmp_path / "back"
    assert _run(["convert", str(book), str(back)]).exit_code == 0
    assert (back / "SOURCES.md").is_file()
    # The files a scenario names by path (its targets, baseline and actuals files) and uncertainty.csv
    # are no sheets: they travel beside the workbook and back, byte for byte, so every file returns.
    sheets = {"measures.csv", "baseline.csv", "targets.csv", "deployment.csv", "pools.csv", "indicators.csv",
              "areas.csv"}
    originals = sorted(path.name for path in source.iterdir() if path.is_file())
    assert sorted(path.name for path in back.iterdir()) == originals
    for name in set(originals) - sheets:
        assert (back / name).read_bytes() == (source / name).read_bytes(), name
        assert (book.parent / name).read_bytes() == (source / name).read_bytes(), name
    spec = load_spec(ROOT / "models" / "guiyang.toml")
    import dataclasses
    original = load_data(spec)
    again = load_data(dataclasses.replace(spec, inputs_dir=back))
    from_book = load_data(dataclasses.replace(spec, inputs_dir=book))
    for data in (again, from_book):
        assert data.measures.ids == original.measures.ids
        for field in ("capex_wan_yuan", "opex_wan_yuan_per_yr", "potential", "abatement_t_per_yr", "lifetime_yr"):
            assert np.array_equal(getattr(data.measures, field), getattr(original.measures, field)), field
        assert data.bau_t == original.bau_t and data.gdp_yi_yuan == original.gdp_yi_yuan
        assert [t.value for t in data.targets] == [t.value for t in original.targets]


def test_errors_name_sheet_and_cell_all_at_once(tmp_path):
    spec = write_dataset(tmp_path / "case", [{"id": "pv", "co2_t_per_yr": 10}, {"id": "wind", "co2_t_per_yr": 5}])
    book = tmp_path / "case" / "data.xlsx"
    assert _run(["convert", str(tmp_path / "case" / "inputs"), str(book)]).exit_code == 0
    wb = openpyxl.load_workbook(book)
    ws = wb["measures"]
    header = [c.value for c in ws[1]]
    col = lambda name: header.index(name) + 1  # noqa: E731
    ws.cell(2, col("capex_wan_yuan")).value = "lots"
    ws.cell(3, col("lifetime_yr")).value = 0
    wb["baseline"]["C3"].value = -5  # co2_t? the row named in A3, the year in C1
    wb.save(book)
    text = spec.read_text(encoding="utf-8").replace('inputs = "inputs"', 'inputs = "data.xlsx"')
    spec.write_text(text, encoding="utf-8")
    result = _run(["run", str(spec), "--out", str(tmp_path / "out")])
    assert result.exit_code == 3, result.output
    letter = lambda name: "ABCDEFGHIJKLMNOPQRSTUVWXYZ"[col(name) - 1]  # noqa: E731
    assert f"measures!{letter('capex_wan_yuan')}2" in result.output
    assert f"measures!{letter('lifetime_yr')}3" in result.output
    assert "baseline!C3" in result.output
    assert not (tmp_path / "out").exists()


def test_formula_without_saved_value_is_an_error(tmp_path):
    spec = write_dataset(tmp_path / "case", [{"id": "pv", "co2_t_per_yr": 10}])
    book = tmp_path / "case" / "data.xlsx"
    assert _run(["convert", str(tmp_path / "case" / "inputs"), str(book)]).exit_code == 0
    wb = openpyxl.load_workbook(book)
    ws = wb["measures"]
    header = [c.value for c in ws[1]]
    ws.cell(2, header.index("potential") + 1).value = "=5*2"  # openpyxl saves no computed value
    wb.save(book)
    spec.write_text(spec.read_text(encoding="utf-8").replace('inputs = "inputs"', 'inputs = "data.xlsx"'),
                    encoding="utf-8")
    result = _run(["run", str(spec), "--out", str(tmp_path / "out")])
    assert result.exit_code == 3
    letter = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"[header.index("potential")]
    assert f"measures!{letter}2: formula =5*2 has no saved value" in result.output


def test_uncertainty_of_a_workbook_spec_reads_the_file_beside_it(tmp_path):
    """After `planner convert`, a spec whose inputs name the workbook finds uncertainty.csv beside it
    and draws the same ensemble as the CSV route: targets.csv and measures.csv byte-identical."""
    spec = _default_workbook_spec(tmp_path)
    args = ["uncertainty", "--samples", "6", "--seed", "3"]
    from_book = _run([*args, str(spec), "--out", str(tmp_path / "from-book")])
    assert from_book.exit_code == 0, from_book.output
    from_csv = _run([*args, str(ROOT / "models" / "guiyang.toml"), "--out", str(tmp_path / "from-csv")])
    assert from_csv.exit_code == 0, from_csv.output
    for name in ("targets.csv", "measures.csv"):
        assert (tmp_path / "from-book" / name).read_bytes() == (tmp_path / "from-csv" / name).read_bytes(), name


def test_default_model_from_its_workbook_has_the_same_optimum_and_v2_tables(tmp_path):
    """The default data carries pools, indicators and areas (v2 sheets): run from the workbook that
    `planner convert` writes, it reaches the pinned optimum, and pools.csv, areas.csv and
    indicators.csv equal the CSV route's byte for byte, so no v2 row was lost or changed."""
    from test_default_model import PINNED_OBJECTIVE_WAN_YUAN, PIN_REL_TOL

    spec = _default_workbook_spec(tmp_path)
    for source, out in ((spec, "from-book"), (ROOT / "models" / "guiyang.toml", "from-csv")):
        result = _run(["run", str(source), "--out", str(tmp_path / out), "--no-unchosen"])
        assert result.exit_code == 0, result.output
    assert _objective(tmp_path / "from-book") == pytest.approx(PINNED_OBJECTIVE_WAN_YUAN, rel=PIN_REL_TOL)
    for name in ("pools.csv", "areas.csv", "indicators.csv", "targets.csv"):
        assert (tmp_path / "from-book" / name).read_bytes() == (tmp_path / "from-csv" / name).read_bytes(), name

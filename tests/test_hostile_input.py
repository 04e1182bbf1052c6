"""Property tests: corrupted data sets never crash the planner, never leave a partial folder, and
invalid ones are reported with the file (and line) named and exit code 3."""

from __future__ import annotations

import shutil
from pathlib import Path

from click.testing import CliRunner
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from helpers import write_dataset
from planner.cli import main

HOSTILE_CELLS = ["", " ", "nan", "NaN", "inf", "-inf", "1e400", "-1e400", "-5", "0", "abc", "=1+1",
                 "@SUM(A1)", "+1", "-", "1e-300", "1e300", "９", "\u00a0", "\x00", "'", "1;2", "x" * 3000,
                 "2020.5", "-0", "true", "None", "NULL", "#N/A", "1,5", "1e15", "99999999999999999999"]

MEASURES = [
    {"id": "pv", "name": "光伏", "unit": "MW", "co2_t_per_yr": 100, "nox_t_per_yr": 1, "tags": "nonfossil",
     "max_add_per_yr": 5, "first_year": 2021, "integer": "false", "group": ""},
    {"id": "rail", "name": "公转铁", "unit": "Mtkm", "capex_wan_yuan": 50, "co2_t_per_yr": 35, "nox_t_per_yr": 2,
     "max_add_per_yr": 5, "first_year": 2022, "integer": "true", "group": "g"},
]
TARGETS = [{"year": 2022, "pollutant": "co2", "kind": "reduction", "value": 200},
           {"year": 2023, "pollutant": "nox", "kind": "intensity_reduction", "value": 0.0001}]
DEPLOYMENT = [{"year": 2023, "tag": "nonfossil", "min_units": 2}]


def make_case(folder: Path) -> Path:
    if folder.exists():
        shutil.rmtree(folder)
    return write_dataset(folder, MEASURES, targets=TARGETS, deployment=DEPLOYMENT, budget=1000)


def run_and_check(spec: Path, out: Path, must_fail: bool, file_named: str | None = None, line_named: bool = True):
    shutil.rmtree(out, ignore_errors=True)
    result = CliRunner().invoke(main, ["run", str(spec), "--out", str(out), "-q"], obj={})
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert "Traceback" not in result.output
    assert result.exit_code in (0, 3, 4, 5), result.output
    if must_fail:
        assert result.exit_code == 3, result.output
    if result.exit_code == 3:
        assert not out.exists(), "a failed run left a results folder"
        if file_named:
            assert file_named in result.output, result.output
            if line_named:
                assert "line " in result.output, result.output
    else:
        assert sorted(p.name for p in out.iterdir()) == ["co_control.csv", "cost_effectiveness.csv", "emissions.csv",
                                                         "plan.csv", "summary.json", "targets.csv", "unchosen.csv"]
    assert not [p for p in out.parent.glob(".out.*")], "staging folders left behind"
    return result


def corrupt_cell(path: Path, row: int, column: int, value: str) -> None:
    lines = path.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    cells = lines[1 + row % (len(lines) - 1)].split(",") if len(lines) > 1 else []
    cells += [""] * (len(header) - len(cells))
    cells[column % len(header)] = '"' + value.replace('"', '""') + '"'
    lines[1 + row % (len(lines) - 1)] = ",".join(cells)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(file=st.sampled_from(["measures.csv", "baseline.csv", "targets.csv", "deployment.csv"]),
       row=st.integers(0, 20), column=st.integers(0, 30), value=st.sampled_from(HOSTILE_CELLS))
def test_corrupted_cell_never_crashes(tmp_path, file, row, column, value):
    spec = make_case(tmp_path / "case")
    corrupt_cell(tmp_path / "case" / "inputs" / file, row, column, value)
    run_and_check(spec, tmp_path / "out", must_fail=False, file_named=file)


NON_NUMBERS = ["abc", "=1+1", "@SUM(A1)", "nan", "inf", "1e400", "#N/A", "x" * 3000, "1e15"]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(column=st.sampled_from(["capex_wan_yuan", "opex_wan_yuan_per_yr", "lifetime_yr", "potential",
                               "co2_t_per_yr", "max_add_per_yr"]),
       row=st.integers(0, 1), value=st.sampled_from(NON_NUMBERS))
def test_non_numbers_in_numeric_columns_are_named(tmp_path, column, row, value):
    spec = make_case(tmp_path / "case")
    path = tmp_path / "case" / "inputs" / "measures.csv"
    header = path.read_text(encoding="utf-8").splitlines()[0].split(",")
    corrupt_cell(path, row, header.index(column), value)
    result = run_and_check(spec, tmp_path / "out", must_fail=True, file_named="measures.csv")
    assert f"line {row + 2}, {column}:" in result.output


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(file=st.sampled_from(["measures.csv", "baseline.csv", "targets.csv"]),
       damage=st.sampled_from(["missing", "empty", "header_only_garbage", "utf16", "gbk", "binary", "bom"]))
def test_damaged_files(tmp_path, file, damage):
    spec = make_case(tmp_path / "case")
    path = tmp_path / "case" / "inputs" / file
    text = path.read_text(encoding="utf-8")
    if damage == "missing":
        path.unlink()
    elif damage == "empty":
        path.write_bytes(b"")
    elif damage == "header_only_garbage":
        path.write_text("a;b;c\n1;2;3\n", encoding="utf-8")
    elif damage == "utf16":
        path.write_bytes(text.encode("utf-16"))
    elif damage == "gbk":
        path.write_bytes(text.replace("pv", "光伏").encode("gbk") if file == "measures.csv" else b"\xff\xfe\x00bad")
    elif damage == "binary":
        path.write_bytes(bytes(range(256)) * 4)
    elif damage == "bom":
        path.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    run_and_check(spec, tmp_path / "out", must_fail=damage != "bom", file_named=file, line_named=False)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(start=st.integers(-10**6, 10**6), length=st.integers(-5, 10**5))
def test_absurd_horizons(tmp_path, start, length):
    assume((start, length) != (2021, 2))  # the valid horizon of the case
    spec = make_case(tmp_path / "case")
    text = spec.read_text(encoding="utf-8")
    text = text.replace("start_year = 2021", f"start_year = {start}").replace("end_year = 2023",
                                                                           f"end_year = {start + length}")
    text = text.replace("base_year = 2020", f"base_year = {start - 1}")
    spec.write_text(text, encoding="utf-8")
    run_and_check(spec, tmp_path / "out", must_fail=True, file_named="case", line_named=False)


def test_duplicate_ids(tmp_path):
    spec = make_case(tmp_path / "case")
    path = tmp_path / "case" / "inputs" / "measures.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join(lines + [lines[1]]) + "\n", encoding="utf-8")
    result = run_and_check(spec, tmp_path / "out", must_fail=True, file_named="measures.csv")
    assert "line 4, id: duplicate id 'pv' (first on line 2)" in result.output


def test_numerically_dangerous_data_warns_with_rows(tmp_path):
    measures = [{"id": "tiny", "co2_t_per_yr": 1e-6}, {"id": "huge", "co2_t_per_yr": 1e7}]
    spec = write_dataset(tmp_path / "case", measures,
                         targets=[{"year": 2021, "pollutant": "co2", "kind": "reduction", "value": 10}])
    result = CliRunner().invoke(main, ["run", str(spec), "--out", str(tmp_path / "out")], obj={})
    assert result.exit_code == 0, result.output
    assert "co2_t_per_yr spans 1.0e+13x, from 1e-06 (line 2, tiny) to 1e+07 (line 3, huge)" in result.output

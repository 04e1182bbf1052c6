"""planner.io.csv_text writes exactly what pandas' to_csv writes, on the planner's tables and awkward values."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from planner.io.csv_text import frame_csv_bytes, frame_csv_text
from planner.pipeline.run import run

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.generate import generate  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


def _pandas(frame: pd.DataFrame) -> str:
    return frame.to_csv(index=False, lineterminator="\n")


def test_same_text_as_pandas_on_result_tables(tmp_path):
    """Every table of the default model and of a generated MIP (elastic, with shortfalls) is byte-identical."""
    spec = generate(60, tmp_path / "case", seed=3, n_years=6)
    spec.write_text(spec.read_text(encoding="utf-8") + '\n[targets]\nmode = "elastic"\n', encoding="utf-8")
    for path in (ROOT / "models" / "guiyang.toml", spec):
        outcome = run(path, write=False)
        tables = outcome.tables
        for name in ("plan", "emissions", "targets", "cost_effectiveness", "by_year"):
            frame = getattr(tables, name)
            assert len(frame) > 0
            assert frame_csv_text(frame) == _pandas(frame), name
            assert frame_csv_bytes(frame, "utf-8-sig") == _pandas(frame).encode("utf-8-sig"), name


def test_awkward_values():
    frame = pd.DataFrame({
        "text": ["a,b", 'say "hi"', "line\nbreak", None, "中文", ""],
        "float": [0.1 + 0.2, 1e16, 1e-5, np.nan, -2.5e-300, 123456789012345.0],
        "int": [1, -2, 3, 0, 2 ** 40, 7],
        "bool": [True, False, True, True, False, False],
        "mixed": [1.5, "x", None, np.nan, True, 3],
    })
    assert frame_csv_text(frame) == _pandas(frame)
    assert frame_csv_text(frame.iloc[:0]) == _pandas(frame.iloc[:0])


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.floats(allow_infinity=True), st.text(max_size=6), st.integers(-10 ** 12, 10 ** 12),
                          st.booleans()), max_size=12))
def test_random_frames(rows):
    frame = pd.DataFrame(rows, columns=["f", "s", "i", "b"])
    if len(rows):
        frame["f"] = frame["f"].astype(float)
        frame["i"] = frame["i"].astype(np.int64)
        frame["b"] = frame["b"].astype(bool)
    assert frame_csv_text(frame) == _pandas(frame)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.floats(allow_nan=False, allow_infinity=False, min_value=-1e15, max_value=1e15), min_size=1,
                max_size=50))
def test_result_numbers_are_the_ten_significant_digits_of_percent_10g(values):
    """A result CSV writes each float as the value '%.10g' prints (what uncertainty.csv writes), and
    within 1e-9 of zero as 0: at most ten significant digits, never -0.0 or 4.5e-13."""
    from planner.io.writer import ZERO_SNAP, csv_bytes

    text = csv_bytes(pd.DataFrame({"x": values})).decode("utf-8-sig").splitlines()[1:]
    expected = [0.0 if abs(v) < ZERO_SNAP else float("%.10g" % v) for v in values]
    assert [float(cell) for cell in text] == expected
    assert all(cell != "-0.0" for cell in text)


def test_rounding_of_worked_values():
    from planner.io.writer import csv_bytes

    frame = pd.DataFrame({"t": [6845.4713520000005, 1400.0000000000011, -4.547e-13, 2 / 3, 123456789012345.0]})
    assert csv_bytes(frame).decode("utf-8-sig") == "t\n6845.471352\n1400.0\n0.0\n0.6666666667\n123456789000000.0\n"


# The numpy formatter behind frame_csv_bytes (planner.io.csv_fast), cell by cell against Python itself.

def _cells_of(matrix) -> list[str]:
    return [bytes(row).replace(b"\0", b"").decode("utf-8") for row in matrix]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.floats(allow_nan=True, allow_infinity=True), min_size=1, max_size=40))
def test_float_cells_are_repr(values):
    """Every double, 17-digit ones, subnormals and huge ones included, is written as ``repr`` writes it."""
    from planner.io.csv_fast import float_bytes

    expected = ["" if v != v else repr(v) for v in values]
    assert _cells_of(float_bytes(np.array(values, dtype=float))) == expected


@settings(max_examples=300, deadline=None)
@given(st.lists(st.integers(1, 10 ** 10 - 1), min_size=1, max_size=30), st.integers(-12, 24))
def test_ten_digit_decimals_at_every_scale(mantissas, exponent):
    """Decimals of at most ten digits, as the result tables hold them, from 1e-12 to 1e34: fixed notation
    where repr uses it (1e-4 <= |x| < 1e16), d.ddde±XX elsewhere, and the digits exact."""
    from planner.io.csv_fast import float_bytes

    values = [float(f"{m}e{exponent - 9}") * (-1) ** m for m in mantissas]
    assert _cells_of(float_bytes(np.array(values))) == [repr(v) for v in values]


def test_worked_cells():
    from planner.io.csv_fast import float_bytes, int_bytes

    values = [6845.471352, 1400.0, 0.002, 1e-05, 6.558513064e-06, 1e16, 9999999999999998.0, 0.1 + 0.2, -0.0, 0.0,
              123456789000000.0, -1.5e-300, 5e-324, float("inf"), float("-inf"), float("nan"), 1e22, 1e23]
    assert _cells_of(float_bytes(np.array(values))) == [
        "6845.471352", "1400.0", "0.002", "1e-05", "6.558513064e-06", "1e+16", "9999999999999998.0",
        "0.30000000000000004", "-0.0", "0.0", "123456789000000.0", "-1.5e-300", "5e-324", "inf", "-inf", "",
        "1e+22", "1e+23"]
    assert _cells_of(int_bytes(np.array([0, -7, 10, 2 ** 62, -(2 ** 63) + 1]))) == [
        "0", "-7", "10", str(2 ** 62), str(-(2 ** 63) + 1)]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.floats(), st.one_of(st.none(), st.text(max_size=5)), st.integers(-10 ** 15, 10 ** 15),
                          st.booleans()), max_size=12),
       st.sampled_from(["utf-8", "utf-8-sig"]))
def test_random_frames_as_bytes(rows, encoding):
    frame = pd.DataFrame(rows, columns=["f", "s", "i", "b"])
    if len(rows):
        frame["f"] = frame["f"].astype(float)
        frame["i"] = frame["i"].astype(np.int64)
        frame["b"] = frame["b"].astype(bool)
    assert frame_csv_bytes(frame, encoding) == _pandas(frame).encode(encoding)
    for column in frame.columns:  # one column: a row whose only field is empty is written ""
        assert frame_csv_bytes(frame[[column]], encoding) == _pandas(frame[[column]]).encode(encoding)


def test_awkward_frames_as_bytes():
    frame = pd.DataFrame({
        "text": ["a,b", 'say "hi"', "line\nbreak", None, "中文", ""],
        "carriage": ["a\rb", " lead", "trail ", "x", "", None],
        "float": [0.1 + 0.2, 1e16, 1e-5, np.nan, -2.5e-300, 123456789012345.0],
        "int": [1, -2, 3, 0, 2 ** 40, 7],
        "uint": np.array([0, 1, 2, 3, 4, 2 ** 63 + 5], dtype=np.uint64),
        "bool": [True, False, True, True, False, False],
        "mixed": [1.5, "x", None, np.nan, True, 3],
        "none": [None] * 6,
        "string": pd.array(["a", None, "b,c", "d", "e", "f"], dtype="string"),
    })
    for columns in (list(frame.columns), [c for c in frame.columns if c not in ("mixed", "uint")], ["none"]):
        part = frame[columns]
        assert frame_csv_bytes(part, "utf-8-sig") == _pandas(part).encode("utf-8-sig"), columns
        assert frame_csv_bytes(part.iloc[:0], "utf-8-sig") == _pandas(part.iloc[:0]).encode("utf-8-sig")
    assert frame_csv_bytes(frame, "gb18030") == _pandas(frame).encode("gb18030")


def test_chunks_join_into_the_same_file(monkeypatch):
    """Rows are formatted CHUNK_ROWS at a time; chunk edges change nothing (here chunks of 7 rows)."""
    from planner.io import csv_fast

    rng = np.random.default_rng(5)
    n = 100
    frame = pd.DataFrame({"year": rng.integers(2020, 2031, n), "id": [f"m{k % 13},x" if k % 5 == 0 else f"m{k}"
                                                                       for k in range(n)],
                          "t": rng.standard_normal(n) * 10.0 ** rng.integers(-9, 18, n), "b": rng.random(n) > 0.5})
    frame.loc[::4, "t"] = np.nan
    monkeypatch.setattr(csv_fast, "CHUNK_ROWS", 7)
    assert frame_csv_bytes(frame, "utf-8-sig") == _pandas(frame).encode("utf-8-sig")
    assert frame_csv_bytes(frame[["t"]], "utf-8") == _pandas(frame[["t"]]).encode("utf-8")

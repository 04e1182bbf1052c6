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

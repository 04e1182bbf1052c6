"""CSV text of a result table, byte for byte what ``DataFrame.to_csv(index=False)`` writes, several times faster.

pandas formats every float through numpy string arrays and writes rows in Python chunks; at
10,000 measures the planner's four tables took 0.7-1.1 s that way. ``frame_csv_bytes`` makes the
bytes with numpy (``planner.io.csv_fast``) where it can; otherwise, and for ``frame_csv_text``,
Python's C ``csv`` writer over plain lists (floats as ``repr``, the shortest round-trip digits, which
is what pandas writes; NaN and None as empty cells; booleans as True/False) gives the same text.
tests/test_csv_text.py checks the equality on the planner's own tables and on awkward values.
"""

from __future__ import annotations

import csv
import io

import numpy as np
import pandas as pd

from planner.io import csv_fast


def _cells(series: pd.Series) -> list:
    """The column as Python values csv writes the way pandas does."""
    dtype = series.dtype
    if pd.api.types.is_bool_dtype(dtype) and not isinstance(dtype, pd.CategoricalDtype):
        if series.hasnans:
            return [None if v is None or v is pd.NA else bool(v) for v in series.tolist()]
        return series.to_numpy(dtype=bool).tolist()
    if pd.api.types.is_float_dtype(dtype):
        values = series.to_numpy(dtype=float)
        cells = values.tolist()
        if np.isnan(values).any():
            cells = [None if v != v else v for v in cells]
        return cells
    if pd.api.types.is_integer_dtype(dtype) and not series.hasnans:
        return series.to_numpy().tolist()
    # Missing cells (None, NaN, pd.NA, NaT: what to_csv writes as empty) found in one vectorised pass;
    # a Python test per cell cost 0.4 s at 10,000 measures.
    cells = series.tolist()
    for k in np.flatnonzero(series.isna().to_numpy()).tolist():
        cells[k] = None
    return cells


def frame_csv_text(frame: pd.DataFrame) -> str:
    """``frame.to_csv(index=False, lineterminator="\\n")``, for frames of plain columns (numbers, text, booleans).

    Falls back to pandas for anything else (dates, categoricals, extension types, a MultiIndex header)."""
    out = io.StringIO()
    _write_csv(frame, out)
    return out.getvalue()


def frame_csv_bytes(frame: pd.DataFrame, encoding: str) -> bytes:
    """``frame_csv_text(frame).encode(encoding)``, encoded as it is written: no whole-file str in between
    (a str of a file with Chinese names takes 2-4 bytes a character, and StringIO's buffer 4: at
    10,000 measures co_control.csv's 9.5 MB cost about 60 MB of peak memory that way)."""
    fast = csv_fast.csv_bytes(frame, encoding)
    if fast is not None:
        return fast
    out = io.BytesIO()
    text = io.TextIOWrapper(out, encoding=encoding, newline="", write_through=False)
    _write_csv(frame, text)
    text.flush()
    data = out.getvalue()
    text.detach()
    return data


def _write_csv(frame: pd.DataFrame, out) -> None:
    simple = all(_plain(frame[c].dtype) for c in frame.columns) and not isinstance(frame.columns, pd.MultiIndex) \
        and frame.columns.is_unique
    if not simple:
        out.write(frame.to_csv(index=False, lineterminator="\n"))
        return
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([str(c) for c in frame.columns])
    if len(frame):
        writer.writerows(zip(*(_cells(frame[c]) for c in frame.columns)))


def _plain(dtype) -> bool:
    return (dtype == object or pd.api.types.is_string_dtype(dtype)
            or (isinstance(dtype, np.dtype) and dtype.kind in "biuf"))

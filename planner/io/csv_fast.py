"""CSV bytes of a table made by numpy, column by column: the text Python's ``csv`` writer gives, in
a fraction of its time.

Python formats a float through ``repr`` (the shortest digits that read back as the same double),
about 1 µs a number on this machine: at 10,000 measures co_control.csv's 76,000 rows x 13 columns
took 0.73 s, plan.csv 0.37 s and cost_effectiveness.csv 0.5 s. Here each column becomes a matrix of
bytes, one row per cell with NUL bytes as padding; the columns and the separators are put side by
side and the NULs dropped, which leaves the file.

Floats. A finite nonzero x is the decimal n x 10^(e-14) with n a 15-digit whole number when that
decimal reads back as x (checked exactly: n / 10^p with 10^p exact for |p| <= 22 is the double
nearest the decimal, as ``float()`` of its text is). No two distinct decimals of 15 significant
digits or fewer are the same double, so the shortest digits of x are n's without its trailing
zeros, which is what ``repr`` writes. The layout is repr's: fixed notation with at least one digit
after the point (``1400.0``, ``0.002``) for a decimal point position -4 < decpt <= 16, otherwise
``d.ddde±XX``. A number that needs 16 or 17 digits (0.1 + 0.2), or lies outside 1e-8..1e36, is
formatted by ``repr`` itself: the result tables round to 10 digits first (planner.io.writer), so
there are none there.

Text. Each distinct string is formatted once by the ``csv`` module (quoting as it quotes) and
encoded; the cells take their bytes by position. A column of mixed Python objects, a string with a
NUL, or an encoding other than UTF-8 is not handled here (``csv_bytes`` returns None) and the caller
uses the ``csv`` module. tests/test_csv_text.py checks equality with pandas' ``to_csv``.
"""

from __future__ import annotations

import codecs
import csv
import io

import numpy as np
import pandas as pd

# 15 significant digits: the most that always survive a trip through a double (DBL_DIG).
DIGITS = 15
_POW10 = 10 ** np.arange(19, dtype=np.int64)  # 10^0 .. 10^18, exact in int64
_FLOAT_POW10 = 10.0 ** np.arange(23)  # 10^0 .. 10^22, exact in float64
ZERO, COMMA, NEWLINE, DOT, MINUS, PLUS, LETTER_E = (ord(c) for c in "0,\n.-+e")
# Byte-order mark of each encoding handled here, by codecs' name for it.
BOM = {"utf-8": b"", "utf-8-sig": codecs.BOM_UTF8}

# Rows formatted at a time: the byte matrices of a chunk stay within a few MB (all 76,000 rows of
# co_control.csv at once cost about 40 MiB of peak memory).
CHUNK_ROWS = 8192


def csv_bytes(frame: pd.DataFrame, encoding: str) -> bytes | None:
    """``frame.to_csv(index=False, lineterminator="\\n").encode(encoding)``; None when this module does
    not handle the frame (see the module docstring), and the caller formats it otherwise."""
    bom = BOM.get(codecs.lookup(encoding).name)
    if bom is None or isinstance(frame.columns, pd.MultiIndex) or not frame.columns.is_unique:
        return None
    columns = []
    for name in frame.columns:
        cells = column_cells(frame[name])
        if cells is None:
            return None
        columns.append(cells)
    header = _text_field_bytes([str(c) for c in frame.columns])
    chunks = [bom + (b'""' if header == [b""] else b",".join(header)) + b"\n"]
    for start in range(0, len(frame), CHUNK_ROWS):
        stop = min(start + CHUNK_ROWS, len(frame))
        parts = []
        for k, cells in enumerate(columns):
            matrix = cells(start, stop)
            if len(columns) == 1:  # the csv module quotes a row whose only field is empty: ""
                empty = ~matrix.any(axis=1)
                if empty.any():
                    matrix = _pad(matrix, 2)
                    matrix[empty, :2] = ord('"')
            parts.append(matrix)
            parts.append(_column(COMMA if k < len(columns) - 1 else NEWLINE, stop - start))
        flat = np.hstack(parts).ravel()
        chunks.append(flat[flat != 0].tobytes())
    return b"".join(chunks)


def column_cells(series: pd.Series):
    """A function (start, stop) -> the cells of rows start:stop of one column as a NUL-padded
    (rows, width) uint8 matrix; None if the column is not handled here."""
    dtype = series.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        return None
    if pd.api.types.is_bool_dtype(dtype) and isinstance(dtype, np.dtype):
        codes = series.to_numpy(dtype=bool).astype(np.int64)
        table = _table(np.array([b"False", b"True"]))
        return lambda start, stop: np.take(table, codes[start:stop], axis=0)
    if isinstance(dtype, np.dtype) and dtype.kind == "f":
        floats = series.to_numpy(dtype=float)
        return lambda start, stop: float_bytes(floats[start:stop])
    if isinstance(dtype, np.dtype) and dtype.kind in "iu":
        values = series.to_numpy()
        if len(values) and (values.max() > np.iinfo(np.int64).max or values.min() <= np.iinfo(np.int64).min):
            return None
        ints = values.astype(np.int64)
        return lambda start, stop: int_bytes(ints[start:stop])
    if dtype == object or pd.api.types.is_string_dtype(dtype):
        if pd.api.types.infer_dtype(series, skipna=True) not in ("string", "empty"):
            return None
        codes, uniques = pd.factorize(series, use_na_sentinel=True)
        texts = [str(u) for u in np.asarray(uniques, dtype=object).tolist()]
        if any("\x00" in t for t in texts):
            return None
        fields = np.array(_text_field_bytes(texts) + [b""], dtype=bytes)  # code -1 (missing): the last, empty
        codes = np.where(codes < 0, len(texts), codes)
        table = _table(fields)
        return lambda start, stop: np.take(table, codes[start:stop], axis=0)
    return None


def _text_field_bytes(texts: list[str]) -> list[bytes]:
    """Each text as the csv module writes it as a field (quoted where it quotes), UTF-8. Texts with none
    of the characters that can need quotes are the field as they stand, encoded in one call."""
    joined = "\x00".join(texts)
    if not any(c in joined for c in ',"\r\n') and len(texts) > 1:
        return joined.encode("utf-8").split(b"\x00")
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    fields = []
    for text in texts:
        out.seek(0)
        out.truncate()
        writer.writerow([text, ""])
        fields.append(out.getvalue()[:-2].encode("utf-8"))  # without the ",\n" of the empty second field
    return fields


def _table(fields: np.ndarray) -> np.ndarray:
    """An array of bytes as a NUL-padded uint8 matrix, a row each."""
    width = max(fields.dtype.itemsize, 1)
    return np.frombuffer(fields.astype(f"S{width}").tobytes(), dtype=np.uint8).reshape(len(fields), width)


def _pad(matrix: np.ndarray, width: int) -> np.ndarray:
    """``matrix`` widened with NUL columns to at least ``width``."""
    if matrix.shape[1] >= width:
        return matrix.copy()
    return np.hstack([matrix, np.zeros((len(matrix), width - matrix.shape[1]), dtype=np.uint8)])


def digit_count(n: np.ndarray) -> np.ndarray:
    """Decimal digits of each whole number n >= 0 (1 for 0)."""
    return np.searchsorted(_POW10[1:], n, side="right") + 1


def _limb_table() -> np.ndarray:
    """The ASCII digits of a limb (a base-10,000 digit, 0..9999) of which only the last j of 4 are shown,
    right-aligned with NUL before them: row j x 10,000 + v, for j = 0 (nothing shown) .. 4 (all four)."""
    four = ((np.arange(10_000)[:, None] // np.array([1000, 100, 10, 1])) % 10 + ZERO).astype(np.uint8)
    table = np.tile(four, (5, 1))
    for j in range(5):
        table[10_000 * j:10_000 * (j + 1), :4 - j] = 0
    return table


_LIMBS = _limb_table()
_LIMB_WORDS = _LIMBS.view(np.uint32).ravel()  # each row's 4 bytes as one word: gathers of words are fast


def digits(n: np.ndarray, min_width: np.ndarray | int = 1) -> np.ndarray:
    """ASCII digits of each whole number 0 <= n < 10^19, zero-padded to ``min_width`` (per row),
    right-aligned in a NUL-padded uint8 matrix. Each base-10,000 limb is looked up in ``_LIMBS`` with
    as many of its digits as the number shows there."""
    n = np.asarray(n, dtype=np.int64)
    shown = np.maximum(digit_count(n), min_width)
    width = int(shown.max()) if len(n) else 1
    limbs = -(-width // 4)
    words = np.empty((len(n), limbs), dtype=np.uint32)
    rest = n
    for i in range(limbs):  # limb i holds the digits 4i .. 4i+3 from the right
        rest, limb = np.divmod(rest, 10_000)
        words[:, limbs - 1 - i] = np.take(_LIMB_WORDS, limb + 10_000 * np.clip(shown - 4 * i, 0, 4))
    return words.view(np.uint8)[:, 4 * limbs - width:]


def int_bytes(values: np.ndarray) -> np.ndarray:
    """``str(int)`` of each value as a NUL-padded uint8 matrix."""
    sign = np.where(values < 0, MINUS, 0).astype(np.uint8)[:, None]
    return np.hstack([sign, digits(np.abs(values))])


def _decimal(a: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(n, e, exact) for each a > 0: n a DIGITS-digit whole number with a == n x 10^(e - DIGITS + 1)
    read back exactly where ``exact``."""
    e = np.floor(np.log10(a)).astype(np.int64)
    n = np.zeros(len(a), dtype=np.int64)
    exact = np.zeros(len(a), dtype=bool)
    todo = np.arange(len(a))
    for _ in range(2):  # log10 may be one off at a power of ten: then the second pass has the right e
        p = DIGITS - 1 - e[todo]
        usable = np.abs(p) <= 22
        todo, p = todo[usable], p[usable]
        x = a[todo]
        scale = _FLOAT_POW10[np.abs(p)]
        up = p >= 0
        scaled = np.rint(np.where(up, x * scale, x / scale))
        candidate = scaled.astype(np.int64)
        good = (scaled >= 10.0 ** (DIGITS - 1)) & (scaled < 10.0 ** DIGITS) \
            & (np.where(up, candidate / scale, candidate * scale) == x)
        n[todo[good]], exact[todo[good]] = candidate[good], True
        e[todo] += np.where(scaled < 10.0 ** (DIGITS - 1), -1, np.where(scaled >= 10.0 ** DIGITS, 1, 0))
        todo = todo[~good]
        if not len(todo):
            break
    return n, e, exact


def float_bytes(values: np.ndarray) -> np.ndarray:
    """``repr`` of each float (NaN as an empty cell, what to_csv writes) as a NUL-padded uint8 matrix."""
    values = np.asarray(values, dtype=float)
    count = len(values)
    finite = np.isfinite(values)
    nonzero = finite & (values != 0)
    a = np.abs(values[nonzero])
    n, e, exact = _decimal(a)
    # Strip trailing zeros: m is the shortest digits, d how many.
    m = n.copy()
    for step in (8, 4, 2, 1, 1):  # up to 14 trailing zeros (n >= 10^14), stripped by halves
        m = np.where(m % _POW10[step] == 0, m // _POW10[step], m)
    d = digit_count(m)
    decpt = e + 1
    fixed = (decpt > -4) & (decpt <= 16) & exact
    sci = ~fixed & exact

    # Fixed: int part, ".", frac zero-padded to w = max(d - decpt, 1).
    shift = d - decpt
    int_part = np.where(shift > 0, m // _POW10[np.clip(shift, 0, 18)], m * _POW10[np.clip(-shift, 0, 18)])
    frac = np.where(shift > 0, m % _POW10[np.clip(shift, 0, 18)], 0)
    w = np.maximum(shift, 1)
    fixed_cells = _join([digits(int_part[fixed]), _column(DOT, int(fixed.sum())), digits(frac[fixed], w[fixed])])
    # Scientific: first digit, "." and the others if any, "e", sign, exponent of at least 2 digits.
    k = int(sci.sum())
    lead = m[sci] // _POW10[d[sci] - 1]
    rest = m[sci] % _POW10[d[sci] - 1]
    more = d[sci] > 1
    rest_digits = digits(rest, d[sci] - 1)
    rest_digits[~more] = 0
    exponent = decpt[sci] - 1
    sci_cells = _join([digits(lead), np.where(more, DOT, 0).astype(np.uint8)[:, None], rest_digits, _column(LETTER_E, k),
                       np.where(exponent < 0, MINUS, PLUS).astype(np.uint8)[:, None], digits(np.abs(exponent), 2)])
    # Zeros, infinities and NaN from a table of their cells; the numbers repr must format, one by one.
    special = ~nonzero
    kinds = np.select([np.isnan(values), values == np.inf, values == -np.inf, np.signbit(values)], [0, 3, 4, 2], 1)
    inexact_rows = np.flatnonzero(nonzero)[~exact]
    inexact = [repr(v).encode() for v in values[inexact_rows].tolist()]
    width = max(fixed_cells.shape[1], sci_cells.shape[1], max(map(len, inexact), default=0), 4) + 1
    out = np.zeros((count, width), dtype=np.uint8)
    rows = np.flatnonzero(nonzero)
    sign = values[rows] < 0
    out[rows[fixed], 0] = np.where(sign[fixed], MINUS, 0)
    out[rows[fixed], 1:1 + fixed_cells.shape[1]] = fixed_cells
    out[rows[sci], 0] = np.where(sign[sci], MINUS, 0)
    out[rows[sci], 1:1 + sci_cells.shape[1]] = sci_cells
    if special.any():
        table = _pad(_SPECIAL, width)
        out[special] = np.take(table, kinds[special], axis=0)
    if inexact:
        out[inexact_rows] = _pad(_table(np.array(inexact, dtype=bytes)), width)
    return out


_SPECIAL = _table(np.array([b"", b"0.0", b"-0.0", b"inf", b"-inf"]))  # by kind: NaN, 0, -0, inf, -inf


def _column(byte: int, rows: int) -> np.ndarray:
    return np.full((rows, 1), byte, dtype=np.uint8)


def _join(parts: list[np.ndarray]) -> np.ndarray:
    return np.hstack(parts) if parts else np.zeros((0, 0), dtype=np.uint8)

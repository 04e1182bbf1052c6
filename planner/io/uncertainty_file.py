"""Read and check uncertainty.csv: which figures are uncertain, by how much, and which move together.

Each row gives a distribution of a *multiplier* of a central value. ``applies_to`` names what it
multiplies: a measure id, ``tag:<tag>``, ``sector:<sector>`` or ``*`` (every measure), with
``quantity`` ``capex``, ``opex`` or a pollutant (its abatement); a baseline series ``gdp`` or
``bau:<pollutant>`` or any baseline column ``baseline:<column>`` (e.g. an indicator's denominator)
with quantity ``growth``; or a price ``price:<carrier>`` with quantity
``value`` (only in models that carry energy prices). Where several rows reach one measure and
quantity, the most specific wins (measure id > tag > sector > ``*``); two rows of the same
specificity for one measure and quantity are an error.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from planner.errors import InputError, Problem
from planner.io.inputs import PlanningData, _FileReader
from planner.io.schema import POLLUTANTS, Column

FILE_NAME = "uncertainty.csv"
DISTRIBUTIONS = ("uniform", "triangular", "normal", "lognormal")
MEASURE_QUANTITIES = ("capex", "opex", *POLLUTANTS)
# Specificity of a measure row: the higher wins.
SPECIFICITY = {"measure": 3, "tag": 2, "sector": 1, "all": 0}
SPECIFICITY_WORDS = {3: "measure id", 2: "tag", 1: "sector", 0: "'*'"}
# Prices a model may carry (model v2); a row naming one the model lacks is an error.
PRICE_CARRIERS = ("electricity", "gas")

UNCERTAINTY_COLUMNS: tuple[Column, ...] = (
    Column("applies_to", "text", True, "",
           "a measure id, tag:<tag>, sector:<sector>, * (every measure), gdp, bau:<pollutant or indicator>, or "
           "price:electricity / price:gas",
           example="rooftop_pv"),
    Column("quantity", "text", True, "",
           "capex, opex, or a pollutant or indicator (its abatement) for measures; growth for gdp and bau:*; value "
           "for a price",
           example="capex"),
    Column("distribution", "text", True, "", "one of " + ", ".join(DISTRIBUTIONS), example="triangular"),
    Column("low", "number", True, "multiplier of the central value",
           "uniform/triangular: lowest value; normal/lognormal: 5th percentile", minimum=0, example="0.8"),
    Column("mode", "number", False, "multiplier of the central value",
           "triangular: most likely value (ignored by the other distributions)", minimum=0, example="1.0"),
    Column("high", "number", True, "multiplier of the central value",
           "uniform/triangular: highest value; normal/lognormal: 95th percentile", minimum=0, example="1.3"),
    Column("group", "text", False, "", "rows with the same group share one draw (figures that move together)",
           default="", example="grid_factor"),
    Column("reason", "text", False, "", "why the range is this wide (how the central figure is sourced)",
           default="", example="capex [U]: no quote for Guiyang"),
)


@dataclass(frozen=True)
class UncertainRow:
    """One validated row: a distribution of a multiplier, and what it applies to."""

    line: int
    applies_to: str
    quantity: str
    distribution: str
    low: float
    mode: float
    high: float
    group: str
    reason: str

    @property
    def key(self) -> str:
        """The row's name in samples.csv: ``applies_to:quantity``."""
        return f"{self.applies_to}:{self.quantity}"

    @property
    def draw(self) -> str:
        """Rows with one draw key share their random quantile."""
        return f"group:{self.group}" if self.group else self.key


@dataclass(frozen=True)
class UncertaintySpec:
    """Validated uncertainty.csv, resolved against the data: which row governs each figure.

    ``measure_rows[quantity][m]`` is the index into ``rows`` governing measure m's quantity
    (-1 = certain); ``series_rows`` maps ``gdp`` and ``bau:<pollutant>`` to a row index.
    """

    path: str
    sha256: str
    rows: list[UncertainRow]
    measure_rows: dict[str, np.ndarray]
    series_rows: dict[str, int] = field(default_factory=dict)
    price_rows: dict[str, int] = field(default_factory=dict)

    @property
    def draw_keys(self) -> list[str]:
        """Distinct draws in the order of their first row."""
        return list(dict.fromkeys(row.draw for row in self.rows))


def uncertainty_path(data: PlanningData, override: str | Path | None = None) -> Path:
    """``--uncertainty FILE``, else uncertainty.csv in the data folder, or beside the workbook when the
    spec's inputs name a .xlsx file (where `planner convert` puts it)."""
    if override is not None:
        return Path(override)
    inputs = Path(data.spec.inputs_dir)
    return (inputs.parent if inputs.suffix.lower() == ".xlsx" else inputs) / FILE_NAME


def model_prices(data: PlanningData) -> tuple[str, ...]:
    """The energy prices the model carries: those its spec's [prices] table sets above zero."""
    spec = data.spec
    values = {"electricity": getattr(spec, "electricity_yuan_per_kwh", 0.0), "gas": getattr(spec, "gas_yuan_per_m3", 0.0)}
    return tuple(carrier for carrier in PRICE_CARRIERS if values[carrier] > 0)


def load_uncertainty(data: PlanningData, path: str | Path | None = None) -> UncertaintySpec:
    """Read ``path`` (default: uncertainty.csv in the data folder) and resolve it against ``data``.

    Abatement rows may name any subject the data has (the pollutants and the indicators of
    indicators.csv); price rows only the prices the spec's [prices] table sets. Every problem is
    collected and raised as one InputError (exit 3) naming file, line and column.
    """
    prices = model_prices(data)
    subjects = tuple(data.subjects)
    file = uncertainty_path(data, path)
    problems: list[Problem] = []
    reader = _FileReader(file, UNCERTAINTY_COLUMNS, problems)
    if not file.is_file():
        raise InputError([Problem(str(file), "file not found; an uncertainty analysis needs uncertainty.csv in the "
                                             "data folder (or --uncertainty FILE), see docs/inputs.md")])
    if not reader.read(optional=False):
        raise InputError(problems)
    rows = _rows(reader)
    if not problems and not rows:
        reader.add("has no rows; add at least one uncertain figure below the header")
    measures = data.measures
    known = {"sector": set(measures.sectors), "tag": {t for tags in measures.tags for t in tags},
             "measure": set(measures.ids),
             "baseline": {c for c in data.extensions.baseline.get("", {}) if c != "year"}}
    for row in rows:
        _check_row(reader, row, known, prices, subjects)
    if problems:
        raise InputError(problems)
    measure_rows, series_rows, price_rows = _resolve(reader, rows, data, subjects)
    if problems:
        raise InputError(problems)
    return UncertaintySpec(str(file), hashlib.sha256(file.read_bytes()).hexdigest(), rows, measure_rows,
                           series_rows, price_rows)


def _rows(reader: _FileReader) -> list[UncertainRow]:
    applies = reader.text("applies_to")
    quantity = reader.text("quantity")
    distribution = reader.text("distribution")
    low, mode, high = reader.number("low"), reader.number("mode"), reader.number("high")
    group, reason = reader.text("group"), reader.text("reason")
    return [UncertainRow(int(line), applies[i], quantity[i].lower(), distribution[i].lower(), float(low[i]),
                         float(mode[i]), float(high[i]), group[i], reason[i])
            for i, line in enumerate(reader.lines())]


def _kind(applies_to: str) -> tuple[str, str]:
    """('measure'|'tag'|'sector'|'all'|'gdp'|'bau'|'price', name)."""
    if applies_to == "*":
        return "all", ""
    if applies_to == "gdp":
        return "gdp", ""
    prefix, sep, rest = applies_to.partition(":")
    if sep and prefix in ("tag", "sector", "bau", "price", "baseline"):
        return prefix, rest
    return "measure", applies_to


def _check_row(reader: _FileReader, row: UncertainRow, known: dict, prices: tuple[str, ...],
               subjects: tuple[str, ...]) -> None:
    line = row.line
    add = reader.add
    kind, name = _kind(row.applies_to)
    if not row.applies_to:
        return  # blank, already reported
    if kind in ("measure", "tag", "sector") and name not in known[kind]:
        word = {"measure": "measure id", "tag": "tag", "sector": "sector"}[kind]
        choices = sorted(known[kind])
        hint = ", ".join(choices[:12]) + (" ..." if len(choices) > 12 else "")
        add(f"unknown {word} {name!r}; use one from measures.csv ({hint}), or tag:<tag>, sector:<sector>, *, gdp, "
            "bau:<pollutant>", line, "applies_to")
    if kind == "bau" and name not in subjects:
        add(f"unknown series {row.applies_to!r}; use bau:<pollutant or indicator> with one of {', '.join(subjects)}",
            line, "applies_to")
    if kind == "baseline" and name not in known["baseline"]:
        add(f"unknown baseline column {row.applies_to!r}; use baseline:<column> with a column of baseline.csv "
            f"({', '.join(sorted(known['baseline']))})", line, "applies_to")
    if kind == "price" and name not in prices:
        have = ", ".join(f"price:{p}" for p in prices) or "none: the spec's [prices] table sets no price"
        add(f"unknown price {row.applies_to!r}; the model's prices are {have}", line, "applies_to")
    allowed = {"gdp": ("growth",), "bau": ("growth",), "baseline": ("growth",), "price": ("value",)}.get(kind, ("capex", "opex", *subjects))
    if row.quantity and row.quantity not in allowed:
        add(f"quantity {row.quantity!r} does not apply to {row.applies_to!r}; use one of {', '.join(allowed)}",
            line, "quantity")
    if row.distribution and row.distribution not in DISTRIBUTIONS:
        add(f"unknown distribution {row.distribution!r}; use one of {', '.join(DISTRIBUTIONS)}", line, "distribution")
    low, mode, high = row.low, row.mode, row.high
    if not (np.isfinite(low) and np.isfinite(high)):
        return
    if low > high:
        add(f"low {low:g} is above high {high:g}; swap them", line, "low")
    if row.distribution == "triangular":
        if not np.isfinite(mode):
            add("a triangular distribution needs a mode (the most likely multiplier, between low and high)",
                line, "mode")
        elif not low <= mode <= high:
            add(f"mode {mode:g} lies outside low..high ({low:g}..{high:g}); the most likely value must be in the range",
                line, "mode")
    if row.distribution == "lognormal" and low <= 0:
        add(f"a lognormal multiplier is positive: low must be > 0 (got {low:g})", line, "low")


def _resolve(reader: _FileReader, rows: list[UncertainRow], data: PlanningData, subjects: tuple[str, ...]):
    measures = data.measures
    n = len(measures)
    quantities = ("capex", "opex", *subjects)
    measure_rows = {q: np.full(n, -1, dtype=np.int64) for q in quantities}
    level = {q: np.full(n, -1, dtype=np.int64) for q in quantities}
    series_rows: dict[str, int] = {}
    price_rows: dict[str, int] = {}
    seen_series: dict[str, int] = {}
    for j, row in enumerate(rows):
        kind, name = _kind(row.applies_to)
        if kind in ("gdp", "bau", "price", "baseline"):
            key = row.applies_to
            if key in seen_series:
                reader.add(f"{key} already has a row (line {seen_series[key]}); keep one", row.line, "applies_to")
                continue
            seen_series[key] = row.line
            (price_rows if kind == "price" else series_rows)[key] = j
            continue
        if kind == "measure":
            members = [measures.ids.index(name)]
        elif kind == "tag":
            members = [i for i, tags in enumerate(measures.tags) if name in tags]
        elif kind == "sector":
            members = [i for i, sector in enumerate(measures.sectors) if sector == name]
        else:
            members = list(range(n))
        rank = SPECIFICITY[kind]
        q = row.quantity
        for i in members:
            if level[q][i] == rank:
                other = rows[measure_rows[q][i]]
                reader.add(f"{measures.ids[i]} {q} is already given by line {other.line} ({other.applies_to}), "
                           f"a row of the same specificity ({SPECIFICITY_WORDS[rank]}); keep one, or name the "
                           "measure itself to override", row.line, "applies_to")
                break
            if level[q][i] < rank:
                level[q][i] = rank
                measure_rows[q][i] = j
    return measure_rows, series_rows, price_rows

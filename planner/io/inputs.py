"""Read a data set folder, check every file against the schema, and return plain validated data."""

from __future__ import annotations

import dataclasses
import hashlib
import io
import math
import re
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd

from planner.errors import InputError, Problem
from planner.io.schema import (
    BASELINE_COLUMNS,
    DEPLOYMENT_COLUMNS,
    FILES,
    MEASURE_COLUMNS,
    OPTIONAL_FILES,
    POLLUTANTS,
    TARGET_COLUMNS,
    TARGET_KINDS,
    Column,
)
from planner.io.csvread import read_table
from planner.io.numbers import comma_problem, normalise, strip_thousands
from planner.io.spec import ModelSpec

ID_PATTERN = re.compile(r"^[a-z0-9_]+$")
TRUE_WORDS = {"true", "1", "yes", "y", "t"}
FALSE_WORDS = {"false", "0", "no", "n", "f"}
# Larger magnitudes are taken as typos or unit mistakes: HiGHS treats 1e20 as infinite and a
# city's emissions, GDP and budgets are far below this in the contract's units.
MAX_MAGNITUDE = 1e12
# The first line of data in a CSV is line 2 (line 1 is the header).
FIRST_DATA_LINE = 2


@dataclass(frozen=True)
class Measures:
    """The measure catalogue as arrays, one entry per measure (row order of measures.csv)."""

    ids: list[str]
    names: list[str]
    sectors: list[str]
    units: list[str]
    capex_wan_yuan: np.ndarray
    opex_wan_yuan_per_yr: np.ndarray
    lifetime_yr: np.ndarray
    potential: np.ndarray
    max_add_per_yr: np.ndarray  # math.inf where there is no limit
    first_year: np.ndarray
    integer: np.ndarray
    abatement_t_per_yr: np.ndarray  # shape (measures, len(POLLUTANTS))
    group: list[str]  # "" = not in a group
    tags: list[tuple[str, ...]]
    plan_ref: list[str]
    lead: list[str]
    source: list[str]
    # v2 columns (defaults = v1 meaning): energy per unit-yr, applicability pool, area, indicator rates.
    electricity_mwh_per_yr: np.ndarray | None = None
    gas_km3_per_yr: np.ndarray | None = None
    pool: list[str] | None = None  # "" = in no pool
    pool_use: np.ndarray | None = None
    area: list[str] | None = None  # "" = city-wide
    indicator_per_yr: np.ndarray | None = None  # shape (measures, indicators), in PlanningData.indicators order

    def __post_init__(self) -> None:
        n = len(self.ids)
        for name, value in (("electricity_mwh_per_yr", np.zeros(n)), ("gas_km3_per_yr", np.zeros(n)),
                            ("pool", [""] * n), ("pool_use", np.ones(n)), ("area", [""] * n),
                            ("indicator_per_yr", np.zeros((n, 0)))):
            if getattr(self, name) is None:
                object.__setattr__(self, name, value)

    def __len__(self) -> int:
        return len(self.ids)

    def subset(self, keep: list[int]) -> "Measures":
        """The measures at positions ``keep``, in that order."""
        values = {}
        for name, value in self.__dict__.items():
            values[name] = value[keep] if isinstance(value, np.ndarray) else [value[i] for i in keep]
        return Measures(**values)


@dataclass(frozen=True)
class Target:
    year: int
    pollutant: str
    kind: str
    value: float
    line: int
    basis: str = ""  # the plan section, or "assumption: ..." (targets.csv's optional basis column)
    area: str = ""  # "" = the whole city
    since_year: int | None = None  # non_increasing: the file's year y (this row binds in year > y)
    price_cap_yuan_per_t: float = math.nan  # elastic mode: the row's own price cap, NaN = none given
    file: str = "targets.csv"  # the file the row was read from (a scenario's targets_file)

    @property
    def label(self) -> str:
        where = f" in {self.area}" if self.area else ""
        return f"{self.pollutant} {self.kind} {self.year}{where}"


@dataclass(frozen=True)
class DeploymentTarget:
    year: int
    tag: str
    min_units: float
    line: int
    basis: str = ""
    area: str = ""  # "" = the whole city
    price_cap_yuan_per_unit: float = math.nan  # elastic mode: the row's own price cap, NaN = none given

    @property
    def label(self) -> str:
        where = f" in {self.area}" if self.area else ""
        return f"deployment {self.tag} {self.year}{where}"


@dataclass(frozen=True)
class PlanningData:
    """Everything the model builder needs, checked; no file handles, no pandas."""

    spec: ModelSpec
    measures: Measures
    gdp_yi_yuan: dict[int, float]
    bau_t: dict[str, dict[int, float]]  # pollutant -> year -> t
    targets: list[Target]
    deployment: list[DeploymentTarget]
    input_sha256: dict[str, str]
    warnings: list[str]
    extensions: "Extensions | None" = None  # the v2 files and columns; None = none of them (v1 data set)

    def __post_init__(self) -> None:
        if self.extensions is None:
            from planner.io.extensions import Extensions

            object.__setattr__(self, "extensions", Extensions.plain(self))

    @property
    def subjects(self) -> list[str]:
        """What targets may count: the seven pollutants, then the declared indicators."""
        return [*POLLUTANTS, *(i.id for i in self.extensions.indicators)]

    def display_names(self) -> dict[str, dict[str, str]]:
        """Names by id of the measures, indicators and areas, for a results folder whose own tables
        carry ids only (a sensitivity or uncertainty folder): its report names them."""
        return {"measures": dict(zip(self.measures.ids, self.measures.names)),
                "indicators": {i.id: i.name for i in self.extensions.indicators},
                "areas": dict(self.extensions.area_names)}


def _to_float(cells: list[str], skip: np.ndarray) -> np.ndarray:
    """float of each cell, NaN where ``skip`` or where the cell is not a number as ``pd.to_numeric``
    reads one (``1_000`` included: Python's float would take it, the planner does not).

    numpy parses the whole column at once when every cell is a number; otherwise pandas goes cell by
    cell and marks the bad ones NaN (the caller names them)."""
    text = ["nan" if bad else cell for cell, bad in zip(cells, skip.tolist())]
    joined = "".join(text)
    if joined.isascii() and "_" not in joined:  # numpy also reads Arabic-Indic digits, pandas does not
        try:
            return np.array(text, dtype=float) + 0.0  # -0 as 0, as pandas reads it
        except ValueError:
            pass
    return pd.to_numeric(pd.Series(text, dtype=object), errors="coerce").to_numpy(dtype=float, copy=True)


class _FileReader:
    """Collects the problems of one file while its columns are parsed."""

    def __init__(self, path: Path, columns: tuple[Column, ...], problems: list[Problem]):
        self.path = path
        self.label = str(path)
        self.columns = {c.name: c for c in columns}
        self.problems = problems
        self.frame: pd.DataFrame | None = None
        self._lines = np.zeros(0, dtype=int)
        self.sha256 = ""
        self.warnings: list[str] = []
        self.normalised: list[tuple[int, str, str, str]] = []

    def add(self, message: str, line: int | None = None, column: str | None = None) -> None:
        self.problems.append(Problem(self.label, message, line, column))

    def read(self, optional: bool) -> bool:
        """Load the file as text cells; False when it is missing or unreadable."""
        if not self.path.is_file():
            if not optional:
                self.add(f"file not found; a data set folder needs {', '.join(sorted(set(FILES) - OPTIONAL_FILES))}"
                         " (see docs/inputs.md)")
            return False
        required = ", ".join(c.name for c in self.columns.values() if c.required)
        table = read_table(self.path, self.problems, required)
        if table is None:
            return False
        self.sha256 = table.sha256
        self.warnings.extend(table.warnings)
        header_line = table.header_line
        ok = True
        seen: set[str] = set()
        for name in table.header:
            if name in seen:
                self.add(f"column {name!r} appears twice in the header; keep one", header_line)
                ok = False
            seen.add(name)
            if name not in self.columns:
                self.add(f"unknown column {name!r}; valid columns are {', '.join(self.columns)}", header_line)
                ok = False
        for column in self.columns.values():
            if column.required and column.name not in seen:
                self.add(f"missing required column {column.name!r} ({column.description})", header_line)
                ok = False
        if not ok:
            return False
        # Cells stripped here, column by column in plain Python (str.strip, the same as pandas' .str.strip,
        # in a tenth of the time at 10,000 rows).
        columns = list(zip(*table.rows)) if table.rows else [() for _ in table.header]
        self.frame = pd.DataFrame({name: pd.Series([cell.strip() for cell in cells], dtype=str)
                                   for name, cells in zip(table.header, columns)})
        self._lines = np.asarray(table.lines, dtype=int)
        return True

    def lines(self) -> np.ndarray:
        """The file line each row starts on (blank and skipped lines counted)."""
        return self._lines

    def _normalised(self, name: str, cells: pd.Series) -> pd.Series:
        """NFKC of a number, id or keyword column (full-width ６００, ，, U+3000), each change noted.

        Cells are stripped already (``read``), and NFKC leaves ASCII text as it is: only the others are
        normalised."""
        values = cells.tolist()
        lines = self.lines()
        changed = False
        for i, cell in enumerate(values):
            if not cell.isascii():
                new = normalise(cell)
                if new != cell:
                    self.normalised.append((int(lines[i]), name, cell, new))
                    values[i] = new
                    changed = True
        return pd.Series(values, index=cells.index, dtype=str) if changed else cells

    def normalisation_note(self) -> str | None:
        if not self.normalised:
            return None
        shown = "; ".join(f"line {line}, {name}: {raw!r} as {new!r}" for line, name, raw, new in self.normalised[:3])
        more = f"; and {len(self.normalised) - 3} more" if len(self.normalised) > 3 else ""
        return (f"{self.label}: read full-width characters as their ASCII forms in {len(self.normalised)} "
                f"cell(s) ({shown}{more})")

    def keyword(self, name: str) -> list[str]:
        """A column of ids or keywords (pollutants, kinds, tags): text() after NFKC normalisation."""
        if name in self.frame:
            self.frame[name] = self._normalised(name, self.frame[name])
        return self.text(name)

    def _blank_check(self, column: Column, cells: pd.Series) -> np.ndarray:
        blank = (cells == "").to_numpy()
        if column.required:
            for line in self.lines()[blank]:
                self.add(f"is blank; write {column.rule()}" + (f", e.g. {column.example}" if column.example else ""),
                         int(line), column.name)
        return blank

    def text(self, name: str) -> list[str]:
        column = self.columns[name]
        if name not in self.frame:
            return [str(column.default or "")] * len(self.frame)
        cells = self.frame[name]
        self._blank_check(column, cells)
        values = cells.tolist()
        if "=" in "".join(values):  # the test per cell only when some cell holds an =
            for i in [i for i, cell in enumerate(values) if cell.startswith("=")]:
                self.add(f"looks like a spreadsheet formula ({values[i]!r}); write the value itself, "
                         "not a formula", int(self.lines()[i]), name)
        return values

    def number(self, name: str, integer: bool = False) -> np.ndarray:
        """Parse a numeric column; blank cells take the default (NaN when there is none)."""
        column = self.columns[name]
        default = np.nan if column.default is None else float(column.default)
        if name not in self.frame:
            return np.full(len(self.frame), default)
        raw = self.frame[name].to_numpy()
        cells = self._normalised(name, self.frame[name])
        blank = self._blank_check(column, cells)
        lines = self.lines()
        comma_bad = np.zeros(len(cells), dtype=bool)
        texts = cells.tolist()
        has_comma = np.array(["," in cell for cell in texts], dtype=bool)
        for i in np.flatnonzero(has_comma & ~blank):
            problem = comma_problem(cells.iloc[i])
            if problem:
                comma_bad[i] = True
                self.add(problem, int(lines[i]), name)
        values = _to_float([strip_thousands(cell) if comma else cell for cell, comma in zip(texts, has_comma.tolist())],
                           blank | comma_bad)
        bad = ~blank & ~comma_bad & ~np.isfinite(values)
        bad |= ~blank & np.isfinite(values) & (np.abs(values) > MAX_MAGNITUDE)
        if integer:
            with np.errstate(invalid="ignore"):
                bad |= ~blank & np.isfinite(values) & (np.mod(values, 1) != 0)
        if column.minimum is not None:
            below = (values <= column.minimum) if column.strict else (values < column.minimum)
            bad |= ~blank & np.isfinite(values) & below
        for i in np.flatnonzero(bad):
            self.add(f"must be {column.rule()}, at most 1e12 in size (got {raw[i]!r})" if
                     np.isfinite(values[i]) and abs(values[i]) > MAX_MAGNITUDE else
                     f"must be {column.rule()} (got {raw[i]!r})", int(lines[i]), name)
        values[blank] = default
        values[bad | comma_bad] = default if np.isfinite(default) else 0.0
        return values

    def boolean(self, name: str) -> np.ndarray:
        column = self.columns[name]
        if name not in self.frame:
            return np.full(len(self.frame), bool(column.default))
        cells = self._normalised(name, self.frame[name]).str.lower()
        out = np.full(len(cells), bool(column.default))
        lines = self.lines()
        for i, cell in enumerate(cells):
            if cell in TRUE_WORDS:
                out[i] = True
            elif cell in FALSE_WORDS:
                out[i] = False
            elif cell != "":
                self.add(f"must be true or false (got {self.frame[name].iloc[i]!r})", int(lines[i]), name)
        return out


def load_data(spec: ModelSpec) -> PlanningData:
    """Read and check the spec's data folder; raise one InputError listing every problem."""
    from planner.io import extensions as ext
    from planner.io.schema import indicator_columns

    folder = spec.inputs_dir
    if folder.suffix.lower() == ".xlsx":  # the data in one workbook (planner/io/workbook.py)
        from planner.io.workbook import load_workbook_data
        return load_workbook_data(spec)
    problems: list[Problem] = []
    if not folder.is_dir():
        raise InputError([Problem(str(spec.path), f"data folder {folder} (from [model] inputs) does not exist; "
                                                  "fix the inputs path, relative to the spec file")])
    readers = {name: _FileReader(folder / name, cols, problems) for name, cols in FILES.items()}
    for name, path in (("targets.csv", spec.targets_file), ("actuals.csv", spec.actuals_file),
                       ("baseline.csv", spec.baseline_file)):
        if path is not None:
            readers[name] = _FileReader(path, FILES[name], problems)
    # indicators.csv first: its ids add columns to measures.csv, baseline.csv and measure_years.csv.
    indicators = ext.read_indicators(readers["indicators.csv"]) if readers["indicators.csv"].read(True) else []
    for name, extra in indicator_columns([(i.id, i.unit, i.denominator) for i in indicators]).items():
        readers[name].columns.update({c.name: c for c in extra})
    loaded = {name: reader.read(optional=name in OPTIONAL_FILES) for name, reader in readers.items()
              if name != "indicators.csv"}
    if spec.actuals_file is not None and not loaded["actuals.csv"] and not problems:
        readers["actuals.csv"].add("file not found (scenario actuals_file); fix the path, relative to the spec")

    measures = _measures(readers["measures.csv"], spec, indicators) if loaded["measures.csv"] else None
    baseline = (ext.baseline_table(readers["baseline.csv"], spec, indicators) if loaded["baseline.csv"] else {})
    gdp, bau = _city_baseline(readers["baseline.csv"], baseline, spec) if loaded["baseline.csv"] else ({}, {})
    subjects = [*POLLUTANTS, *(i.id for i in indicators)]
    targets = _targets(readers["targets.csv"], spec, subjects) if loaded["targets.csv"] else []
    deployment = (_deployment(readers["deployment.csv"], spec, measures)
                  if loaded["deployment.csv"] else [])
    pools = ext.read_pools(readers["pools.csv"], spec) if loaded["pools.csv"] else {}
    area_names = ext.read_areas(readers["areas.csv"]) if loaded["areas.csv"] else {}
    if measures is not None:
        _check_pool_references(readers["measures.csv"], measures, pools)
    labels = {name: reader.label for name, reader in readers.items()}
    areas = (ext.check_area_references(measures, targets, deployment, area_names, baseline, spec, str(spec.path),
                                       problems, labels, readers["measures.csv"].lines())
             if measures is not None else [])
    _check_trajectory_years(targets, baseline, spec, labels["targets.csv"], problems)
    all_ids = list(measures.ids) if measures is not None else []
    if measures is not None and not problems:
        measures = _apply_measure_changes(measures, spec, problems)
    if problems or measures is None:
        raise InputError(problems)
    capex, opex, rate, year_rows = ext.year_figures(readers["measure_years.csv"] if loaded["measure_years.csv"]
                                                    else None, spec, measures, indicators, all_ids)
    actuals = None
    warnings = [*(w for r in readers.values() for w in r.warnings),
                *(note for r in readers.values() if (note := r.normalisation_note())),
                *numeric_warnings(measures, str(readers["measures.csv"].path), readers["measures.csv"].lines())]
    if spec.replan_from is not None:
        if loaded["actuals.csv"]:
            actuals, lines_of = ext.read_actuals(readers["actuals.csv"], spec, measures, all_ids)
            if not problems:
                ext.check_actuals(actuals, lines_of, measures, pools, spec, labels["actuals.csv"], problems)
        else:
            actuals = np.zeros((len(measures), len(spec.years)))
            warnings.append(f"replan_from {spec.replan_from} with no actuals.csv: the history before "
                            f"{spec.replan_from} is fixed at zero units added")
    elif loaded["actuals.csv"]:
        warnings.append(f"{labels['actuals.csv']} is not used: it applies only with [model] replan_from "
                        "(or planner run --replan-from Y)")
    if problems:
        raise InputError(problems)
    targets, deployment = _scale_targets(targets, deployment, baseline, spec, problems)
    deployment += [DeploymentTarget(spec.end_year, forced_tag(measure_id), units, 0)
                   for measure_id, units in spec.force_measures.items()]
    if problems:
        raise InputError(problems)
    from planner.io.extensions import energy_value_wan_yuan_per_yr

    extensions = ext.Extensions(
        years=spec.years, capex_wan_yuan=capex, opex_wan_yuan_per_yr=opex, rate=rate,
        energy_value_wan_yuan_per_yr=energy_value_wan_yuan_per_yr(measures, spec),
        baseline=baseline, indicators=tuple(indicators), pools=pools,
        area_names={area: area_names.get(area, area) for area in areas}, actuals=actuals,
        measure_years_rows=year_rows)
    return PlanningData(
        spec=spec,
        measures=measures,
        gdp_yi_yuan=gdp,
        bau_t=bau,
        targets=targets,
        deployment=deployment,
        input_sha256={name: r.sha256 for name, r in readers.items() if r.sha256
                      and (name != "actuals.csv" or spec.replan_from is not None)},
        warnings=warnings,
        extensions=extensions,
    )


def _check_pool_references(reader: "_FileReader", measures: Measures, pools: dict) -> None:
    for line, pool in zip(reader.lines(), measures.pool):
        if pool and pool not in pools:
            known = ", ".join(pools) or "pools.csv is missing or empty"
            reader.add(f"unknown pool {pool!r}; add it to pools.csv or leave the cell blank (known: {known})",
                       int(line), "pool")


def _check_trajectory_years(targets: list[Target], baseline: dict, spec: ModelSpec, label: str,
                            problems: list[Problem]) -> None:
    """A non_increasing row of the first model year compares with BAU of the year before: it must be in baseline.csv."""
    for target in targets:
        if target.kind != "non_increasing" or target.year - 1 >= spec.start_year:
            continue
        previous = target.year - 1
        column = f"{target.pollutant}_t" if target.pollutant in POLLUTANTS else target.pollutant
        if previous not in baseline.get(target.area, {}).get(column, {}):
            where = f"rows of area {target.area}" if target.area else "city rows"
            problems.append(Problem(label, f"the non_increasing target compares {target.year} with {previous}, "
                                           f"before start_year: baseline.csv ({where}) needs year {previous} "
                                           f"with {column}", target.line, "year"))


# Coefficients spanning more than this ratio make the LP numerically fragile (HiGHS warns above
# about 1e9 as well); the planner names the rows so the user can rescale a unit of adoption.
COEFFICIENT_RANGE_WARNING = 1e9


def numeric_warnings(measures: Measures, label: str, lines: np.ndarray | None = None) -> list[str]:
    """Warn about data whose non-zero magnitudes span many orders of magnitude, naming the rows."""
    warnings = []
    columns = {"capex_wan_yuan": measures.capex_wan_yuan, "potential": measures.potential,
               **{f"{p}_t_per_yr": measures.abatement_t_per_yr[:, j] for j, p in enumerate(POLLUTANTS)}}
    for name, values in columns.items():
        magnitude = np.abs(values)
        nonzero = np.flatnonzero(magnitude > 0)
        if len(nonzero) < 2:
            continue
        low, high = nonzero[np.argmin(magnitude[nonzero])], nonzero[np.argmax(magnitude[nonzero])]
        line_of = (lambda i: int(lines[i])) if lines is not None and len(lines) == len(values) else \
            (lambda i: i + FIRST_DATA_LINE)
        if magnitude[high] / magnitude[low] > COEFFICIENT_RANGE_WARNING:
            warnings.append(
                f"{label}: {name} spans {magnitude[high] / magnitude[low]:.1e}x, from {values[low]:g} "
                f"(line {line_of(low)}, {measures.ids[low]}) to {values[high]:g} "
                f"(line {line_of(high)}, {measures.ids[high]}); results may be inaccurate. "
                "Rescale the unit of adoption of one of them (e.g. kt instead of t) to narrow the range.")
    return warnings


def forced_tag(measure_id: str) -> str:
    """The tag a scenario's force_measures entry puts on its measure."""
    return f"measure:{measure_id}"


def _apply_measure_changes(measures: Measures, spec: ModelSpec, problems: list[Problem]) -> Measures:
    """A scenario's exclude_measures and force_measures, applied to the catalogue."""
    label = f"{spec.path} [scenarios.{spec.scenario}]"
    known = set(measures.ids)
    for measure_id in [*spec.exclude_measures, *spec.force_measures]:
        if measure_id not in known:
            problems.append(Problem(label, f"unknown measure {measure_id!r}; use ids from measures.csv"))
    if problems:
        return measures
    tags = list(measures.tags)
    for measure_id, units in spec.force_measures.items():
        i = measures.ids.index(measure_id)
        if measure_id in spec.exclude_measures:
            problems.append(Problem(label, f"measure {measure_id!r} is both excluded and forced; keep one"))
        elif units > measures.potential[i]:
            problems.append(Problem(label, f"force_measures {measure_id} = {units:g} exceeds its potential "
                                           f"{measures.potential[i]:g}"))
        tags[i] = (*tags[i], forced_tag(measure_id))
    measures = Measures(**{**measures.__dict__, "tags": tags})
    keep = [i for i, measure_id in enumerate(measures.ids) if measure_id not in spec.exclude_measures]
    return measures.subset(keep) if len(keep) < len(measures) else measures


def scaled_target_value(target: Target, scale: float, bau_t: float) -> float:
    """targets_scale on one target's ambition (``bau_t``: the BAU of its subject, area and year):
    reduction tonnes and intensity fractions times the scale; a cap's cut below BAU times the scale;
    a non_increasing row's allowed yearly growth v divided by it (1.2 allows v/1.2: more ambitious,
    as for the others; a flat peak, v = 0, stays flat; 0 allows any growth, the row no longer binds)."""
    if target.kind == "cap":
        return bau_t - (bau_t - target.value) * scale
    if target.kind == "non_increasing":
        return target.value / scale if scale > 0 else math.inf
    return target.value * scale


def _scale_targets(targets: list[Target], deployment: list[DeploymentTarget], baseline: dict, spec: ModelSpec,
                   problems: list[Problem]) -> tuple[list[Target], list[DeploymentTarget]]:
    """A scenario's targets_scale (on ambition: tonnes, intensity fraction, cut below BAU) and deployment_scale."""
    scale = spec.targets_scale
    if scale != 1.0:
        scaled = []
        for target in targets:
            column = f"{target.pollutant}_t" if target.pollutant in POLLUTANTS else target.pollutant
            bau_t = baseline[target.area][column][target.year] if target.kind == "cap" else math.nan
            value = scaled_target_value(target, scale, bau_t)
            if target.kind == "intensity_reduction" and value >= 1:
                problems.append(Problem(f"{spec.path} [scenarios.{spec.scenario}]",
                                        f"targets_scale {scale:g} makes {target.label} (line {target.line}) "
                                        f"a cut of {100 * value:g} %, which is impossible; use a smaller scale"))
            scaled.append(dataclasses.replace(target, value=value))
        targets = scaled
    if spec.deployment_scale != 1.0:
        deployment = [dataclasses.replace(d, min_units=d.min_units * spec.deployment_scale) for d in deployment]
    return targets, deployment


def _measures(reader: _FileReader, spec: ModelSpec, indicators: list = ()) -> Measures:
    frame = reader.frame
    lines = reader.lines()
    ids = reader.keyword("id")
    first_line: dict[str, int] = {}
    for measure_id, line in zip(ids, lines):
        if measure_id == "":
            continue
        if not ID_PATTERN.match(measure_id):
            reader.add(f"must be {MEASURE_COLUMNS[0].rule()} (got {measure_id!r}); e.g. rooftop_pv",
                       int(line), "id")
        elif measure_id in first_line:
            reader.add(f"duplicate id {measure_id!r} (first on line {first_line[measure_id]}); ids must be unique",
                       int(line), "id")
        else:
            first_line[measure_id] = int(line)
    first_year = reader.number("first_year", integer=True)
    first_year = np.where(np.isnan(first_year), spec.start_year, first_year).astype(int)
    max_add = reader.number("max_add_per_yr")
    max_add = np.where(np.isnan(max_add), math.inf, max_add)
    abatement = np.column_stack([reader.number(f"{p}_t_per_yr") for p in POLLUTANTS]) if len(frame) else \
        np.zeros((0, len(POLLUTANTS)))
    tags_raw = reader.keyword("tags")
    tags = [tuple(t for t in (part.strip() for part in cell.split(";")) if t) for cell in tags_raw]
    units = reader.text("unit")
    unit_of_tag: dict[str, tuple[str, int]] = {}
    for measure_tags, unit, line in zip(tags, units, lines):
        for tag in measure_tags:
            if tag not in unit_of_tag:
                unit_of_tag[tag] = (unit, int(line))
            elif unit_of_tag[tag][0] != unit:
                first_unit, first = unit_of_tag[tag]
                reader.add(f"tag {tag!r} is carried by measures with different units ({unit!r} here, "
                           f"{first_unit!r} on line {first}); a deployment target adds up units, so give "
                           "each unit its own tag", int(line), "tags")
    if len(frame) == 0:
        reader.add("has no measures; add at least one row below the header")
    return Measures(
        ids=ids,
        names=reader.text("name"),
        sectors=reader.text("sector"),
        units=units,
        capex_wan_yuan=reader.number("capex_wan_yuan"),
        opex_wan_yuan_per_yr=reader.number("opex_wan_yuan_per_yr"),
        lifetime_yr=np.nan_to_num(reader.number("lifetime_yr", integer=True), nan=0).astype(int),
        potential=reader.number("potential"),
        max_add_per_yr=max_add,
        first_year=first_year,
        integer=reader.boolean("integer"),
        abatement_t_per_yr=abatement,
        group=reader.keyword("group"),
        tags=tags,
        plan_ref=reader.text("plan_ref"),
        lead=reader.text("lead"),
        source=reader.text("source"),
        electricity_mwh_per_yr=reader.number("electricity_mwh_per_yr"),
        gas_km3_per_yr=reader.number("gas_km3_per_yr"),
        pool=_ids(reader, "pool"),
        pool_use=reader.number("pool_use"),
        area=_ids(reader, "area"),
        indicator_per_yr=(np.column_stack([reader.number(f"{i.id}_per_yr") for i in indicators])
                          if indicators and len(frame) else np.zeros((len(frame), len(indicators)))),
    )


def _ids(reader: _FileReader, name: str) -> list[str]:
    """An optional id column (blank = none), each non-blank cell checked against the id pattern."""
    cells = reader.text(name)
    for line, cell in zip(reader.lines(), cells):
        if cell and not ID_PATTERN.match(cell):
            reader.add(f"must be {reader.columns[name].rule()} (got {cell!r})", int(line), name)
    return cells


def _city_baseline(reader: _FileReader, baseline: dict, spec: ModelSpec
                   ) -> tuple[dict[int, float], dict[str, dict[int, float]]]:
    """The city's GDP and BAU by year (rows with a blank area); every needed year must be there."""
    city = baseline.get("", {})
    gdp_by_year = dict(city.get("gdp_yi_yuan", {}))
    bau = {p: dict(city.get(f"{p}_t", {})) for p in POLLUTANTS}
    needed = [spec.base_year, *spec.years]
    missing = [y for y in needed if y not in gdp_by_year]
    if missing:
        reader.add(f"has no row for year(s) {_year_list(missing)}; the baseline must cover the base year "
                   f"{spec.base_year} and every model year {spec.start_year}..{spec.end_year}")
    return gdp_by_year, bau


def _year_list(years: list[int]) -> str:
    return ", ".join(str(y) for y in years[:12]) + (" ..." if len(years) > 12 else "")


def _check_year(reader: _FileReader, year: float, line: int, spec: ModelSpec) -> bool:
    if np.isnan(year):
        return False
    if not spec.start_year <= year <= spec.end_year:
        reader.add(f"year {int(year)} is outside the model horizon {spec.start_year}..{spec.end_year}; "
                   "move it into the horizon or widen start_year/end_year in the spec", line, "year")
        return False
    return True


def _targets(reader: _FileReader, spec: ModelSpec, subjects: list[str] = POLLUTANTS) -> list[Target]:
    years = reader.number("year", integer=True)
    pollutants = reader.keyword("pollutant")
    kinds = reader.keyword("kind")
    values = reader.number("value")
    basis = reader.text("basis")
    areas = _ids(reader, "area")
    caps = reader.number("price_cap_yuan_per_t")
    out: list[Target] = []
    seen: dict[tuple, int] = {}
    for i, line in enumerate(int(x) for x in reader.lines()):
        pollutant, kind = pollutants[i].lower(), kinds[i].lower()
        if kind == "non_increasing":
            ok = _check_peak_year(reader, years[i], line, spec)
        else:
            ok = _check_year(reader, years[i], line, spec)
        if pollutant and pollutant not in subjects:
            extra = " or an indicator of indicators.csv" if len(subjects) == len(POLLUTANTS) else ""
            reader.add(f"unknown pollutant {pollutants[i]!r}; use one of {', '.join(subjects)}{extra}", line,
                       "pollutant")
            ok = False
        if kind and kind not in TARGET_KINDS:
            reader.add(f"unknown kind {kinds[i]!r}; use one of {', '.join(TARGET_KINDS)}", line, "kind")
            ok = False
        value = values[i]
        if kind == "intensity_reduction" and np.isfinite(value) and not value < 1:
            reader.add(f"an intensity_reduction is a fraction below 1 (got {value:g}); write 0.18 for -18 %",
                       line, "value")
            ok = False
        if kind in ("reduction", "cap") and np.isfinite(value) and value < 0:
            reader.add(f"a {kind} target is in tonnes and must be >= 0 (got {value:g})", line, "value")
            ok = False
        if kind == "non_increasing" and np.isfinite(value) and value < 0:
            reader.add(f"a non_increasing target's value is the yearly growth allowed, >= 0 (got {value:g}); "
                       "write 0 for flat", line, "value")
            ok = False
        if not (ok and pollutant and kind and np.isfinite(value)):
            continue
        key = (int(years[i]), pollutant, kind, areas[i])
        if key in seen:
            reader.add(f"the same target ({pollutant} {kind} {key[0]}) is already on line {seen[key]}; keep one",
                       line)
            continue
        seen[key] = line
        if kind == "non_increasing":
            # One row per bound year t > y: E_t <= (1+v) E_{t-1}.
            out.extend(Target(t, pollutant, kind, float(value), line, basis[i].strip(), area=areas[i], since_year=int(years[i]),
                              price_cap_yuan_per_t=float(caps[i]), file=reader.path.name)
                       for t in spec.years if t > years[i])
        else:
            out.append(Target(int(years[i]), pollutant, kind, float(value), line, basis[i].strip(), area=areas[i],
                              price_cap_yuan_per_t=float(caps[i]), file=reader.path.name))
    return out


def _check_peak_year(reader: _FileReader, year: float, line: int, spec: ModelSpec) -> bool:
    """non_increasing: base_year <= y < end_year (it binds in the model years after y)."""
    if np.isnan(year):
        return False
    if not spec.base_year <= year < spec.end_year:
        reader.add(f"a non_increasing target's year {int(year)} must satisfy base_year <= year < end_year "
                   f"({spec.base_year} <= y < {spec.end_year}); it binds in every model year after it", line, "year")
        return False
    return True


def _deployment(reader: _FileReader, spec: ModelSpec, measures: Measures | None) -> list[DeploymentTarget]:
    years = reader.number("year", integer=True)
    tags = reader.keyword("tag")
    minimum = reader.number("min_units")
    basis = reader.text("basis")
    areas = _ids(reader, "area")
    caps = reader.number("price_cap_yuan_per_unit")
    known = {t for measure_tags in measures.tags for t in measure_tags} if measures is not None else None
    out: list[DeploymentTarget] = []
    seen: dict[tuple, int] = {}
    for i, line in enumerate(int(x) for x in reader.lines()):
        ok = _check_year(reader, years[i], line, spec)
        tag = tags[i]
        if tag and known is not None and tag not in known:
            hint = f"known tags: {', '.join(sorted(known))}" if known else "no measure has tags yet"
            reader.add(f"no measure carries tag {tag!r}; add it to the tags column of measures.csv ({hint})",
                       line, "tag")
            ok = False
        if not (ok and tag and np.isfinite(minimum[i])):
            continue
        key = (int(years[i]), tag, areas[i])
        if key in seen:
            reader.add(f"tag {tag!r} in {key[0]} is already on line {seen[key]}; keep one", line)
            continue
        seen[key] = line
        out.append(DeploymentTarget(int(years[i]), tag, float(minimum[i]), line, basis[i].strip(), area=areas[i],
                                    price_cap_yuan_per_unit=float(caps[i])))
    return out

"""The v2 data files (measure_years, pools, indicators, areas, actuals): read, cross-check, and hold them.

Each extension is switched on by its file or column; without them ``Extensions.plain`` gives the
v1 meaning (figures constant over the years, no pools, no indicators, no areas, no history).
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass, field

import numpy as np

from planner.errors import Problem
from planner.io.schema import (
    BASELINE_KINDS,
    FILES,
    POLLUTANTS,
    RESERVED_SUFFIXES,
    WAN_YUAN_PER_MWH_AT_ONE_YUAN_PER_KWH,
)


@dataclass(frozen=True)
class Indicator:
    """A quantity besides the seven pollutants that measures reduce (indicators.csv)."""

    id: str
    name: str
    unit: str
    denominator: str  # baseline.csv column used by intensity targets ("gdp_yi_yuan" when blank)
    line: int


@dataclass(frozen=True)
class Pool:
    """An applicability pool (pools.csv): measures taking units of one stock, at most ``capacity`` a year."""

    id: str
    unit: str
    capacity_by_year: dict[int, float]


@dataclass
class Extensions:
    """The v2 data of a data set, in the model's index space (measure x year arrays over all model years).

    ``capex_wan_yuan[m, t]`` applies to units added in year t, ``opex_wan_yuan_per_yr[m, t]`` and
    ``rate[m, s, t]`` (abatement of subject s = pollutants then indicators) to units active in t.
    ``baseline[area][column][year]``: area "" holds the city's totals.
    """

    years: list[int]
    capex_wan_yuan: np.ndarray
    opex_wan_yuan_per_yr: np.ndarray
    rate: np.ndarray
    energy_value_wan_yuan_per_yr: np.ndarray
    baseline: dict[str, dict[str, dict[int, float]]]
    indicators: tuple[Indicator, ...] = ()
    pools: dict[str, Pool] = field(default_factory=dict)
    area_names: dict[str, str] = field(default_factory=dict)
    actuals: np.ndarray | None = None  # units added per (measure, year); only years before replan_from
    measure_years_rows: int = 0

    @classmethod
    def plain(cls, data) -> "Extensions":
        """The v1 meaning: every figure the measure's own in every year, baseline = the city's."""
        measures, years = data.measures, data.spec.years
        n_years = len(years)
        baseline = {"": {"gdp_yi_yuan": dict(data.gdp_yi_yuan),
                         **{f"{p}_t": dict(data.bau_t[p]) for p in POLLUTANTS}}}
        return cls(
            years=years,
            capex_wan_yuan=np.repeat(measures.capex_wan_yuan[:, None], n_years, axis=1),
            opex_wan_yuan_per_yr=np.repeat(measures.opex_wan_yuan_per_yr[:, None], n_years, axis=1),
            rate=np.repeat(np.concatenate([measures.abatement_t_per_yr, measures.indicator_per_yr], axis=1)[:, :, None],
                           n_years, axis=2),
            energy_value_wan_yuan_per_yr=energy_value_wan_yuan_per_yr(measures, data.spec),
            baseline=baseline,
        )

    @property
    def opex_effective_wan_yuan_per_yr(self) -> np.ndarray:
        """o'_{m,t} = o_{m,t} - 0.1 (p_e MWh_m + p_g km3_m): operating cost net of the energy value."""
        return self.opex_wan_yuan_per_yr - self.energy_value_wan_yuan_per_yr[:, None]

    @property
    def subjects(self) -> list[str]:
        return [*POLLUTANTS, *(i.id for i in self.indicators)]

    def indicator(self, subject: str) -> Indicator | None:
        return next((i for i in self.indicators if i.id == subject), None)

    def bau(self, subject: str, area: str = "") -> dict[int, float]:
        """BAU level by year of a pollutant (t) or indicator (its unit), for the city or an area."""
        column = f"{subject}_t" if subject in POLLUTANTS else subject
        return self.baseline.get(area, {}).get(column, {})

    def denominator(self, subject: str, area: str = "") -> dict[int, float]:
        """The intensity denominator by year: GDP, or the indicator's declared baseline column."""
        indicator = self.indicator(subject)
        column = indicator.denominator if indicator is not None else "gdp_yi_yuan"
        return self.baseline.get(area, {}).get(column, {})

    def unit(self, subject: str) -> str:
        indicator = self.indicator(subject)
        return indicator.unit if indicator is not None else "t"

    @property
    def areas(self) -> list[str]:
        return list(self.area_names)


def energy_value_wan_yuan_per_yr(measures, spec) -> np.ndarray:
    """0.1 (p_e MWh_m + p_g km3_m): 万元 of energy value per active unit per year (1 MWh x 1 元/kWh = 0.1 万元)."""
    return WAN_YUAN_PER_MWH_AT_ONE_YUAN_PER_KWH * (spec.electricity_yuan_per_kwh * measures.electricity_mwh_per_yr
                                                  + spec.gas_yuan_per_m3 * measures.gas_km3_per_yr)


def all_column_names() -> set[str]:
    return {c.name for columns in FILES.values() for c in columns}


def read_indicators(reader) -> list[Indicator]:
    """indicators.csv: ids checked against pollutants, reserved suffixes and other columns."""
    ids, names, units = reader.text("indicator"), reader.text("name"), reader.text("unit")
    denominators = reader.text("denominator")
    taken = all_column_names()
    out, seen = [], {}
    from planner.io.inputs import ID_PATTERN

    for i, line in enumerate(int(x) for x in reader.lines()):
        ident = ids[i]
        if not ident:
            continue
        problem = None
        if not ID_PATTERN.match(ident):
            problem = f"must be text of lower-case letters, digits and _ (got {ident!r}), e.g. energy_tce"
        elif ident in POLLUTANTS:
            problem = f"{ident!r} is a pollutant; an indicator needs another id, e.g. energy_tce"
        elif ident.endswith(RESERVED_SUFFIXES):
            problem = (f"{ident!r} ends in a reserved suffix ({', '.join(RESERVED_SUFFIXES)}); "
                       "rename it, e.g. energy_tce")
        elif ident in taken:
            problem = f"{ident!r} is the name of an input column; choose another id"
        elif ident in seen:
            problem = f"duplicate indicator {ident!r} (first on line {seen[ident]})"
        if problem:
            reader.add(problem, line, "indicator")
            continue
        seen[ident] = line
        denominator = denominators[i] or "gdp_yi_yuan"
        if denominator != "gdp_yi_yuan" and (denominator in taken or denominator in POLLUTANTS):
            reader.add(f"denominator {denominator!r} is another input column; name a baseline.csv column of its "
                       "own, e.g. industry_va_yi_yuan, or leave it blank for gdp_yi_yuan", line, "denominator")
            continue
        out.append(Indicator(ident, names[i], units[i], denominator, line))
    return out


def baseline_table(reader, spec, indicators: list[Indicator], problems_needed: bool = True):
    """baseline.csv by area: {area: {column: {year: value}}}; the city's rows have a blank area."""
    years = reader.number("year", integer=True)
    areas = reader.text("area") if "area" in reader.columns else [""] * len(years)
    numeric = [c for c in reader.columns.values() if c.kind == "number"]
    values = {c.name: reader.number(c.name) for c in numeric if c.name in reader.frame}
    lines = reader.lines()
    table: dict[str, dict[str, dict[int, float]]] = {}
    seen: dict[tuple[str, int], int] = {}
    for i, year in enumerate(years):
        if np.isnan(year):
            continue
        year, area = int(year), areas[i]
        key = (area, year)
        if key in seen:
            where = f" for area {area!r}" if area else ""
            reader.add(f"year {year}{where} appears twice (first on line {seen[key]}); keep one row per year",
                       int(lines[i]), "year")
            continue
        seen[key] = int(lines[i])
        columns = table.setdefault(area, {})
        for name, column in values.items():
            if np.isfinite(column[i]):
                columns.setdefault(name, {})[year] = float(column[i])
    needed = [spec.base_year, *spec.years]
    city = table.get("", {})
    for indicator in indicators:
        for column in dict.fromkeys([indicator.id, indicator.denominator]):
            missing = [y for y in needed if y not in city.get(column, {})]
            if missing:
                reader.add(f"column {column!r} (indicator {indicator.id}, indicators.csv line {indicator.line}) "
                           f"needs a value in the city rows for year(s) {', '.join(map(str, missing[:12]))}")
    return table


def read_pools(reader, spec) -> dict[str, Pool]:
    """pools.csv: a blank-year row covers every model year, a row with a year overrides it."""
    ids, units = reader.text("pool"), reader.text("unit")
    capacity = reader.number("capacity")
    years = reader.number("year", integer=True)
    lines = [int(x) for x in reader.lines()]
    general: dict[str, tuple[float, int]] = {}
    specific: dict[str, dict[int, tuple[float, int]]] = {}
    unit_of: dict[str, tuple[str, int]] = {}
    from planner.io.inputs import ID_PATTERN

    for i, line in enumerate(lines):
        pool = ids[i]
        if not pool or not np.isfinite(capacity[i]):
            continue
        if not ID_PATTERN.match(pool):
            reader.add(f"must be text of lower-case letters, digits and _ (got {pool!r})", line, "pool")
            continue
        if pool in unit_of and unit_of[pool][0] != units[i]:
            reader.add(f"pool {pool!r} has unit {units[i]!r} here but {unit_of[pool][0]!r} on line {unit_of[pool][1]}; "
                       "one pool, one unit", line, "unit")
        unit_of.setdefault(pool, (units[i], line))
        if np.isnan(years[i]):
            if pool in general:
                reader.add(f"pool {pool!r} already has a row without a year (line {general[pool][1]}); keep one",
                           line, "year")
            general[pool] = (float(capacity[i]), line)
            continue
        year = int(years[i])
        if not spec.start_year <= year <= spec.end_year:
            reader.add(f"year {year} is outside the model horizon {spec.start_year}..{spec.end_year}", line, "year")
            continue
        rows = specific.setdefault(pool, {})
        if year in rows:
            reader.add(f"pool {pool!r} in {year} is already on line {rows[year][1]}; keep one", line, "year")
        rows[year] = (float(capacity[i]), line)
    pools = {}
    for pool, (unit, line) in unit_of.items():
        by_year = {}
        missing = []
        for year in spec.years:
            if year in specific.get(pool, {}):
                by_year[year] = specific[pool][year][0]
            elif pool in general:
                by_year[year] = general[pool][0]
            else:
                missing.append(year)
        if missing:
            reader.add(f"pool {pool!r} has no capacity for year(s) {', '.join(map(str, missing[:12]))}; add a row "
                       "with a blank year (every year) or one row per missing year", line, "year")
        pools[pool] = Pool(pool, unit, by_year)
    return pools


def read_areas(reader) -> dict[str, str]:
    ids, names = reader.text("area"), reader.text("name")
    out: dict[str, str] = {}
    from planner.io.inputs import ID_PATTERN

    for i, line in enumerate(int(x) for x in reader.lines()):
        if not ids[i]:
            continue
        if not ID_PATTERN.match(ids[i]):
            reader.add(f"must be text of lower-case letters, digits and _ (got {ids[i]!r}), e.g. qingzhen", line, "area")
        elif ids[i] in out:
            reader.add(f"duplicate area {ids[i]!r}; keep one row per area", line, "area")
        else:
            out[ids[i]] = names[i]
    return out


def year_figures(reader, spec, measures, indicators: list[Indicator], known_ids: list[str]):
    """measure_years.csv: capex (units added that year), opex and rates (units active that year).

    Returns (capex, opex, rate) arrays over all model years, starting from the measures' own values."""
    n_years = len(spec.years)
    capex = np.repeat(measures.capex_wan_yuan[:, None], n_years, axis=1)
    opex = np.repeat(measures.opex_wan_yuan_per_yr[:, None], n_years, axis=1)
    own_rate = np.concatenate([measures.abatement_t_per_yr, measures.indicator_per_yr], axis=1)
    rate = np.repeat(own_rate[:, :, None], n_years, axis=2)
    if reader is None or reader.frame is None:
        return capex, opex, rate, 0
    position = {measure_id: i for i, measure_id in enumerate(measures.ids)}
    known = set(known_ids)
    ids = reader.text("measure")
    years = reader.number("year", integer=True)
    columns = {"capex_wan_yuan": (capex, None), "opex_wan_yuan_per_yr": (opex, None)}
    subjects = [*POLLUTANTS, *(i.id for i in indicators)]
    for j, subject in enumerate(subjects):
        columns[f"{subject}_per_yr" if subject not in POLLUTANTS else f"{subject}_t_per_yr"] = (rate, j)
    parsed = {name: reader.number(name) for name in columns if name in reader.frame}
    seen: dict[tuple[str, int], int] = {}
    used, at_measure, at_year = [], [], []  # the rows that apply: file row, measure, year position
    for i, (line, year) in enumerate(zip(reader.lines().tolist(), years.tolist())):
        measure_id = ids[i]
        if measure_id and measure_id not in known:
            reader.add(f"unknown measure {measure_id!r}; use an id of measures.csv", line, "measure")
            continue
        if not measure_id or math.isnan(year):
            continue
        year = int(year)
        if not spec.start_year <= year <= spec.end_year:
            reader.add(f"year {year} is outside the model horizon {spec.start_year}..{spec.end_year}", line, "year")
            continue
        if (measure_id, year) in seen:
            reader.add(f"{measure_id} in {year} is already on line {seen[(measure_id, year)]}; keep one", line)
            continue
        seen[(measure_id, year)] = line
        if measure_id not in position:  # excluded by the scenario
            continue
        used.append(i)
        at_measure.append(position[measure_id])
        at_year.append(year - spec.start_year)
    used_rows, m, k = (np.asarray(v, dtype=np.int64) for v in (used, at_measure, at_year))
    for name, values in parsed.items():  # each (measure, year) once, so the order of assignment is moot
        given = ~np.isnan(values[used_rows])
        array, j = columns[name]
        if j is None:
            array[m[given], k[given]] = values[used_rows][given]
        else:
            array[m[given], j, k[given]] = values[used_rows][given]
    return capex, opex, rate, len(used)


def read_actuals(reader, spec, measures, known_ids: list[str]) -> tuple[np.ndarray, list[tuple[int, int, int]]]:
    """actuals.csv: units added by (measure, year), all years before replan_from; also the line of each entry."""
    n_years = len(spec.years)
    actuals = np.zeros((len(measures), n_years))
    lines_of: list[tuple[int, int, int]] = []  # (measure, year position, line)
    position = {measure_id: i for i, measure_id in enumerate(measures.ids)}
    known = set(known_ids)
    ids = reader.text("measure")
    years = reader.number("year", integer=True)
    units = reader.number("units_added")
    seen: dict[tuple[str, int], int] = {}
    for i, line in enumerate(int(x) for x in reader.lines()):
        measure_id = ids[i]
        if measure_id and measure_id not in known:
            reader.add(f"unknown measure {measure_id!r}; use an id of measures.csv", line, "measure")
            continue
        if not measure_id or np.isnan(years[i]) or np.isnan(units[i]):
            continue
        year = int(years[i])
        if not spec.start_year <= year <= spec.end_year:
            reader.add(f"year {year} is outside the model horizon {spec.start_year}..{spec.end_year}", line, "year")
            continue
        if year >= spec.replan_from:
            reader.add(f"year {year} is not history: actuals must be of years before replan_from "
                       f"{spec.replan_from}; remove the row or re-plan from a later year", line, "year")
            continue
        if (measure_id, year) in seen:
            reader.add(f"{measure_id} in {year} is already on line {seen[(measure_id, year)]}; keep one", line)
            continue
        seen[(measure_id, year)] = line
        if measure_id not in position:
            continue
        m = position[measure_id]
        if measures.integer[m] and units[i] != round(units[i]):
            reader.add(f"{measure_id} is a whole-unit measure; units_added must be a whole number (got {units[i]:g})",
                       line, "units_added")
            continue
        actuals[m, year - spec.start_year] = units[i]
        lines_of.append((m, year - spec.start_year, line))
    return actuals, lines_of


def check_actuals(actuals: np.ndarray, lines_of, measures, pools: dict[str, Pool], spec, label: str,
                  problems: list[Problem]) -> None:
    """History must respect potential, pools and exclusive groups (they hold in every year)."""
    life = measures.lifetime_yr
    n_years = actuals.shape[1]
    cumulative = np.concatenate([np.zeros((len(measures), 1)), np.cumsum(actuals, axis=1)], axis=1)
    end = np.arange(1, n_years + 1)[None, :]
    start = np.maximum(end - life[:, None], 0)
    rows = np.arange(len(measures))[:, None]
    active = cumulative[rows, end] - cumulative[rows, start]
    lines = {}
    for m, k, line in lines_of:
        lines.setdefault(m, []).append(line)

    def where(ms) -> str:
        found = sorted(line for m in ms for line in lines.get(m, []))
        return "lines " + ", ".join(map(str, found[:12]))

    for m in np.flatnonzero((active > measures.potential[:, None] * (1 + 1e-9)).any(axis=1)):
        k = int(np.argmax(active[m] > measures.potential[m] * (1 + 1e-9)))
        problems.append(Problem(label, f"actuals of {measures.ids[m]} ({where([m])}) make {active[m, k]:g} units "
                                       f"active in {spec.years[k]}, above its potential {measures.potential[m]:g}; "
                                       "correct the actuals or the potential"))
    groups: dict[str, list[int]] = {}
    for m, group in enumerate(measures.group):
        if group and actuals[m].any():
            groups.setdefault(group, []).append(m)
    for group, members in groups.items():
        if len(members) > 1:
            problems.append(Problem(label, f"actuals adopt {len(members)} measures of exclusive group {group!r} "
                                           f"({', '.join(measures.ids[m] for m in members)}; {where(members)}); "
                                           "at most one measure of a group can be adopted"))
    for pool_id, pool in pools.items():
        members = [m for m, p in enumerate(measures.pool) if p == pool_id]
        use = (measures.pool_use[members, None] * active[members]).sum(axis=0)
        for k, year in enumerate(spec.years):
            if year < spec.replan_from and use[k] > pool.capacity_by_year.get(year, np.inf) * (1 + 1e-9) + 1e-9:
                problems.append(Problem(label, f"actuals ({where(members)}) use {use[k]:g} {pool.unit} of pool "
                                               f"{pool_id} in {year}, above its capacity "
                                               f"{pool.capacity_by_year[year]:g}; correct the actuals or pools.csv"))


def file_sha256(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def check_area_references(measures, targets, deployment, area_names: dict[str, str], baseline, spec,
                          budget_label: str, problems: list[Problem], labels: dict[str, str],
                          measure_lines=None) -> list[str]:
    """Areas named anywhere must be known; targets of a baseline kind need that area's baseline rows.

    Areas are those of areas.csv when it is given (then every area used must be listed there),
    else those of measures.csv and of the area rows of baseline.csv. Returns the area ids."""
    if area_names:
        known = list(area_names)
        for i, area in enumerate(measures.area):
            if area and area not in area_names:
                problems.append(Problem(labels["measures.csv"], f"unknown area {area!r}; add it to areas.csv "
                                        f"({', '.join(known)})",
                                        int(measure_lines[i]) if measure_lines is not None else i + 2, "area"))
        for area in baseline:
            if area and area not in area_names:
                problems.append(Problem(labels["baseline.csv"], f"baseline rows of unknown area {area!r}; add it "
                                        f"to areas.csv ({', '.join(known)})", None, "area"))
    else:
        known = list(dict.fromkeys([*(a for a in measures.area if a), *(a for a in baseline if a)]))
    for target in targets:
        if not target.area:
            continue
        if target.area not in known:
            problems.append(Problem(labels["targets.csv"], f"unknown area {target.area!r}; use an area of "
                                    f"measures.csv or areas.csv ({', '.join(known) or 'none defined'})",
                                    target.line, "area"))
        elif target.kind in BASELINE_KINDS:
            column = f"{target.pollutant}_t" if target.pollutant in POLLUTANTS else target.pollutant
            rows = baseline.get(target.area, {})
            years = {target.year} | ({spec.base_year} if target.kind == "intensity_reduction" else set())
            if target.kind == "non_increasing" and target.year - 1 >= spec.start_year:
                years.add(target.year - 1)
            missing = sorted(y for y in years if y not in rows.get(column, {}))
            if target.area not in baseline:
                problems.append(Problem(labels["targets.csv"], f"a {target.kind} target for area {target.area!r} "
                                        "needs that area's baseline: add rows with area = "
                                        f"{target.area} to baseline.csv, or use kind reduction", target.line, "area"))
            elif missing:
                problems.append(Problem(labels["baseline.csv"], f"the {target.kind} target of targets.csv line "
                                        f"{target.line} needs {column} of area {target.area} in "
                                        f"{', '.join(map(str, missing))}; add those rows", None, "area"))
    for row in deployment:
        if row.area and row.area not in known:
            problems.append(Problem(labels["deployment.csv"], f"unknown area {row.area!r}; use an area of "
                                    f"measures.csv or areas.csv ({', '.join(known) or 'none defined'})",
                                    row.line, "area"))
    for area in spec.budget_areas_wan_yuan:
        if area not in known:
            problems.append(Problem(budget_label, f"[budget.areas] names unknown area {area!r}; known areas: "
                                    f"{', '.join(known) or 'none defined'}"))
    return known

"""Reference solver: the planning model of /work/shared/planning-model.md in raw HiGHS.

An independent implementation of the contract's mathematics, used to check the planner and as
the "raw HiGHS" baseline of the benchmark. pandas reads the data, numpy builds the whole
constraint matrix at once (loops only over years, never over measures), and one
`Highs.passModel` call hands the CSC arrays to HiGHS.

    python bench/reference.py SPEC.toml [--budget WAN_YUAN] [--json]

Formulation
-----------
Columns: x[m,t] (units of measure m added in year t), column index m*nT + (t - start_year),
bounds 0 <= x <= min(max_add_per_yr, potential) (the potential bound is implied by a <= P),
x = 0 before first_year, integer where `integer`; then one binary y[m] per measure in an
exclusive group; then, in an elastic run ([targets] mode = "elastic"), one shortfall column
s[k] >= 0 per target and deployment row. Active units a[m,t] = sum of x[m,tau], t-L_m < tau <= t, tau in the horizon, are
substituted into every row (no a columns). Rows, in this order:
  budget[t]        sum_m capex_m x[m,t] <= B_t                (years with a finite budget: annual_wan_yuan,
                                                               overridden by by_year)
  budget_total     sum_t sum_m capex_m x[m,t] <= B            (when total_wan_yuan is given)
  potential[m,t]   a[m,t] <= P_m                              (measures not in a group; rows that
                                                               the column bounds already imply,
                                                               sum of x upper bounds in the
                                                               window <= P_m, are left out)
  link[m,t]        a[m,t] - P_m y[m] <= 0                      (measures in a group)
  group[g]         sum_{m in g} y[m] <= 1
  target[k]        A_{p,t} >= rhs  with  rhs = BAU_t - (1-v) BAU_base GDP_t/GDP_base (intensity),
                   v (reduction), BAU_t - v (cap)
  deployment[k]    sum_{m carrying tag} a[m,t] >= min_units
  (elastic: + s[k] on the left of every target and deployment row)
v2 extensions (planning-model.md "v2 extensions"), each present only when its file or key is:
  capex[m,tau], opex[m,t], e[m,s,t] from measure_years.csv (blank = the measure's own); opex net of
  energy value opex - 0.1 (p_e electricity_mwh_per_yr + p_g gas_km3_per_yr) ([prices]);
  pool[q,t]        sum_{m in q} pool_use_m a[m,t] <= Cap_{q,t}   (pools.csv; a dated row overrides)
  area_budget[g,t] sum_{m in g} capex[m,t] x[m,t] <= B_g           ([budget.areas], t >= replan_from)
  targets on indicators (indicators.csv; intensity over the indicator's denominator column), targets
  and deployment rows with an area count only that area's measures (and use the area's baseline rows);
  non_increasing: A_t - (1+v) A_{t-1} >= BAU_t - (1+v) BAU_{t-1} for every model year t > y;
  replan_from Y: x[m,t] = actuals for t < Y (bounds), budgets only for t >= Y, target and deployment
  rows of years < Y left out.
Objective: sum_t (1+r)^-(t-start) sum_m (capex_m CRF(r,L_m) + opex_m) a[m,t], i.e. the cost of
x[m,tau] is (capex CRF + opex) times the sum of discount factors over the years it is active;
elastic runs add penalty_wan_yuan_per_t (default 1000) per t and penalty_wan_yuan_per_unit
(default 10000) per unit of shortfall. r = discount_rate, 0.05 when the key is absent.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time
import tomllib
from pathlib import Path

import numpy as np
import pandas as pd

POLLUTANTS = ("co2", "nox", "so2", "vocs", "pm", "cod", "nh3n")
REQUIRED_MEASURE_COLUMNS = ("id", "name", "sector", "unit", "capex_wan_yuan", "opex_wan_yuan_per_yr",
                            "lifetime_yr", "potential")
TARGET_KINDS = ("intensity_reduction", "reduction", "cap", "non_increasing")


# --------------------------------------------------------------------------------------- read
def _blank(series: pd.Series) -> np.ndarray:
    """True where a cell is missing or only whitespace."""
    s = series.astype("string")
    return (s.isna() | (s.str.strip() == "")).to_numpy(dtype=bool)


def _number(df: pd.DataFrame, column: str, default: float) -> np.ndarray:
    """Numeric optional column; blank or missing -> default."""
    if column not in df.columns:
        return np.full(len(df), default, dtype=float)
    values = pd.to_numeric(df[column].astype("string").str.strip().replace("", pd.NA), errors="raise")
    return values.astype("Float64").fillna(default).to_numpy(dtype=float)


def _boolean(df: pd.DataFrame, column: str) -> np.ndarray:
    if column not in df.columns:
        return np.zeros(len(df), dtype=bool)
    s = df[column].astype("string").str.strip().str.lower().fillna("")
    unknown = ~s.isin(["", "true", "false", "1", "0", "yes", "no", "t", "f", "1.0", "0.0"])
    if unknown.any():
        raise ValueError(f"measures.csv: column {column!r} has non-boolean values {sorted(set(s[unknown]))[:5]}")
    return s.isin(["true", "1", "yes", "t", "1.0"]).to_numpy(dtype=bool)


def _text(df: pd.DataFrame, column: str) -> np.ndarray:
    if column not in df.columns:
        return np.full(len(df), "", dtype=object)
    return df[column].astype("string").str.strip().fillna("").to_numpy(dtype=object)


# The contract's defaults (planning-model.md) and the project's documented spec keys (docs/inputs.md),
# written here again on purpose: the reference must not share the planner's code.
DEFAULT_DISCOUNT_RATE = 0.05
DEFAULT_PENALTY_WAN_YUAN_PER_T = 1000.0
DEFAULT_PENALTY_WAN_YUAN_PER_UNIT = 10000.0


def read_spec(spec_path: str | Path) -> dict:
    """The keys of a model spec the mathematics needs, with the contract's defaults.

    Budgets: ``[budget] annual_wan_yuan`` in every year, ``by_year = {YEAR = 万元}`` overriding named
    years, ``total_wan_yuan`` over the horizon. ``[targets] mode = "elastic"``: every target and
    deployment row may fall short at ``penalty_wan_yuan_per_t`` / ``penalty_wan_yuan_per_unit``.
    """
    spec_path = Path(spec_path)
    with open(spec_path, "rb") as handle:
        spec = tomllib.load(handle)
    model = spec["model"]
    budget = spec.get("budget", {})
    targets = spec.get("targets", {})
    solver = spec.get("solver", {})
    start, end = int(model["start_year"]), int(model["end_year"])
    annual = budget.get("annual_wan_yuan")
    by_year = {year: (math.inf if annual is None else float(annual)) for year in range(start, end + 1)}
    for key, value in budget.get("by_year", {}).items():
        by_year[int(key)] = float(value)
    total = budget.get("total_wan_yuan")
    prices = spec.get("prices", {})
    return {
        "replan_from": model.get("replan_from"),
        "price_electricity": float(prices.get("electricity_yuan_per_kwh", 0.0)),
        "price_gas": float(prices.get("gas_yuan_per_m3", 0.0)),
        "budget_areas": {str(k): float(v) for k, v in budget.get("areas", {}).items()},
        "name": model.get("name", spec_path.stem),
        "inputs": (spec_path.parent / model["inputs"]).resolve(),
        "base_year": int(model["base_year"]),
        "start_year": start,
        "end_year": end,
        "discount_rate": float(model.get("discount_rate", DEFAULT_DISCOUNT_RATE)),
        "budget_by_year": by_year,
        "budget_total": math.inf if total is None else float(total),
        "elastic": targets.get("mode", "strict") == "elastic",
        "penalty_per_t": float(targets.get("penalty_wan_yuan_per_t", DEFAULT_PENALTY_WAN_YUAN_PER_T)),
        "penalty_per_unit": float(targets.get("penalty_wan_yuan_per_unit", DEFAULT_PENALTY_WAN_YUAN_PER_UNIT)),
        "time_limit": solver.get("time_limit_s"),
        "mip_gap": solver.get("mip_gap"),
        # The same HiGHS options as the planner's [solver] section (docs/inputs.md): "light" (the default)
        # turns five large-neighbourhood MIP heuristics off; comparing against HiGHS's defaults would
        # time a different search, not the planner's overhead.
        "mip_heuristics": solver.get("mip_heuristics", "light"),
    }


def read_data(spec: dict) -> dict:
    folder = spec["inputs"]
    read = lambda name: pd.read_csv(folder / name, dtype=str, keep_default_na=False, encoding="utf-8")  # noqa: E731
    m = read("measures.csv")
    missing = [c for c in REQUIRED_MEASURE_COLUMNS if c not in m.columns]
    if missing:
        raise ValueError(f"measures.csv lacks required columns {missing}")
    ids = m["id"].str.strip().to_numpy(dtype=object)
    if len(set(ids)) != len(ids):
        raise ValueError("measures.csv: duplicate ids")
    start = spec["start_year"]
    measures = {
        "id": ids,
        "capex": _number(m, "capex_wan_yuan", np.nan),
        "opex": _number(m, "opex_wan_yuan_per_yr", np.nan),
        "life": _number(m, "lifetime_yr", np.nan),
        "potential": _number(m, "potential", np.nan),
        "ramp": _number(m, "max_add_per_yr", np.inf),
        "first_year": _number(m, "first_year", start),
        "integer": _boolean(m, "integer"),
        "abatement": np.column_stack([_number(m, f"{p}_t_per_yr", 0.0) for p in POLLUTANTS]) if len(m)
        else np.zeros((0, len(POLLUTANTS))),
        "group": _text(m, "group"),
        "tags": _text(m, "tags"),
    }
    for key in ("capex", "opex", "life", "potential"):
        if np.isnan(measures[key]).any():
            raise ValueError(f"measures.csv: blank required values in {key}")
    if (measures["life"] < 1).any() or (measures["life"] != np.round(measures["life"])).any():
        raise ValueError("measures.csv: lifetime_yr must be an integer >= 1")
    measures["life"] = measures["life"].astype(np.int64)

    b = read("baseline.csv")
    baseline = {"year": pd.to_numeric(b["year"]).to_numpy(dtype=np.int64),
                "gdp": pd.to_numeric(b["gdp_yi_yuan"]).to_numpy(dtype=float),
                "bau": np.column_stack([pd.to_numeric(b[f"{p}_t"]).to_numpy(dtype=float) for p in POLLUTANTS])}
    t = read("targets.csv")
    targets = {"year": pd.to_numeric(t["year"]).to_numpy(dtype=np.int64),
               "pollutant": t["pollutant"].str.strip().str.lower().to_numpy(dtype=object),
               "kind": t["kind"].str.strip().to_numpy(dtype=object),
               "value": pd.to_numeric(t["value"]).to_numpy(dtype=float)}
    if (folder / "deployment.csv").is_file():
        d = read("deployment.csv")
        deployment = {"year": pd.to_numeric(d["year"]).to_numpy(dtype=np.int64),
                      "tag": d["tag"].str.strip().to_numpy(dtype=object),
                      "min_units": pd.to_numeric(d["min_units"]).to_numpy(dtype=float)}
    else:
        deployment = {"year": np.zeros(0, np.int64), "tag": np.zeros(0, object), "min_units": np.zeros(0)}
    targets["area"] = _text(t, "area")
    deployment["area"] = (_text(d, "area") if (folder / "deployment.csv").is_file()
                          else np.zeros(0, object))
    data = {"measures": measures, "baseline": baseline, "targets": targets, "deployment": deployment}
    _read_v2(spec, folder, m, b, data)
    return data


def _read_v2(spec: dict, folder: Path, m: pd.DataFrame, b: pd.DataFrame, data: dict) -> None:
    """The v2 files and columns, in arrays over (measure, subject, year); absent files give the v1 meaning."""
    read = lambda name: pd.read_csv(folder / name, dtype=str, keep_default_na=False, encoding="utf-8")  # noqa: E731
    meas = data["measures"]
    t0, t1 = spec["start_year"], spec["end_year"]
    nT, nM = t1 - t0 + 1, len(meas["id"])
    indicators = read("indicators.csv") if (folder / "indicators.csv").is_file() else pd.DataFrame(
        columns=["indicator", "denominator"])
    ind_ids = [str(i).strip() for i in indicators["indicator"]]
    denominators = {i: (str(d).strip() or "gdp_yi_yuan") for i, d in zip(ind_ids, indicators.get(
        "denominator", pd.Series([""] * len(ind_ids))))}
    subjects = list(POLLUTANTS) + ind_ids
    own = np.column_stack([meas["abatement"]] + [_number(m, f"{i}_per_yr", 0.0)[:, None] for i in ind_ids]) \
        if nM else np.zeros((0, len(subjects)))
    rate = np.repeat(own[:, :, None], nT, axis=2)
    capex = np.repeat(meas["capex"][:, None], nT, axis=1)
    opex = np.repeat(meas["opex"][:, None], nT, axis=1)
    pos = {mid: i for i, mid in enumerate(meas["id"])}
    if (folder / "measure_years.csv").is_file():
        my = read("measure_years.csv")
        years = pd.to_numeric(my["year"]).to_numpy(dtype=np.int64)
        rows = [pos[str(x).strip()] for x in my["measure"]]
        for column, target in [("capex_wan_yuan", capex), ("opex_wan_yuan_per_yr", opex)]:
            values = _number(my, column, np.nan)
            for i, k, v in zip(rows, years - t0, values):
                if not np.isnan(v):
                    target[i, k] = v
        for j, subject in enumerate(subjects):
            column = f"{subject}_t_per_yr" if subject in POLLUTANTS else f"{subject}_per_yr"
            values = _number(my, column, np.nan)
            for i, k, v in zip(rows, years - t0, values):
                if not np.isnan(v):
                    rate[i, j, k] = v
    energy = 0.1 * (spec["price_electricity"] * _number(m, "electricity_mwh_per_yr", 0.0)
                    + spec["price_gas"] * _number(m, "gas_km3_per_yr", 0.0))
    meas.update({"capex_t": capex, "opex_t": opex - energy[:, None], "rate": rate,
                 "pool": _text(m, "pool"), "pool_use": _number(m, "pool_use", 1.0), "area": _text(m, "area")})
    # baseline by area ("" = the city): {area: {column: {year: value}}}
    areas = _text(b, "area")
    baseline_by_area: dict = {}
    for column in b.columns:
        if column in ("year", "area"):
            continue
        for area, year, cell in zip(areas, b["year"], b[column]):
            if str(cell).strip() != "":
                baseline_by_area.setdefault(area, {}).setdefault(column, {})[int(year)] = float(cell)
    pools: dict = {}
    if (folder / "pools.csv").is_file():
        pl = read("pools.csv")
        general = {}
        dated: dict = {}
        for pool, cap, year in zip(pl["pool"], pl["capacity"], pl.get("year", pd.Series([""] * len(pl)))):
            if str(year).strip() == "":
                general[pool.strip()] = float(cap)
            else:
                dated.setdefault(pool.strip(), {})[int(year)] = float(cap)
        for pool in set(general) | set(dated):
            pools[pool] = np.array([dated.get(pool, {}).get(y, general.get(pool, np.nan)) for y in range(t0, t1 + 1)])
    actuals = np.zeros((nM, nT))
    if spec["replan_from"] is not None and (folder / "actuals.csv").is_file():
        ac = read("actuals.csv")
        for mid, year, units in zip(ac["measure"], ac["year"], ac["units_added"]):
            actuals[pos[mid.strip()], int(year) - t0] = float(units)
    data["v2"] = {"subjects": subjects, "denominators": denominators, "baseline": baseline_by_area,
                  "pools": pools, "actuals": actuals}


# -------------------------------------------------------------------------------------- build
def crf(r: float, life: np.ndarray) -> np.ndarray:
    life = np.asarray(life, dtype=float)
    if r == 0:
        return 1.0 / life
    g = (1.0 + r) ** life
    return r * g / (g - 1.0)


class _Rows:
    """Accumulates COO triplets and row bounds."""

    def __init__(self) -> None:
        self.r: list[np.ndarray] = []
        self.c: list[np.ndarray] = []
        self.v: list[np.ndarray] = []
        self.lo: list[np.ndarray] = []
        self.hi: list[np.ndarray] = []
        self.n = 0

    def add_rows(self, lo: np.ndarray, hi: np.ndarray) -> int:
        first = self.n
        self.lo.append(np.asarray(lo, float))
        self.hi.append(np.asarray(hi, float))
        self.n += len(lo)
        return first

    def add_entries(self, rows: np.ndarray, cols: np.ndarray, vals: np.ndarray) -> None:
        self.r.append(np.asarray(rows, np.int64))
        self.c.append(np.asarray(cols, np.int64))
        self.v.append(np.asarray(vals, float))


class csc_matrix:
    """Compressed sparse columns from COO triplets, duplicates summed (numpy only)."""

    def __init__(self, rows: np.ndarray, cols: np.ndarray, vals: np.ndarray, n_row: int, n_col: int) -> None:
        order = np.lexsort((rows, cols))
        key = cols[order] * max(1, n_row) + rows[order]
        unique, first = np.unique(key, return_index=True)
        summed = np.add.reduceat(vals[order], first) if len(first) else np.zeros(0)
        col_of = unique // max(1, n_row)
        self.shape = (n_row, n_col)
        self.indices = unique % max(1, n_row)
        self.data = summed
        self.indptr = np.concatenate([[0], np.cumsum(np.bincount(col_of, minlength=n_col))])
        self.nnz = len(summed)


def build(spec: dict, data: dict, budget: float | None = None) -> dict:
    """The LP/MIP arrays; ``budget`` (万元, every year) replaces the spec's yearly budgets when given."""
    meas = data["measures"]
    t0, t1 = spec["start_year"], spec["end_year"]
    years = np.arange(t0, t1 + 1)
    nT, nM = len(years), len(meas["id"])
    r = spec["discount_rate"]
    life = meas["life"]
    pot = meas["potential"]
    # first year index in the horizon (clipped to 0; > nT-1 means never)
    fy = np.clip(np.ceil(meas["first_year"]).astype(np.int64) - t0, 0, nT)

    # ---- columns x[m,t]
    nX = nM * nT
    t_idx = np.tile(np.arange(nT), nM)
    m_idx = np.repeat(np.arange(nM), nT)
    x_upper = np.repeat(np.minimum(meas["ramp"], pot), nT)
    x_upper[t_idx < fy[m_idx]] = 0.0
    # objective: (capex CRF + opex) * sum of discount factors over the active years of a unit
    disc = (1.0 + r) ** -(years - t0).astype(float)
    cum = np.concatenate([[0.0], np.cumsum(disc)])
    # v2: capex of the vintage's year times CRF over its active years, plus each active year's net opex
    end = np.minimum(t_idx + life[m_idx], nT)
    capex_t, opex_t = meas["capex_t"], meas["opex_t"]
    opex_cum = np.concatenate([np.zeros((nM, 1)), np.cumsum(opex_t * disc[None, :], axis=1)], axis=1)
    x_cost = (capex_t[m_idx, t_idx] * crf(r, life)[m_idx] * (cum[end] - cum[t_idx])
              + opex_cum[m_idx, end] - opex_cum[m_idx, t_idx])
    # history (replan_from Y): x = actuals before Y, whatever the ramp and first year
    v2 = data["v2"]
    replan = spec["replan_from"] if spec["replan_from"] is not None else t0
    x_lower = np.zeros(nX)
    if spec["replan_from"] is not None:
        past = years[t_idx] < replan
        x_upper[past] = v2["actuals"][m_idx[past], t_idx[past]]
        x_lower[past] = x_upper[past]
        fy = np.zeros(nM, np.int64)  # window terms for every year; fixed zeros are harmless

    # ---- columns y[m] for measures in a group
    in_group = meas["group"] != ""
    grouped = np.flatnonzero(in_group)
    nY = len(grouped)
    y_col = np.full(nM, -1, np.int64)
    y_col[grouped] = nX + np.arange(nY)
    n_col = nX + nY

    rows = _Rows()

    def window(row: np.ndarray, m: np.ndarray, t: np.ndarray, w: np.ndarray) -> None:
        """Add w * a[m,t] to `row` for each listed (row, m, t, w), as x entries (loop over lags only)."""
        for k in range(nT):
            tau = t - k
            keep = (k < life[m]) & (tau >= fy[m])  # tau >= fy >= 0; x fixed 0 before first_year: no entry
            if not keep.any():
                if (t - k < 0).all():
                    break
                continue
            rows.add_entries(row[keep], m[keep] * nT + tau[keep], w[keep])

    # budget rows: one per year with a finite limit, then the total over the horizon
    by_year = spec["budget_by_year"] if budget is None else {int(y): float(budget) for y in years}
    limit = np.array([by_year.get(int(y), math.inf) if y >= replan else math.inf for y in years])
    limited = np.flatnonzero(np.isfinite(limit))
    x_capex = capex_t[m_idx, t_idx]
    paying = (x_capex != 0) & (years[t_idx] >= replan)
    if len(limited):
        row_of_year = np.full(nT, -1, np.int64)
        first = rows.add_rows(np.full(len(limited), -np.inf), limit[limited])
        row_of_year[limited] = first + np.arange(len(limited))
        keep = paying & (row_of_year[t_idx] >= 0)
        rows.add_entries(row_of_year[t_idx[keep]], np.flatnonzero(keep), x_capex[keep])
    if math.isfinite(spec["budget_total"]):
        row = rows.add_rows([-np.inf], [spec["budget_total"]])
        rows.add_entries(np.full(int(paying.sum()), row), np.flatnonzero(paying), x_capex[paying])
    # area budgets, every planned year
    for area, cap in spec["budget_areas"].items():
        for k in range(nT):
            if years[k] < replan:
                continue
            members = np.flatnonzero((meas["area"] == area) & (capex_t[:, k] != 0))
            row = rows.add_rows([-np.inf], [cap])
            rows.add_entries(np.full(len(members), row), members * nT + k, capex_t[members, k])

    # potential rows (ungrouped), skipping those implied by the column bounds
    cols_up = x_upper.reshape(nM, nT)
    cum_up = np.concatenate([np.zeros((nM, 1)), np.cumsum(cols_up, axis=1)], axis=1)
    tt = np.arange(nT)[None, :]
    lo_idx = np.maximum(tt + 1 - life[:, None], 0)
    window_up = cum_up[np.arange(nM)[:, None], tt + 1] - cum_up[np.arange(nM)[:, None], lo_idx]
    need = (window_up > pot[:, None] * (1 + 1e-12)) & ~in_group[:, None]
    pm, pt = np.nonzero(need)
    first = rows.add_rows(np.full(len(pm), -np.inf), pot[pm])
    window(first + np.arange(len(pm)), pm, pt, np.ones(len(pm)))

    # pool rows: sum of pool_use x active units of the pool's measures <= capacity, every year
    for pool, capacity in v2["pools"].items():
        members = np.flatnonzero(meas["pool"] == pool)
        for k in range(nT):
            row = rows.add_rows([-np.inf], [capacity[k]])
            window(np.full(len(members), row), members, np.full(len(members), k), meas["pool_use"][members])

    # group linking rows a[m,t] - P y[m] <= 0, and sum y <= 1 per group
    if nY:
        gm = np.repeat(grouped, nT)
        gt = np.tile(np.arange(nT), nY)
        first = rows.add_rows(np.full(len(gm), -np.inf), np.zeros(len(gm)))
        link_rows = first + np.arange(len(gm))
        window(link_rows, gm, gt, np.ones(len(gm)))
        rows.add_entries(link_rows, y_col[gm], -pot[gm])
        names, gidx = np.unique(meas["group"][grouped], return_inverse=True)
        first = rows.add_rows(np.full(len(names), -np.inf), np.ones(len(names)))
        rows.add_entries(first + gidx, y_col[grouped], np.ones(nY))

    # target rows A_{p,t} >= rhs; ``soft`` lists (row, penalty) of the rows an elastic run may miss
    soft: list[tuple[int, float]] = []
    base = data["baseline"]
    year_pos = {int(y): i for i, y in enumerate(base["year"])}
    tg = data["targets"]
    if spec["base_year"] not in year_pos and len(tg["year"]):
        raise ValueError("baseline.csv lacks the base year")
    subjects = v2["subjects"]
    for k in range(len(tg["year"])):
        year, pol, kind, v = int(tg["year"][k]), tg["pollutant"][k], tg["kind"][k], float(tg["value"][k])
        area = tg["area"][k]
        if pol not in subjects or kind not in TARGET_KINDS:
            raise ValueError(f"targets.csv row {k + 2}: unknown pollutant/kind {pol!r}/{kind!r}")
        p = subjects.index(pol)
        column = f"{pol}_t" if pol in POLLUTANTS else pol
        bau = v2["baseline"].get(area, {}).get(column, {})
        members = np.ones(nM, bool) if area == "" else meas["area"] == area
        bound_years = [t for t in range(max(year + 1, t0), t1 + 1)] if kind == "non_increasing" else [year]
        for t in bound_years:
            if not t0 <= t <= t1 or t < replan:
                continue  # outside the horizon, or history: not constrained
            if kind == "intensity_reduction":
                denominator = v2["baseline"][area][v2["denominators"].get(pol, "gdp_yi_yuan")]
                b0 = spec["base_year"]
                rhs = bau[t] - (1.0 - v) * bau[b0] * denominator[t] / denominator[b0]
            elif kind == "reduction":
                rhs = v
            elif kind == "cap":
                rhs = bau[t] - v
            else:
                rhs = bau[t] - (1.0 + v) * bau[t - 1]
            row = rows.add_rows([rhs], [np.inf])
            soft.append((row, spec["penalty_per_t"]))
            e = np.where(members, meas["rate"][:, p, t - t0], 0.0)
            m = np.flatnonzero(e != 0)
            window(np.full(len(m), row), m, np.full(len(m), t - t0), e[m])
            if kind == "non_increasing" and t - 1 >= t0:
                e = -(1.0 + v) * np.where(members, meas["rate"][:, p, t - 1 - t0], 0.0)
                m = np.flatnonzero(e != 0)
                window(np.full(len(m), row), m, np.full(len(m), t - 1 - t0), e[m])

    # deployment rows
    dp = data["deployment"]
    if len(dp["year"]):
        tag_sets = [set(filter(None, (s.strip() for s in tags.split(";")))) for tags in meas["tags"]]
        for k in range(len(dp["year"])):
            year = int(dp["year"][k])
            if not t0 <= year <= t1 or year < replan:
                continue
            area = dp["area"][k]
            m = np.array([i for i, s in enumerate(tag_sets) if dp["tag"][k] in s
                          and (area == "" or meas["area"][i] == area)], dtype=np.int64)
            row = rows.add_rows([dp["min_units"][k]], [np.inf])
            soft.append((row, spec["penalty_per_unit"]))
            window(np.full(len(m), row), m, np.full(len(m), year - t0), np.ones(len(m)))

    # elastic runs: a shortfall column s_k >= 0 in every target and deployment row, at its penalty
    n_soft = len(soft) if spec["elastic"] else 0
    if n_soft:
        soft_rows = np.array([row for row, _ in soft], dtype=np.int64)
        rows.add_entries(soft_rows, n_col + np.arange(n_soft), np.ones(n_soft))
    soft_cost = np.array([penalty for _, penalty in soft[:n_soft]], dtype=float)
    n_col += n_soft

    n_row = rows.n
    if rows.r:
        R, C, V = (np.concatenate(a) for a in (rows.r, rows.c, rows.v))
    else:
        R = C = np.zeros(0, np.int64)
        V = np.zeros(0)
    A = csc_matrix(R, C, V, n_row, n_col)
    integrality = np.zeros(n_col, np.int32)
    integrality[:nX] = np.repeat(meas["integer"], nT).astype(np.int32)
    integrality[nX:nX + nY] = 1
    col_lower = np.concatenate([x_lower, np.zeros(nY + n_soft)])
    col_upper = np.concatenate([x_upper, np.ones(nY), np.full(n_soft, np.inf)])
    cost = np.concatenate([x_cost, np.zeros(nY), soft_cost])
    return {
        "A": A, "cost": cost, "col_lower": col_lower, "col_upper": col_upper,
        "row_lower": np.concatenate(rows.lo) if rows.lo else np.zeros(0),
        "row_upper": np.concatenate(rows.hi) if rows.hi else np.zeros(0),
        "integrality": integrality, "is_mip": bool(integrality.any()),
        "nM": nM, "nT": nT, "nX": nX, "nY": nY, "years": years, "grouped": grouped, "n_soft": n_soft,
    }


# -------------------------------------------------------------------------------------- solve
def _status(model_status, highspy, has_solution: bool) -> str:
    S = highspy.HighsModelStatus
    if model_status == S.kOptimal:
        return "optimal"
    if model_status in (S.kInfeasible, S.kUnboundedOrInfeasible):
        return "infeasible"
    if model_status == S.kUnbounded:
        return "unbounded"
    if model_status == S.kTimeLimit:
        return "time_limit"
    return "error"


# What [solver] mip_heuristics = "light" turns off, written here again so the reference stays independent.
LIGHT_HEURISTICS_OFF = ("mip_heuristic_run_rins", "mip_heuristic_run_rens", "mip_heuristic_run_root_reduced_cost",
                        "mip_heuristic_run_zi_round", "mip_heuristic_run_shifting")


def _quiet_highs(highspy):
    """A Highs object with output off; the banner HiGHS prints (from C, to fd 1) when the first one is
    made is sent to /dev/null so that `--json` output stays parseable."""
    sys.stdout.flush()
    saved = os.dup(1)
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 1)
        h = highspy.Highs()
        h.setOptionValue("output_flag", False)
    finally:
        os.dup2(saved, 1)
        os.close(saved)
        os.close(devnull)
    return h


def solve_reference(spec_path: str | Path, budget_wan_yuan: float | None = None) -> dict:
    """Solve the model of `spec_path` with raw HiGHS; `budget_wan_yuan` overrides [budget]."""
    import highspy

    timings: dict[str, float] = {}
    tic = time.perf_counter()
    spec = read_spec(spec_path)
    data = read_data(spec)
    timings["read_s"] = time.perf_counter() - tic

    tic = time.perf_counter()
    budget = None if budget_wan_yuan is None else float(budget_wan_yuan)
    m = build(spec, data, budget)
    A = m["A"]
    timings["build_s"] = time.perf_counter() - tic

    tic = time.perf_counter()
    h = _quiet_highs(highspy)
    if spec["time_limit"] is not None:
        h.setOptionValue("time_limit", float(spec["time_limit"]))
    if spec["mip_gap"] is not None:
        h.setOptionValue("mip_rel_gap", float(spec["mip_gap"]))
    if spec["mip_heuristics"] == "light":
        for option in LIGHT_HEURISTICS_OFF:
            h.setOptionValue(option, False)
    n_row, n_col = A.shape
    status = h.passModel(
        n_col, n_row, int(A.nnz), int(highspy.MatrixFormat.kColwise), int(highspy.ObjSense.kMinimize), 0.0,
        m["cost"], m["col_lower"], m["col_upper"], m["row_lower"], m["row_upper"],
        A.indptr.astype(np.int32), A.indices.astype(np.int32), A.data.astype(float),
        m["integrality"])
    timings["pass_s"] = time.perf_counter() - tic
    if status == highspy.HighsStatus.kError:
        return {"status": "error", "objective": None, "timings_s": timings, "n_rows": n_row, "n_cols": n_col,
                "nnz": int(A.nnz), "x": {}, "message": "passModel failed"}

    tic = time.perf_counter()
    h.run()
    timings["solve_s"] = time.perf_counter() - tic

    info = h.getInfo()
    has_solution = info.primal_solution_status == 2  # kSolutionStatusFeasible
    result = {"status": _status(h.getModelStatus(), highspy, has_solution), "objective": None,
              "timings_s": timings, "n_rows": n_row, "n_cols": n_col, "nnz": int(A.nnz),
              "is_mip": m["is_mip"], "budget_wan_yuan": budget, "x": {}, "y": {}}
    if m["is_mip"]:
        result["mip_gap"] = info.mip_gap
    if has_solution:
        result["objective"] = float(info.objective_function_value)
        col = np.asarray(h.getSolution().col_value)
        x = col[:m["nX"]]
        if m["is_mip"]:  # integer columns: snap the solver's near-integers
            ints = m["integrality"][:m["nX"]] == 1
            x = np.where(ints, np.round(x), x)
        x = np.maximum(x, 0.0)
        ids = data["measures"]["id"]
        result["x"] = dict(zip(zip(np.repeat(ids, m["nT"]).tolist(), np.tile(m["years"], m["nM"]).tolist()),
                               x.tolist()))
        result["y"] = {ids[g]: int(round(v)) for g, v in zip(m["grouped"], col[m["nX"]:m["nX"] + m["nY"]])}
        result["shortfall"] = [max(v, 0.0) for v in col[m["nX"] + m["nY"]:].tolist()]
    return result


def to_json(result: dict) -> str:
    out = {k: v for k, v in result.items() if k != "x"}
    out["x"] = [{"measure": mid, "year": year, "added": added} for (mid, year), added in result["x"].items()]
    return json.dumps(out, ensure_ascii=False)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Solve a planning model with raw HiGHS (reference).")
    parser.add_argument("spec", help="model TOML")
    parser.add_argument("--budget", type=float, default=None, help="annual budget in 万元 (overrides the spec)")
    parser.add_argument("--json", action="store_true", help="print the whole result as JSON")
    args = parser.parse_args(argv)
    try:
        result = solve_reference(args.spec, args.budget)
    except Exception as exc:  # noqa: BLE001 - report as status error
        result = {"status": "error", "objective": None, "message": f"{type(exc).__name__}: {exc}", "x": {},
                  "timings_s": {}}
    if args.json:
        print(to_json(result))
    else:
        print(f"status     {result['status']}")
        print(f"objective  {result['objective']}")
        for key in ("n_rows", "n_cols", "nnz"):
            if key in result:
                print(f"{key:<10} {result[key]}")
        print("timings    " + ", ".join(f"{k} {v:.3f}" for k, v in result["timings_s"].items()))
        if "message" in result:
            print(f"message    {result['message']}")
    return 0 if result["status"] == "optimal" else 4 if result["status"] in ("infeasible", "time_limit") else 1


if __name__ == "__main__":
    sys.exit(main())

"""Co-control indicators (七(二) 协同度评价) from a run's result tables: the cross-elasticity of
each pollutant with CO2, its quadrant in the 协同控制效应坐标系, and the share of abatement that
comes from measures with co-benefits.

For a measure, a portfolio or an area in year t and pollutant p (A = tonnes abated, BAU = the
city's business-as-usual emissions of that year)::

    Els_p = (A_p / BAU_p) / (A_co2 / BAU_co2)

Els_p > 0: both fall together (1 = the same relative cut); blank when A_co2 = 0. Quadrants:
``co_benefit`` (A_co2 > 0 and A_p > 0), ``carbon_only`` (A_co2 > 0, A_p = 0), ``pollutant_only``
(A_p > 0, A_co2 = 0), ``trade_off`` (one of them < 0: one is cut at the other's expense). The
co-benefit share of p is sum(A_p of co-benefit measures) / sum(A_p of measures that cut p).
Areas use the city's BAU too, so their Els is the same rescaled ratio of abatements.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

# Tonnes below this are round-off, not abatement.
ZERO_T = 1e-9

CO_CONTROL_COLUMNS = ["year", "scope", "measure", "name", "area", "pollutant", "co2_abated_t", "abated_t",
                      "co2_cut_share", "cut_share", "elasticity", "quadrant", "co_benefit_share"]


def quadrant(co2_abated_t: float, abated_t: float) -> str:
    """The quadrant of (A_co2, A_p) in the 协同控制效应坐标系.

    >>> quadrant(10, 2), quadrant(10, 0), quadrant(0, 2), quadrant(10, -1), quadrant(-5, 3), quadrant(0, 0)
    ('co_benefit', 'carbon_only', 'pollutant_only', 'trade_off', 'trade_off', 'none')
    """
    c = 0.0 if abs(co2_abated_t) < ZERO_T else co2_abated_t
    p = 0.0 if abs(abated_t) < ZERO_T else abated_t
    if c < 0 or p < 0:
        return "trade_off"
    if c > 0 and p > 0:
        return "co_benefit"
    if c > 0:
        return "carbon_only"
    if p > 0:
        return "pollutant_only"
    return "none"


def elasticity(co2_abated_t: float, abated_t: float, co2_bau_t: float, bau_t: float) -> float:
    """Els_p = (A_p / BAU_p) / (A_co2 / BAU_co2); NaN when A_co2 or a BAU is zero.

    >>> elasticity(1000, 5, 1e6, 1e4)   # 0.05 % of the pollutant against 0.1 % of CO2
    0.5
    """
    if abs(co2_abated_t) < ZERO_T or not bau_t or not co2_bau_t:
        return math.nan
    return (abated_t / bau_t) / (co2_abated_t / co2_bau_t)


def _row(year, scope, measure, name, area, pollutant, a_co2, a_p, bau_co2, bau_p, share=math.nan) -> dict:
    return {"year": year, "scope": scope, "measure": measure, "name": name, "area": area, "pollutant": pollutant,
            "co2_abated_t": a_co2, "abated_t": a_p,
            "co2_cut_share": a_co2 / bau_co2 if bau_co2 else math.nan,
            "cut_share": a_p / bau_p if bau_p else math.nan,
            "elasticity": elasticity(a_co2, a_p, bau_co2, bau_p), "quadrant": quadrant(a_co2, a_p),
            "co_benefit_share": share}


def _co_benefit_share(a_co2: np.ndarray, a_p: np.ndarray) -> float:
    """sum(A_p of measures that cut both) / sum(A_p of measures that cut p); NaN when none cuts p."""
    cutting = a_p > ZERO_T
    if not cutting.any():
        return math.nan
    co = cutting & (a_co2 > ZERO_T)
    return float(a_p[co].sum() / a_p[cutting].sum())


def _quadrants(a_co2: np.ndarray, a_p: np.ndarray) -> np.ndarray:
    """``quadrant`` of each pair at once (the same rules, as arrays)."""
    c = np.where(np.abs(a_co2) < ZERO_T, 0.0, a_co2)
    p = np.where(np.abs(a_p) < ZERO_T, 0.0, a_p)
    return np.select([(c < 0) | (p < 0), (c > 0) & (p > 0), c > 0, p > 0],
                     ["trade_off", "co_benefit", "carbon_only", "pollutant_only"], "none")


def co_control_table(plan: pd.DataFrame, emissions: pd.DataFrame, years: list[int],
                     pollutants: list[str]) -> pd.DataFrame:
    """co_control.csv: rows per measure, for the portfolio and per area (when plan.csv has areas),
    in each of ``years``, for each non-CO2 pollutant of ``pollutants`` with a BAU above zero."""
    bau = {(int(r.year), r.pollutant): float(r.bau_t) for r in emissions.itertuples()}
    has_areas = "area" in plan.columns and plan["area"].astype(object).fillna("").astype(str).str.len().gt(0).any()
    # Blocks of rows as arrays, joined once at the end (one dict per row cost 1 s at 10,000 measures; lists
    # of Python values 0.17 s); text columns stay object arrays (pandas' str arrays cost 13 ms a column).
    blocks: list[dict] = []

    def add(row: dict) -> None:
        blocks.append({name: np.array([value], dtype=object if isinstance(value, str) else None)
                       for name, value in row.items()})

    plan_years = plan["year"].to_numpy()
    for year in years:
        here = plan[plan_years == year]
        bau_co2 = bau.get((year, "co2"), 0.0)
        co2 = here["co2_abated_t"].to_numpy(dtype=float) if len(here) else np.zeros(0)
        # Text columns as object arrays once per year (pandas' str arrays cost 0.1 s per pollutant to slice).
        ids = np.array(here["measure"].tolist(), dtype=object)
        names = np.array(here["name"].tolist(), dtype=object)
        if has_areas:
            areas_here = np.array([("" if a == "nan" else a) for a in
                                   (str(v or "") for v in here["area"].astype(object).tolist())], dtype=object)
            area_ids = sorted(set(areas_here.tolist()))
            in_area = {area: areas_here == area for area in area_ids}
        for pollutant in pollutants:
            if pollutant == "co2" or not bau.get((year, pollutant)) or f"{pollutant}_abated_t" not in plan:
                continue
            bau_p = bau[(year, pollutant)]
            column = f"{pollutant}_abated_t"
            a_p_all = here[column].to_numpy(dtype=float)
            keep = ~((np.abs(co2) < ZERO_T) & (np.abs(a_p_all) < ZERO_T))
            a_co2, a_p = co2[keep], a_p_all[keep]
            n = len(a_co2)
            with np.errstate(divide="ignore", invalid="ignore"):
                els = (a_p / bau_p) / (a_co2 / bau_co2) if bau_co2 else np.full(n, math.nan)
                co2_share = a_co2 / bau_co2 if bau_co2 else np.full(n, math.nan)
            els = np.where(np.abs(a_co2) < ZERO_T, math.nan, els)
            blocks.append({
                "year": np.full(n, year), "scope": np.full(n, "measure", dtype=object), "measure": ids[keep],
                "name": names[keep], "area": areas_here[keep] if has_areas else np.full(n, "", dtype=object),
                "pollutant": np.full(n, pollutant, dtype=object), "co2_abated_t": a_co2, "abated_t": a_p,
                "co2_cut_share": co2_share, "cut_share": a_p / bau_p, "elasticity": els,
                "quadrant": _quadrants(a_co2, a_p).astype(object), "co_benefit_share": np.full(n, math.nan)})
            add(_row(year, "portfolio", "", "", "", pollutant, float(co2.sum()), float(a_p_all.sum()), bau_co2,
                     bau_p, _co_benefit_share(co2, a_p_all)))
            if has_areas:
                for area in area_ids:
                    mask = in_area[area]
                    add(_row(year, "area", "", "", area, pollutant, float(co2[mask].sum()), float(a_p_all[mask].sum()),
                             bau_co2, bau_p, _co_benefit_share(co2[mask], a_p_all[mask])))
    if not blocks:
        return pd.DataFrame(columns=CO_CONTROL_COLUMNS)
    columns = {}
    for name in CO_CONTROL_COLUMNS:
        parts = [block[name] for block in blocks]
        text = any(part.dtype == object for part in parts)
        values = np.concatenate([part.astype(object) if text else part for part in parts])
        columns[name] = pd.Series(values, dtype=object if text else values.dtype, copy=False)
    return pd.DataFrame(columns, columns=CO_CONTROL_COLUMNS)


def co_control_of_run(tables) -> pd.DataFrame:
    """co_control.csv of a run (``RunTables``): in each target year (the last model year when there
    is no target), for every pollutant the model knows."""
    from planner.io.schema import POLLUTANTS

    years = sorted({int(y) for y in tables.targets["year"]}) if len(tables.targets) else []
    if not years and len(tables.emissions):
        years = [int(tables.emissions["year"].max())]
    return co_control_table(tables.plan, tables.emissions, years, list(POLLUTANTS))

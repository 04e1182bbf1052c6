"""Result tables of the v2 extensions: pools.csv, indicators.csv and areas.csv."""

from __future__ import annotations

import numpy as np
import pandas as pd

from planner.io.schema import POLLUTANTS
from planner.model.build import PlanningModel, area_measures

# 1 万元 = 10,000 元 (shadow prices in 元 per unit).
YUAN_PER_WAN_YUAN = 1e4
# A pool counts as binding when its use is within this share of its capacity.
BINDING_REL_TOL = 1e-6


def pool_table(planning: PlanningModel, active: np.ndarray, shadow: dict | None) -> pd.DataFrame:
    """pools.csv: per pool and year, pool units used (sum of pool_use x active units) and the capacity.

    ``shadow_price_yuan_per_unit`` is what one more pool unit would save (元, >= 0), from the dual
    of ``pool_limit``."""
    data = planning.data
    measures = data.measures
    duals = shadow.get("pool_wan_yuan_per_unit") if shadow else None
    rows = []
    pool_of = np.asarray(measures.pool, dtype=object)
    members_of = {pool_id: np.flatnonzero(pool_of == pool_id) for pool_id in {q for q, _ in planning.pool_rows}}
    for r, (pool_id, year) in enumerate(planning.pool_rows):
        pool = data.extensions.pools[pool_id]
        members = members_of[pool_id]
        k = planning.years.index(year)
        used = float((measures.pool_use[members] * active[members, k]).sum())
        capacity = pool.capacity_by_year[year]
        rows.append({"pool": pool_id, "year": year, "used": used, "capacity": capacity, "unit": pool.unit,
                     "binding": used >= capacity - BINDING_REL_TOL * max(1.0, capacity),
                     "shadow_price_yuan_per_unit": (-float(duals[r]) * YUAN_PER_WAN_YUAN
                                                    if duals is not None else np.nan)})
    return pd.DataFrame(rows, columns=["pool", "year", "used", "capacity", "unit", "binding",
                                       "shadow_price_yuan_per_unit"])


def indicator_table(planning: PlanningModel, abated_all: np.ndarray) -> pd.DataFrame:
    """indicators.csv: per indicator and year, BAU, abated and level in the indicator's unit, and the
    intensity (level / denominator) where a denominator is declared."""
    ext = planning.data.extensions
    rows = []
    for j, indicator in enumerate(ext.indicators):
        bau = ext.bau(indicator.id)
        denominator = ext.denominator(indicator.id)
        for k, year in enumerate(planning.years):
            abated = float(abated_all[len(POLLUTANTS) + j, k])
            level = bau[year] - abated
            rows.append({"indicator": indicator.id, "name": indicator.name, "year": year, "bau": bau[year],
                         "abated": abated, "level": level, "unit": indicator.unit,
                         "denominator": indicator.denominator,
                         "intensity": level / denominator[year],
                         "intensity_change_vs_base": (level / denominator[year])
                         / (bau[planning.data.spec.base_year] / denominator[planning.data.spec.base_year]) - 1.0
                         if bau[planning.data.spec.base_year] else np.nan})
    return pd.DataFrame(rows)


def area_table(planning: PlanningModel, capex: np.ndarray, opex: np.ndarray,
               abated_by_measure: np.ndarray) -> pd.DataFrame:
    """areas.csv: per area (and the city-wide measures, area blank) and year: capex, opex, abatement
    of every pollutant and indicator, and the area's yearly budget where [budget.areas] sets one."""
    data = planning.data
    ext = data.extensions
    budgets = data.spec.budget_areas_wan_yuan
    replan = data.spec.replan_from
    rows = []
    for area in [*ext.areas, ""]:
        mask = area_measures(data, area) if area else np.array([a == "" for a in data.measures.area], dtype=bool)
        for k, year in enumerate(planning.years):
            budget = budgets.get(area, np.nan) if (replan is None or year >= replan) else np.nan
            row = {"area": area, "name": ext.area_names.get(area, "city-wide measures" if not area else area),
                   "year": year, "capex_wan_yuan": float(capex[mask, k].sum()),
                   "opex_wan_yuan": float(opex[mask, k].sum()), "budget_wan_yuan": budget}
            for j, subject in enumerate(data.subjects):
                suffix = "_abated_t" if subject in POLLUTANTS else "_abated"
                row[subject + suffix] = float(abated_by_measure[mask, j, k].sum())
            rows.append(row)
    return pd.DataFrame(rows)

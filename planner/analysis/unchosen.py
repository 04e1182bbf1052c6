"""Why a measure was not chosen: unchosen.csv, with what it would cost to include each one.

For every measure with no units added: its levelised cost per tonne of each pollutant (as in
cost_effectiveness.csv), the reduced cost of its first addable year's column in the LP (or, for a
MIP, the LP with the integer choices fixed), and ``cost_to_include_wan_yuan``: the objective
increase when its smallest unit (1 unit for a whole-unit measure, else 1 % of its potential; at
most what that year's bounds allow) is forced in the first year it can be added. One re-solve per
unchosen measure on the built model, at the run's gap, within the run's time limit, clipped at 0;
above MAX_UNCHOSEN measures the re-solves are skipped with a note.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from planner.analysis.shadow_prices import ShadowPrices
from planner.io.schema import POLLUTANTS
from planner.model.build import PlanningModel
from planner.solve.session import Solution, SolverSession

MAX_UNCHOSEN = 200
# The smallest unit of a continuous measure: this share of its potential.
SMALLEST_SHARE = 0.01
COLUMNS = ["measure", "name", "sector", "unit", "first_year_addable", "smallest_unit",
           *[f"{p}_yuan_per_t" for p in POLLUTANTS], "reduced_cost_wan_yuan_per_unit", "reduced_cost_basis",
           "cost_to_include_wan_yuan", "note"]


def unchosen_table(planning: PlanningModel, solution: Solution, session: SolverSession,
                   shadow: ShadowPrices | None, cost_effectiveness: pd.DataFrame) -> pd.DataFrame:
    """unchosen.csv: one row per measure with no units added (header only without a plan)."""
    if solution.units_added is None or solution.objective_wan_yuan is None:
        return pd.DataFrame(columns=COLUMNS)
    measures = planning.data.measures
    n_years = len(planning.years)
    unchosen = np.flatnonzero(np.abs(solution.units_added).sum(axis=1) == 0)
    first_x = session.compiled.column_slice("units_added").start
    reduced = shadow.column_dual if shadow is not None else None
    reduced_basis = {"lp": "lp_dual", "fixed_lp": "fixed_integer_lp"}.get(shadow.source if shadow else "", "")
    too_many = len(unchosen) > MAX_UNCHOSEN
    # start_year's figures, one column at a time (a pandas .loc per cell cost 1 s at 10,000 measures).
    start = cost_effectiveness["figures_year"] == planning.years[0]
    levelised = cost_effectiveness[start].set_index("measure")
    if not len(unchosen):
        return pd.DataFrame(columns=COLUMNS)
    ids = np.asarray(measures.ids, dtype=object)[unchosen]
    # Every column as an array at once (a dict per row cost 0.17 s at 10,000 measures); then the
    # re-solves, one per measure that can be added, in measures.csv order.
    addable = planning.added_upper[unchosen] > 0
    can_add = addable.any(axis=1)
    pos = addable.argmax(axis=1)
    columns = first_x + unchosen * n_years + pos
    integer = np.asarray(measures.integer, dtype=bool)[unchosen]
    unit = np.where(integer, 1.0, SMALLEST_SHARE * np.asarray(measures.potential, dtype=float)[unchosen])
    unit = np.where(can_add, np.minimum(unit, planning.added_upper[unchosen, pos]), math.nan)
    years = np.asarray(planning.years)[pos]
    note = np.where(can_add, f"not re-solved: more than {MAX_UNCHOSEN} unchosen measures" if too_many else "",
                    "cannot be added in any model year (first year, history or bounds)").astype(object)
    table = {
        "measure": ids, "name": np.asarray(measures.names, dtype=object)[unchosen],
        "sector": np.asarray(measures.sectors, dtype=object)[unchosen],
        "unit": np.asarray(measures.units, dtype=object)[unchosen],
        # whole years, or NaN (a float column) where some measure cannot be added at all
        "first_year_addable": years if can_add.all() else np.where(can_add, years, math.nan),
        "smallest_unit": unit,
        **{f"{p}_yuan_per_t": levelised[f"{p}_yuan_per_t"].reindex(ids).to_numpy(dtype=float) for p in POLLUTANTS},
        "reduced_cost_wan_yuan_per_unit": (np.where(can_add, reduced[np.where(can_add, columns, 0)], math.nan)
                                           if reduced is not None else np.full(len(unchosen), math.nan)),
        "reduced_cost_basis": np.where(can_add & (reduced is not None), reduced_basis, "").astype(object),
        "cost_to_include_wan_yuan": np.full(len(unchosen), math.nan),
        "note": note,
    }
    if not too_many:
        cost = table["cost_to_include_wan_yuan"]
        for k in np.flatnonzero(can_add):
            i, column, smallest = int(unchosen[k]), int(columns[k]), float(unit[k])
            if session.time_left_s() <= 0:
                note[k] = "not re-solved: the run's time limit was reached"
                continue
            # Start from the plan with the unit added: feasible whenever the budget has room, and then
            # HiGHS only has to prove (or improve) it.
            start = None
            if solution.col_values is not None:
                start = solution.col_values.copy()
                start[column] = max(start[column], smallest)
            status, objective = session.what_if(col_lower={column: smallest}, start=start)
            if status == "optimal":
                cost[k] = max(0.0, objective - solution.objective_wan_yuan)
            elif status == "infeasible":
                note[k] = (f"forcing {smallest:g} {measures.units[i]} in {planning.years[int(pos[k])]} makes the "
                           "plan infeasible (budget, exclusive group, pool or potential)")
            else:
                note[k] = f"the re-solve ended {status}"
    return pd.DataFrame(table, columns=COLUMNS)


def cheapest_to_include(table: pd.DataFrame, count: int = 3) -> list[tuple[str, str, float]]:
    """The ``count`` unchosen measures cheapest to include: (id, name, 万元)."""
    priced = table.dropna(subset=["cost_to_include_wan_yuan"]).sort_values(["cost_to_include_wan_yuan", "measure"])
    return [(r.measure, r.name, float(r.cost_to_include_wan_yuan)) for r in priced.head(count).itertuples()]

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
    # start_year's figures, looked up by position (a pandas .loc per cell cost 1 s at 10,000 measures).
    start = cost_effectiveness["figures_year"] == planning.years[0]
    levelised = cost_effectiveness[start].set_index("measure")
    ce_position = {m: k for k, m in enumerate(levelised.index)}
    ce_values = {p: levelised[f"{p}_yuan_per_t"].tolist() for p in POLLUTANTS}
    rows = []
    for i in unchosen:
        addable = np.flatnonzero(planning.added_upper[i] > 0)
        row = {"measure": measures.ids[i], "name": measures.names[i], "sector": measures.sectors[i],
               "unit": measures.units[i],
               **{f"{p}_yuan_per_t": ce_values[p][ce_position[measures.ids[i]]] for p in POLLUTANTS},
               "first_year_addable": None, "smallest_unit": math.nan, "reduced_cost_wan_yuan_per_unit": math.nan,
               "reduced_cost_basis": "", "cost_to_include_wan_yuan": math.nan, "note": ""}
        rows.append(row)
        if not len(addable):
            row["note"] = "cannot be added in any model year (first year, history or bounds)"
            continue
        pos = int(addable[0])
        column = first_x + int(i) * n_years + pos
        unit = 1.0 if measures.integer[i] else SMALLEST_SHARE * float(measures.potential[i])
        unit = min(unit, float(planning.added_upper[i, pos]))
        row.update(first_year_addable=planning.years[pos], smallest_unit=unit)
        if reduced is not None:
            row.update(reduced_cost_wan_yuan_per_unit=float(reduced[column]), reduced_cost_basis=reduced_basis)
        if too_many:
            row["note"] = f"not re-solved: more than {MAX_UNCHOSEN} unchosen measures"
            continue
        if session.time_left_s() <= 0:
            row["note"] = "not re-solved: the run's time limit was reached"
            continue
        # Start from the plan with the unit added: feasible whenever the budget has room, and then
        # HiGHS only has to prove (or improve) it.
        start = None
        if solution.col_values is not None:
            start = solution.col_values.copy()
            start[column] = max(start[column], unit)
        status, objective = session.what_if(col_lower={column: unit}, start=start)
        if status == "optimal":
            row["cost_to_include_wan_yuan"] = max(0.0, objective - solution.objective_wan_yuan)
        elif status == "infeasible":
            row["note"] = (f"forcing {unit:g} {measures.units[i]} in {planning.years[pos]} makes the plan infeasible "
                           "(budget, exclusive group, pool or potential)")
        else:
            row["note"] = f"the re-solve ended {status}"
    return pd.DataFrame(rows, columns=COLUMNS)


def cheapest_to_include(table: pd.DataFrame, count: int = 3) -> list[tuple[str, str, float]]:
    """The ``count`` unchosen measures cheapest to include: (id, name, 万元)."""
    priced = table.dropna(subset=["cost_to_include_wan_yuan"]).sort_values(["cost_to_include_wan_yuan", "measure"])
    return [(r.measure, r.name, float(r.cost_to_include_wan_yuan)) for r in priced.head(count).itertuples()]

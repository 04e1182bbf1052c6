"""Shadow prices of a solved session: row duals of the targets, deployment rows and budgets.

For an LP they are the duals of the solve itself; for a MIP, those of the LP with every integer
column fixed at its solution value (the "fixed LP", as is usual), solved on a second HiGHS object
so that the session's own model and basis stay as they are for re-solves.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from planner.solve.highs import new_highs, pass_compiled
from planner.solve.status import Termination, termination

if TYPE_CHECKING:
    from planner.solve.session import Solution, SolverSession


def fixed_lp_highs(session: "SolverSession", solution: "Solution"):
    """A HiGHS object holding the session's LP with the integer columns fixed at the incumbent, solved
    within what is left of the session's time limit."""
    highs = fixed_lp_model(session, solution)
    highs.run()
    return highs


def fixed_lp_model(session: "SolverSession", solution: "Solution"):
    """A HiGHS object holding the session's LP with the integer columns fixed at the incumbent, not yet
    solved (its time limit is what is left of the session's)."""
    values = (solution.col_values if solution.col_values is not None
              else np.asarray(session.highs.getSolution().col_value))
    # Presolve off: with the integer columns fixed, HiGHS's presolve costs more than it saves
    # (benchmark instances: 1.19 s instead of 1.69 s at 10,000 measures, 0.05 s instead of 0.08 s at
    # 1,000; same duals to 1e-14). Starting from the MIP's solution (setSolution) was measured too: 5,519
    # simplex iterations instead of 5,348 at 10,000 measures, so it is not used.
    highs = new_highs(session.time_left_s(), presolve="off")
    pass_compiled(highs, session.compiled, integer=False)
    fixed = np.flatnonzero(session.compiled.is_integer)
    rounded = np.round(values[fixed])
    highs.changeColsBounds(len(fixed), fixed.astype(np.int32), rounded, rounded)
    return highs


def shadow_prices(session: "SolverSession", solution: "Solution", fixed_lp=None) -> dict | None:
    """d(objective)/d(right-hand side) of the rows a planner reads prices from.

    Target rows (>=): the cost of one more tonne required, 万元 per t; deployment rows: per unit;
    budget rows (<=): the change in cost per extra 万元 of budget (<= 0); the total budget, pool and
    area-budget rows likewise; ``column_dual`` the reduced costs of every column. ``source`` is "lp" or
    "fixed_lp". None without a plan, or if the fixed LP is not solved. ``fixed_lp``: a MIP's fixed LP
    already solved (``SolverSession.prefetch_shadow_prices``), else it is solved here.
    """
    if solution.units_active is None:
        return None
    highs, source = session.highs, "lp"
    if session.is_mip:
        highs, source = (fixed_lp if fixed_lp is not None else fixed_lp_highs(session, solution)), "fixed_lp"
        if termination(highs.getModelStatus()) != Termination.OPTIMAL:
            return None
    duals = np.asarray(highs.getSolution().row_dual)
    compiled, planning = session.compiled, session.planning

    def block(name: str, keys) -> np.ndarray:
        rows = compiled.rows_of(name)
        return np.array([duals[rows[k]] if k in rows else 0.0 for k in keys])

    total = compiled.rows_of("budget_total_limit")
    return {
        "source": source,
        "column_dual": np.asarray(highs.getSolution().col_dual),
        **({"total_budget_wan_yuan_per_wan_yuan": float(duals[next(iter(total.values()))])} if total else {}),
        "target_wan_yuan_per_t": block("target_row", range(len(planning.data.targets))),
        "deployment_wan_yuan_per_unit": block("deployment_row", range(len(planning.data.deployment))),
        "budget_wan_yuan_per_wan_yuan": dict(zip(planning.years, block("budget_limit", planning.years))),
        "pool_wan_yuan_per_unit": block("pool_limit", range(len(planning.pool_rows))),
        "area_budget_wan_yuan_per_wan_yuan": block("area_budget_limit", range(len(planning.area_budget_rows))),
    }

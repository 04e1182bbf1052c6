"""An irreducible infeasible subset (IIS) of a session's LP relaxation, named by model component."""

from __future__ import annotations

from typing import TYPE_CHECKING

from planner.solve.highs import new_highs, pass_compiled
from planner.solve.status import Termination, termination

if TYPE_CHECKING:
    from planner.solve.session import SolverSession

# HiGHS IIS strategy bits: 2 = find an infeasible set with elastic LPs, 4 = reduce it to irreducible.
IIS_STRATEGY = 6
# HiGHS IIS bound codes -> which side of a row or column bound is in the conflict.
IIS_SIDE = {2: "lower", 3: "upper", 4: "both"}


def irreducible_conflict(session: "SolverSession", time_limit_s: float = 30.0) -> list[tuple[str, object, str]] | None:
    """Rows and column bounds of an IIS, as (component name, index, "lower" | "upper" | "both").

    Names come from the compiled model's row and column blocks. None when the LP relaxation is
    feasible (only the integer choices make the model infeasible) or no IIS is found in time.
    """
    import highspy

    highs = new_highs(time_limit_s, iis_strategy=IIS_STRATEGY)
    pass_compiled(highs, session.compiled, integer=False)
    highs.run()
    if termination(highs.getModelStatus()) != Termination.INFEASIBLE:
        return None
    status, iis = highs.getIis()
    if status != highspy.HighsStatus.kOk or not iis.valid_:
        return None
    compiled = session.compiled
    members: list[tuple[str, object, str]] = []
    for row, bound in zip(iis.row_index_, iis.row_bound_):
        component, key = compiled.row_key(int(row))
        members.append((component, key, IIS_SIDE.get(int(bound), "both")))
    for col, bound in zip(iis.col_index_, iis.col_bound_):
        if int(bound) not in IIS_SIDE:
            continue
        component, key = compiled.column_key(int(col))
        members.append((component, key, IIS_SIDE[int(bound)]))
    return members

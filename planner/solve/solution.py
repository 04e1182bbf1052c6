"""A solve's outcome, and reading HiGHS's column values back into the model's measure x year arrays."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from planner.model.build import PlanningModel
from planner.model.compile import CompiledModel

# Solution values closer to zero than this are reported as exactly zero.
ZERO_TOL = 1e-9
# Units of whole-unit (integer) measures this close to a whole number are reported as that number.
INTEGER_SNAP_TOL = 1e-6
# A MIP counts as proven optimal only when the gap HiGHS reached is at most this.
PROVEN_GAP = 1e-9


@dataclass
class Solution:
    """A solve's outcome in the model's own index space (measure x year arrays)."""

    status: str  # a planner.solve.status.RunStatus: optimal | infeasible | time_limit | unbounded | error | ...
    objective_wan_yuan: float | None
    units_added: np.ndarray | None  # (measures, years)
    units_active: np.ndarray | None
    target_shortfall_t: np.ndarray | None = None
    deployment_shortfall_units: np.ndarray | None = None
    budget_overrun_wan_yuan: np.ndarray | None = None  # per model year, diagnosis runs only
    budget_total_overrun_wan_yuan: float | None = None  # diagnosis runs with a total budget only
    target_dual: np.ndarray | None = None  # d objective / d R_k, 万元 per t
    budget_dual: dict[int, float] = field(default_factory=dict)  # d objective / d B_t, 万元 per 万元
    mip_gap: float | None = None  # the gap HiGHS reached (MIP with a plan)
    solver_status: str = ""  # HiGHS's own words for its model status
    termination: str = ""  # a planner.solve.status.Termination: why HiGHS stopped
    is_mip: bool = False
    timings_s: dict[str, float] = field(default_factory=dict)
    message: str = ""
    col_values: np.ndarray | None = None  # HiGHS's column values, to start re-solves from

    @property
    def proven_optimal(self) -> bool:
        """An LP solved to optimality, or a MIP whose gap reached is <= PROVEN_GAP."""
        if self.status != "optimal":
            return False
        return not self.is_mip or (self.mip_gap is not None and self.mip_gap <= PROVEN_GAP)


def column_values(compiled: CompiledModel, values: np.ndarray, component: str) -> np.ndarray:
    """The values of one variable component's columns, in its key order; tiny values snapped to 0."""
    out = np.asarray(values)[compiled.column_slice(component)].copy()
    out[np.abs(out) < ZERO_TOL] = 0.0
    return out


def read_solution(planning: PlanningModel, compiled: CompiledModel, values: np.ndarray, solution: Solution) -> None:
    """Fill ``solution``'s arrays from HiGHS's column values, by the compiled model's column blocks.

    units_added is (measures, years) (the block is measure-major); whole-unit measures report whole
    numbers (HiGHS returns values within its integrality tolerance); units_active is the window sum.
    """
    solution.col_values = np.array(values, dtype=float)
    shape = (len(planning.data.measures), len(planning.years))
    added = column_values(compiled, values, "units_added").reshape(shape)
    whole = planning.data.measures.integer[:, None] & (np.abs(added - np.round(added)) <= INTEGER_SNAP_TOL)
    solution.units_added = np.where(whole, np.round(added), added)
    active = planning.active_units(solution.units_added)
    active[np.abs(active) < ZERO_TOL] = 0.0
    solution.units_active = active
    if planning.options.elastic:
        solution.target_shortfall_t = column_values(compiled, values, "target_shortfall_t")
        solution.deployment_shortfall_units = column_values(compiled, values, "deployment_shortfall_units")
    if planning.options.budget_overrun_penalty_wan_yuan is not None:
        solution.budget_overrun_wan_yuan = column_values(compiled, values, "budget_overrun_wan_yuan")
        if "budget_total_overrun_wan_yuan" in compiled.column_blocks:
            solution.budget_total_overrun_wan_yuan = float(
                column_values(compiled, values, "budget_total_overrun_wan_yuan")[0])

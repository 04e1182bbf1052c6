"""The only module that talks to HiGHS: pass the compiled model in one call, solve, read back.

Path: ``planner.model.compile.compile_model`` assembles the arrays the builder recorded beside the
Pyomo model into row-wise sparse arrays, and ``highspy.Highs.passModel`` takes them in one call. The ``Highs`` object and the row and column
maps stay alive in ``SolverSession`` so that later re-solves (budget sweeps, duals, IIS) reuse the
loaded model instead of rebuilding it.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from planner.model.compile import CompiledModel, compile_model
from planner.model.build import PlanningModel
from planner.io.spec import SolverSettings
from planner.solve.deadline import Deadline, highs_time_limit

# Long solves report progress: better MIP plans found after this many seconds, and a heartbeat.
PROGRESS_AFTER_S = 2.0
HEARTBEAT_S = 10.0
# Solution values closer to zero than this are reported as exactly zero.
ZERO_TOL = 1e-9
# Units of whole-unit (integer) measures this close to a whole number are reported as that number.
INTEGER_SNAP_TOL = 1e-6
# HiGHS options that [solver] mip_heuristics = "light" turns off (see planner.io.spec.MIP_HEURISTICS).
LIGHT_HEURISTICS_OFF = ("mip_heuristic_run_rins", "mip_heuristic_run_rens", "mip_heuristic_run_root_reduced_cost",
                        "mip_heuristic_run_zi_round", "mip_heuristic_run_shifting")
# HiGHS IIS strategy bits: 2 = find an infeasible set with elastic LPs, 4 = reduce it to irreducible.
IIS_STRATEGY = 6
# A MIP counts as proven optimal only when the gap HiGHS reached is at most this.
PROVEN_GAP = 1e-9


@dataclass
class Solution:
    """A solve's outcome in the model's own index space (measure x year arrays)."""

    status: str  # optimal | infeasible | time_limit | unbounded | error
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
    solver_status: str = ""
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


def highs_version() -> str:
    import highspy

    with _quiet_stdout():
        h = highspy.Highs()
    return h.version()


@contextlib.contextmanager
def _quiet_stdout():
    """HiGHS prints its banner straight to file descriptor 1 when a ``Highs`` object is made."""
    try:
        fd = os.dup(1)
    except OSError:
        yield
        return
    with open(os.devnull, "w") as devnull:
        try:
            os.dup2(devnull.fileno(), 1)
            yield
        finally:
            os.dup2(fd, 1)
            os.close(fd)


class SolverSession:
    """A planning model loaded into one HiGHS instance."""

    def __init__(self, planning: PlanningModel, settings: SolverSettings, deadline: Deadline | None = None):
        import highspy

        self.planning = planning
        self.settings = settings
        # Every run() of this session stops at ``deadline`` (a whole `planner run`); without one, each
        # run() gets time_limit_s of its own (sweep points, ensemble samples).
        self.deadline = deadline
        self.timings_s: dict[str, float] = {}
        tic = time.perf_counter()
        self.compiled: CompiledModel = compile_model(planning)
        with _quiet_stdout():
            self.highs = highspy.Highs()
        self.highs.setOptionValue("output_flag", False)
        self.highs.setOptionValue("random_seed", 0)
        self.highs.setOptionValue("time_limit", float(settings.time_limit_s))
        self.highs.setOptionValue("mip_rel_gap", float(settings.mip_gap))
        if settings.mip_heuristics == "light":
            for option in LIGHT_HEURISTICS_OFF:
                self.highs.setOptionValue(option, False)
        self.is_mip = bool(self.compiled.is_integer.any())
        self._pass_model(highspy)
        self.timings_s["handoff_s"] = time.perf_counter() - tic

    def _limit(self) -> Deadline:
        return self.deadline if self.deadline is not None else Deadline(self.settings.time_limit_s)

    def time_left_s(self) -> float:
        """Seconds left for the next run() of this session."""
        return self._limit().left_s()

    def _pass_model(self, highspy, highs=None, relax_integers: bool = False) -> None:
        """Hand the compiled arrays to HiGHS in one ``passModel`` call (numpy arrays, no HighsLp copy:
        at 10,000 measures 0.01 s instead of 0.17 s through HighsLp's attribute setters)."""
        compiled = self.compiled
        highs = highs or self.highs
        # One entry per column (0 = continuous, 1 = integer): HiGHS reads n_cols values whatever the length.
        integrality = (compiled.is_integer.astype(np.int32) if self.is_mip and not relax_integers
                       else np.zeros(compiled.n_cols, dtype=np.int32))
        highs.passModel(compiled.n_cols, compiled.n_rows, len(compiled.value), int(highspy.MatrixFormat.kRowwise),
                        int(highspy.ObjSense.kMinimize), float(compiled.offset), compiled.col_cost,
                        compiled.col_lower, compiled.col_upper, compiled.row_lower, compiled.row_upper,
                        compiled.row_start.astype(np.int32), compiled.col_index.astype(np.int32),
                        compiled.value, integrality)

    def set_budget(self, budget_wan_yuan_by_year: dict[int, float]) -> None:
        """Change the yearly budget rows in place; the next solve starts from the current basis.

        History years (before replan_from) have no budget row: their budgets are not applied."""
        planned = set(self.planning.data.spec.planned_years)
        budget_wan_yuan_by_year = {year: b for year, b in budget_wan_yuan_by_year.items() if year in planned}
        rows = self.compiled.rows_of("budget_limit")
        missing = [year for year in budget_wan_yuan_by_year if year not in rows]
        if missing:
            raise ValueError(f"the model was built without budget rows for {missing}")
        positions = np.array([rows[year] for year in budget_wan_yuan_by_year], dtype=np.int32)
        upper = np.array([budget_wan_yuan_by_year[year] for year in budget_wan_yuan_by_year], dtype=float)
        self.compiled.row_upper[positions] = upper
        self.highs.changeRowsBounds(len(positions), positions, self.compiled.row_lower[positions], upper)

    def shadow_prices(self, solution: Solution) -> dict | None:
        """Row duals of the targets, deployment rows and yearly budgets at the solution.

        Returns d(objective)/d(right-hand side): for target rows (>=) the cost of one more tonne
        required, in 万元 per t; for budget rows (<=) the change in cost per extra 万元 of budget
        (<= 0). For a MIP the duals come from the LP with every integer variable fixed at its
        solution value ("fixed LP"), as is usual; ``source`` says which.
        """
        import highspy

        if solution.units_active is None:
            return None
        highs, source = self.highs, "lp"
        if self.is_mip:
            values = (solution.col_values if solution.col_values is not None
                      else np.asarray(self.highs.getSolution().col_value))
            with _quiet_stdout():
                highs = highspy.Highs()
            highs.setOptionValue("output_flag", False)
            highs.setOptionValue("time_limit", self.time_left_s())
            # Presolve off: with the integer columns fixed, HiGHS's presolve costs more than it saves
            # (benchmark instances: 1.19 s instead of 1.69 s at 10,000 measures, 0.05 s instead of 0.08 s at
            # 1,000; same duals to 1e-14).
            highs.setOptionValue("presolve", "off")
            self._pass_model(highspy, highs, relax_integers=True)
            fixed = np.flatnonzero(self.compiled.is_integer)
            rounded = np.round(values[fixed])
            highs.changeColsBounds(len(fixed), fixed.astype(np.int32), rounded, rounded)
            highs.run()
            if highs.getModelStatus() != highspy.HighsModelStatus.kOptimal:
                return None
            source = "fixed_lp"
        duals = np.asarray(highs.getSolution().row_dual)

        def block(name: str, keys) -> np.ndarray:
            rows = self.compiled.rows_of(name)
            return np.array([duals[rows[k]] if k in rows else 0.0 for k in keys])

        model = self.planning.model
        total = self.compiled.rows_of("budget_total_limit")
        return {
            "source": source,
            "column_dual": np.asarray(highs.getSolution().col_dual),
            **({"total_budget_wan_yuan_per_wan_yuan": float(duals[next(iter(total.values()))])} if total else {}),
            "target_wan_yuan_per_t": block("target_row", list(model.TARGETS)),
            "deployment_wan_yuan_per_unit": block("deployment_row", list(model.DEPLOYMENT)),
            "budget_wan_yuan_per_wan_yuan": dict(zip(self.planning.years, block("budget_limit", self.planning.years))),
            "pool_wan_yuan_per_unit": block("pool_limit", range(len(self.planning.pool_rows))),
            "area_budget_wan_yuan_per_wan_yuan": block("area_budget_limit", range(len(self.planning.area_budget_rows))),
        }

    def irreducible_conflict(self, time_limit_s: float = 30.0) -> list[tuple[str, object, str]] | None:
        """An irreducible infeasible subset of the LP relaxation, as (component name, index, bound).

        ``bound`` is "lower", "upper" or "both"; rows and variable bounds come in one list. None when
        the LP relaxation is feasible (only the integer choices make the model infeasible) or HiGHS
        finds no IIS within the time limit.
        """
        import highspy

        with _quiet_stdout():
            highs = highspy.Highs()
        highs.setOptionValue("output_flag", False)
        highs.setOptionValue("time_limit", float(time_limit_s))
        highs.setOptionValue("iis_strategy", IIS_STRATEGY)
        self._pass_model(highspy, highs, relax_integers=True)
        highs.run()
        if highs.getModelStatus() != highspy.HighsModelStatus.kInfeasible:
            return None
        status, iis = highs.getIis()
        if status != highspy.HighsStatus.kOk or not iis.valid_:
            return None
        side = {2: "lower", 3: "upper", 4: "both"}
        members: list[tuple[str, object, str]] = []
        for row, bound in zip(iis.row_index_, iis.row_bound_):
            component, key = self.compiled.row_key(int(row))
            members.append((component, key, side.get(int(bound), "both")))
        for col, bound in zip(iis.col_index_, iis.col_bound_):
            if int(bound) not in side:
                continue
            component, key = self.compiled.column_key(int(col))
            members.append((component, key, side[int(bound)]))
        return members

    def solve(self, progress: Callable[[str], None] | None = None) -> Solution:
        """Run HiGHS on the loaded model and read the solution back into arrays.

        ``progress`` hears about long solves: every better plan HiGHS finds once the solve has run
        PROGRESS_AFTER_S, and a heartbeat every HEARTBEAT_S (HiGHS releases the GIL while it runs).
        """
        import highspy

        tic = time.perf_counter()
        highs_time_limit(self.highs, self._limit(), self.is_mip)
        with _reporting(self.highs, progress, self.is_mip, self.settings.time_limit_s):
            self.highs.run()
        solve_s = time.perf_counter() - tic
        model_status = self.highs.getModelStatus()
        info = self.highs.getInfo()
        status = _status_name(model_status)
        has_solution = info.primal_solution_status == 2  # kSolutionStatusFeasible
        timings = dict(self.timings_s, solve_s=solve_s)
        solution = Solution(status, None, None, None, solver_status=self.highs.modelStatusToString(model_status),
                            is_mip=self.is_mip, timings_s=timings)
        if self.is_mip and has_solution:
            solution.mip_gap = float(info.mip_gap)
        if status in ("optimal", "time_limit") and has_solution:
            self._read_solution(solution)
            solution.objective_wan_yuan = float(info.objective_function_value)
        elif status == "time_limit":
            solution.message = "the time limit was reached before any feasible plan was found"
        return solution

    def set_column_upper(self, positions: np.ndarray, upper: np.ndarray) -> None:
        """Change the upper bounds of some columns for every later solve (the compiled bounds too)."""
        positions = np.asarray(positions, dtype=np.int32)
        upper = np.broadcast_to(np.asarray(upper, dtype=float), positions.shape).copy()
        self.compiled.col_upper[positions] = upper
        self.highs.changeColsBounds(len(positions), positions, self.compiled.col_lower[positions], upper)

    def what_if(self, row_lower: dict[int, float] | None = None, col_lower: dict[int, float] | None = None,
                mip_gap: float | None = None, start: np.ndarray | None = None) -> tuple[str, float | None]:
        """Re-solve the loaded model with some row and column lower bounds changed (by position), at
        ``mip_gap`` if given, from the column values ``start`` (a MIP's incumbent), within the session's
        deadline; then put every bound and option back. Returns (status, objective in 万元 or None).
        """
        highs, compiled = self.highs, self.compiled
        rows = np.array(list(row_lower or {}), dtype=np.int32)
        cols = np.array(list(col_lower or {}), dtype=np.int32)
        if len(rows):
            highs.changeRowsBounds(len(rows), rows, np.array(list(row_lower.values()), dtype=float),
                                   compiled.row_upper[rows])
        if len(cols):
            highs.changeColsBounds(len(cols), cols, np.array(list(col_lower.values()), dtype=float),
                                   compiled.col_upper[cols])
        if mip_gap is not None:
            highs.setOptionValue("mip_rel_gap", float(mip_gap))
        try:
            if start is not None and self.is_mip:
                highs.setSolution(len(start), np.arange(len(start), dtype=np.int32), np.asarray(start, dtype=float))
            highs_time_limit(highs, self._limit(), self.is_mip)
            highs.run()
            status = _status_name(highs.getModelStatus())
            objective = float(highs.getInfo().objective_function_value) if status == "optimal" else None
        finally:
            if len(rows):
                highs.changeRowsBounds(len(rows), rows, compiled.row_lower[rows], compiled.row_upper[rows])
            if len(cols):
                highs.changeColsBounds(len(cols), cols, compiled.col_lower[cols], compiled.col_upper[cols])
            highs.setOptionValue("mip_rel_gap", float(self.settings.mip_gap))
        return status, objective

    def _value_array(self, values: np.ndarray, component: str) -> np.ndarray:
        """The solution values of one variable component, in its key order; tiny values snapped to 0."""
        out = values[self.compiled.column_slice(component)].copy()
        out[np.abs(out) < ZERO_TOL] = 0.0
        return out

    def _read_solution(self, solution: Solution) -> None:
        planning = self.planning
        values = np.asarray(self.highs.getSolution().col_value)
        solution.col_values = values.copy()
        shape = (len(planning.data.measures), len(planning.years))
        added = self._value_array(values, "units_added").reshape(shape)
        # Whole-unit measures: HiGHS returns values within its integrality tolerance; report whole numbers.
        whole = planning.data.measures.integer[:, None] & (np.abs(added - np.round(added)) <= INTEGER_SNAP_TOL)
        solution.units_added = np.where(whole, np.round(added), added)
        active = planning.active_units(solution.units_added)
        active[np.abs(active) < ZERO_TOL] = 0.0
        solution.units_active = active
        if planning.options.elastic:
            solution.target_shortfall_t = self._value_array(values, "target_shortfall_t")
            solution.deployment_shortfall_units = self._value_array(values, "deployment_shortfall_units")
        if planning.options.budget_overrun_penalty_wan_yuan is not None:
            solution.budget_overrun_wan_yuan = self._value_array(values, "budget_overrun_wan_yuan")
            if "budget_total_overrun_wan_yuan" in self.compiled.column_blocks:
                solution.budget_total_overrun_wan_yuan = float(self._value_array(values,
                                                                                 "budget_total_overrun_wan_yuan")[0])


def solve_model(planning: PlanningModel, settings: SolverSettings,
                progress: Callable[[str], None] | None = None,
                deadline: Deadline | None = None) -> tuple[Solution, SolverSession]:
    """Load the model into HiGHS and solve it once; the session is returned for re-solves."""
    session = SolverSession(planning, settings, deadline)
    return session.solve(progress), session


def _status_name(model_status) -> str:
    """A HiGHS model status in the planner's words (unbounded-or-infeasible cannot be unbounded here:
    every x is bounded)."""
    import highspy

    return {
        highspy.HighsModelStatus.kOptimal: "optimal",
        highspy.HighsModelStatus.kInfeasible: "infeasible",
        highspy.HighsModelStatus.kUnboundedOrInfeasible: "infeasible",
        highspy.HighsModelStatus.kUnbounded: "unbounded",
        highspy.HighsModelStatus.kTimeLimit: "time_limit",
    }.get(model_status, "error")


@contextlib.contextmanager
def _reporting(highs, progress: Callable[[str], None] | None, is_mip: bool, time_limit_s: float):
    """While HiGHS runs: better MIP plans (after PROGRESS_AFTER_S) and a heartbeat, to ``progress``."""
    if progress is None:
        yield
        return
    started = time.perf_counter()
    done = threading.Event()

    def better_plan(event) -> None:
        out = event.data_out
        if out.running_time >= PROGRESS_AFTER_S:
            progress(f"better plan found: {out.objective_function_value:,.1f} 万元, gap {100 * out.mip_gap:.3g} % "
                     f"({out.running_time:.0f} s)")

    def heartbeat() -> None:
        while not done.wait(HEARTBEAT_S):
            progress(f"still solving: {time.perf_counter() - started:.0f} s of at most {time_limit_s:g} s")

    watcher = threading.Thread(target=heartbeat, daemon=True)
    watcher.start()
    if is_mip:
        highs.cbMipImprovingSolution.subscribe(better_plan)
    try:
        yield
    finally:
        done.set()
        if is_mip:
            highs.cbMipImprovingSolution.unsubscribe(better_plan)
        watcher.join()

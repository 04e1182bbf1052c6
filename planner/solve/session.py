"""The HiGHS session: the compiled model loaded into one ``Highs`` object, solved and re-solved.

Path: ``planner.model.compile.compile_model`` assembles the arrays the builder recorded beside the
Pyomo model, and ``planner.solve.highs.pass_compiled`` hands them to HiGHS in one ``passModel`` call.
The ``Highs`` object and the row and column maps stay alive in ``SolverSession`` so that later
re-solves (budget sweeps, duals, IIS) reuse the loaded model instead of rebuilding it. The solver
layer is split by job: ``highs`` (the one option setup), ``status`` (every HiGHS model status by
name), ``duals`` (shadow prices), ``iis`` (conflict sets), ``solution`` (reading values back).
"""

from __future__ import annotations

import contextlib
import threading
import time
from typing import Callable

import numpy as np

from planner.io.spec import SolverSettings
from planner.model.build import PlanningModel
from planner.model.compile import CompiledModel, compile_model
from planner.solve import duals, iis
from planner.solve.background import Background
from planner.solve.deadline import Deadline, highs_time_limit
from planner.solve.highs import highs_version, new_highs, pass_compiled, quiet_stdout
from planner.solve.solution import INTEGER_SNAP_TOL, PROVEN_GAP, ZERO_TOL, Solution, read_solution
from planner.solve.status import STOPPED_EARLY, RunStatus, run_status, termination

__all__ = ["Solution", "SolverSession", "highs_version", "solve_model", "ZERO_TOL", "INTEGER_SNAP_TOL", "PROVEN_GAP"]
_quiet_stdout = quiet_stdout  # older name, kept for callers outside the solver layer

# Long solves report progress: better MIP plans found after this many seconds, and a heartbeat.
PROGRESS_AFTER_S = 2.0
HEARTBEAT_S = 10.0


class SolverSession:
    """A planning model loaded into one HiGHS instance."""

    def __init__(self, planning: PlanningModel, settings: SolverSettings, deadline: Deadline | None = None):
        self.planning = planning
        self.settings = settings
        # Every run() of this session stops at ``deadline`` (a whole `planner run`); without one, each
        # run() gets time_limit_s of its own (sweep points, ensemble samples).
        self.deadline = deadline
        self.timings_s: dict[str, float] = {}
        # (solution, its fixed LP, the Background solving it): prefetch_shadow_prices -> shadow_prices
        self._prefetched: tuple | None = None
        tic = time.perf_counter()
        self.compiled: CompiledModel = compile_model(planning)
        self.highs = new_highs(settings.time_limit_s, mip_gap=settings.mip_gap,
                               light_heuristics=settings.mip_heuristics == "light")
        self.is_mip = bool(self.compiled.is_integer.any())
        pass_compiled(self.highs, self.compiled, integer=self.is_mip)
        self.timings_s["handoff_s"] = time.perf_counter() - tic

    def _limit(self) -> Deadline:
        return self.deadline if self.deadline is not None else Deadline(self.settings.time_limit_s)

    def time_left_s(self) -> float:
        """Seconds left for the next run() of this session."""
        return self._limit().left_s()

    def _pass_model(self, highspy=None, highs=None, relax_integers: bool = False) -> None:
        """Load the compiled model into ``highs`` (default: the session's own), as the LP relaxation if asked."""
        pass_compiled(highs or self.highs, self.compiled, integer=self.is_mip and not relax_integers)

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

    def set_column_upper(self, positions: np.ndarray, upper: np.ndarray) -> None:
        """Change the upper bounds of some columns for every later solve (the compiled bounds too)."""
        positions = np.asarray(positions, dtype=np.int32)
        upper = np.broadcast_to(np.asarray(upper, dtype=float), positions.shape).copy()
        self.compiled.col_upper[positions] = upper
        self.highs.changeColsBounds(len(positions), positions, self.compiled.col_lower[positions], upper)

    def shadow_prices(self, solution: Solution) -> dict | None:
        """Row duals of the targets, deployment rows and budgets at the solution (planner.solve.duals);
        a MIP's fixed LP started by ``prefetch_shadow_prices`` for this solution is waited for, not
        solved again."""
        prefetched, self._prefetched = self._prefetched, None
        if prefetched is not None and prefetched[0] is solution:
            _, fixed_lp, running = prefetched
            running.result()
            self.timings_s["fixed_lp_s"] = running.elapsed_s
            return duals.shadow_prices(self, solution, fixed_lp=fixed_lp)
        return duals.shadow_prices(self, solution)

    def prefetch_shadow_prices(self, solution: Solution) -> None:
        """Start the solve of a MIP's fixed LP (its duals are the shadow prices) on a second thread, so
        that the caller can build the tables that do not need prices meanwhile; ``shadow_prices`` of the
        same solution collects it. Nothing to do for an LP (its duals come with the solve) or without
        a plan. The HiGHS object is made here, in the calling thread: HiGHS prints its banner to file
        descriptor 1 when one is made, which ``quiet_stdout`` redirects for the whole process."""
        if not self.is_mip or solution.units_active is None:
            return
        fixed_lp = duals.fixed_lp_model(self, solution)
        self._prefetched = (solution, fixed_lp, Background(fixed_lp.run))

    def irreducible_conflict(self, time_limit_s: float = 30.0) -> list[tuple[str, object, str]] | None:
        """An irreducible infeasible subset of the LP relaxation (planner.solve.iis)."""
        return iis.irreducible_conflict(self, time_limit_s)

    def solve(self, progress: Callable[[str], None] | None = None) -> Solution:
        """Run HiGHS on the loaded model and read the solution back into arrays.

        ``progress`` hears about long solves: every better plan HiGHS finds once the solve has run
        PROGRESS_AFTER_S, and a heartbeat every HEARTBEAT_S (HiGHS releases the GIL while it runs).
        """
        tic = time.perf_counter()
        highs_time_limit(self.highs, self._limit(), self.is_mip)
        with _reporting(self.highs, progress, self.is_mip, self.settings.time_limit_s):
            self.highs.run()
        solve_s = time.perf_counter() - tic
        model_status = self.highs.getModelStatus()
        info = self.highs.getInfo()
        status = run_status(model_status)
        has_solution = info.primal_solution_status == 2  # kSolutionStatusFeasible
        timings = dict(self.timings_s, solve_s=solve_s)
        solution = Solution(status, None, None, None, solver_status=self.highs.modelStatusToString(model_status),
                            termination=termination(model_status), is_mip=self.is_mip, timings_s=timings)
        if self.is_mip and has_solution:
            solution.mip_gap = float(info.mip_gap)
        if (status == RunStatus.OPTIMAL or status in STOPPED_EARLY) and has_solution:
            read_solution(self.planning, self.compiled, np.asarray(self.highs.getSolution().col_value), solution)
            solution.objective_wan_yuan = float(info.objective_function_value)
        elif status in STOPPED_EARLY:
            solution.message = f"HiGHS stopped ({solution.solver_status}) before any feasible plan was found"
            if status == RunStatus.TIME_LIMIT:
                solution.message = "the time limit was reached before any feasible plan was found"
        elif status not in (RunStatus.OPTIMAL, RunStatus.INFEASIBLE):
            solution.message = f"HiGHS stopped with model status {solution.solver_status!r} ({solution.termination})"
        return solution

    def what_if(self, row_lower: dict[int, float] | None = None, col_lower: dict[int, float] | None = None,
                mip_gap: float | None = None, start: np.ndarray | None = None) -> tuple[str, float | None]:
        """Re-solve the loaded model with some row and column lower bounds changed (by position), at
        ``mip_gap`` if given, from the column values ``start`` (a MIP's incumbent), within the session's
        deadline; then put every bound and option back. Returns (run status, objective in 万元 or None).
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
            status = run_status(highs.getModelStatus())
            objective = float(highs.getInfo().objective_function_value) if status == RunStatus.OPTIMAL else None
        finally:
            if len(rows):
                highs.changeRowsBounds(len(rows), rows, compiled.row_lower[rows], compiled.row_upper[rows])
            if len(cols):
                highs.changeColsBounds(len(cols), cols, compiled.col_lower[cols], compiled.col_upper[cols])
            highs.setOptionValue("mip_rel_gap", float(self.settings.mip_gap))
        return status, objective


def solve_model(planning: PlanningModel, settings: SolverSettings,
                progress: Callable[[str], None] | None = None,
                deadline: Deadline | None = None) -> tuple[Solution, SolverSession]:
    """Load the model into HiGHS and solve it once; the session is returned for re-solves."""
    session = SolverSession(planning, settings, deadline)
    return session.solve(progress), session


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

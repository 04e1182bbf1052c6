"""Every HiGHS model status by name, and what each means for a planning run (summary.json's ``status``).

As linopy's ``constants.py`` does with its ``TerminationCondition``, each ``highspy.HighsModelStatus``
gets a named member here, so no solver outcome hides behind "error"; ``run_status`` then says what a
planner run reports for it. The mapping is keyed by the HiGHS enum's member name, so this module does
not import highspy (tests/test_solver_status.py checks that every member of the installed highspy is
covered).
"""

from __future__ import annotations

from enum import StrEnum


class Termination(StrEnum):
    """Why HiGHS stopped: one member per ``HighsModelStatus``."""

    NOT_SET = "not_set"
    LOAD_ERROR = "load_error"
    MODEL_ERROR = "model_error"
    PRESOLVE_ERROR = "presolve_error"
    SOLVE_ERROR = "solve_error"
    POSTSOLVE_ERROR = "postsolve_error"
    MODEL_EMPTY = "model_empty"
    OPTIMAL = "optimal"
    INFEASIBLE = "infeasible"
    UNBOUNDED_OR_INFEASIBLE = "unbounded_or_infeasible"
    UNBOUNDED = "unbounded"
    OBJECTIVE_BOUND = "objective_bound"
    OBJECTIVE_TARGET = "objective_target"
    TIME_LIMIT = "time_limit"
    ITERATION_LIMIT = "iteration_limit"
    UNKNOWN = "unknown"
    SOLUTION_LIMIT = "solution_limit"
    INTERRUPTED = "interrupted"
    HIGHS_INTERRUPT = "highs_interrupt"
    MEMORY_LIMIT = "memory_limit"


class RunStatus(StrEnum):
    """The outcome a planning run reports (summary.json ``status``; the CLI's exit code follows it)."""

    OPTIMAL = "optimal"  # proven optimal plan (within mip_gap)
    INFEASIBLE = "infeasible"  # the targets cannot all be met
    UNBOUNDED = "unbounded"  # cannot happen with bounded x; reported if a data set makes it so
    TIME_LIMIT = "time_limit"  # stopped at [solver] time_limit_s; the best plan found, if any, is written
    LIMIT_REACHED = "limit_reached"  # another HiGHS work limit (iterations, solutions, objective bound/target)
    MEMORY_LIMIT = "memory_limit"  # HiGHS ran out of memory
    INTERRUPTED = "interrupted"  # the solve was interrupted (Ctrl-C or a callback)
    ERROR = "error"  # HiGHS could not load or solve the model


HIGHS_MODEL_STATUS: dict[str, Termination] = {
    "kNotset": Termination.NOT_SET,
    "kLoadError": Termination.LOAD_ERROR,
    "kModelError": Termination.MODEL_ERROR,
    "kPresolveError": Termination.PRESOLVE_ERROR,
    "kSolveError": Termination.SOLVE_ERROR,
    "kPostsolveError": Termination.POSTSOLVE_ERROR,
    "kModelEmpty": Termination.MODEL_EMPTY,
    "kOptimal": Termination.OPTIMAL,
    "kInfeasible": Termination.INFEASIBLE,
    "kUnboundedOrInfeasible": Termination.UNBOUNDED_OR_INFEASIBLE,
    "kUnbounded": Termination.UNBOUNDED,
    "kObjectiveBound": Termination.OBJECTIVE_BOUND,
    "kObjectiveTarget": Termination.OBJECTIVE_TARGET,
    "kTimeLimit": Termination.TIME_LIMIT,
    "kIterationLimit": Termination.ITERATION_LIMIT,
    "kUnknown": Termination.UNKNOWN,
    "kSolutionLimit": Termination.SOLUTION_LIMIT,
    "kInterrupt": Termination.INTERRUPTED,
    "kHighsInterrupt": Termination.HIGHS_INTERRUPT,
    "kMemoryLimit": Termination.MEMORY_LIMIT,
}

RUN_STATUS: dict[Termination, RunStatus] = {
    Termination.OPTIMAL: RunStatus.OPTIMAL,
    Termination.INFEASIBLE: RunStatus.INFEASIBLE,
    # Every x is bounded, so "unbounded or infeasible" can only be infeasible here.
    Termination.UNBOUNDED_OR_INFEASIBLE: RunStatus.INFEASIBLE,
    Termination.UNBOUNDED: RunStatus.UNBOUNDED,
    Termination.TIME_LIMIT: RunStatus.TIME_LIMIT,
    Termination.ITERATION_LIMIT: RunStatus.LIMIT_REACHED,
    Termination.SOLUTION_LIMIT: RunStatus.LIMIT_REACHED,
    Termination.OBJECTIVE_BOUND: RunStatus.LIMIT_REACHED,
    Termination.OBJECTIVE_TARGET: RunStatus.LIMIT_REACHED,
    Termination.MEMORY_LIMIT: RunStatus.MEMORY_LIMIT,
    Termination.INTERRUPTED: RunStatus.INTERRUPTED,
    Termination.HIGHS_INTERRUPT: RunStatus.INTERRUPTED,
    Termination.NOT_SET: RunStatus.ERROR,
    Termination.LOAD_ERROR: RunStatus.ERROR,
    Termination.MODEL_ERROR: RunStatus.ERROR,
    Termination.PRESOLVE_ERROR: RunStatus.ERROR,
    Termination.SOLVE_ERROR: RunStatus.ERROR,
    Termination.POSTSOLVE_ERROR: RunStatus.ERROR,
    Termination.MODEL_EMPTY: RunStatus.ERROR,
    Termination.UNKNOWN: RunStatus.ERROR,
}

# Stopped early with (possibly) a feasible plan: the plan is read back and written, marked not optimal.
STOPPED_EARLY = (RunStatus.TIME_LIMIT, RunStatus.LIMIT_REACHED, RunStatus.INTERRUPTED)


def termination(model_status) -> Termination:
    """The named termination of a ``highspy.HighsModelStatus`` value (UNKNOWN for one this table lacks)."""
    return HIGHS_MODEL_STATUS.get(getattr(model_status, "name", str(model_status)), Termination.UNKNOWN)


def run_status(model_status) -> RunStatus:
    """What a planning run reports for a HiGHS model status."""
    return RUN_STATUS[termination(model_status)]

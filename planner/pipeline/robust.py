"""`planner robust`: the cheapest plan that meets every target in every one of K samples, and what that safety costs.

One LP/MIP: the built model (central costs and budgets, its own target rows for the central
figures) plus one copy of every target row per sample, with that sample's abatement coefficients
and requirements (``ModelEditor.add_target_rows``):

    min  c . x   s.t.  budgets, potentials, groups, deployment (as in the spec),
                       A^s x >= R^s  for every target k and every sample s = 0..K-1 (and the central case).

The premium is the robust plan's cost minus the central plan's (both at central costs). Both
plans are then held fixed and evaluated on ``check_samples`` fresh samples, drawn with another
seed (seed + 1), for the share in which every target is met.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from planner.errors import PlannerError
from planner.io.writer import MARKER_KEY, RESULTS_FORMAT, json_bytes
from planner.model.sampler import draw_sample, sample_figures
from planner.pipeline.ensemble import MET_REL_TOL, EnsembleWorker
from planner.pipeline.run import result_files, tabulate
from planner.pipeline.uncertainty import BadOption, fixed_csv_bytes, prepare, target_label

MAX_ROBUST_SAMPLES = 500
DEFAULT_CHECK_SAMPLES = 1000


class RobustInfeasible(PlannerError):
    exit_code = 4


class _NoDuals:
    """The robust model's rows are not the central model's: its run folder carries no shadow prices."""

    def shadow_prices(self, solution):
        return None

    def prefetch_shadow_prices(self, solution) -> None:
        return None


@dataclass
class RobustOutcome:
    table: pd.DataFrame
    files: dict[str, bytes]
    summary: dict
    units_active: np.ndarray | None = None  # the robust plan, (measures, years)
    x: np.ndarray | None = None  # the robust plan, every column
    infeasible_samples: dict[int, list[str]] = field(default_factory=dict)
    covered: int = 0


def _all_met(worker: EnsembleWorker, figures, x: np.ndarray) -> bool:
    required = figures.required_abatement_t
    return bool((worker.shortfall(figures, x) <= MET_REL_TOL * np.maximum(1.0, np.abs(required))).all())


def check_options(samples: int, check_samples: int) -> None:
    if not 1 <= samples <= MAX_ROBUST_SAMPLES:
        raise BadOption(f"--samples {samples}: a robust plan takes 1 to {MAX_ROBUST_SAMPLES} samples (each adds a copy "
                        "of every target row)")
    if check_samples < 1:
        raise BadOption(f"--check-samples {check_samples}: give at least 1")


def robust(spec_path: str | Path, samples: int = 100, seed: int = 0, scenario: str | None = None,
           uncertainty_file: str | Path | None = None, check_samples: int = DEFAULT_CHECK_SAMPLES) -> RobustOutcome:
    check_options(samples, check_samples)
    clock = time.perf_counter()
    payload = prepare(spec_path, scenario, uncertainty_file, seed)
    worker = EnsembleWorker(payload)
    data, unc = payload.data, payload.uncertainty
    central = worker.central
    figures = [worker.figures(i)[0] for i in range(samples)]
    editor = worker.editor

    def solve_with(indices: list[int], only_target: int | None = None):
        """Solve with the target rows of the samples ``indices`` added (only target ``only_target``'s if given)."""
        rows = editor.add_target_rows([figures[i] for i in indices])
        if only_target is not None and len(rows):
            n_targets = len(data.targets)
            other = rows[np.arange(len(rows)) % n_targets != only_target]
            if len(other):
                free = np.full(len(other), np.inf)
                editor.highs.changeRowsBounds(len(other), other, -free, free)
        editor.restart(worker.time_limit_s)
        solution = worker.session.solve()
        solution.x = worker.solution_x() if solution.units_added is not None else None
        editor.delete_rows(rows)
        return solution

    tic = time.perf_counter()
    solution = solve_with(list(range(samples)))
    robust_solve_s = time.perf_counter() - tic
    if solution.status != "optimal":
        infeasible, covered = _explain_infeasible(worker, figures, solve_with)
        editor.apply(worker.central_figures)
        raise RobustInfeasible(infeasible_message(samples, solution.status, infeasible, covered))

    robust_active = solution.units_active
    robust_x = solution.x
    cost_robust = worker.plan_cost(worker.central_figures, robust_x)
    cost_central = central.objective_wan_yuan
    fresh_seed = payload.seed + 1
    met_robust = met_central = 0
    for i in range(check_samples):
        fresh = sample_figures(data, unc, draw_sample(unc, fresh_seed, i))
        met_robust += _all_met(worker, fresh, robust_x)
        met_central += _all_met(worker, fresh, central.x)
    premium = cost_robust - cost_central
    table = pd.DataFrame([{
        "samples": samples, "cost_robust_wan_yuan": cost_robust, "cost_central_wan_yuan": cost_central,
        "premium_wan_yuan": premium, "premium_pct": 100 * premium / abs(cost_central) if cost_central else float("nan"),
        "check_samples": check_samples, "check_seed": fresh_seed,
        "p_met_robust": met_robust / check_samples, "p_met_central": met_central / check_samples,
    }])
    # The robust plan's run folder, at the central figures.
    spec = data.spec
    timings = dict(solution.timings_s)
    tables, summary = tabulate(spec, data, worker.planning, solution, _NoDuals(), timings)
    summary["kind"] = "robust_plan"
    summary["robust_samples"] = samples
    files = {f"plan/{name}": content for name, content in result_files(tables, summary).items()}
    record = {
        MARKER_KEY: RESULTS_FORMAT, "kind": "robust", "model": spec.name, "scenario": spec.scenario,
        "samples": samples, "seed": payload.seed, "check_samples": check_samples, "check_seed": fresh_seed,
        "robust_solve_s": round(robust_solve_s, 4), "wall_s": round(time.perf_counter() - clock, 4),
        "rows_added": samples * len(data.targets),
        "robust": table.iloc[0].to_dict(),
        "measures_robust": sorted(data.measures.ids[i] for i in np.flatnonzero(robust_active.sum(axis=1) > 0)),
        "measures_central": sorted(data.measures.ids[i] for i in np.flatnonzero(central.units_active.sum(axis=1) > 0)),
        "inputs_sha256": dict(sorted({**data.input_sha256, Path(unc.path).name: unc.sha256}.items())),
    }
    files["robust.csv"] = fixed_csv_bytes(table)
    files["summary.json"] = json_bytes(record)
    return RobustOutcome(table, files, record, robust_active, robust_x, covered=samples)


def infeasible_message(samples: int, status: str, infeasible: dict[int, list[str]], covered: list[int]) -> str:
    """Which samples no plan can meet (with the targets missed), per target how many, and how many one plan covers."""
    lines = [f"sample {i}: {', '.join(missed) or 'infeasible'}" for i, missed in list(infeasible.items())[:20]]
    if len(infeasible) > 20:
        lines.append(f"... and {len(infeasible) - 20} more")
    per_target: dict[str, int] = {}
    for missed in infeasible.values():
        for name in missed:
            per_target[name] = per_target.get(name, 0) + 1
    counts = "; ".join(f"{name} in {n}" for name, n in sorted(per_target.items(), key=lambda kv: (-kv[1], kv[0])))
    return (f"no plan meets every target in all {samples} samples ({status}). "
            f"{len(infeasible)} sample(s) cannot be met even on their own (with the targets no plan meets in "
            "them, each taken alone):\n  "
            + ("\n  ".join(lines) if lines else "(none: each sample alone is feasible, only together they are not)")
            + (f"\nSamples in which a target cannot be met: {counts}." if counts else "")
            + f"\nOne plan can cover {len(covered)} of the {samples} samples (taken in order, each kept while one plan "
              f"still meets them all together: {_ranges(covered)}). Narrow the ranges in uncertainty.csv where the "
              "sources allow, raise the budget, or use fewer samples.")


def _ranges(indices: list[int]) -> str:
    """0,1,2,5,7,8 -> '0-2, 5, 7-8' (at most 12 pieces)."""
    pieces: list[str] = []
    for i in indices:
        if pieces and pieces[-1][1] == i - 1:
            pieces[-1][1] = i
        else:
            pieces.append([i, i])
    text = [f"{a}-{b}" if b > a else f"{a}" for a, b in pieces]
    return ", ".join(text[:12]) + (" ..." if len(text) > 12 else "") if text else "none"


def _explain_infeasible(worker: EnsembleWorker, figures, solve_with) -> tuple[dict[int, list[str]], list[int]]:
    """Samples no plan can meet on their own, in the robust model's terms (central costs and budgets, the
    central target rows and the sample's), with the targets of the sample that no plan meets even alone;
    and a set of samples one plan covers together (greedy, in sample order)."""
    labels = [target_label(t) for t in worker.payload.data.targets]
    infeasible: dict[int, list[str]] = {}
    alone = []
    for i, fig in enumerate(figures):
        if solve_with([i]).status == "optimal":
            alone.append(i)
            continue
        # Each target on its own (the sample's row of it, the central rows): which ones no plan can meet.
        missed = [labels[k] for k in range(len(labels)) if solve_with([i], only_target=k).status != "optimal"]
        infeasible[i] = missed or ["only the targets together"]
    if alone and solve_with(alone).status == "optimal":
        return infeasible, alone
    covered: list[int] = []
    for i in alone:
        if solve_with(covered + [i]).status == "optimal":
            covered.append(i)
    return infeasible, covered

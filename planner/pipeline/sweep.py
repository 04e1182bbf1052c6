"""Budget sweeps: one built model and one HiGHS instance re-solved at every budget point.

Targets are elastic in a sweep, so an under-funded budget reports what it reaches instead of
failing. Points are solved in increasing budget order so that each solve starts from the
previous basis (a small change). With ``jobs > 1`` the points are dealt out to worker processes,
each of which builds the model once and sweeps its own points in increasing order.
"""

from __future__ import annotations

import dataclasses
import json
import math
import multiprocessing
import os
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np
import pandas as pd

from planner.errors import PlannerError
from planner.io.inputs import load_data
from planner.model.build import build_model
from planner.model.options import BuildOptions
from planner.io.writer import MARKER_KEY, RESULTS_FORMAT, csv_bytes, json_bytes
from planner.pipeline.run import budget_folder_name, result_files, tabulate
from planner.io.schema import POLLUTANTS
from planner.solve.session import SolverSession
from planner.io.spec import ModelSpec, load_spec

# Most points a sweep accepts: a typo in START:STOP:STEP should not start a day-long job.
MAX_POINTS = 1000


class BadRange(PlannerError):
    exit_code = 2


def parse_budget_range(text: str) -> list[float]:
    """Budgets in 万元: values and ``START:STOP:STEP`` ranges (STOP included when on the grid),
    separated by commas: ``100000,150000,200000:400000:100000``.

    The comma separates list values, so a thousands separator is refused with a message
    (``100,000`` would otherwise silently be the two budgets 100 and 0).
    """
    from planner.io.numbers import THOUSANDS, normalise

    clean = normalise(text).replace(" ", "")
    if THOUSANDS.match(clean) or any(THOUSANDS.match(part) for part in clean.split(":")):
        raise BadRange(f"--budget {text!r}: in planner sweep a comma separates budgets, so thousands separators "
                       f"are not accepted; write {clean.replace(',', '')} (a list: 100000,150000; a range: "
                       "100000:400000:20000)")
    budgets: list[float] = []
    for item in clean.split(","):
        budgets.extend(_parse_item(item, text))
    if len(budgets) > MAX_POINTS:
        raise BadRange(f"--budget {text!r} gives {len(budgets)} points; at most {MAX_POINTS}. Use a larger STEP")
    return sorted(set(budgets))


def _parse_item(item: str, text: str) -> list[float]:
    parts = item.split(":")
    try:
        values = [float(part.replace("_", "x")) for part in parts]
    except ValueError:
        values = None
    if values is None or len(values) not in (1, 3):
        raise BadRange(f"--budget {text!r}: {item!r} is neither a budget nor START:STOP:STEP in 万元; e.g. "
                       "100000:400000:20000 or 100000,150000,200000")
    if not all(math.isfinite(v) for v in values) or min(values) < 0:
        raise BadRange(f"--budget {text!r}: budgets are finite numbers of 万元 >= 0 (got {item!r})")
    if len(values) == 1:
        return values
    start, stop, step = values
    if step <= 0 or stop < start:
        raise BadRange(f"--budget {text!r}: need 0 <= START <= STOP and STEP > 0")
    count = int(math.floor((stop - start) / step + 1e-9)) + 1
    if count > MAX_POINTS:
        raise BadRange(f"--budget {text!r} gives {count} points; at most {MAX_POINTS}. Use a larger STEP")
    return [round(start + i * step, 6) for i in range(count)]


def shortfall_columns(targets: pd.DataFrame) -> dict[str, float]:
    """sweep.csv's ``shortfall_<pollutant or tag>_<year>``: one column per target and deployment row,
    in t of abatement (targets) or units of the tag (deployment); ``_<kind>`` is appended where two
    rows would share a name. Shortfalls in different units are never added together."""
    names = [f"shortfall_{r.subject}_{int(r.year)}" for r in targets.itertuples()]
    columns = {}
    for name, row in zip(names, targets.itertuples()):
        key = f"{name}_{row.kind}" if names.count(name) > 1 else name
        columns[key] = float(row.shortfall)
    return columns


def point_name(budget_wan_yuan: float) -> str:
    """The point's run folder: the same name as ``planner run --budget X``'s folder (budget-120000)."""
    return budget_folder_name(budget_wan_yuan)


@dataclass
class PointResult:
    row: dict
    chosen: set[str]
    files: dict[str, bytes]


class SweepWorker:
    """A model built once, elastic, with budget rows, and its HiGHS session."""

    def __init__(self, spec_path: str, scenario: str | None, first_budget: float):
        tic = time.perf_counter()
        spec = load_spec(spec_path, scenario).with_budget(first_budget)
        self.spec = spec
        self.data = load_data(spec)
        self.planning = build_model(self.data, BuildOptions.from_spec(spec, elastic=True), defer_pyomo=True)
        self.session = SolverSession(self.planning, spec.solver)
        self.setup_s = time.perf_counter() - tic

    def solve_point(self, budget_wan_yuan: float) -> PointResult:
        spec = self.spec.with_budget(budget_wan_yuan)
        self.session.set_budget(spec.budget_wan_yuan_by_year)
        solution = self.session.solve()
        data = dataclasses.replace(self.data, spec=spec)
        planning = dataclasses.replace(self.planning, data=data)
        # Sweep points skip step re-solves (up to 20 MIP solves each); their binding whole-unit rows say so.
        tables, summary = tabulate(spec, data, planning, solution, self.session, dict(solution.timings_s),
                                   max_step_resolves=0)
        summary["sweep_point"] = True
        plan = tables.plan
        target_years = sorted({int(y) for y in tables.targets["year"]}) if len(tables.targets) else []
        by_year = tables.by_year.set_index("year")
        row = {
            "budget_wan_yuan": budget_wan_yuan,
            "status": solution.status,
            "objective": solution.objective_wan_yuan,  # 万元, as summary.json's objective
            "cost_wan_yuan": summary["cost_wan_yuan"],
            "total_capex_wan_yuan": float(plan["capex_wan_yuan"].sum()),
            **{f"{p}_abated_t_{y}": float(by_year.loc[y, f"{p}_abated_t"]) for p in POLLUTANTS
               for y in target_years if ((tables.targets["subject"] == p) & (tables.targets["year"] == y)).any()},
            "targets_met": summary["targets_met"],
            "targets_missed": summary["targets_missed"],
            **shortfall_columns(tables.targets),
            "measures_chosen": summary["totals"]["measures_chosen"],
            "solve_s": round(solution.timings_s.get("solve_s", float("nan")), 4),
            "run_folder": f"points/{point_name(budget_wan_yuan)}",
        }
        chosen = set(plan.loc[plan["added"] > 0, "measure"])
        return PointResult(row, chosen, result_files(tables, summary))


_WORKER: SweepWorker | None = None


def _init_worker(spec_path: str, scenario: str | None, first_budget: float) -> None:
    global _WORKER
    _WORKER = SweepWorker(spec_path, scenario, first_budget)


def _solve_in_worker(budget_wan_yuan: float) -> PointResult:
    return _WORKER.solve_point(budget_wan_yuan)


@dataclass
class SweepOutcome:
    spec: ModelSpec
    table: pd.DataFrame
    no_regret: list[str]
    files: dict[str, bytes]
    timings_s: dict[str, float]
    complete: bool = True
    requested: list[float] = dataclasses.field(default_factory=list)


def sweep(spec_path: str | Path, budgets: list[float], jobs: int = 1, scenario: str | None = None,
          on_point: Callable[[float], None] | None = None, resume_from: Path | None = None) -> SweepOutcome:
    """Solve every budget point; returns the sweep table, the no-regret core and the files to write.

    Ctrl-C (KeyboardInterrupt) while points are being solved keeps the finished ones: the outcome
    has ``complete`` False and holds those points only (none finished: the interrupt goes on).
    ``resume_from``: a folder of an interrupted sweep of the same spec, inputs and budgets whose
    points are reused (see sweep_resume.py).
    """
    from planner.pipeline.sweep_resume import load_finished, spec_sha256

    clock = time.perf_counter()
    budgets = sorted(set(budgets))
    tick = on_point or (lambda budget: None)
    results: dict[float, PointResult] = {}
    interrupted = False
    delay_s = float(os.environ.get("PLANNER_TEST_POINT_DELAY_S", "0") or 0)  # tests: time to press Ctrl-C
    if jobs <= 1 or len(budgets) == 1:
        worker = SweepWorker(str(spec_path), scenario, budgets[0])
        spec, data = worker.spec, worker.data
        worker_caps = worker.planning.price_caps.records(data)
        if resume_from is not None:
            results.update({b: PointResult(*point) for b, point in
                            load_finished(resume_from, spec_path, scenario, data.input_sha256, budgets).items()})
        try:
            for budget in [b for b in budgets if b not in results]:
                results[budget] = worker.solve_point(budget)
                tick(budget)
                if delay_s:
                    time.sleep(delay_s)
        except KeyboardInterrupt:
            interrupted = True
    else:
        spec = load_spec(spec_path, scenario)
        data = load_data(spec)
        worker_caps = None
        if resume_from is not None:
            results.update({b: PointResult(*point) for b, point in
                            load_finished(resume_from, spec_path, scenario, data.input_sha256, budgets).items()})
        todo = [b for b in budgets if b not in results]
        # "spawn", not fork: a forked child inherits HiGHS's thread pool in an unusable state and spins.
        pool = ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("spawn"),
                                   initializer=_init_worker, initargs=(str(spec_path), scenario, budgets[0]))
        futures = {budget: pool.submit(_solve_in_worker, budget) for budget in todo}
        try:
            for budget, future in futures.items():
                results[budget] = future.result()
                tick(budget)
            pool.shutdown()
        except KeyboardInterrupt:
            interrupted = True
            for budget, future in futures.items():
                if budget not in results and future.done() and not future.cancelled() and future.exception() is None:
                    results[budget] = future.result()
            pool.shutdown(wait=False, cancel_futures=True)
    if interrupted and not results:
        raise KeyboardInterrupt
    requested = budgets
    budgets = [b for b in budgets if b in results]

    table = pd.DataFrame([results[b].row for b in budgets])
    if worker_caps is None:  # jobs > 1: every point's run folder records the caps it used
        worker_caps = json.loads(results[budgets[0]].files["summary.json"]).get("price_caps")
    chosen_sets = [results[b].chosen for b in budgets]
    no_regret = sorted(set.intersection(*chosen_sets)) if chosen_sets else []
    names = dict(zip(data.measures.ids, data.measures.names))
    files: dict[str, bytes] = {}
    for budget in budgets:
        for name, content in results[budget].files.items():
            files[f"points/{point_name(budget)}/{name}"] = content
    files["sweep.csv"] = csv_bytes(table)
    files["no_regret.csv"] = csv_bytes(pd.DataFrame({"measure": no_regret,
                                                     "name": [names.get(m, "") for m in no_regret]}))
    timings = {"total_s": time.perf_counter() - clock}
    files["summary.json"] = json_bytes({
        MARKER_KEY: RESULTS_FORMAT,
        "kind": "sweep",
        "model": spec.name,
        "scenario": spec.scenario,
        "spec_file": str(Path(spec_path).resolve()),
        "budgets_wan_yuan": requested,
        "complete": len(budgets) == len(requested),
        "points_done": len(budgets),
        "spec_sha256": spec_sha256(spec_path),
        "inputs_sha256": dict(sorted(data.input_sha256.items())),
        "target_mode": "elastic",
        "price_caps": worker_caps,
        "points_meeting_all_targets": int(table["targets_met"].sum()),
        "no_regret_core": no_regret,
        "jobs": jobs,
    })
    return SweepOutcome(spec, table, no_regret, files, timings, complete=len(budgets) == len(requested),
                        requested=requested)


def monotone_violations(table: pd.DataFrame, tolerance: float = 1e-6) -> list[float]:
    """Budgets where the objective rose although the budget rose (should be none)."""
    values = table["objective"].to_numpy(dtype=float)
    rises = np.flatnonzero(values[1:] > values[:-1] + tolerance * np.maximum(1.0, np.abs(values[:-1])))
    return [float(table["budget_wan_yuan"].iloc[i + 1]) for i in rises]

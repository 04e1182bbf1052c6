"""`planner alternatives`: near-optimal portfolios as different as possible from each other (modelling to generate alternatives).

On the built model, one row caps the cost near the optimum,

    c . x + offset <= z* + slack |z*|       (z* = the optimum; the default model's is negative, a net saving)

and the objective is replaced, for each new alternative, by a weight per measure on its units
scaled by its potential (so that MW and vehicles weigh alike):

    min sum_m w_m sum_tau x_{m,tau} / P_m

- ``hsj`` (Hop-Skip-Jump): w_m = 1 for every measure used by an alternative found so far, else 0:
  the new portfolio uses as little as it can of what the others use;
- ``random``: w_m drawn uniformly in [-1, 1] from the seed (some measures pushed out, some in).

Every alternative meets every target (strict) and every budget. Distance to the optimum:
sum_m |X_m - X*_m| / P_m, with X_m the units added over the horizon.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pandas as pd

from planner.io.writer import MARKER_KEY, RESULTS_FORMAT, json_bytes
from planner.pipeline.ensemble import EnsemblePayload, EnsembleWorker
from planner.pipeline.robust import _NoDuals
from planner.pipeline.run import result_files, tabulate
from planner.pipeline.uncertainty import BadOption, fixed_csv_bytes
from planner.io.inputs import load_data
from planner.io.spec import load_spec
from planner.io.uncertainty_file import UncertaintySpec

METHODS = ("hsj", "random")
ALTERNATIVE_MIP_GAP = 0.01
MAX_COUNT = 50


def check_options(slack: float, count: int, method: str) -> None:
    if not 0 < slack <= 1:
        raise BadOption(f"--slack {slack:g}: give a fraction in (0, 1], e.g. 0.05 for 5 % above the optimum")
    if not 1 <= count <= MAX_COUNT:
        raise BadOption(f"--count {count}: give 1 to {MAX_COUNT} portfolios (the optimum included)")
    if method not in METHODS:
        raise BadOption(f"--method {method!r}: use one of {', '.join(METHODS)}")


def _certain(data) -> UncertaintySpec:
    """No uncertain figures: alternatives and sensitivity work on the central data only."""
    n = len(data.measures)
    from planner.io.uncertainty_file import MEASURE_QUANTITIES

    return UncertaintySpec("", "", [], {q: np.full(n, -1, dtype=np.int64) for q in MEASURE_QUANTITIES})


def central_worker(spec_path: str | Path, scenario: str | None) -> EnsembleWorker:
    spec = load_spec(spec_path, scenario)
    data = load_data(spec)
    return EnsembleWorker(EnsemblePayload(data, _certain(data), 0, spec.solver))


def alternatives(spec_path: str | Path, slack: float = 0.05, count: int = 6, method: str = "hsj", seed: int = 0,
                 scenario: str | None = None, progress=None) -> dict:
    """``progress`` hears one line per portfolio found."""
    check_options(slack, count, method)
    say = progress or (lambda message: None)
    clock = time.perf_counter()
    worker = central_worker(spec_path, scenario)
    data = worker.payload.data
    measures = data.measures
    editor = worker.editor
    central = worker.central
    optimum = central.objective_wan_yuan
    limit = optimum + slack * abs(optimum)
    columns, coefs, offset = editor.objective_row()
    n_cols = worker.session.compiled.n_cols
    central_costs = worker.session.compiled.col_cost.copy()
    cost_row = editor.add_row(columns, coefs, -np.inf, limit - offset)
    potential = measures.potential.astype(float)
    n_years = len(worker.planning.years)
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(0xA17,)))
    figures = worker.central_figures

    plans = [central.x]
    added = [central.units_added]
    solutions = [worker.central_solution]
    used = central.units_added.sum(axis=1) > 0
    # The cost row is hard; the difference objective needs no tight proof of optimality, so its MIP
    # solves stop at a 1 % gap (measured on the default model: 18 s for 6 portfolios at the spec's 1e-4).
    highs = worker.session.highs
    highs.setOptionValue("mip_rel_gap", max(float(worker.payload.settings.mip_gap), ALTERNATIVE_MIP_GAP))
    for n in range(1, count):
        weight = used.astype(float) if method == "hsj" else rng.uniform(-1.0, 1.0, len(measures))
        costs = np.zeros(n_cols)
        costs[editor.x_columns] = np.repeat(weight / potential, n_years)
        editor.set_objective(costs)
        editor.restart(worker.time_limit_s)
        solution = worker.session.solve()
        if solution.status != "optimal" or solution.units_active is None:
            break
        plans.append(worker.solution_x())
        say(f"alternatives: alt-{n} found ({n + 1} of {count}, {time.perf_counter() - clock:.0f} s)")
        added.append(solution.units_added)
        solutions.append(solution)
        used |= solution.units_added.sum(axis=1) > 0
    highs.setOptionValue("mip_rel_gap", float(worker.payload.settings.mip_gap))
    editor.set_objective(central_costs)
    editor.delete_rows(np.array([cost_row], dtype=np.int32))

    optimum_units = central.units_added.sum(axis=1)
    rows, files = [], {}
    chosen_in = np.zeros(len(measures), dtype=int)
    for n, (x, units_added) in enumerate(zip(plans, added)):
        cost = worker.plan_cost(figures, x)
        units = units_added.sum(axis=1)
        in_plan = units > 0
        chosen_in += in_plan
        rows.append({
            "alternative": f"alt-{n}", "cost_wan_yuan": cost, "increase_wan_yuan": cost - optimum,
            "increase_pct": 100 * (cost - optimum) / abs(optimum) if optimum else float("nan"),
            "measures_used": int(in_plan.sum()),
            "measures": ";".join(measures.ids[i] for i in np.flatnonzero(in_plan)),
            "distance_to_optimum": float((np.abs(units - optimum_units) / potential).sum()),
        })
    # Run folders: alt-0 from the central solution, the others from their own.
    for n in range(len(plans)):
        solution = solutions[n]
        solution.objective_wan_yuan = rows[n]["cost_wan_yuan"]  # the cost, not the HSJ weight
        tables, summary = tabulate(data.spec, data, worker.planning, solution, _NoDuals(), dict(solution.timings_s))
        summary["kind"] = "alternative"
        summary["alternative"] = rows[n]["alternative"]
        for name, content in result_files(tables, summary).items():
            files[f"alt-{n}/{name}"] = content
    summary_table = pd.DataFrame(rows)
    measure_table = pd.DataFrame({
        "measure": measures.ids, "name": measures.names, "alternatives": chosen_in,
        "share": chosen_in / len(plans), "must_have": chosen_in == len(plans),
    })
    record = {
        MARKER_KEY: RESULTS_FORMAT, "kind": "alternatives", "model": data.spec.name, "scenario": data.spec.scenario,
        "method": method, "slack": slack, "count_requested": count, "count_found": len(plans), "seed": seed,
        "optimum_wan_yuan": optimum, "cost_limit_wan_yuan": limit,
        "must_have": [m for m, keep in zip(measures.ids, measure_table["must_have"]) if keep],
        "wall_s": round(time.perf_counter() - clock, 4), "solves": len(plans),
        "inputs_sha256": dict(sorted(data.input_sha256.items())),
    }
    files["summary.csv"] = fixed_csv_bytes(summary_table)
    files["measures.csv"] = fixed_csv_bytes(measure_table)
    files["summary.json"] = json_bytes(record)
    return {"summary": summary_table, "measures": measure_table, "record": record, "files": files}

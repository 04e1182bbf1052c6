"""Uncertainty section of `make bench`: Monte Carlo time per sample against a raw highspy re-solve loop.

Measured in one run on the default model:

- the planner's serial engine (one process, the model built once, every sample re-solved by
  changing costs, coefficients and bounds in HiGHS), time per sample after the build;
- the reference: the same compiled LP handed to a bare ``highspy.Highs`` (threads = 1), and for
  each sample the same changed costs, coefficients and bounds written with highspy calls and
  re-solved (strict, then elastic where strict is infeasible), reading back the objective only;
- ``--jobs 2`` worker processes against ``--jobs 1`` (wall time of the whole ensemble, process
  start and builds included), and a Dask LocalCluster with 2 workers, its start-up apart.

    python bench/uncertainty_bench.py [--samples 1000] [--quick]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from planner.pipeline.ensemble import EnsembleWorker  # noqa: E402
from planner.pipeline.uncertainty import prepare, run_ensemble  # noqa: E402


def reference_per_sample(worker: EnsembleWorker, samples: int) -> tuple[float, int]:
    """Raw highspy: pass the compiled LP once, then per sample write the changed numbers and run."""
    import highspy

    compiled = worker.session.compiled
    editor = worker.editor
    figures = [worker.figures(i)[0] for i in range(samples)]  # drawn before the clock starts
    # The changed numbers, as arrays, before timing (the reference's job is the re-solve loop).
    costs = [editor.x_cost(f) for f in figures]
    budget_values = [editor.budget_base * f.capex[editor.budget_measure] for f in figures]
    target_values = [editor.target_values(f) for f in figures]
    lowers = [editor.target_lower(f) for f in figures]
    highspy.Highs.resetGlobalScheduler(True)
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("threads", 1)
    h.setOptionValue("random_seed", 0)
    h.setOptionValue("mip_rel_gap", float(worker.payload.settings.mip_gap))
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = compiled.n_cols, compiled.n_rows
    lp.col_cost_, lp.offset_ = compiled.col_cost, compiled.offset
    lp.col_lower_, lp.col_upper_ = compiled.col_lower, compiled.col_upper
    lp.row_lower_, lp.row_upper_ = compiled.row_lower, compiled.row_upper
    lp.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
    lp.a_matrix_.num_col_, lp.a_matrix_.num_row_ = compiled.n_cols, compiled.n_rows
    lp.a_matrix_.start_, lp.a_matrix_.index_, lp.a_matrix_.value_ = (compiled.row_start, compiled.col_index,
                                                                     compiled.value)
    if compiled.is_integer.any():
        lp.integrality_ = np.where(compiled.is_integer, highspy.HighsVarType.kInteger,
                                   highspy.HighsVarType.kContinuous).tolist()
    h.passModel(lp)
    short = editor.shortfall_columns
    zeros, inf = np.zeros(len(short)), np.full(len(short), np.inf)
    for option in ("mip_heuristic_run_rins", "mip_heuristic_run_rens", "mip_heuristic_run_root_reduced_cost",
                   "mip_heuristic_run_zi_round", "mip_heuristic_run_shifting"):
        if worker.payload.settings.mip_heuristics == "light":
            h.setOptionValue(option, False)
    rows_t = editor.target_rows
    infeasible = 0
    budget_now, target_now = editor.budget_base.copy(), editor.target_base.copy()  # only changed entries are written
    tic = time.perf_counter()
    for i in range(samples):
        h.changeColsBounds(len(short), short, zeros, zeros)
        h.changeColsCost(len(editor.x_columns), editor.x_columns, costs[i])
        for j in np.flatnonzero(budget_values[i] != budget_now):
            h.changeCoeff(int(editor.budget_row[j]), int(editor.budget_col[j]), float(budget_values[i][j]))
        budget_now = budget_values[i]
        for j in np.flatnonzero(target_values[i] != target_now):
            h.changeCoeff(int(editor.target_row[j]), int(editor.target_col[j]), float(target_values[i][j]))
        target_now = target_values[i]
        h.changeRowsBounds(len(rows_t), rows_t, lowers[i], np.full(len(rows_t), np.inf))
        h.clearSolver()
        h.run()
        if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            infeasible += 1
            h.changeColsBounds(len(short), short, zeros, inf)
            h.clearSolver()
            h.run()
        h.getInfo().objective_function_value
    return (time.perf_counter() - tic) / samples, infeasible


def _raw_loop_child(spec: str, samples: int, barrier, queue) -> None:
    """In a spawned process: build, wait for the others, then time the raw highspy loop (s per sample)."""
    worker = EnsembleWorker(prepare(Path(spec), None, None, 0))
    barrier.wait()
    queue.put(reference_per_sample(worker, samples)[0])


def machine_two_process_scaling(spec: Path, samples: int) -> dict:
    """What this machine gives two processes: the raw highspy loop's time per sample in one process
    alone, and in each of two processes running it side by side on the same samples (started together).
    Were the cores independent, the two would match; ``ceiling`` = 2 x alone / side by side is the
    speed-up two workers can reach here on this work, whatever the engine."""
    import multiprocessing

    context = multiprocessing.get_context("spawn")

    def side_by_side(n: int) -> list[float]:
        barrier, queue = context.Barrier(n), context.Queue()
        children = [context.Process(target=_raw_loop_child, args=(str(spec), samples, barrier, queue))
                    for _ in range(n)]
        for child in children:
            child.start()
        times = [queue.get() for _ in children]
        for child in children:
            child.join()
        return times

    alone = side_by_side(1)[0]
    both = side_by_side(2)
    return {"samples": samples, "alone_s": alone, "side_by_side_s": both,
            "ceiling": 2 * alone / (sum(both) / len(both))}


def _cpu_s() -> float:
    """CPU seconds of this process and of its finished (waited-for) children."""
    import resource

    mine = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return mine.ru_utime + mine.ru_stime + children.ru_utime + children.ru_stime


def _timed(run) -> tuple[object, float, float]:
    """(result, wall s, CPU s of this process and its children) of ``run()``."""
    cpu, tic = _cpu_s(), time.perf_counter()
    result = run()
    return result, time.perf_counter() - tic, _cpu_s() - cpu


def bench_uncertainty(samples: int, spec: Path | None = None) -> dict:
    """Time per sample against the raw highspy loop, and whole ensembles on 1 and 2 workers.

    Every whole-ensemble wall starts from the data, as `planner uncertainty` does: this process
    builds its worker (the central plan), and worker processes (or Dask workers) start, import,
    receive the data and build once each. ``worker_overhead_s`` is that fixed cost of one worker
    process (an ensemble of 2 samples on 2 workers, less this process's build and the 2 samples'
    solve time); were none of it overlapped, 2 workers would reach t1 / (overhead + t1 / 2).
    """
    spec = spec or ROOT / "models" / "guiyang.toml"
    payload = prepare(spec, None, None, 0)
    indices = list(range(samples))
    worker, setup_s, _ = _timed(lambda: EnsembleWorker(payload))
    (serial, _), serial_loop_s, serial_cpu_s = _timed(lambda: run_ensemble(payload, indices, jobs=1, worker=worker))
    planner_per_sample = serial_loop_s / samples
    statuses = {}
    for result in serial.results.values():
        statuses[result.status] = statuses.get(result.status, 0) + 1
    reference, ref_infeasible = reference_per_sample(worker, samples)
    # Whole-ensemble walls, every engine starting from nothing but the data.
    _, wall_1, cpu_1 = _timed(lambda: run_ensemble(payload, indices, jobs=1))
    (run2, _), wall_2, cpu_2 = _timed(lambda: run_ensemble(payload, indices, jobs=2))
    (tiny, _), tiny_wall, _ = _timed(lambda: run_ensemble(payload, [0, 1], jobs=2, min_chunk=1))
    overhead = tiny_wall - setup_s - 2 * planner_per_sample
    dask = None
    try:
        (run_d, _), wall_d, cpu_d = _timed(lambda: run_ensemble(payload, indices, jobs=2, scheduler="local"))
        dask = {"wall_s": wall_d, "startup_s": run_d.startup_s, "wall_without_startup_s": wall_d - run_d.startup_s,
                "cpu_s": cpu_d, "speedup_vs_1": wall_1 / max(1e-9, wall_d - run_d.startup_s)}
    except Exception as exc:  # noqa: BLE001 - the bench reports a missing extra instead of failing
        dask = {"error": f"{type(exc).__name__}: {exc}"}
    scaling = machine_two_process_scaling(spec, min(samples, 300))
    return {
        "machine_scaling": scaling,
        "samples": samples, "setup_s": setup_s, "statuses": statuses,
        "planner_per_sample_s": planner_per_sample, "planner_cpu_per_sample_s": serial_cpu_s / samples,
        "reference_per_sample_s": reference,
        "reference_strict_infeasible": ref_infeasible,
        "ratio": planner_per_sample / reference,
        "wall_jobs1_s": wall_1, "cpu_jobs1_s": cpu_1, "wall_jobs2_s": wall_2, "cpu_jobs2_s": cpu_2,
        "speedup_2_workers": wall_1 / wall_2, "jobs2_chunk_size": run2.chunk_size,
        "jobs2_startup_s": run2.startup_s, "worker_overhead_s": overhead,
        "speedup_2_workers_bound": wall_1 / (max(0.0, overhead) + wall_1 / 2),
        "dask": dask,
    }


def bench_analyses(spec: Path, robust_samples: int = 20) -> dict:
    """robust, alternatives and sensitivity: total time against (solves x one warm re-solve).

    One warm re-solve = the median of 5 restarts and solves of the central model on one built
    model. robust is timed on a file made for timing only: uncertainty.csv without its baseline rows
    and with every abatement range cut to [1, high] (with the real file about half of the default
    samples cannot be met by any plan: the industrial energy -18 % and the 2030 peak have no headroom,
    inputs/guiyang/SOURCES.md), so its premium is not a finding."""
    import csv
    import statistics
    import tempfile

    from planner.pipeline.alternatives import alternatives
    from planner.pipeline.robust import robust
    from planner.pipeline.sensitivity import sensitivity

    payload = prepare(spec, None, None, 0)
    worker = EnsembleWorker(payload)
    times = []
    for _ in range(5):
        tic = time.perf_counter()
        worker.editor.restart(worker.time_limit_s)
        worker.session.solve()
        times.append(time.perf_counter() - tic)
    warm = statistics.median(times)
    out = {"warm_resolve_s": warm}
    tic = time.perf_counter()
    record = sensitivity(spec, 0.2)["record"]
    out["sensitivity"] = {"wall_s": time.perf_counter() - tic, "solves": record["solves"]}
    tic = time.perf_counter()
    record = alternatives(spec, 0.05, 6)["record"]
    out["alternatives"] = {"wall_s": time.perf_counter() - tic, "solves": record["solves"]}
    source = Path(payload.uncertainty.path)
    with open(source, encoding="utf-8-sig", newline="") as handle:
        rows = [r for r in csv.DictReader(handle) if not r["applies_to"].startswith(("gdp", "bau:", "baseline:"))]
    for row in rows:  # abatement never below its central value: every sample can be met (timing only)
        if row["quantity"] not in ("capex", "opex", "value"):
            row.update(distribution="uniform", low="1", mode="", high=str(max(1.0, float(row["high"]))))
    narrow = Path(tempfile.mkdtemp()) / "uncertainty.csv"
    with open(narrow, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    tic = time.perf_counter()
    try:
        outcome = robust(spec, robust_samples, 0, None, narrow, check_samples=200)
        out["robust"] = {"wall_s": time.perf_counter() - tic, "solves": 1, "samples": robust_samples,
                         "robust_solve_s": outcome.summary["robust_solve_s"],
                         "premium_pct": float(outcome.table.premium_pct.iloc[0])}
    except Exception as exc:  # noqa: BLE001 - reported, not fatal
        out["robust"] = {"error": f"{type(exc).__name__}: {str(exc)[:200]}"}
    return out


def analyses_markdown(a: dict) -> list[str]:
    warm = a["warm_resolve_s"]
    parts = []
    for name in ("sensitivity", "alternatives"):
        r = a[name]
        parts.append(f"`planner {name}` {r['wall_s']:.1f} s for {r['solves']} solves = "
                     f"**{r['wall_s'] / (r['solves'] * warm):.2f} x** (solves x one warm re-solve)")
    r = a["robust"]
    if "error" in r:
        parts.append(f"`planner robust`: {r['error']}")
    else:
        parts.append(f"`planner robust --samples {r['samples']}` {r['wall_s']:.1f} s, of which the one robust "
                     f"MIP ({r['samples']} x the target rows) {r['robust_solve_s']:.2f} s = "
                     f"{r['robust_solve_s'] / warm:.1f} x one warm re-solve (a file for timing only, see the bench)")
    return ["", f"Robust, alternatives, sensitivity on the default model (one warm re-solve {1000 * warm:.0f} ms): "
            + "; ".join(parts) + ".", ""]


def markdown(r: dict) -> list[str]:
    dask = r["dask"]
    dask_line = (f"Dask LocalCluster, 2 workers: {dask['wall_s']:.2f} s wall, of which cluster start-up "
                 f"{dask['startup_s']:.2f} s; without start-up {dask['wall_without_startup_s']:.2f} s, "
                 f"**{dask['speedup_vs_1']:.2f} x** faster than the 1-process ensemble (both with their builds)."
                 if "error" not in dask else f"Dask LocalCluster: not measured ({dask['error']}).")
    return [
        "",
        f"Uncertainty (`planner uncertainty`, default model, {r['samples']:,} samples, seed 0; statuses "
        f"{', '.join(f'{k} {v}' for k, v in sorted(r['statuses'].items()))}): the planner re-solves a sample in "
        f"{1000 * r['planner_per_sample_s']:.1f} ms after a {r['setup_s']:.2f} s build and central solve; the raw "
        f"highspy loop re-solving the same changed model takes {1000 * r['reference_per_sample_s']:.1f} ms: "
        f"**{r['ratio']:.2f} x** (target <= 1.5). Whole ensemble: 1 process {r['wall_jobs1_s']:.2f} s, "
        f"2 worker processes {r['wall_jobs2_s']:.2f} s: **{r['speedup_2_workers']:.2f} x faster** (target >= 1.7; "
        f"CPU {r['cpu_jobs1_s']:.1f} s and {r['cpu_jobs2_s']:.1f} s; one worker process's start, import and build "
        f"{r['worker_overhead_s']:.2f} s: {r['speedup_2_workers_bound']:.2f} x were none of it overlapped). "
        + dask_line,
        "",
        _scaling_line(r["machine_scaling"]),
        "",
    ]


def _scaling_line(m: dict) -> str:
    both = m["side_by_side_s"]
    return (f"What two processes get from this machine: the raw highspy loop alone takes "
            f"{1000 * m['alone_s']:.1f} ms per sample ({m['samples']} samples), and "
            f"{' and '.join(f'{1000 * t:.1f}' for t in both)} ms in two processes running it side by side, so two "
            f"workers can be at most **{m['ceiling']:.2f} x** faster than one here, whatever the engine"
            + (" (in this run the two cores did not slow each other down)." if m["ceiling"] >= 1.95 else
               " (the two cores slow each other down: shared cache and memory bandwidth, or the host's "
               "scheduling of this virtual machine)."))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--samples", type=int, default=1000)
    parser.add_argument("--quick", action="store_true", help="100 samples")
    args = parser.parse_args()
    result = bench_uncertainty(100 if args.quick else args.samples)
    print(json.dumps(result, indent=2, default=float))
    print("\n".join(markdown(result)))
    analyses = bench_analyses(ROOT / "models" / "guiyang.toml")
    print(json.dumps(analyses, indent=2, default=float))
    print("\n".join(analyses_markdown(analyses)))


if __name__ == "__main__":
    main()

"""`make bench`: the planner against raw HiGHS on the same synthetic instances, in one run.

For each scale (measures x 10 years, every constraint kind present) it times, as separate
processes, the planner end to end (`python -m planner run`) and the reference (`bench/reference.py`:
pandas + numpy arrays + one highspy passModel), takes the median of several runs, and prints the
ratio planner / reference, the planner's phases (from its summary.json) and peak memory. It also
times a 20-point budget sweep (one model re-solved) against 20 cold runs, and the default model's
`planner run`, and a Monte Carlo of the default model against a raw highspy re-solve loop
(bench/uncertainty_bench.py). Results go to bench/results.md with a description of the machine.

    python bench/run_bench.py [--scales 100,1000,10000] [--repeats 3] [--quick]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.generate import generate  # noqa: E402

PYTHON = sys.executable


def timed_process(args: list[str], cwd: Path | None = None) -> tuple[float, float, str]:
    """Wall seconds, peak resident memory (MiB) and stdout of one child process.

    The child writes to temporary files, not pipes: a pipe that nobody reads while we wait for the
    child fills up at 64 KiB and blocks it for ever (the reference prints its whole solution)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        tic = time.perf_counter()
        process = subprocess.Popen(args, cwd=cwd, stdout=out, stderr=err)
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - tic
        out.seek(0)
        err.seek(0)
        stdout = out.read().decode("utf-8")
        stderr = err.read().decode("utf-8", errors="replace")
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 4, 5):
        raise RuntimeError(f"{' '.join(args)} exited {code}:\n{stderr[-2000:]}")
    return wall, usage.ru_maxrss / 1024.0, stdout


def planner_run(spec: Path, out: Path, extra: list[str] | None = None) -> tuple[float, float, dict]:
    shutil.rmtree(out, ignore_errors=True)
    wall, peak, _ = timed_process([PYTHON, "-m", "planner", "run", str(spec), "--out", str(out), "-q",
                                   *(extra or [])])
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    return wall, peak, summary


def reference_run(spec: Path, extra: list[str] | None = None) -> tuple[float, float, dict]:
    wall, peak, stdout = timed_process([PYTHON, str(ROOT / "bench" / "reference.py"), str(spec), "--json",
                                        *(extra or [])])
    return wall, peak, json.loads(stdout)


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def bench_scale(n_measures: int, repeats: int, work: Path) -> dict:
    spec = generate(n_measures, work / f"n{n_measures}", seed=0, n_years=10)
    planner_walls, reference_walls, phases, ref_phases, peaks, ref_peaks = [], [], [], [], [], []
    objective = ref_objective = None
    for _ in range(repeats):
        wall, peak, summary = planner_run(spec, work / f"out{n_measures}")
        planner_walls.append(wall)
        peaks.append(peak)
        phases.append(summary["timings_s"])
        objective = summary["objective"]
        wall, peak, result = reference_run(spec)
        reference_walls.append(wall)
        ref_peaks.append(peak)
        ref_phases.append(result.get("timings_s", result.get("phases", {})))
        ref_objective = result["objective"]
    phase_names = ["read_validate_s", "build_s", "handoff_s", "solve_s", "duals_s", "write_s"]
    planner_phase = {name: median([p.get(name, float("nan")) for p in phases]) for name in phase_names}
    ref_phase_names = sorted({k for p in ref_phases for k in p})
    reference_phase = {name: median([p.get(name, float("nan")) for p in ref_phases]) for name in ref_phase_names}
    e2e, ref_e2e = median(planner_walls), median(reference_walls)
    return {
        "measures": n_measures,
        "planner_s": e2e,
        "reference_s": ref_e2e,
        "ratio": e2e / ref_e2e,
        "build_handoff_share": (planner_phase["build_s"] + planner_phase["handoff_s"]) / e2e,
        "planner_phases_s": planner_phase,
        "reference_phases_s": reference_phase,
        "planner_peak_mib": max(peaks),
        "reference_peak_mib": max(ref_peaks),
        "objective": objective,
        "reference_objective": ref_objective,
        "status": phases and "ok",
    }


def bench_sweep(spec: Path, budgets: list[float], work: Path, cold_runs: int) -> dict:
    """20-point sweep (one process) against cold runs of the same budgets (one process each)."""
    out = work / "sweep"
    shutil.rmtree(out, ignore_errors=True)
    budget_range = f"{budgets[0]}:{budgets[-1]}:{budgets[1] - budgets[0]}"
    sweep_wall, _, _ = timed_process([PYTHON, "-m", "planner", "sweep", str(spec), "--budget", budget_range,
                                      "--out", str(out)])
    cold = []
    for budget in budgets[:cold_runs]:
        wall, _, _ = planner_run(spec, work / "cold", ["--budget", str(budget)])
        cold.append(wall)
    one_cold = median(cold)
    return {"points": len(budgets), "sweep_s": sweep_wall, "one_cold_run_s": one_cold,
            "cold_runs_measured": len(cold), "twenty_cold_runs_s": one_cold * len(budgets),
            "sweep_over_one_cold": sweep_wall / one_cold, "sweep_over_all_cold": sweep_wall / (one_cold * len(budgets))}


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2 ** 30
    import pyomo.version

    from planner.solve.session import highs_version

    return (f"{os.cpu_count()} cores ({cpu}), {memory:.0f} GiB RAM, {platform.system()} {platform.release()}, "
            f"Python {platform.python_version()}, Pyomo {pyomo.version.version}, HiGHS {highs_version()} (highspy)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scales", default="100,1000,10000")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="scales 100,1000, one repeat, short sweep")
    parser.add_argument("--out", default=str(ROOT / "bench" / "results.md"))
    parser.add_argument("--uncertainty-samples", type=int, default=1000,
                        help="samples of the Monte Carlo section (100 with --quick; 0 skips it)")
    args = parser.parse_args()
    scales = [100, 1000] if args.quick else [int(s) for s in args.scales.split(",")]
    repeats = 1 if args.quick else args.repeats
    work = Path(tempfile.mkdtemp(prefix="planner-bench-"))
    results = []
    for n in scales:
        print(f"scale {n} measures x 10 years ...", flush=True)
        results.append(bench_scale(n, repeats if n < 10000 else max(1, min(repeats, 2)), work))
        r = results[-1]
        print(f"  planner {r['planner_s']:.2f} s, reference {r['reference_s']:.2f} s, ratio {r['ratio']:.2f}, "
              f"build+hand-off {100 * r['build_handoff_share']:.0f} % of planner", flush=True)

    default_spec = ROOT / "models" / "guiyang.toml"
    default = None
    if default_spec.is_file():
        walls = [planner_run(default_spec, work / "default")[0] for _ in range(max(3, repeats))]
        default = median(walls)
        print(f"default model: planner run {default:.2f} s", flush=True)

    sweep_spec = default_spec if default_spec.is_file() else generate(1000, work / "sweep_n1000", seed=0)
    budget = json.loads((work / "default" / "summary.json").read_text(encoding="utf-8"))[
        "budget_wan_yuan_by_year"] if default else None
    base = max(v for v in budget.values() if v) if budget else 1e5
    budgets = [round(base * (0.5 + 0.05 * k)) for k in range(20)]
    sweep = bench_sweep(sweep_spec, budgets, work, cold_runs=3 if args.quick else 5)
    print(f"20-point sweep {sweep['sweep_s']:.2f} s = {sweep['sweep_over_one_cold']:.1f} x one cold run "
          f"({sweep['one_cold_run_s']:.2f} s); 20 cold runs would take {sweep['twenty_cold_runs_s']:.1f} s "
          f"(ratio {sweep['sweep_over_all_cold']:.2f})", flush=True)
    write_markdown(Path(args.out), results, default, sweep, sweep_spec)
    samples = min(100, args.uncertainty_samples) if args.quick else args.uncertainty_samples
    if samples > 0 and default_spec.is_file():
        from bench.uncertainty_bench import analyses_markdown, bench_analyses, bench_uncertainty, markdown

        print(f"uncertainty: {samples} samples of the default model ...", flush=True)
        uncertainty = bench_uncertainty(samples, default_spec)
        lines = markdown(uncertainty) + analyses_markdown(bench_analyses(default_spec))
        print("\n".join(lines), flush=True)
        with open(args.out, "a", encoding="utf-8") as handle:
            handle.write("\n".join(lines))
    shutil.rmtree(work, ignore_errors=True)
    print(f"wrote {args.out}")


def write_markdown(path: Path, results: list[dict], default: float | None, sweep: dict, sweep_spec: Path) -> None:
    lines = [
        "# Benchmark: planner against raw HiGHS",
        "",
        f"Machine: {machine()}.",
        f"Measured {time.strftime('%Y-%m-%d')} with `make bench` (`python bench/run_bench.py`). Medians of repeated",
        "runs; every time is a separate process, interpreter start included. Instances: `bench/generate.py`,",
        "seed 0, 10 years, every constraint kind present (lifetimes, ramps, first years, integer measures,",
        "exclusive groups, intensity/reduction/cap and deployment targets, yearly budgets).",
        "",
        "| measures | planner s | reference s | planner / reference | build + hand-off share | read | build | hand-off | solve | duals | write | peak MiB planner / ref | objectives equal |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        p = r["planner_phases_s"]
        same = abs(r["objective"] - r["reference_objective"]) <= 1e-6 * max(1.0, abs(r["reference_objective"])) \
            if r["objective"] is not None and r["reference_objective"] is not None else False
        lines.append(
            f"| {r['measures']:,} | {r['planner_s']:.2f} | {r['reference_s']:.2f} | **{r['ratio']:.2f}** | "
            f"{100 * r['build_handoff_share']:.0f} % | {p['read_validate_s']:.2f} | {p['build_s']:.2f} | "
            f"{p['handoff_s']:.2f} | {p['solve_s']:.2f} | {p['duals_s']:.2f} | {p['write_s']:.2f} | "
            f"{r['planner_peak_mib']:.0f} / {r['reference_peak_mib']:.0f} | {'yes' if same else 'NO'} |")
    lines += ["", "Reference phases (median s): " + "; ".join(
        f"{r['measures']:,}: " + ", ".join(f"{k} {v:.2f}" for k, v in r["reference_phases_s"].items())
        for r in results), ""]
    if default is not None:
        lines.append(f"Default model (`planner run models/guiyang.toml`, whole process): **{default:.2f} s**.")
    lines += [
        "",
        f"Budget sweep on `{sweep_spec.relative_to(ROOT) if sweep_spec.is_relative_to(ROOT) else sweep_spec.name}`: "
        f"{sweep['points']} points in one `planner sweep` process took {sweep['sweep_s']:.2f} s = "
        f"**{sweep['sweep_over_one_cold']:.1f} x one cold `planner run`** ({sweep['one_cold_run_s']:.2f} s, median of "
        f"{sweep['cold_runs_measured']}); {sweep['points']} cold runs would take about {sweep['twenty_cold_runs_s']:.1f} s "
        f"(sweep / cold = {sweep['sweep_over_all_cold']:.2f}).",
        "",
    ]
    path.write_text("\n".join(lines), encoding="utf-8")


if __name__ == "__main__":
    main()

"""`make bench`: the planner against raw HiGHS on the same synthetic instances, in one run.

For each instance (measures x 10 years, every constraint kind present; "lp" = the same generator
without integer measures and groups) it times, as separate processes and alternating, the planner
end to end (`python -m planner run`) and the reference (`bench/reference.py`: pandas + numpy arrays
+ one highspy passModel), and prints the ratio planner / reference of each pair of runs, in wall
time and in CPU time (user + system of the process), their medians, the planner's phases (from its
summary.json) and peak memory. Ratios are taken pair by pair, in the same minute, because the
machine is shared: the load average before and after each instance is recorded, and the spread of
the pair ratios says how much the noise moved them. It also times a 20-point budget sweep (one model
re-solved) against 20 cold runs, the default model's `planner run`, and a Monte Carlo of the default
model against a raw highspy re-solve loop (bench/uncertainty_bench.py). Results go to
bench/results.md with a description of the machine.

    python bench/run_bench.py [--scales 100,1000,10000,10000lp] [--repeats 5] [--quick]
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
from bench.generate_v2 import FEATURES, add_v2  # noqa: E402

PYTHON = sys.executable


LAST_CPU_S = [0.0]  # CPU seconds (user + system) of the last child process


def timed_process(args: list[str], cwd: Path | None = None) -> tuple[float, float, str]:
    """Wall seconds, peak resident memory (MiB) and stdout of one child process (its CPU seconds go
    to LAST_CPU_S).

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
    LAST_CPU_S[0] = usage.ru_utime + usage.ru_stime
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
    # As a module (-m), so that it runs from its compiled bytecode as the planner's modules do.
    wall, peak, stdout = timed_process([PYTHON, "-m", "bench.reference", str(spec.resolve()), "--json",
                                        *(extra or [])], cwd=ROOT)
    return wall, peak, json.loads(stdout)


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


# The analysis phases: the bounded re-solves `planner run` makes after the plan (step re-solves of binding
# whole-unit rows for their shadow prices; unchosen.csv's one re-solve per unchosen measure). Each is its
# own phase in summary.json's timings (write_s does not include them), and the ratio is shown with and
# without them.
ANALYSIS_PHASES = ["step_resolves_s", "unchosen_s"]
PHASES = ["read_validate_s", "screen_s", "build_s", "handoff_s", "solve_s", "duals_s", "fixed_lp_s", *ANALYSIS_PHASES,
          "write_s"]
# The v2 extensions every instance carries (bench/generate_v2.py): figures by year (measure_years.csv),
# applicability pools, and areas with their budgets and targets.
V2_FEATURES = ("measure_years", "pools", "areas")
MIP_GAP = 1e-4  # the [solver] mip_gap bench/generate.py writes


def bench_scale(scale: str, repeats: int, work: Path, v2_features: tuple[str, ...] = V2_FEATURES) -> dict:
    """``scale`` is a number of measures, with "lp" appended for the pure-LP instance (e.g. 10000lp)."""
    lp_only = scale.endswith("lp")
    n_measures = int(scale.removesuffix("lp"))
    spec = generate(n_measures, work / f"n{scale}", seed=0, n_years=10, lp_only=lp_only)
    if v2_features:
        spec = add_v2(spec, 0, v2_features)
    load_before = os.getloadavg()[0]
    planner_walls, reference_walls, planner_cpu, reference_cpu = [], [], [], []
    phases, ref_phases, peaks, ref_peaks = [], [], [], []
    objective = ref_objective = None
    analysis_walls = []
    for _ in range(repeats):
        wall, peak, summary = planner_run(spec, work / f"out{scale}")
        planner_walls.append(wall)
        analysis_walls.append(sum(summary["timings_s"].get(name, 0.0) for name in ANALYSIS_PHASES))
        planner_cpu.append(LAST_CPU_S[0])
        peaks.append(peak)
        phases.append(summary["timings_s"])
        objective = summary["objective"]
        wall, peak, result = reference_run(spec)
        reference_walls.append(wall)
        reference_cpu.append(LAST_CPU_S[0])
        ref_peaks.append(peak)
        ref_phases.append(result.get("timings_s", result.get("phases", {})))
        ref_objective = result["objective"]
    planner_phase = {name: median([p.get(name, float("nan")) for p in phases]) for name in PHASES}
    ref_phase_names = sorted({k for p in ref_phases for k in p})
    reference_phase = {name: median([p.get(name, float("nan")) for p in ref_phases]) for name in ref_phase_names}
    wall_ratios = [a / b for a, b in zip(planner_walls, reference_walls)]
    cpu_ratios = [a / b for a, b in zip(planner_cpu, reference_cpu)]
    # Wall ratio without the analysis re-solves (the reference makes none): the plan alone against the reference.
    plan_ratios = [(a - x) / b for a, x, b in zip(planner_walls, analysis_walls, reference_walls)]
    e2e = median(planner_walls)
    return {
        "scale": scale,
        "measures": n_measures,
        "kind": "LP" if lp_only else "MIP",
        "repeats": repeats,
        "planner_s": e2e,
        "reference_s": median(reference_walls),
        "ratio": median(wall_ratios),
        "ratio_range": (min(wall_ratios), max(wall_ratios)),
        "analysis_s": median(analysis_walls),
        "plan_ratio": median(plan_ratios),
        "plan_ratio_range": (min(plan_ratios), max(plan_ratios)),
        "v2_features": v2_features,
        "planner_cpu_s": median(planner_cpu),
        "reference_cpu_s": median(reference_cpu),
        "cpu_ratio": median(cpu_ratios),
        "cpu_ratio_range": (min(cpu_ratios), max(cpu_ratios)),
        "build_handoff_share": (planner_phase["build_s"] + planner_phase["handoff_s"]) / e2e,
        "planner_phases_s": planner_phase,
        "reference_phases_s": reference_phase,
        "planner_peak_mib": max(peaks),
        "reference_peak_mib": max(ref_peaks),
        "memory_ratio": max(peaks) / max(ref_peaks),
        "objective": objective,
        "reference_objective": ref_objective,
        "load": (load_before, os.getloadavg()[0]),
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


IMPORTS = {
    "planner": "import planner.cli, planner.pipeline.run, highspy",
    "reference": "import argparse, json, tomllib, numpy, pandas, highspy",
}


def bench_imports(repeats: int = 5) -> dict:
    """Interpreter start plus the imports of `planner run` and of bench/reference.py (median of ``repeats``
    fresh processes each, alternating): the floor both pay before reading a file."""
    walls: dict[str, list[float]] = {name: [] for name in IMPORTS}
    for _ in range(repeats):
        for name, statement in IMPORTS.items():
            walls[name].append(timed_process([PYTHON, "-c", statement], cwd=ROOT)[0])
    return {name: median(values) for name, values in walls.items()}


def compile_bytecode() -> None:
    """Compile planner/ and bench/ to bytecode first, as pip does when it installs a package. Without it a
    machine that sets PYTHONDONTWRITEBYTECODE (this one does) compiles planner's 40 modules from source
    in every process: measured 0.10-0.13 s of each `planner run`, which no user of an installed planner pays."""
    import compileall

    for folder in ("planner", "bench"):
        compileall.compile_dir(str(ROOT / folder), quiet=1)


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
    parser.add_argument("--scales", default="100,1000,10000,10000lp",
                        help="instances: measures, with 'lp' appended for the pure-LP instance")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="scales 100,1000, one repeat, short sweep")
    parser.add_argument("--out", default=str(ROOT / "bench" / "results.md"))
    parser.add_argument("--v2-features", default=",".join(V2_FEATURES),
                        help=f"v2 extensions added to every instance (bench/generate_v2.py: {', '.join(FEATURES)}; "
                             "empty for the v1 instances)")
    parser.add_argument("--uncertainty-samples", type=int, default=1000,
                        help="samples of the Monte Carlo section (100 with --quick; 0 skips it)")
    args = parser.parse_args()
    scales = ["100", "1000"] if args.quick else [s.strip() for s in args.scales.split(",")]
    repeats = 1 if args.quick else args.repeats
    v2_features = tuple(f for f in args.v2_features.split(",") if f)
    unknown = set(v2_features) - set(FEATURES)
    if unknown:
        parser.error(f"unknown --v2-features {sorted(unknown)}; choose from {', '.join(FEATURES)}")
    work = Path(tempfile.mkdtemp(prefix="planner-bench-"))
    compile_bytecode()
    results = []
    for scale in scales:
        print(f"{scale} measures x 10 years ...", flush=True)
        results.append(bench_scale(scale, repeats, work, v2_features))
        r = results[-1]
        print(f"  planner {r['planner_s']:.2f} s, reference {r['reference_s']:.2f} s: wall ratio {r['ratio']:.2f} "
              f"({r['ratio_range'][0]:.2f}-{r['ratio_range'][1]:.2f}), CPU ratio {r['cpu_ratio']:.2f} "
              f"({r['cpu_ratio_range'][0]:.2f}-{r['cpu_ratio_range'][1]:.2f}), peak memory "
              f"{r['planner_peak_mib']:.0f} / {r['reference_peak_mib']:.0f} MiB = {r['memory_ratio']:.2f}; "
              f"load average {r['load'][0]:.1f} -> {r['load'][1]:.1f}", flush=True)
        print(f"  wall ratio including the analysis re-solves {r['ratio']:.2f}; excluding them "
              f"({r['analysis_s']:.2f} s of step_resolves_s + unchosen_s) {r['plan_ratio']:.2f}", flush=True)
        print("  planner phases: " + ", ".join(f"{k} {v:.2f}" for k, v in r["planner_phases_s"].items()), flush=True)
        print("  reference phases: " + ", ".join(f"{k} {v:.2f}" for k, v in r["reference_phases_s"].items()),
              flush=True)

    imports = bench_imports()
    print(f"interpreter start and imports: planner {imports['planner']:.2f} s, reference {imports['reference']:.2f} s",
          flush=True)
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
    write_markdown(Path(args.out), results, default, sweep, sweep_spec, imports)
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


def write_markdown(path: Path, results: list[dict], default: float | None, sweep: dict, sweep_spec: Path,
                   imports: dict | None = None) -> None:
    loads = [x for r in results for x in r["load"]]
    lines = [
        "# Benchmark: planner against raw HiGHS",
        "",
        f"Machine: {machine()}.",
        f"Measured {time.strftime('%Y-%m-%d %H:%M')} with `make bench` (`python bench/run_bench.py`). Every time is a",
        "separate process, interpreter start included; planner and reference alternate, and each ratio is the",
        "median of the ratios of runs made side by side (range in brackets). Instances: `bench/generate.py`,",
        "seed 0, 10 years, every constraint kind present (lifetimes, ramps, first years, integer measures,",
        "exclusive groups, intensity/reduction/cap and deployment targets, yearly budgets); the LP instance is",
        "the same generator without integer measures and groups. "
        + (f"Every instance also carries the v2 extensions {', '.join(results[0]['v2_features'])} "
           "(`bench/generate_v2.py`: figures by year in measure_years.csv, applicability pools, areas with "
           "budgets and targets), which bench/reference.py implements too." if results and results[0]["v2_features"]
           else "The instances carry no v2 extensions."),
        "The reference sets the same HiGHS options as the planner (time limit, MIP gap, `mip_heuristics`).",
        "Both run from compiled bytecode (`planner/` and `bench/` are compiled first, as pip compiles an installed",
        "package; the reference runs as `python -m bench.reference`).",
        "`wall ratio` is the whole `planner run`, including the analysis re-solves (step re-solves for",
        "shadow prices and unchosen.csv's re-solves, phases `step_resolves_s` and `unchosen_s`), which the",
        "reference does not make; `ratio excl. analysis` subtracts those two phases from the planner's wall time.",
        "",
        f"Noise: the machine is shared (2 cores); the 1-minute load average ran from {min(loads):.1f} to "
        f"{max(loads):.1f} during the measurements, so wall times are inflated and vary from run to run. CPU time",
        "(user + system of each process) is less sensitive to the load and is shown beside the wall ratio.",
        "",
        "| instance | planner s | reference s | wall ratio (incl. analysis) | ratio excl. analysis | CPU ratio "
        "(incl. analysis) | peak MiB planner / ref (ratio) | objectives agree (LP 1e-6, MIP mip_gap 1e-4) |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        # An LP's optimum is one number; two MIP searches may stop at different plans within the mip_gap
        # (1e-4 in bench/generate.py), so a MIP pair agrees when the objectives are that close.
        tolerance = 1e-6 if r["kind"] == "LP" else MIP_GAP
        same = abs(r["objective"] - r["reference_objective"]) <= tolerance * max(1.0, abs(r["reference_objective"])) \
            if r["objective"] is not None and r["reference_objective"] is not None else False
        lines.append(
            f"| {r['measures']:,} {r['kind']} ({r['repeats']} pairs) | {r['planner_s']:.2f} | {r['reference_s']:.2f} | "
            f"**{r['ratio']:.2f}** ({r['ratio_range'][0]:.2f}-{r['ratio_range'][1]:.2f}) | "
            f"{r['plan_ratio']:.2f} ({r['plan_ratio_range'][0]:.2f}-{r['plan_ratio_range'][1]:.2f}) | "
            f"**{r['cpu_ratio']:.2f}** ({r['cpu_ratio_range'][0]:.2f}-{r['cpu_ratio_range'][1]:.2f}) | "
            f"{r['planner_peak_mib']:.0f} / {r['reference_peak_mib']:.0f} ({r['memory_ratio']:.2f}) | "
            f"{'yes' if same else 'NO'} |")
    lines += ["", "Planner phases (median s; `planner run` leaves the Pyomo components pending, built on the "
              "first read of `PlanningModel.model`, so there is no Pyomo phase; `screen_s` runs on the second core "
              "during `solve_s`, and so does the making of cost_effectiveness.csv; a MIP's fixed LP (`fixed_lp_s`, "
              "its shadow prices) runs on a second thread while the tables are written, and `duals_s` is what the "
              "run waited for it; `write_s` excludes `duals_s`, `step_resolves_s` and `unchosen_s`; an LP run "
              "formats co_control.csv in a forked child within `write_s`):", "",
              "| instance | " + " | ".join(PHASES) + " |", "|---" * (len(PHASES) + 1) + "|"]
    for r in results:
        lines.append(f"| {r['measures']:,} {r['kind']} | "
                     + " | ".join("-" if r['planner_phases_s'][k] != r['planner_phases_s'][k] else
                                  f"{r['planner_phases_s'][k]:.2f}" for k in PHASES) + " |")
    lines += ["", "Reference phases (median s): " + "; ".join(
        f"{r['measures']:,} {r['kind']}: " + ", ".join(f"{k} {v:.2f}" for k, v in r["reference_phases_s"].items())
        for r in results), ""]
    if imports is not None:
        lines += [f"Interpreter start and imports alone (median of 5 fresh processes): `planner run`'s "
                  f"({IMPORTS['planner']}) {imports['planner']:.2f} s, the reference's ({IMPORTS['reference']}) "
                  f"{imports['reference']:.2f} s: a floor of {imports['planner'] - imports['reference']:+.2f} s "
                  "in every planner time above.", ""]
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

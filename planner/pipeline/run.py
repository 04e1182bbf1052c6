"""One planning run from spec to results folder: read, build, solve, tabulate, write (timed by phase)."""

from __future__ import annotations

import math
import platform
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np

from planner import __version__
from planner.analysis.co_control import co_control_of_run
from planner.analysis.diagnose import Diagnosis, diagnose, screen, screening_lines
from planner.io.inputs import PlanningData, load_data
from planner.model.build import PlanningModel, build_model
from planner.model.options import BuildOptions
from planner.io.forked import ForkedBytes, can_fork
from planner.io.writer import MARKER_KEY, RESULTS_FORMAT, check_writable, csv_bytes, json_bytes, write_results
from planner.analysis.shadow_prices import MAX_STEP_RESOLVES, shadow_prices
from planner.analysis.tables import (YUAN_PER_WAN_YUAN, RunTables, build_tables, cost_effectiveness_table,
                                     with_prices)
from planner.analysis.unchosen import cheapest_to_include, unchosen_table
from planner.io.schema import POLLUTANTS
from planner.solve.background import Background
from planner.solve.deadline import Deadline
from planner.solve.session import Solution, SolverSession, highs_version
from planner.io.spec import ModelSpec, load_spec

Progress = Callable[[str], None]


@dataclass
class RunOutcome:
    spec: ModelSpec
    data: PlanningData
    planning: PlanningModel
    solution: Solution
    session: SolverSession
    tables: RunTables
    summary: dict
    out_dir: Path | None
    timings_s: dict[str, float] = field(default_factory=dict)
    diagnosis: Diagnosis | None = None


def budget_folder_name(budget_wan_yuan: float) -> str:
    """budget-120000 for 120,000 万元 a year: digits only, no separators or exponent (budget-1200.5 if not whole)."""
    value = float(budget_wan_yuan)
    text = str(int(value)) if value.is_integer() else f"{value:.6f}".rstrip("0").rstrip(".")
    return f"budget-{text}"


def default_out_dir(spec: ModelSpec, budget_wan_yuan: float | None = None) -> Path:
    """results/<model>/ for the spec as written, results/<model>/<scenario>/ for a scenario, and
    .../budget-<X>/ below that for a --budget override, so it never replaces the spec's own run."""
    base = Path("results") / spec.name
    base = base / spec.scenario if spec.scenario else base
    return base / budget_folder_name(budget_wan_yuan) if budget_wan_yuan is not None else base


def resolve_out_dir(spec_path: str | Path, scenario: str | None = None,
                    budget_wan_yuan: float | None = None) -> Path:
    """The folder ``run`` writes by default (reads the spec, so a bad spec fails here already)."""
    return default_out_dir(load_spec(spec_path, scenario), budget_wan_yuan)


def run(spec_path: str | Path, out_dir: Path | None = None, budget_wan_yuan: float | None = None,
        progress: Progress | None = None, write: bool = True, scenario: str | None = None,
        replan_from: int | None = None, unchosen: bool = True) -> RunOutcome:
    """Solve the model of ``spec_path`` and write its results folder (unless ``write`` is False).

    ``replan_from`` (``--replan-from``) overrides the spec's [model] replan_from."""
    say = progress or (lambda message: None)
    clock = time.perf_counter()
    timings: dict[str, float] = {}
    deadline: Deadline | None = None  # set once the spec says the time limit; counted from here

    spec = load_spec(spec_path, scenario)
    if budget_wan_yuan is not None:
        spec = spec.with_budget(budget_wan_yuan)
    if replan_from is not None:
        spec = spec.with_replan_from(replan_from)
    deadline = Deadline(spec.solver.time_limit_s, started=clock)
    out_dir = out_dir if out_dir is not None else default_out_dir(spec, budget_wan_yuan)
    if write:
        check_writable(out_dir)
    say(f"reading {spec.inputs_dir}")
    data = load_data(spec)
    for warning in data.warnings:
        say(f"warning: {warning}")
    timings["read_validate_s"] = time.perf_counter() - clock

    tic = time.perf_counter()
    say(f"building the model: {len(data.measures)} measures x {len(spec.years)} years")
    planning = build_model(data, BuildOptions.from_spec(spec), defer_pyomo=True)
    timings["build_s"] = time.perf_counter() - tic

    say("solving with HiGHS")
    # HiGHS gets the arrays. The Pyomo components (a faithful view of the same arrays, checked by
    # tests/test_compile.py) stay pending: nothing in a run reads them, so they are built on the first
    # read of ``planning.model`` (measured at 10,000 LP measures: 0.5 s of CPU and 76 MiB of peak memory
    # saved; on the second thread they competed with HiGHS whenever the machine was loaded).
    session = SolverSession(planning, spec.solver, deadline)
    # While HiGHS solves on this thread (it releases the GIL), the second core makes what does not depend
    # on the solution: the screening (what no budget can reach, said as soon as it is known) and
    # cost_effectiveness.csv (the measures' levelised costs) with its CSV text. screen_s is the
    # screening's own time on that thread.
    screening_work = Background(_screening, data, say)
    static = Background(_static_files, planning, write)
    solution = session.solve(progress)
    timings.update(solution.timings_s)
    screening = screening_work.result()
    timings["screen_s"] = screening_work.elapsed_s
    cost_effectiveness, ready_files = static.result()

    diagnosis = None
    if solution.status == "infeasible" and not planning.options.elastic:
        say("diagnosing why the targets cannot be met")
        tic = time.perf_counter()
        diagnosis = diagnose(data, session, screening)
        timings["diagnose_s"] = time.perf_counter() - tic

    tic = time.perf_counter()
    # A MIP's fixed LP (its duals are the shadow prices) solves on the second core while the tables that
    # need no prices are made and written to CSV text (``meanwhile``).
    meanwhile = (lambda unpriced: ready_files.update(unpriced_files(unpriced, fork=not session.is_mip))) \
        if write else None
    tables, summary = tabulate(spec, data, planning, solution, session, timings, diagnosis, unchosen=unchosen,
                               cost_effectiveness=cost_effectiveness, meanwhile=meanwhile)
    summary["screening"] = {"unreachable_targets": screening[0], "budget_bound_targets": screening[1]}
    if write:
        say(f"writing {out_dir}")
        # write_s: result tables and their CSV text; the phases taken inside tabulate (duals_s, and the
        # analysis re-solves step_resolves_s and unchosen_s) are apart, so no second counts twice. The
        # last step, files to disk and the rename into place, comes after summary.json is made.
        files = result_files(tables, summary, ready_files)
        timings["write_s"] = (time.perf_counter() - tic - timings.get("duals_s", 0.0)
                              - timings.get("step_resolves_s", 0.0) - timings.get("unchosen_s", 0.0))
        timings["total_s"] = time.perf_counter() - clock
        summary["timings_s"] = {k: round(v, 4) for k, v in timings.items()}
        files["summary.json"] = json_bytes(summary)
        write_results(out_dir, files)
    return RunOutcome(spec, data, planning, solution, session, tables, summary,
                      out_dir if write else None, timings, diagnosis)


def tabulate(spec: ModelSpec, data: PlanningData, planning: PlanningModel, solution: Solution,
             session: SolverSession, timings: dict[str, float],
             diagnosis: Diagnosis | None = None,
             max_step_resolves: int = MAX_STEP_RESOLVES, unchosen: bool = False,
             cost_effectiveness=None, meanwhile: Callable[[RunTables], None] | None = None) -> tuple[RunTables, dict]:
    """Result tables (with shadow prices) and the summary record of one solve; ``unchosen`` adds
    unchosen.csv (one re-solve per unchosen measure: `planner run` only).

    A MIP's fixed LP is started on a second thread first (``SolverSession.prefetch_shadow_prices``);
    the tables are built without prices meanwhile, handed to ``meanwhile`` if given (which may write
    the ones that need no prices), and then priced. ``cost_effectiveness``: that table if made already."""
    session.prefetch_shadow_prices(solution)
    unpriced = build_tables(planning, solution, cost_effectiveness=cost_effectiveness)
    if meanwhile is not None:
        meanwhile(unpriced)
    tic = time.perf_counter()
    shadow = shadow_prices(planning, solution, session, max_step_resolves)
    # duals_s: the LP (or fixed-LP) duals, as far as this thread waited for them (fixed_lp_s: the fixed
    # LP's own solve, on its thread); step_resolves_s: the bounded step re-solves apart from it.
    timings["step_resolves_s"] = shadow.step_resolve_s
    timings["duals_s"] = time.perf_counter() - tic - shadow.step_resolve_s
    if "fixed_lp_s" in getattr(session, "timings_s", {}):
        timings["fixed_lp_s"] = session.timings_s["fixed_lp_s"]
    tables = with_prices(unpriced, planning, solution, shadow)
    if unchosen:
        tic = time.perf_counter()
        tables.unchosen = unchosen_table(planning, solution, session, shadow, tables.cost_effectiveness)
        timings["unchosen_s"] = time.perf_counter() - tic
    summary = summary_record(spec, data, planning, solution, tables, timings)
    summary["shadow_prices_from"] = (None if not shadow.source else
                                     "LP duals" if shadow.source == "lp" else
                                     "duals of the LP with the integer choices fixed (MIP run), and step "
                                     "re-solves where whole units meet a row exactly; targets.csv "
                                     "shadow_price_basis says which for each row")
    summary["budget_shadow_prices"] = shadow.budget_record()
    summary["unchosen"] = (None if tables.unchosen is None else
                           {"measures": int(len(tables.unchosen)),
                            "cheapest_to_include": [{"measure": m, "name": n, "cost_to_include_wan_yuan": c}
                                                    for m, n, c in cheapest_to_include(tables.unchosen)]})
    summary["step_resolves"] = shadow.step_resolves
    if shadow.notes:
        summary["shadow_price_notes"] = shadow.notes
    if diagnosis is not None:
        summary["diagnosis"] = diagnosis.to_record()
    return tables, summary


def _screening(data: PlanningData, say: Progress) -> tuple[list[dict], list[dict]]:
    """``screen`` of the data, each finding said (``planner.analysis.diagnose``)."""
    screening = screen(data)
    for line in screening_lines(*screening):
        say(f"screening: cannot be met: {line}")
    return screening


def _static_files(planning: PlanningModel, write: bool) -> tuple:
    """(cost_effectiveness.csv's table, {file name: bytes} of it when ``write``): what needs no solution."""
    table = cost_effectiveness_table(planning)
    return table, ({"cost_effectiveness.csv": csv_bytes(table)} if write else {})


# The CSV files of a run folder, in the order they are written, and those no shadow price enters.
RESULT_TABLES = ("plan", "emissions", "targets", "cost_effectiveness", "co_control", "pools", "indicators", "areas",
                 "unchosen")
UNPRICED_TABLES = ("plan", "emissions", "co_control", "indicators", "areas")


def _table_bytes(tables: RunTables, name: str) -> bytes | None:
    """``name``.csv of a run (co_control.csv is derived from the others); None when the run has no such table."""
    if name == "co_control":
        return csv_bytes(co_control_of_run(tables))
    table = getattr(tables, name)
    return None if table is None else csv_bytes(table)


def unpriced_files(tables: RunTables, fork: bool = False) -> dict:
    """The files of a run folder that no shadow price enters (from the tables before ``with_prices``).

    ``fork``: co_control.csv, the largest, is made in a forked child (``planner.io.forked``) while this
    process goes on; its entry is then a ``ForkedBytes`` that ``result_files`` collects. An LP run forks
    (its second core is idle once HiGHS is done); a MIP's second core is solving the fixed LP."""
    files = {}
    for name in UNPRICED_TABLES:
        if name == "co_control" and fork and can_fork():
            files["co_control.csv"] = ForkedBytes(_table_bytes, tables, name)
        elif (content := _table_bytes(tables, name)) is not None:
            files[f"{name}.csv"] = content
    return files


def result_files(tables: RunTables, summary: dict, ready: dict | None = None) -> dict[str, bytes]:
    """The files of one run folder, by name (pools, indicators and areas only when the data has them);
    ``ready``: files already made (``unpriced_files`` of the same run, cost_effectiveness.csv), bytes or
    ``ForkedBytes`` being made."""
    ready = ready or {}
    files = {}
    for name in RESULT_TABLES:
        done = ready.get(f"{name}.csv")
        content = (done.result() if isinstance(done, ForkedBytes) else done) if done is not None \
            else _table_bytes(tables, name)
        if content is not None:
            files[f"{name}.csv"] = content
    files["summary.json"] = json_bytes(summary)
    return files


def versions() -> dict[str, str]:
    """The versions of the planner and of what it runs on (Pyomo's from its package metadata: a run does
    not import Pyomo, see planner.model.build)."""
    from importlib.metadata import version

    import numpy
    import pandas

    return {
        "planner": __version__,
        "pyomo": version("pyomo"),
        "highs": highs_version(),
        "pandas": pandas.__version__,
        "numpy": numpy.__version__,
        "python": platform.python_version(),
    }


def _finite(value: float) -> float | None:
    return value if math.isfinite(value) else None


def _cost_split(planning: PlanningModel, solution: Solution, tables: RunTables) -> dict:
    """Objective = cost + penalty, where penalty = sum_k cap_k s_k over the missed rows of an elastic
    run (caps in 元, converted to 万元). Shortfalls are never summed across rows: they are in
    different units (t of each pollutant, units of each tag); ``targets_missed`` counts the rows."""
    caps = planning.price_caps
    penalty = 0.0
    if caps is not None and solution.target_shortfall_t is not None:
        penalty = (float(caps.target_yuan_per_t @ solution.target_shortfall_t)
                   + float(caps.deployment_yuan_per_unit @ solution.deployment_shortfall_units)) / YUAN_PER_WAN_YUAN
    objective = solution.objective_wan_yuan
    has_plan = solution.units_active is not None
    return {
        "cost_wan_yuan": None if objective is None else objective - penalty,
        "penalty_wan_yuan": penalty if has_plan else None,
        "targets_missed": int((~tables.targets["met"].astype(bool)).sum()) if has_plan else None,
        "targets_total": int(len(tables.targets)),
    }


# "The last years" of capex_in_last_3_years_share.
LAST_YEARS = 3


def end_of_horizon_shares(planning: PlanningModel, solution: Solution) -> dict:
    """What the end of the horizon leaves out (docs/model.md, End of horizon), capex-weighted:

    - ``capex_in_last_3_years_share``: capex of units added in the last 3 model years / all capex;
    - ``asset_life_inside_horizon_share``: sum c x min(L, t_end - tau + 1) / L  /  sum c x, the share
      of the chosen assets' lives that the objective covers under the annuity rule.
    None when nothing is invested."""
    if solution.units_added is None:
        return {"capex_in_last_3_years_share": None, "asset_life_inside_horizon_share": None}
    capex = solution.units_added * planning.data.extensions.capex_wan_yuan  # (measures, years) 万元
    total = float(capex.sum())
    if total <= 0:
        return {"capex_in_last_3_years_share": None, "asset_life_inside_horizon_share": None}
    n_years = len(planning.years)
    life = planning.data.measures.lifetime_yr.astype(float)[:, None]
    years_left = (n_years - np.arange(n_years))[None, :].astype(float)
    inside = np.minimum(life, years_left) / life
    return {"capex_in_last_3_years_share": float(capex[:, -LAST_YEARS:].sum()) / total,
            "asset_life_inside_horizon_share": float((capex * inside).sum()) / total}


def summary_record(spec: ModelSpec, data: PlanningData, planning: PlanningModel, solution: Solution,
                   tables: RunTables, timings: dict[str, float]) -> dict:
    """The contents of summary.json: status, objective, totals, targets, solver, versions, hashes."""
    plan, targets = tables.plan, tables.targets
    target_years = sorted({int(y) for y in targets["year"]}) if len(targets) else []
    abated = tables.by_year.set_index("year")
    return {
        MARKER_KEY: RESULTS_FORMAT,
        "status": solution.status,
        "objective": solution.objective_wan_yuan,
        "objective_unit": "万元: the solver's objective, the present value of equivalent annual cost discounted "
                          "to start_year, plus in an elastic run the penalty on shortfalls (cost_wan_yuan and "
                          "penalty_wan_yuan apart)",
        "proven_optimal": solution.proven_optimal,
        "target_mode": spec.target_mode,
        **_cost_split(planning, solution, tables),
        "price_caps": planning.price_caps.records(data) if planning.price_caps is not None else None,
        "end_effects": spec.end_effects,
        **end_of_horizon_shares(planning, solution),
        "model": spec.name,
        "scenario": spec.scenario,
        "scenario_description": spec.scenario_description,
        "spec_file": str(spec.path.resolve()),
        "inputs_dir": str(spec.inputs_dir),
        "horizon": {"base_year": spec.base_year, "start_year": spec.start_year, "end_year": spec.end_year},
        "discount_rate": spec.discount_rate,
        "budget_wan_yuan_by_year": {str(y): _finite(b) for y, b in spec.budget_wan_yuan_by_year.items()},
        "budget_total_wan_yuan": _finite(spec.budget_total_wan_yuan),
        "targets_met": bool(targets.loc[targets["enforced"], "met"].all()) if solution.units_active is not None
        else False,
        "targets": [
            {"year": int(r.year), "kind": r.kind, "subject": r.subject, "area": r.area, "value": float(r.value),
             "quantity_unit": r.quantity_unit,
             "required": float(r.required), "achieved": float(r.achieved), "shortfall": float(r.shortfall),
             "met": bool(r.met), "enforced": bool(r.enforced)}
            for r in targets.itertuples()
        ] if solution.units_active is not None else [],
        "prices": {"electricity_yuan_per_kwh": spec.electricity_yuan_per_kwh,
                   "gas_yuan_per_m3": spec.gas_yuan_per_m3},
        "replan_from": spec.replan_from,
        "actuals_sha256": data.input_sha256.get("actuals.csv") if spec.replan_from is not None else None,
        "totals": {
            "capex_wan_yuan": float(plan["capex_wan_yuan"].sum()),
            "opex_wan_yuan": float(plan["opex_wan_yuan"].sum()),
            "energy_value_wan_yuan": (float(plan["energy_value_wan_yuan"].sum())
                                      if "energy_value_wan_yuan" in plan else 0.0),
            "measures_chosen": int(plan.loc[plan["added"] > 0, "measure"].nunique()),
            "abated_t_in_target_years": {
                p: {str(y): float(abated.loc[y, f"{p}_abated_t"]) for y in target_years} for p in POLLUTANTS
            },
        },
        "solver": {
            "name": "HiGHS",
            "model_status": solution.solver_status,
            "is_mip": solution.is_mip,
            "mip_gap": solution.mip_gap,
            "mip_gap_reached": solution.mip_gap,
            "time_limit_s": spec.solver.time_limit_s,
            "mip_gap_setting": spec.solver.mip_gap,
        },
        "message": solution.message,
        "warnings": data.warnings,
        "versions": versions(),
        "inputs_sha256": dict(sorted(data.input_sha256.items())),
        "timings_s": {k: round(v, 4) for k, v in timings.items()},
    }

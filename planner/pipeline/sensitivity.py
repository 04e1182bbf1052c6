"""`planner sensitivity`: one figure at a time at (1 - range) and (1 + range), warm re-solves of the built model.

Parameters: each chosen measure's capex, opex and abatement (every pollutant together); the capex
of the ten unchosen measures that are cheapest to include (the objective increase when one unit
must be active, each found by one re-solve); the growth of each intensity target's denominator
(GDP, or an indicator's baseline column such as industry value added) and of each BAU a cap, intensity
or non-increasing target depends on (growth since the base year scaled, as in uncertainty.csv);
each energy price the spec sets; the discount rate. For each side:
the objective of the strict re-solve, or, where that is infeasible, of an elastic re-solve that
says which targets stop being met. ``tornado.csv`` is sorted by swing = |objective_high -
objective_low|.

Economics fixes some signs (the tests check them): a dearer chosen measure never lowers the
optimum, a cheaper one never raises it; more abatement per unit never raises it; faster growth of
an intensity target's denominator never raises it (the target allows more); faster BAU growth of a
rising series never lowers it; a dearer electricity or gas never raises it where every measure saves it.
"""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path
from typing import Callable

import numpy as np
import pandas as pd

from planner.io.writer import MARKER_KEY, RESULTS_FORMAT, json_bytes
from planner.model.sampler import SampleFigures, required_for, sample_figures, subject_column, with_growth
from planner.pipeline.alternatives import central_worker
from planner.pipeline.ensemble import MET_REL_TOL
from planner.pipeline.uncertainty import BadOption, fixed_csv_bytes, target_label

# The unchosen measures whose capex is varied: the cheapest to include.
UNCHOSEN_TO_VARY = 10
# A progress line at most this often.
PROGRESS_EVERY_S = 5.0


def check_options(range_: float) -> None:
    if not 0 < range_ < 1:
        raise BadOption(f"--range {range_:g}: give a fraction in (0, 1), e.g. 0.2 for -20 % and +20 %")


def sensitivity(spec_path: str | Path, range_: float = 0.2, scenario: str | None = None,
                progress: Callable[[str], None] | None = None) -> dict:
    """``progress`` hears a line now and then (every PROGRESS_EVERY_S) with the parameters done."""
    check_options(range_)
    say = progress or (lambda message: None)
    clock = time.perf_counter()
    worker = central_worker(spec_path, scenario)
    data = worker.payload.data
    measures = data.measures
    editor = worker.editor
    central = worker.central
    optimum = central.objective_wan_yuan
    base = sample_figures(data, worker.payload.uncertainty, None)
    central_chosen = frozenset(np.flatnonzero(central.units_added.sum(axis=1) > 0))
    labels = [target_label(t) for t in data.targets]
    solves = 0

    def solve(figures: SampleFigures) -> dict:
        nonlocal solves
        status, solution = worker.solve_figures(figures)
        solves += 1 + (status != "optimal")
        missed = []
        if status == "elastic" and solution.target_shortfall_t is not None:
            required = figures.required_abatement_t
            missed = [labels[k] for k, short in enumerate(solution.target_shortfall_t)
                      if short > MET_REL_TOL * max(1.0, abs(required[k]))]
        chosen = (frozenset(np.flatnonzero(solution.units_added.sum(axis=1) > 0))
                  if solution.units_added is not None else frozenset())
        return {"status": status, "objective": solution.objective_wan_yuan, "chosen": chosen, "missed": missed}

    # The unchosen measures cheapest to include: objective increase with one unit forced active.
    inclusion = []
    for i in range(len(measures)):
        if i in central_chosen:
            continue
        columns = editor.measure_columns(i)
        row = editor.add_row(columns, np.ones(len(columns)), min(1.0, float(measures.potential[i])), np.inf)
        editor.restart(worker.time_limit_s)
        solution = worker.session.solve()
        solves += 1
        editor.delete_rows(np.array([row], dtype=np.int32))
        if solution.status == "optimal":
            inclusion.append((solution.objective_wan_yuan - optimum, measures.ids[i], i))
    inclusion.sort()
    cheapest_unchosen = [i for _, _, i in inclusion[:UNCHOSEN_TO_VARY]]
    inclusion_cost = {i: cost for cost, _, i in inclusion}

    parameters: list[tuple[str, float, callable]] = []
    ext = data.extensions
    for i in sorted(central_chosen):
        parameters.append((f"capex:{measures.ids[i]}", float(ext.capex_wan_yuan[i, 0]),
                           lambda f, i=i: base.with_measure("capex", i, f)))
        parameters.append((f"opex:{measures.ids[i]}", float(ext.opex_wan_yuan_per_yr[i, 0]),
                           lambda f, i=i: base.with_measure("opex", i, f)))
        parameters.append((f"abatement:{measures.ids[i]}", 1.0, lambda f, i=i: base.with_measure("rate", i, f)))
    for i in cheapest_unchosen:
        parameters.append((f"capex:{measures.ids[i]}", float(ext.capex_wan_yuan[i, 0]),
                           lambda f, i=i: base.with_measure("capex", i, f)))

    def requirement(column: str, factor: float) -> SampleFigures:
        return dataclasses.replace(base, required_abatement_t=required_for(with_growth(data, {column: factor})))

    # The denominators of intensity targets: GDP, or an indicator's own baseline column.
    denominators = []
    for t in data.targets:
        if t.kind == "intensity_reduction":
            indicator = ext.indicator(t.pollutant)
            column = indicator.denominator if indicator is not None and indicator.denominator else "gdp_yi_yuan"
            if column not in denominators:
                denominators.append(column)
    for column in sorted(denominators, key=lambda c: (c != "gdp_yi_yuan", c)):
        name = "growth:gdp" if column == "gdp_yi_yuan" else f"growth:baseline:{column}"
        parameters.append((name, 1.0, lambda f, column=column: requirement(column, f)))
    for subject in data.subjects:
        if any(t.pollutant == subject and t.kind in ("intensity_reduction", "cap", "non_increasing")
               for t in data.targets):
            column = subject_column(subject)
            parameters.append((f"growth:bau:{subject}", 1.0, lambda f, column=column: requirement(column, f)))
    spec = data.spec
    for carrier, price in (("electricity", spec.electricity_yuan_per_kwh), ("gas", spec.gas_yuan_per_m3)):
        if price > 0:
            parameters.append((f"price:{carrier}", float(price),
                               lambda f, carrier=carrier: dataclasses.replace(base, **{carrier: f})))

    rows = []
    said = time.perf_counter()
    say(f"sensitivity: {len(parameters) + 1} parameters x 2 re-solves")
    for done, (name, central_value, make) in enumerate(parameters, start=1):
        low, high = solve(make(1 - range_)), solve(make(1 + range_))
        rows.append(_row(name, central_value, range_, low, high, central_chosen, measures.ids))
        if time.perf_counter() - said >= PROGRESS_EVERY_S:
            said = time.perf_counter()
            say(f"sensitivity: {done} of {len(parameters) + 1} parameters ({time.perf_counter() - clock:.0f} s)")
    worker.solve_figures(base)  # back to the central figures
    rate = data.spec.discount_rate
    if rate > 0:
        sides = []
        for factor in (1 - range_, 1 + range_):
            editor.set_discount_rate(rate * factor)
            sides.append(solve(base))
        editor.set_discount_rate(rate)
        worker.solve_figures(base)
        rows.append(_row("discount_rate", rate, range_, sides[0], sides[1], central_chosen, measures.ids))
    table = pd.DataFrame(rows)
    if len(table):
        table = table.sort_values(["swing_wan_yuan", "parameter"], ascending=[False, True], kind="stable",
                                  na_position="first").reset_index(drop=True)
    inclusion_table = pd.DataFrame([{"measure": m, "inclusion_cost_wan_yuan": cost} for cost, m, _ in inclusion],
                                   columns=["measure", "inclusion_cost_wan_yuan"])
    record = {
        MARKER_KEY: RESULTS_FORMAT, "kind": "sensitivity", "model": data.spec.name, "scenario": data.spec.scenario,
        "range": range_, "optimum_wan_yuan": optimum, "parameters": len(table), "solves": solves,
        "unchosen_varied": [measures.ids[i] for i in cheapest_unchosen],
        "names": data.display_names(),
        "wall_s": round(time.perf_counter() - clock, 4),
        "inputs_sha256": dict(sorted(data.input_sha256.items())),
    }
    files = {"tornado.csv": fixed_csv_bytes(table), "inclusion_cost.csv": fixed_csv_bytes(inclusion_table),
             "summary.json": json_bytes(record)}
    return {"table": table, "record": record, "files": files, "inclusion_cost": inclusion_cost}


def _row(name: str, central_value: float, range_: float, low: dict, high: dict, central_chosen, ids) -> dict:
    def objective(side: dict) -> float:
        return float(side["objective"]) if side["objective"] is not None else float("nan")

    o_low, o_high = objective(low), objective(high)
    changes = low["chosen"] != central_chosen or high["chosen"] != central_chosen
    return {
        "parameter": name, "central_value": central_value, "factor_low": 1 - range_, "factor_high": 1 + range_,
        "objective_low": o_low, "objective_high": o_high, "swing_wan_yuan": abs(o_high - o_low),
        "status_low": low["status"], "status_high": high["status"],
        "portfolio_changes": bool(changes),
        "targets_missed_low": ";".join(low["missed"]), "targets_missed_high": ";".join(high["missed"]),
    }

"""`planner sweep --parameter NAME=...`: one more figure besides the budget, swept on the same built model.

NAME is one of ``discount_rate``, ``targets_scale``, ``capex:<measure>`` (万元 per unit),
``opex:<measure>`` (万元 per unit per year), ``price:electricity`` (元/kWh) or ``price:gas`` (元/m³),
and takes the values ``START:STOP:STEP`` (STOP included within 1e-9 relative) or ``v1,v2,...``.
Every (budget, value) point is a re-solve of one elastic model: the budget rows by
``SolverSession.set_budget``, the figure by ``ModelEditor`` (costs, coefficients, right-hand
sides in HiGHS), so nothing is rebuilt. The point's run folder is tabulated with the figure in
place (spec, measures and requirements changed accordingly).
"""

from __future__ import annotations

import dataclasses
import math
import time
from pathlib import Path
from typing import Callable

import numpy as np
import pandas as pd

from planner.io.inputs import Target, scaled_target_value
from planner.io.writer import MARKER_KEY, RESULTS_FORMAT, csv_bytes, json_bytes
from planner.model.finance import capital_recovery_factor, discount_factors
from planner.model.sampler import SampleFigures, required_for
from planner.pipeline.sweep import MAX_POINTS, BadRange, SweepOutcome, SweepWorker
from planner.solve.edits import ModelEditor

NAMES = ("discount_rate", "targets_scale", "capex:<measure>", "opex:<measure>", "price:electricity", "price:gas")
# STOP counts as on the grid within this relative tolerance.
STOP_REL_TOL = 1e-9


def parse_values(text: str, option: str) -> list[float]:
    """``START:STOP:STEP`` (STOP included within 1e-9 relative) or ``v1,v2,...``, in the order given."""
    try:
        if ":" in text:
            start, stop, step = (float(part.replace("_", "")) for part in text.split(":"))
            if not all(math.isfinite(v) for v in (start, stop, step)) or step <= 0 or stop < start:
                raise BadRange(f"{option} {text!r}: need START <= STOP and STEP > 0")
            count = int(math.floor((stop - start) / step * (1 + STOP_REL_TOL) + STOP_REL_TOL)) + 1
            if count > MAX_POINTS:
                raise BadRange(f"{option} {text!r} gives {count} points; at most {MAX_POINTS}. Use a larger STEP")
            return [round(start + i * step, 12) for i in range(count)]
        values = [float(part.replace("_", "")) for part in text.split(",") if part.strip()]
    except ValueError:
        raise BadRange(f"{option} {text!r} must be START:STOP:STEP or v1,v2,... (numbers)") from None
    if not values or not all(math.isfinite(v) for v in values):
        raise BadRange(f"{option} {text!r}: give at least one finite number")
    if len(values) > MAX_POINTS:
        raise BadRange(f"{option} {text!r} gives {len(values)} points; at most {MAX_POINTS}")
    return list(dict.fromkeys(values))


def parse_parameter(text: str) -> tuple[str, list[float]]:
    name, sep, values = text.partition("=")
    name = name.strip()
    kind, _, measure = name.partition(":")
    if not sep or not (name in ("discount_rate", "targets_scale", "price:electricity", "price:gas")
                       or (kind in ("capex", "opex") and measure)):
        raise BadRange(f"--parameter {text!r}: write NAME=START:STOP:STEP or NAME=v1,v2 with NAME one of "
                       f"{', '.join(NAMES)}")
    return name, parse_values(values.strip(), f"--parameter {name}")


class ParameterPoint:
    """Set one figure on a SweepWorker's model and data."""

    def __init__(self, worker: SweepWorker, name: str):
        self.worker = worker
        self.name = name
        self.editor = ModelEditor(worker.session)
        self.data0, self.planning0, self.spec0 = worker.data, worker.planning, worker.spec
        data = self.data0
        n = len(data.measures)
        self.central = SampleFigures(np.ones(n), np.ones(n), np.ones((n, len(data.subjects))), 1.0, 1.0,
                                     required_for(data))
        kind, _, measure = name.partition(":")
        self.kind = kind if kind in ("capex", "opex", "price") else name
        self.measure = None
        problem = None
        if kind in ("capex", "opex"):
            if measure not in data.measures.ids:
                problem = f"unknown measure {measure!r} in --parameter {name}; use an id from measures.csv"
            else:
                self.measure = data.measures.ids.index(measure)
                field = data.extensions.capex_wan_yuan if kind == "capex" else data.extensions.opex_wan_yuan_per_yr
                self.base_value = float(field[self.measure, 0])
                if self.base_value == 0:
                    problem = (f"{name} is 0 in the data; the sweep scales the built model's figure, so give the "
                               "measure a non-zero value in measures.csv first")
        elif kind == "price":
            self.base_value = float(self.spec0.electricity_yuan_per_kwh if measure == "electricity"
                                    else self.spec0.gas_yuan_per_m3)
            self.carrier = measure
            if self.base_value == 0:
                problem = f"{name}: the spec's [prices] sets no {measure} price; set one to sweep it"
        if problem:
            raise BadRange(problem)

    def set(self, value: float) -> None:
        """Put the figure at ``value`` in HiGHS and in the worker's data (for the point's tables)."""
        worker, data, planning, spec = self.worker, self.data0, self.planning0, self.spec0
        editor = self.editor
        figures = self.central
        editor.set_discount_rate(spec.discount_rate)
        if self.kind == "discount_rate":
            if not 0 <= value < 1:
                raise BadRange(f"--parameter discount_rate={value:g}: a discount rate is in [0, 1)")
            editor.set_discount_rate(value)
            spec = dataclasses.replace(spec, discount_rate=value)
            crf = capital_recovery_factor(value, data.measures.lifetime_yr)
            planning = dataclasses.replace(
                planning, crf=crf, discount_factor=discount_factors(value, planning.years, spec.start_year),
                annual_cost_wan_yuan_per_unit=data.extensions.capex_wan_yuan[:, 0] * crf
                + data.extensions.opex_effective_wan_yuan_per_yr[:, 0])
        elif self.kind == "targets_scale":
            targets = [_scaled_target(t, value, data) for t in data.targets]
            data = dataclasses.replace(data, targets=targets)
            required = required_for(data)
            figures = dataclasses.replace(figures, required_abatement_t=required)
            planning = dataclasses.replace(planning, data=data, required_abatement_t=list(required))
        elif self.kind in ("capex", "opex"):
            factor = value / self.base_value
            figures = figures.with_measure(self.kind, self.measure, factor)
            ext = data.extensions
            field = "capex_wan_yuan" if self.kind == "capex" else "opex_wan_yuan_per_yr"
            scaled = getattr(ext, field).copy()
            scaled[self.measure] *= factor
            column = getattr(data.measures, field).copy()
            column[self.measure] *= factor
            data = dataclasses.replace(data, measures=dataclasses.replace(data.measures, **{field: column}),
                                       extensions=dataclasses.replace(ext, **{field: scaled}))
            planning = dataclasses.replace(planning, data=data)
        else:  # price
            factor = value / self.base_value
            figures = dataclasses.replace(figures, **{self.carrier: factor})
            key = "electricity_yuan_per_kwh" if self.carrier == "electricity" else "gas_yuan_per_m3"
            spec = dataclasses.replace(spec, **{key: value})
            from planner.io.extensions import energy_value_wan_yuan_per_yr

            ext = dataclasses.replace(data.extensions,
                                      energy_value_wan_yuan_per_yr=energy_value_wan_yuan_per_yr(data.measures, spec))
            data = dataclasses.replace(data, spec=spec, extensions=ext)
            planning = dataclasses.replace(planning, data=data)
        editor.apply(figures)
        worker.spec = dataclasses.replace(spec, budget_wan_yuan_by_year=worker.spec.budget_wan_yuan_by_year,
                                          budget_total_wan_yuan=worker.spec.budget_total_wan_yuan)
        worker.data = dataclasses.replace(data, spec=worker.spec)
        worker.planning = dataclasses.replace(planning, data=worker.data)


def _scaled_target(target: Target, scale: float, data) -> Target:
    """targets_scale on ambition, as a scenario applies it (``planner.io.inputs.scaled_target_value``)."""
    bau_t = data.extensions.bau(target.pollutant, target.area)[target.year] if target.kind == "cap" else math.nan
    value = scaled_target_value(target, scale, bau_t)
    if target.kind == "intensity_reduction" and value >= 1:
        raise BadRange(f"--parameter targets_scale={scale:g} makes {target.label} a cut of {100 * value:g} %")
    return dataclasses.replace(target, value=value)


def point_folder(name: str, value: float, budget: float | None) -> str:
    slug = name.replace(":", "-")
    text = f"{value:.10g}"
    return f"{slug}={text}" + (f"_budget-{budget:.10g}" if budget is not None else "")


def parameter_sweep(spec_path: str | Path, budgets: list[float] | None, parameter: str, scenario: str | None = None,
                    on_point: Callable[[object], None] | None = None) -> SweepOutcome:
    """Solve every (budget, value) point on one built model; budgets None = the spec's own yearly budget.

    Each value is set once and its budgets swept in increasing order (warm re-solves)."""
    clock = time.perf_counter()
    name, values = parse_parameter(parameter)
    tick = on_point or (lambda point: None)
    from planner.io.spec import load_spec

    base_spec = load_spec(spec_path, scenario)
    if not budgets:  # the spec's own yearly budget, when it is one figure for every year
        yearly = set(base_spec.budget_wan_yuan_by_year.values())
        if len(yearly) != 1:
            raise BadRange("this spec's budget differs by year; give --budget with the yearly budgets to sweep")
        budgets = [yearly.pop()]
    worker = SweepWorker(str(spec_path), scenario, 0.0)  # budget rows in every year, set per point
    setter = ParameterPoint(worker, name)
    rows, chosen, files = [], [], {}
    for value in values:
        setter.set(value)
        for budget in budgets:
            result = worker.solve_point(budget)
            folder = point_folder(name, value, budget if len(budgets) > 1 else None)
            rows.append({"parameter": name, "value": value, **result.row, "run_folder": f"points/{folder}"})
            chosen.append(result.chosen)
            for file, content in result.files.items():
                files[f"points/{folder}/{file}"] = content
            tick(value)
    table = pd.DataFrame(rows)
    no_regret = sorted(set.intersection(*chosen)) if chosen else []
    names = dict(zip(worker.data.measures.ids, worker.data.measures.names))
    files["sweep.csv"] = csv_bytes(table)
    files["no_regret.csv"] = csv_bytes(pd.DataFrame({"measure": no_regret, "name": [names.get(m, "") for m in no_regret]}))
    files["summary.json"] = json_bytes({
        MARKER_KEY: RESULTS_FORMAT, "kind": "sweep", "model": base_spec.name, "scenario": base_spec.scenario,
        "spec_file": str(Path(spec_path).resolve()), "parameter": name, "values": values,
        "budgets_wan_yuan": budgets, "target_mode": "elastic",
        "points_meeting_all_targets": int(table["targets_met"].sum()) if len(table) else 0,
        "no_regret_core": no_regret, "jobs": 1,
    })
    return SweepOutcome(base_spec, table, no_regret, files, {"total_s": time.perf_counter() - clock})

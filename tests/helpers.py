"""Write small data sets to the contract for tests, and solve them without touching the disk twice."""

from __future__ import annotations

import csv
from pathlib import Path

from planner.io.inputs import load_data
from planner.model.build import build_model
from planner.model.options import BuildOptions
from planner.analysis.tables import build_tables
from planner.io.schema import POLLUTANTS
from planner.solve.session import solve_model
from planner.io.spec import load_spec

MEASURE_DEFAULTS = {
    "name": "措施", "sector": "energy", "unit": "unit", "capex_wan_yuan": 10, "opex_wan_yuan_per_yr": 0,
    "lifetime_yr": 10, "potential": 10,
}


def write_csv(path: Path, rows: list[dict], header: list[str] | None = None) -> None:
    header = header or list(dict.fromkeys(key for row in rows for key in row))
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=header)
        writer.writeheader()
        for row in rows:
            writer.writerow(row)


def write_dataset(folder: Path, measures: list[dict], targets: list[dict] | None = None,
                  deployment: list[dict] | None = None, baseline: list[dict] | None = None,
                  start_year: int = 2021, end_year: int = 2023, base_year: int = 2020,
                  discount_rate: float = 0.0, budget: float | None = None, extra_toml: str = "",
                  name: str = "case") -> Path:
    """A model spec plus its data folder under ``folder``; returns the spec path.

    Baseline defaults to flat GDP 100 亿元 and 10,000 t of every pollutant in every year.
    """
    inputs = folder / "inputs"
    inputs.mkdir(parents=True, exist_ok=True)
    rows = []
    for i, measure in enumerate(measures):
        row = {"id": f"m{i}", **MEASURE_DEFAULTS, **measure}
        rows.append(row)
    write_csv(inputs / "measures.csv", rows)
    if baseline is None:
        baseline = [{"year": y, "gdp_yi_yuan": 100, **{f"{p}_t": 10000 for p in POLLUTANTS}}
                    for y in range(base_year, end_year + 1)]
    write_csv(inputs / "baseline.csv", baseline)
    write_csv(inputs / "targets.csv", targets or [], header=["year", "pollutant", "kind", "value"])
    if deployment is not None:
        write_csv(inputs / "deployment.csv", deployment, header=["year", "tag", "min_units"])
    budget_toml = f"[budget]\nannual_wan_yuan = {budget}\n" if budget is not None else ""
    spec = folder / "model.toml"
    spec.write_text(
        f'[model]\nname = "{name}"\ninputs = "inputs"\nbase_year = {base_year}\nstart_year = {start_year}\n'
        f"end_year = {end_year}\ndiscount_rate = {discount_rate}\n{budget_toml}"
        f"[solver]\ntime_limit_s = 30\nmip_gap = 0\n{extra_toml}",
        encoding="utf-8",
    )
    return spec


def solve_spec(spec_path: Path, options: BuildOptions = BuildOptions(), budget: float | None = None):
    """Solve in memory; returns (planning, solution, tables)."""
    spec = load_spec(spec_path)
    if budget is not None:
        spec = spec.with_budget(budget)
    planning = build_model(load_data(spec), options)
    solution, _session = solve_model(planning, spec.solver)
    return planning, solution, build_tables(planning, solution)


def added(planning, solution, measure_id: str) -> dict[int, float]:
    """Units added per year (non-zero years only) for one measure."""
    i = planning.data.measures.ids.index(measure_id)
    return {t: solution.units_added[i, k] for k, t in enumerate(planning.years) if solution.units_added[i, k]}


def active(planning, solution, measure_id: str) -> dict[int, float]:
    i = planning.data.measures.ids.index(measure_id)
    return {t: solution.units_active[i, k] for k, t in enumerate(planning.years) if solution.units_active[i, k]}

"""Compare run folders side by side: cost, investment by year, abatement and emissions in target years,
targets met, and the measures each run adds or drops against a reference run."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from planner.errors import PlannerError
from planner.io.writer import MARKER_KEY, RESULTS_FORMAT, csv_bytes, json_bytes, recover
from planner.io.schema import POLLUTANT_LABELS_EN, POLLUTANTS


class NotARunFolder(PlannerError):
    exit_code = 3


@dataclass
class RunFolder:
    path: Path
    label: str
    summary: dict
    plan: pd.DataFrame
    emissions: pd.DataFrame
    targets: pd.DataFrame

    @property
    def chosen(self) -> set[str]:
        return set(self.plan.loc[self.plan["added"] > 0, "measure"]) if len(self.plan) else set()


def load_run(path: Path) -> RunFolder:
    recover(path)  # finish the renames of a run killed after its commit point (writer.py)
    summary_path = path / "summary.json"
    try:
        summary = json.loads(summary_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise NotARunFolder(f"{path} is not a planner run folder (no readable summary.json); "
                            "give folders written by `planner run`") from None
    if MARKER_KEY not in summary or summary.get("kind") in ("sweep", "comparison"):
        raise NotARunFolder(f"{path} is not a single planner run (a sweep's points are under its points/ folder)")
    try:
        tables = {name: pd.read_csv(path / f"{name}.csv", encoding="utf-8-sig")
                  for name in ("plan", "emissions", "targets")}
    except (OSError, ValueError) as exc:
        raise NotARunFolder(f"{path}: cannot read its CSV files ({exc}); rerun `planner run`") from None
    label = summary.get("scenario") or path.name
    return RunFolder(path, label, summary, tables["plan"], tables["emissions"], tables["targets"])


def _unique_labels(runs: list[RunFolder]) -> None:
    seen: dict[str, int] = {}
    for run in runs:
        if run.label in seen:
            seen[run.label] += 1
            run.label = f"{run.label} ({seen[run.label]})"
        else:
            seen[run.label] = 1


def comparison_table(runs: list[RunFolder]) -> pd.DataFrame:
    """Long-form comparison: one row per metric, one column per run."""
    _unique_labels(runs)
    metrics: dict[tuple[str, str], dict[str, object]] = {}

    def put(metric: str, unit: str, run: RunFolder, value) -> None:
        metrics.setdefault((metric, unit), {})[run.label] = value

    target_years = sorted({int(y) for run in runs for y in run.targets.get("year", [])})
    years = sorted({int(y) for run in runs for y in run.emissions.get("year", [])})
    for run in runs:
        s = run.summary
        put("status", "", run, s.get("status"))
        put("objective", "万元", run, s.get("objective"))
        put("cost (excl. penalties)", "万元", run, s.get("cost_wan_yuan", s.get("objective")))
        # An infeasible run has no plan: its investment is blank, not the 0 of an empty plan.
        has_plan = s.get("status") != "infeasible" and s.get("objective") is not None
        put("total capex", "万元", run, s.get("totals", {}).get("capex_wan_yuan") if has_plan else None)
        targets = run.targets
        put("targets met", "count", run, f"{int(targets['met'].sum())}/{len(targets)}" if len(targets) else "0/0")
        put("measures chosen", "count", run, len(run.chosen) if has_plan else None)
        capex = run.plan.groupby("year")["capex_wan_yuan"].sum() if len(run.plan) else pd.Series(dtype=float)
        budgets = s.get("budget_wan_yuan_by_year", {})
        total = s.get("budget_total_wan_yuan")
        # A blank budget cell means no limit (summary.json writes an unlimited budget as null).
        put("budget total", "万元", run, total)
        for year in years:
            put(f"capex {year}", "万元", run, float(capex.get(year, 0.0)) if has_plan else None)
        for year in years:
            put(f"budget {year}", "万元", run, budgets.get(str(year)))
        emissions = run.emissions.set_index(["year", "pollutant"])
        for year in target_years:
            for pollutant in POLLUTANTS:
                if (year, pollutant) not in emissions.index:
                    continue
                row = emissions.loc[(year, pollutant)]
                label = POLLUTANT_LABELS_EN[pollutant]
                put(f"{label} abated {year}", "t", run, float(row["abated_t"]) if has_plan else None)
                put(f"{label} emissions {year}", "t", run, float(row["emissions_t"]) if has_plan else None)
    table = pd.DataFrame([{"metric": m, "unit": u, **values} for (m, u), values in metrics.items()])
    return table[["metric", "unit", *[r.label for r in runs]]]


def _has_plan(run: RunFolder) -> bool:
    return run.summary.get("status") != "infeasible" and run.summary.get("objective") is not None


def measure_changes(runs: list[RunFolder], reference: RunFolder) -> pd.DataFrame:
    """Measures each run adds or drops against the reference, with their names. A run (or a
    reference) without a plan is left out: its empty plan would "drop" every measure."""
    names: dict[str, str] = {}
    for run in runs:
        if len(run.plan) and "name" in run.plan.columns:
            names.update(zip(run.plan["measure"].astype(str), run.plan["name"].astype(str)))
    rows = []
    for run in runs:
        if run is reference or not _has_plan(run) or not _has_plan(reference):
            continue
        for measure in sorted(run.chosen - reference.chosen):
            rows.append({"run": run.label, "change": "added", "measure": measure, "name": names.get(measure, "")})
        for measure in sorted(reference.chosen - run.chosen):
            rows.append({"run": run.label, "change": "dropped", "measure": measure, "name": names.get(measure, "")})
    return pd.DataFrame(rows, columns=["run", "change", "measure", "name"])


def _markdown(table: pd.DataFrame) -> str:
    def cell(value) -> str:
        if isinstance(value, float):
            return f"{value:,.1f}"
        return "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)

    header = "| " + " | ".join(table.columns) + " |"
    rule = "|" + "|".join("---" for _ in table.columns) + "|"
    body = ["| " + " | ".join(cell(v) for v in row) + " |" for row in table.itertuples(index=False)]
    return "\n".join([header, rule, *body])


def compare(paths: list[Path], reference: Path | None = None) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, bytes]]:
    """The comparison table, the measure changes against the reference, and the files to write."""
    runs = [load_run(path) for path in paths]
    if reference is not None:
        resolved = reference.resolve()
        ref = next((r for r in runs if r.path.resolve() == resolved), None)
        if ref is None:
            ref = load_run(reference)
            runs.insert(0, ref)
    else:
        ref = runs[0]
    table = comparison_table(runs)
    changes = measure_changes(runs, ref)
    markdown = [f"# Comparison of {len(runs)} runs (reference: {ref.label})", "", _markdown(table), "",
                f"## Measures added or dropped against {ref.label}", ""]
    markdown.append(_markdown(changes) if len(changes) else "No run adds or drops a measure.")
    from planner.analysis.replan_compare import replan_changes, replan_lines

    replans = replan_changes(runs, ref)
    notes = replan_lines(replans, runs, ref)
    if notes:
        markdown += ["", f"## Re-plans against {ref.label} (from their replan_from year on)", "", *notes, "",
                     _markdown(replans) if len(replans) else "No measure-year changed."]
    files = {
        "comparison.csv": csv_bytes(table),
        "measure_changes.csv": csv_bytes(changes),
        **({"replan_changes.csv": csv_bytes(replans)} if notes else {}),
        "comparison.md": ("\n".join(markdown) + "\n").encode("utf-8"),
        "summary.json": json_bytes({MARKER_KEY: RESULTS_FORMAT, "kind": "comparison", "reference": str(ref.path),
                                    "runs": [str(r.path) for r in runs]}),
    }
    table.attrs["replan_notes"] = notes
    return table, changes, files

"""What a re-plan changes against the adopted plan: units added per measure and year from replan_from on."""

from __future__ import annotations

import pandas as pd

# Differences of units added below this are solver noise, not a change of plan.
CHANGE_TOL = 1e-6
COLUMNS = ["run", "replan_from", "measure", "year", "added_reference", "added_replan", "difference", "change"]


def replan_changes(runs: list, reference) -> pd.DataFrame:
    """For every run whose summary.json has ``replan_from`` = Y: each (measure, year >= Y) where the
    units added differ from the reference (the adopted plan), with ``change`` = added, dropped,
    more, fewer. History years (< Y) are left out: they are what was built, not a choice."""
    rows = []
    for run in runs:
        year_from = run.summary.get("replan_from")
        if run is reference or year_from is None:
            continue

        def added(folder) -> pd.Series:
            plan = folder.plan
            if not len(plan):
                return pd.Series(dtype=float)
            plan = plan[plan["year"] >= year_from]
            return plan.groupby(["measure", "year"])["added"].sum()

        before, after = added(reference), added(run)
        keys = sorted(set(before.index) | set(after.index))
        for measure, year in keys:
            old, new = float(before.get((measure, year), 0.0)), float(after.get((measure, year), 0.0))
            if abs(new - old) <= CHANGE_TOL * max(1.0, abs(old)):
                continue
            change = "added" if old == 0 else "dropped" if new == 0 else "more" if new > old else "fewer"
            rows.append({"run": run.label, "replan_from": int(year_from), "measure": measure, "year": int(year),
                         "added_reference": old, "added_replan": new, "difference": new - old, "change": change})
    return pd.DataFrame(rows, columns=COLUMNS)


def replan_lines(changes: pd.DataFrame, runs: list, reference) -> list[str]:
    """One sentence per re-plan: how many measure-years changed and the investment from Y on."""
    lines = []
    for run in runs:
        year_from = run.summary.get("replan_from")
        if run is reference or year_from is None:
            continue

        def capex(folder) -> float:
            plan = folder.plan
            return float(plan.loc[plan["year"] >= year_from, "capex_wan_yuan"].sum()) if len(plan) else 0.0

        mine = changes[changes["run"] == run.label]
        lines.append(f"{run.label} re-plans from {year_from}: {len(mine)} measure-years differ from "
                     f"{reference.label}; investment {year_from} on {capex(reference):,.1f} -> {capex(run):,.1f} 万元")
    return lines

"""What a re-plan changes against the adopted plan: units added per measure and year from replan_from on."""

from __future__ import annotations

import pandas as pd

from planner.io.plan_diff import added_from, unit_changes

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
        for measure, year, old, new, difference, change in unit_changes(added_from(reference.plan, year_from),
                                                                         added_from(run.plan, year_from)):
            rows.append({"run": run.label, "replan_from": int(year_from), "measure": measure, "year": year,
                         "added_reference": old, "added_replan": new, "difference": difference, "change": change})
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

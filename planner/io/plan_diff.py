"""Units added per (measure, year) that differ between two plans: what a re-plan changes.

Shared by `planner compare --reference` (planner.analysis.replan_compare) and `planner report
--reference` (planner.report.reference), which both read plan.csv files and may not import each other.
"""

from __future__ import annotations

import pandas as pd

# Differences of units added below this are solver noise, not a change of plan.
CHANGE_TOL = 1e-6


def added_from(plan: pd.DataFrame, year_from: int) -> pd.Series:
    """Units added per (measure, year >= year_from) of a plan.csv table."""
    if not len(plan):
        return pd.Series(dtype=float)
    return plan[plan["year"] >= year_from].groupby(["measure", "year"])["added"].sum()


def unit_changes(before: pd.Series, after: pd.Series) -> list[tuple[str, int, float, float, float, str]]:
    """(measure, year, units before, units after, difference, change) where they differ beyond
    CHANGE_TOL (relative, at least 1 unit); change is added, dropped, more or fewer."""
    rows = []
    for measure, year in sorted(set(before.index) | set(after.index)):
        old, new = float(before.get((measure, year), 0.0)), float(after.get((measure, year), 0.0))
        if abs(new - old) <= CHANGE_TOL * max(1.0, abs(old)):
            continue
        change = "added" if old == 0 else "dropped" if new == 0 else "more" if new > old else "fewer"
        rows.append((measure, int(year), old, new, new - old, change))
    return rows

"""Named scenarios: `[scenarios.NAME]` tables in a model spec that override the spec's keys and data.

A scenario may hold:
- `description`: one line saying what it represents;
- `model`, `budget`, `targets`, `solver`: tables whose keys replace the spec's keys of the same table
  (e.g. `budget = { annual_wan_yuan = 200000 }`, `model = { inputs = "../inputs/other" }`);
- `targets_scale`: multiply every target's ambition (reduction tonnes, intensity fractions, and the
  cut below BAU of caps) by this factor; divide a non_increasing row's allowed growth by it;
- `deployment_scale`: multiply every deployment row's `min_units`;
- `targets_file`: use this targets CSV (relative to the spec) instead of the data folder's;
- `actuals_file`, `baseline_file`: the same for actuals.csv and baseline.csv;
- `prices`: table replacing [prices] keys; `model = { replan_from = 2026 }` and
  `budget = { areas = { ... } }` work as the other table overrides;
- `exclude_measures`: list of measure ids left out of the catalogue;
- `force_measures`: table `id = units`: at least that many units of the measure active in the last
  model year.
"""

from __future__ import annotations

import copy
import math

from planner.errors import Problem

OVERRIDE_TABLES = ("model", "budget", "targets", "solver", "prices")
FILE_KEYS = ("targets_file", "actuals_file", "baseline_file")
SCENARIO_KEYS = {
    "description": "one line saying what the scenario represents",
    **{table: f"keys replacing the spec's [{table}] keys" for table in OVERRIDE_TABLES},
    "targets_scale": "factor on every target's ambition, e.g. 1.2",
    "deployment_scale": "factor on every deployment row's min_units",
    "targets_file": "targets CSV to use instead of the data folder's, relative to the spec",
    "actuals_file": "actuals CSV to use instead of the data folder's, relative to the spec",
    "baseline_file": "baseline CSV to use instead of the data folder's, relative to the spec",
    "exclude_measures": "list of measure ids to leave out",
    "force_measures": "table of measure id = units active at least in the last model year",
}


def scenario_names(raw: dict) -> list[str]:
    scenarios = raw.get("scenarios", {})
    return list(scenarios) if isinstance(scenarios, dict) else []


def apply_scenario(raw: dict, name: str, label: str, problems: list[Problem]) -> tuple[dict, dict]:
    """The spec dict with the scenario's table overrides merged in, and its data changes."""
    scenarios = raw.get("scenarios", {})
    if not isinstance(scenarios, dict) or name not in scenarios:
        valid = ", ".join(scenario_names(raw)) or "none are defined"
        problems.append(Problem(label, f"unknown scenario {name!r}; valid scenarios: {valid}"))
        return raw, {}
    scenario = scenarios[name]
    if not isinstance(scenario, dict):
        problems.append(Problem(label, f"[scenarios.{name}] must be a table"))
        return raw, {}
    merged = {key: copy.deepcopy(value) for key, value in raw.items() if key != "scenarios"}
    changes: dict = {"description": ""}
    where = f"[scenarios.{name}]"
    for key, value in scenario.items():
        if key not in SCENARIO_KEYS:
            problems.append(Problem(label, f"unknown key {key!r} in {where}; valid keys are {', '.join(SCENARIO_KEYS)}"))
        elif key in OVERRIDE_TABLES:
            if not isinstance(value, dict):
                problems.append(Problem(label, f"{where} {key} must be a table, e.g. {key} = {{ ... }}"))
                continue
            merged.setdefault(key, {})
            merged[key] = {**merged[key], **value}
        elif key == "description":
            changes["description"] = str(value)
        elif key in ("targets_scale", "deployment_scale"):
            ok = isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value) and value >= 0
            if not ok:
                problems.append(Problem(label, f"{where} {key} must be a number >= 0 (got {value!r})"))
            else:
                changes[key] = float(value)
        elif key in FILE_KEYS:
            if not isinstance(value, str) or not value.strip():
                problems.append(Problem(label, f"{where} {key} must be a path (got {value!r})"))
            else:
                changes[key] = value
        elif key == "exclude_measures":
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                problems.append(Problem(label, f"{where} exclude_measures must be a list of measure ids, "
                                               'e.g. ["steel_whr"]'))
            else:
                changes[key] = tuple(value)
        elif key == "force_measures":
            ok = isinstance(value, dict) and all(
                isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) and v > 0
                for v in value.values())
            if not ok:
                problems.append(Problem(label, f"{where} force_measures must be a table of id = units > 0, "
                                               "e.g. { cement_rdf = 2 }"))
            else:
                changes[key] = {str(k): float(v) for k, v in value.items()}
    return merged, changes

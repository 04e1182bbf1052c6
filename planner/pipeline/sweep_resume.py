"""Keep what a sweep finished: the points of an interrupted sweep, read back for ``--resume``.

An interrupted sweep (Ctrl-C) writes its finished points with ``complete: false`` in its
summary.json, together with what it was asked to do: the spec file's SHA-256, the scenario, the
input files' SHA-256 and the budgets. ``planner sweep ... --resume`` continues only when all of
these are the same today (otherwise the finished points would answer a different question), and
then solves just the points that are missing.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import pandas as pd

from planner.errors import UsageError
from planner.io.writer import SUMMARY_FILE, own_files


def spec_sha256(spec_path: str | Path) -> str:
    return hashlib.sha256(Path(spec_path).read_bytes()).hexdigest()


def _plain(value):
    """numpy scalars from pandas as plain Python values (NaN stays NaN)."""
    if isinstance(value, np.generic):
        return value.item()
    return value


def load_finished(folder: Path, spec_path: str | Path, scenario: str | None, inputs_sha256: dict[str, str],
                  budgets: list[float]) -> dict[float, tuple[dict, set[str], dict[str, bytes]]]:
    """budget -> (sweep.csv row, measures chosen, point files) of the finished points in ``folder``.

    Raises UsageError (exit 2) when there is nothing to resume or the sweep asked something else.
    """
    from planner.pipeline.sweep import point_name

    folder = Path(folder)
    try:
        summary = json.loads((folder / SUMMARY_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise UsageError(f"--resume: {folder} holds no sweep to resume (no readable summary.json); "
                         "run the sweep without --resume") from None
    if summary.get("kind") != "sweep":
        raise UsageError(f"--resume: {folder} is not a sweep folder; run the sweep without --resume")
    differences = []
    if summary.get("spec_sha256") != spec_sha256(spec_path):
        differences.append(f"the spec {spec_path} changed")
    if summary.get("scenario") != scenario:
        differences.append(f"the scenario was {summary.get('scenario')!r}, now {scenario!r}")
    before = summary.get("inputs_sha256", {})
    changed = sorted(name for name in set(before) | set(inputs_sha256) if before.get(name) != inputs_sha256.get(name))
    if changed:
        differences.append(f"input files changed: {', '.join(changed)}")
    if [float(b) for b in summary.get("budgets_wan_yuan", [])] != [float(b) for b in budgets]:
        differences.append(f"the budgets were {_budget_list(summary.get('budgets_wan_yuan', []))}, now "
                           f"{_budget_list(budgets)}")
    if differences:
        raise UsageError(f"--resume: the sweep in {folder} answered a different question ({'; '.join(differences)}); "
                         "its points cannot be reused. Run the sweep without --resume (or with another --out)")
    table = pd.read_csv(folder / "sweep.csv", encoding="utf-8-sig")
    manifest = own_files(folder)
    finished = {}
    for row in table.to_dict("records"):
        budget = float(row["budget_wan_yuan"])
        prefix = f"points/{point_name(budget)}/"
        files = {name[len(prefix):]: (folder / name).read_bytes() for name in manifest if name.startswith(prefix)}
        plan = pd.read_csv(folder / prefix / "plan.csv", encoding="utf-8-sig")
        chosen = set(plan.loc[plan["added"] > 0, "measure"])
        finished[budget] = ({key: _plain(value) for key, value in row.items()}, chosen, files)
    return finished


def _budget_list(budgets: list) -> str:
    shown = ", ".join(f"{float(b):g}" for b in budgets[:6])
    return shown + (f" ... ({len(budgets)} points)" if len(budgets) > 6 else "")

"""The shipped Guiyang/Gui'an model: solves to optimal, meets every target, and every number has a source.

Pinned objective (万元), with the reason for every change:
- 2026-11-25: -117,495.81 — first version of inputs/guiyang (36 measures, 6 targets, 8 deployment rows,
  150,000 万元 a year).
"""

from __future__ import annotations

import csv
import re

import pytest

from planner.paths import shipped_root, shipped_spec
from planner.runner import run

PINNED_OBJECTIVE_WAN_YUAN = -117_495.81
# The MIP is solved to a relative gap of 1e-4 (the spec's mip_gap); the pin allows that much.
PIN_REL_TOL = 1e-4
DATA = shipped_root() / "inputs" / "guiyang"


@pytest.fixture(scope="module")
def outcome():
    return run(shipped_spec(), write=False)


def test_default_model_objective_is_pinned(outcome):
    assert outcome.solution.status == "optimal"
    assert outcome.solution.objective_wan_yuan == pytest.approx(PINNED_OBJECTIVE_WAN_YUAN, rel=PIN_REL_TOL)


def test_default_model_meets_every_target_within_budget(outcome):
    targets = outcome.tables.targets
    assert targets["met"].all(), targets[~targets["met"]]
    kinds = set(zip(targets["kind"], targets["subject"]))
    assert {("intensity_reduction", "co2"), ("reduction", "nox"), ("reduction", "vocs"), ("reduction", "cod"),
            ("reduction", "nh3n"), ("deployment", "nonfossil_mw"), ("deployment", "methanol_station"),
            ("deployment", "gas_pipeline_km"), ("deployment", "nev_bus")} <= kinds
    by_year = outcome.tables.by_year
    assert (by_year["capex_wan_yuan"] <= by_year["budget_wan_yuan"] + 1e-6).all()
    assert (by_year["capex_wan_yuan"] >= by_year["budget_wan_yuan"] - 1e-6).any(), "the budget should bind somewhere"


def test_catalogue_covers_the_plan():
    rows = list(csv.DictReader(open(DATA / "measures.csv", encoding="utf-8")))
    assert len(rows) >= 25
    assert {r["sector"] for r in rows} >= {"energy", "industry", "transport", "buildings", "agriculture", "ecology",
                                          "water", "waste"}
    names = " ".join(r["name"] for r in rows)
    for keyword in ("公转铁", "光伏", "电解槽", "水泥窑替代燃料", "污水处理厂节能", "磷", "钢铁", "数据中心", "森林"):
        assert keyword in names, keyword
    for r in rows:
        assert r["plan_ref"] and r["lead"] and r["source"], r["id"]
        assert re.match(r"^[一二三四五六七八]\(", r["plan_ref"]), r["plan_ref"]


def test_every_measure_and_figure_is_in_sources():
    sources = (DATA / "SOURCES.md").read_text(encoding="utf-8")
    for r in csv.DictReader(open(DATA / "measures.csv", encoding="utf-8")):
        assert f"| {r['id']} |" in sources, f"{r['id']} has no row in SOURCES.md"
    for r in csv.DictReader(open(DATA / "deployment.csv", encoding="utf-8")):
        assert f"{r['year']} {r['tag']}" in sources
    for r in csv.DictReader(open(DATA / "targets.csv", encoding="utf-8")):
        assert f"{r['year']} {r['pollutant']}" in sources
    for tag in ("[S]", "[D]", "[U]"):
        assert tag in sources


def test_shipped_scenarios_solve(outcome):
    for name in ("tight", "planned", "ambitious", "no_steel_project", "elastic"):
        result = run(shipped_spec(), write=False, scenario=name)
        assert result.solution.status == "optimal", name
        if name != "elastic":
            assert result.tables.targets["met"].all(), name

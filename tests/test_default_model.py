"""The shipped Guiyang/Gui'an model: solves to optimal, meets every target, and every number has a source.

Pinned objective (万元), with the reason for every change:
- 2026-11-25: -117,495.81 — first version of inputs/guiyang (36 measures, 6 targets, 8 deployment rows,
  150,000 万元 a year).
- 2026-11-25: -49,977.31 — data audit fixes (inputs/guiyang/SOURCES.md): the CO2-intensity target counts CO2
  only, so methane measures keep only the grid power they displace (landfill_gas, sludge_digestion) or 0
  (livestock_manure, food_waste_ad) and the forest sink counts 0; the two nev_bus deployment rows (an
  electric-only reading of the plan's 新能源、清洁能源 bus share, which CNG renewals already meet) are dropped;
  potentials brought back to the research notes' ceilings (ebus 1,800, taxis split 12,000 EV + 4,000
  methanol, data_centre_pue 400 MW, landfill_gas 2, ...); methanol_station NOx 0 (counted per vehicle);
  fertiliser NH3-N 1.4. Fewer cheap CO2 tonnes make the assumed 2030 target dearer, so the objective rises.
- 2026-12-02: -232,185.69 — data v2 (issue 15, review-2026-12): energy valued through electricity_mwh_per_yr /
  gas_km3_per_yr at [prices] 0.45 元/kWh and 3.3 元/m3 instead of in a few opex cells (PV, wind, aluminium cells,
  steel heat recovery and waste-to-energy now earn their power, which makes most of the objective); co2 is energy
  CO2 on the consumption basis (24.1 Mt in 2020, +1.5 %/yr) at Guizhou's grid factor 0.5683; real GDP 2025 5,573.66;
  the assumed 2030 -32.76 % replaced by the plan's peak (2029 non_increasing); industrial energy intensity -18 %
  (ind_energy_tce); NOx/VOCs 2,200/900 t from the province's tonnages; COD/NH3-N rows dropped (no provincial
  tonnage); taxi deployment rows dropped (M100 renewals meet them); data centres 45 MW, aluminium 600/700 kWh/t,
  one clinker pool and one taxi pool, waste-to-energy one plant net of plastics' fossil CO2, livestock 15.
"""

from __future__ import annotations

import csv
import re
import tomllib

import pytest

from planner.io.paths import shipped_root, shipped_spec
from planner.pipeline.run import run

PINNED_OBJECTIVE_WAN_YUAN = -232_185.69
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
    # 2026-12-02 (data v2): COD/NH3-N and clean_taxi rows dropped (SOURCES.md says why); the peak and the
    # industrial energy intensity added.
    assert {("intensity_reduction", "co2"), ("non_increasing", "co2"), ("intensity_reduction", "ind_energy_tce"),
            ("reduction", "nox"), ("reduction", "vocs"), ("deployment", "nonfossil_mw"),
            ("deployment", "methanol_station"), ("deployment", "gas_pipeline_km"),
            ("deployment", "forest_mgmt_kmu")} <= kinds
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


def test_every_target_and_deployment_row_states_its_basis():
    # The plan's own targets cite its section; the modeller's figures say "assumption:" or "derived:".
    for name in ("targets.csv", "targets_allocation_co2_share.csv", "targets_water.csv", "targets_ambitious.csv",
                 "targets_bau_high.csv", "deployment.csv"):
        for r in csv.DictReader(open(DATA / name, encoding="utf-8")):
            basis = r["basis"].strip()
            assert re.match(r"^([一二三四五六七八]\(|assumption: |derived)", basis), (name, r)
    targets = {(r["year"], r["pollutant"]): r["basis"] for r in csv.DictReader(open(DATA / "targets.csv", encoding="utf-8"))}
    assert targets[("2025", "co2")].startswith("二(三)")
    # 2026-12-02 (data v2): the assumed 2030 -32.76 % gave way to the plan's own 2030 aim, the peak.
    assert targets[("2029", "co2")].startswith("二(三)"), "the 2030 peak is the plan's 二(三) 碳达峰"


def test_co2_column_holds_co2_only():
    # The plan's target is CO2 intensity: no methane CO2e and no sink may count toward it (SOURCES.md,
    # "CO2e not counted"); landfill gas and sludge biogas keep only the grid power they displace.
    rows = {r["id"]: r for r in csv.DictReader(open(DATA / "measures.csv", encoding="utf-8"))}
    for measure in ("forest_management", "livestock_manure", "food_waste_ad"):
        assert float(rows[measure]["co2_t_per_yr"] or 0) == 0, measure
    # 2026-12-02 (data v2): Guizhou's grid factor 0.5683 t/MWh (2023) instead of the national 0.5366.
    assert float(rows["landfill_gas"]["co2_t_per_yr"]) == pytest.approx(14_000 * 0.5683, abs=1)
    assert float(rows["sludge_digestion"]["co2_t_per_yr"]) == pytest.approx(4_000 * 0.5683, abs=1)
    # the two taxi measures share one fleet of 16,000 (pool taxi_fleet); the station's NOx is counted per vehicle
    pools = list(csv.DictReader(open(DATA / "pools.csv", encoding="utf-8")))
    assert rows["ev_taxi"]["pool"] == rows["methanol_taxi"]["pool"] == "taxi_fleet"
    assert [float(p["capacity"]) for p in pools if p["pool"] == "taxi_fleet"] == [16_000]
    assert float(rows["methanol_station"]["nox_t_per_yr"] or 0) == 0


def test_shipped_scenarios_solve(outcome):
    names = list(tomllib.loads(shipped_spec().read_text(encoding="utf-8"))["scenarios"])
    # 2026-12-02 (data v2): national_shares dropped (its 4,000 t NOx was 34 % of all Guizhou's); the BAU variants,
    # the other allocation rule, the water targets and the mid-term re-plan added.
    assert {"tight", "planned", "ambitious", "no_steel_project", "elastic", "bau_low", "bau_high",
            "allocation_co2_share", "water_targets", "review_2026"} <= set(names)
    elastic = {"elastic", "bau_high"}
    for name in names:
        result = run(shipped_spec(), write=False, scenario=name)
        assert result.solution.status == "optimal", name
        targets = result.tables.targets
        if name == "review_2026":
            # the 2021-25 rows are history (reported, not enforced); every enforced row is met
            assert targets.loc[targets["enforced"], "met"].all(), name
            assert not targets.loc[targets["year"] < 2026, "enforced"].any()
        elif name not in elastic:
            assert targets["met"].all(), name


def test_bau_variants_bracket_the_required_cut():
    """The 2025 CO2 cut the -18 % asks, from the baseline files by hand (SOURCES.md, "BAU variants"):
    limit = 0.82 x 24.1 Mt x 5,573.66 / 4,311.65 = 25.546 Mt; BAU 2025 = 24.1 x (1+g)^5 = 24.10 (g = 0),
    25.96 (1.5 %), 27.27 Mt (2.5 %), so the cut is none, 0.416 Mt and 1.720 Mt."""
    required = {}
    for name in (None, "bau_low", "bau_high"):
        result = run(shipped_spec(), write=False, scenario=name)
        t = result.tables.targets
        row = t[(t["subject"] == "co2") & (t["kind"] == "intensity_reduction") & (t["year"] == 2025)]
        required[name] = float(row["required"].iloc[0])
    assert required["bau_low"] < 0 < required[None] < required["bau_high"]
    assert required[None] == pytest.approx(416_252, rel=1e-4)
    assert required["bau_high"] == pytest.approx(1_720_646, rel=1e-4)


def test_elastic_sweep_at_the_default_budget_misses_only_what_the_price_caps_cannot_see(tmp_path):
    """`planner sweep models/guiyang.toml --budget 150000` (elastic, derived caps) against the strict
    default at the same budget, which meets all 9 rows.

    - 2026-12-02 (issue 11): 3 of 9 missed (the 2030 peak, industrial energy -18 % and NOx): the peak and
      energy caps were the 1,000 元/t floor, from levelised costs made negative by the energy value and a
      reach from potentials alone. With caps from each row year's figures, the most units active in that
      year (ramps, first years, pools, for the peak the growth a year can add) and costs clipped at 0
      and at least the capex, the peak (47,170 元/t) and energy (67,843 元/tce) rows are met.
    - NOx 2,200 t is still missed by about 282 t at 282,051 元/t: the strict plan meets it with a second
      whole cement_ultra_low line, which raises CO2 by 794 t and takes clinker pool that clinker
      substitution would use for the peak; the elastic plan saves about 29,000 万元 without it, over
      1,000,000 元/t. A cap from one row's own costs does not see that trade between rows and whole units.
    """
    from click.testing import CliRunner

    from planner.cli import main

    result = CliRunner().invoke(main, ["sweep", str(shipped_spec()), "--budget", "150000", "--out",
                                       str(tmp_path / "sw")], obj={})
    assert result.exit_code == 0, result.output
    targets = list(csv.DictReader(open(tmp_path / "sw" / "points" / "budget-150000" / "targets.csv",
                                       encoding="utf-8-sig")))
    missed = {(r["kind"], r["subject"]) for r in targets if r["met"] != "True"}
    assert missed == {("reduction", "nox")}

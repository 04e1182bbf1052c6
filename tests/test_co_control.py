"""Co-control indicators (七(二) 协同度评价): cross-elasticity, quadrant and co-benefit share, by hand."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from click.testing import CliRunner

from helpers import write_dataset
from planner.analysis.co_control import co_control_table
from planner.cli import main


def _plan(rows):
    return pd.DataFrame([{"measure": m, "name": m.upper(), "year": 2025, "co2_abated_t": c, "nox_abated_t": n,
                          **({"area": a} if a is not None else {})} for m, c, n, a in rows])


EMISSIONS = pd.DataFrame([{"year": 2025, "pollutant": "co2", "bau_t": 10_000.0},
                          {"year": 2025, "pollutant": "nox", "bau_t": 100.0}])


def test_elasticity_quadrant_and_share_by_hand():
    """BAU CO2 10,000 t, NOx 100 t. m1 cuts 100 t CO2 (1 %) and 2 t NOx (2 %): Els = 0.02/0.01 = 2,
    co-benefit. m2 adds 10 t CO2 (-0.1 %) and cuts 5 t NOx (5 %): Els = 0.05/-0.001 = -50, trade-off.
    m3 cuts 50 t CO2 only: Els = 0, carbon-only. Portfolio: 140 t CO2 (1.4 %), 7 t NOx (7 %):
    Els = 0.07/0.014 = 5, co-benefit; share of NOx from co-benefit measures = 2/7."""
    table = co_control_table(_plan([("m1", 100, 2, None), ("m2", -10, 5, None), ("m3", 50, 0, None)]), EMISSIONS,
                             [2025], ["co2", "nox"])
    rows = {(r.scope, r.measure): r for r in table.itertuples()}
    assert rows[("measure", "m1")].elasticity == pytest.approx(2.0)
    assert rows[("measure", "m1")].quadrant == "co_benefit"
    assert rows[("measure", "m2")].elasticity == pytest.approx(-50.0)
    assert rows[("measure", "m2")].quadrant == "trade_off"
    assert rows[("measure", "m3")].elasticity == 0.0 and rows[("measure", "m3")].quadrant == "carbon_only"
    portfolio = rows[("portfolio", "")]
    assert portfolio.elasticity == pytest.approx(5.0) and portfolio.quadrant == "co_benefit"
    assert portfolio.co_benefit_share == pytest.approx(2 / 7)
    assert math.isnan(rows[("measure", "m1")].co_benefit_share)


def test_share_per_area_by_hand():
    """Area a: m1 (co-benefit, 2 t NOx) and m2 (trade-off, 5 t NOx) -> share 2/7; area b: only m3
    (4 t NOx, co-benefit) -> share 1; a pollutant-only measure has no CO2, so its Els is blank."""
    table = co_control_table(_plan([("m1", 100, 2, "a"), ("m2", -10, 5, "a"), ("m3", 30, 4, "b"), ("m4", 0, 1, "b")]),
                             EMISSIONS, [2025], ["co2", "nox"])
    areas = table[table.scope == "area"].set_index("area")
    assert areas.loc["a", "co_benefit_share"] == pytest.approx(2 / 7)
    assert areas.loc["b", "co_benefit_share"] == pytest.approx(4 / 5)
    m4 = table[table.measure == "m4"].iloc[0]
    assert m4.quadrant == "pollutant_only" and math.isnan(m4.elasticity)


def test_run_writes_co_control_consistent_with_emissions(tmp_path):
    spec = write_dataset(tmp_path, [{"id": "pv", "co2_t_per_yr": 100, "nox_t_per_yr": 1},
                                    {"id": "scr", "nox_t_per_yr": 20, "co2_t_per_yr": -5}],
                         targets=[{"year": 2023, "pollutant": "nox", "kind": "reduction", "value": 30},
                                  {"year": 2023, "pollutant": "co2", "kind": "reduction", "value": 200}])
    out = tmp_path / "out"
    assert CliRunner().invoke(main, ["run", str(spec), "--out", str(out)], obj={}).exit_code == 0
    table = pd.read_csv(out / "co_control.csv", encoding="utf-8-sig")
    emissions = pd.read_csv(out / "emissions.csv", encoding="utf-8-sig").set_index(["year", "pollutant"])
    nox = table[(table.scope == "portfolio") & (table.pollutant == "nox")].iloc[0]
    assert nox.year == 2023
    assert nox.abated_t == pytest.approx(emissions.loc[(2023, "nox"), "abated_t"])
    assert nox.co2_abated_t == pytest.approx(emissions.loc[(2023, "co2"), "abated_t"])
    assert set(table[table.scope == "measure"].quadrant) <= {"co_benefit", "trade_off", "carbon_only", "pollutant_only"}
    assert table[(table.measure == "scr") & (table.pollutant == "nox")].quadrant.iloc[0] == "trade_off"

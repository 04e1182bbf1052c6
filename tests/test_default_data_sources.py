"""Traceability of the default Guiyang data set (issue 15): every figure has an entry in SOURCES.md.

- every measure has a row in SOURCES.md's measures table whose figures are the ones in measures.csv
  (a changed number without a changed entry fails), and a row in the potentials table naming its stock;
- every baseline column (of baseline.csv and of the two BAU variants) has a row in the baseline table;
- every target row of every shipped target file, every deployment row, pool, indicator, area and
  actuals row has an entry; every [prices] key of the spec is explained;
- every scenario of the spec is in the scenarios table and says what it asks (a description).
"""

from __future__ import annotations

import csv
import re
import tomllib

import pytest

from planner.io.paths import shipped_root, shipped_spec

DATA = shipped_root() / "inputs" / "guiyang"
SOURCES = (DATA / "SOURCES.md").read_text(encoding="utf-8")

# measures.csv column -> the label SOURCES.md uses for it in the "figures" column
FIGURE_LABELS = {
    "capex_wan_yuan": "capex", "opex_wan_yuan_per_yr": "opex", "lifetime_yr": "life", "potential": "potential",
    "max_add_per_yr": "ramp", "first_year": "from", "co2_t_per_yr": "CO2", "nox_t_per_yr": "NOx",
    "so2_t_per_yr": "SO2", "vocs_t_per_yr": "VOCs", "pm_t_per_yr": "PM", "cod_t_per_yr": "COD",
    "nh3n_t_per_yr": "NH3-N", "electricity_mwh_per_yr": "electricity", "gas_km3_per_yr": "gas",
    "process_co2_per_yr": "process_co2", "ind_energy_tce_per_yr": "ind_energy_tce", "pool": "pool",
    "pool_use": "pool_use", "area": "area",
}


def rows(name: str) -> list[dict[str, str]]:
    return list(csv.DictReader(open(DATA / name, encoding="utf-8")))


def section(title: str) -> str:
    """The text of one '## ' or '### ' section of SOURCES.md (up to the next heading of any level)."""
    match = re.search(rf"^#+ {re.escape(title)}\s*$(.*?)(?=^#+ |\Z)", SOURCES, flags=re.M | re.S)
    assert match, f"SOURCES.md has no section {title!r}"
    return match.group(1)


def table_rows(text: str) -> dict[str, str]:
    """First cell -> the whole line, for every table line of a section."""
    out = {}
    for line in text.splitlines():
        if line.startswith("| ") and not line.startswith("|---"):
            out[line.split("|")[1].strip()] = line
    return out


def test_every_measure_figure_matches_its_sources_row():
    table = table_rows(section("measures.csv"))
    for r in rows("measures.csv"):
        assert r["id"] in table, f"{r['id']} has no row in SOURCES.md's measures table"
        line = table[r["id"]]
        for column, label in FIGURE_LABELS.items():
            value = (r.get(column) or "").strip()
            if value and value not in ("0", "0.0"):
                assert f"{label} {value}" in line, f"{r['id']}: {column} = {value} is not in its SOURCES.md row"
        reasoning = line.split("|")[3]
        assert re.search(r"\[(S|S-sec|D|U)\]|\(S\d+b?\)|S\d+", reasoning), f"{r['id']}: no status or source"


def test_every_potential_states_its_stock():
    table = table_rows(section("Potentials and their stocks"))
    for r in rows("measures.csv"):
        assert r["id"] in table, f"{r['id']} has no row in the potentials table"
        cells = [c.strip() for c in table[r["id"]].split("|")[1:-1]]
        assert len(cells) == 3 and cells[2].startswith("stock:"), f"{r['id']}: the potential must name its stock"
        potential = float(r["potential"])
        stated = re.match(r"[\d,.]+", cells[1])
        assert stated and float(stated.group().replace(",", "")) == pytest.approx(potential), (
            f"{r['id']}: the potentials table says {cells[1]!r}, measures.csv {r['potential']}")


@pytest.mark.parametrize("name", ["baseline.csv", "baseline_bau_low.csv", "baseline_bau_high.csv"])
def test_every_baseline_column_has_an_entry(name):
    table = table_rows(section("baseline.csv"))
    firsts = " ".join(table)
    for column in rows(name)[0]:
        if column == "year":
            continue
        assert column in firsts, f"{name}: column {column} has no row in SOURCES.md's baseline table"
    # the BAU variants differ from the central baseline in co2_t only, as SOURCES.md says
    central = rows("baseline.csv")
    for a, b in zip(central, rows(name)):
        assert {k: v for k, v in a.items() if k != "co2_t"} == {k: v for k, v in b.items() if k != "co2_t"}


@pytest.mark.parametrize("name", ["targets.csv", "targets_allocation_co2_share.csv", "targets_water.csv",
                                  "targets_ambitious.csv", "targets_bau_high.csv"])
def test_every_target_row_has_an_entry(name):
    for r in rows(name):
        assert f"{r['year']} {r['pollutant']}" in SOURCES, f"{name}: {r['year']} {r['pollutant']} not in SOURCES.md"
        assert r["basis"].strip(), f"{name}: {r['year']} {r['pollutant']} has no basis"


def test_deployment_pools_indicators_areas_actuals_and_prices_have_entries():
    for r in rows("deployment.csv"):
        assert f"{r['year']} {r['tag']}" in section("deployment.csv")
    pools = table_rows(section("pools.csv"))
    for r in rows("pools.csv"):
        assert r["pool"] in pools
    indicators = table_rows(section("indicators.csv"))
    for r in rows("indicators.csv"):
        assert r["indicator"] in indicators
    areas = table_rows(section("areas.csv"))
    for r in rows("areas.csv"):
        assert r["area"] in areas and r["name"] in areas[r["area"]]
    actuals = section("actuals_2021_2025.csv (used by the scenario `review_2026`, `replan_from = 2026`)")
    for r in rows("actuals_2021_2025.csv"):
        assert f"{r['measure']} {r['year']} {r['units_added']}" in actuals
    spec = tomllib.loads(shipped_spec().read_text(encoding="utf-8"))
    toml_table = table_rows(section("models/guiyang.toml"))
    for key in spec["prices"]:
        assert key in toml_table, f"[prices] {key} is not explained in SOURCES.md"


def test_every_scenario_says_what_it_asks():
    spec = tomllib.loads(shipped_spec().read_text(encoding="utf-8"))
    table = table_rows(section("models/guiyang.toml"))
    for name, scenario in spec["scenarios"].items():
        assert name in table, f"scenario {name} is not in SOURCES.md's scenarios table"
        assert scenario.get("description", "").strip(), f"scenario {name} has no description"
        for key in ("targets_file", "baseline_file", "actuals_file"):
            if key in scenario:
                assert (shipped_spec().parent / scenario[key]).is_file(), (name, key)


def test_every_measure_says_whether_not_built_is_known_or_assumed():
    # review_2026 takes a measure without an actuals_2021_2025.csv row as not built in 2021-25: say which is known.
    table = table_rows(section("Built in 2021–25: known or assumed"))
    for r in rows("measures.csv"):
        assert r["id"] in table, f"{r['id']}: no 2021-25 build status in SOURCES.md"
        status = table[r["id"]].split("|")[2].strip()
        assert status.startswith(("known", "assumed")), (r["id"], status)
    for r in rows("actuals_2021_2025.csv"):
        assert table[r["measure"]].split("|")[2].strip().startswith("known"), r


def test_every_cited_source_is_in_the_list():
    body, _, listing = SOURCES.partition("\n## Sources\n")
    listing = listing.split("\n## ")[0]
    defined = set(re.findall(r"\*\*(S\d+b?)\*\*", listing))
    cited = set(re.findall(r"\bS\d+b?\b", body))
    assert cited <= defined, f"cited in SOURCES.md but not in its list of sources: {sorted(cited - defined)}"

"""Turn a solution into tidy tables (plan, emissions, targets) and the summary record."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np
import pandas as pd

from planner.model.build import PlanningModel, area_measures, tagged_measures
from planner.io.schema import POLLUTANTS
from planner.solve.session import Solution
from planner.analysis.shadow_prices import RowPrice, ShadowPrices

# A target counts as met when its shortfall is within this many tonnes (or units), relative to
# the larger of 1 and the requirement: the solver's feasibility tolerance, not a modelling choice.
MET_REL_TOL = 1e-6


# 1 万元 = 10,000 元: shadow prices and cost-effectiveness are reported in 元 per tonne.
YUAN_PER_WAN_YUAN = 1e4


@dataclass
class RunTables:
    plan: pd.DataFrame
    emissions: pd.DataFrame
    targets: pd.DataFrame
    by_year: pd.DataFrame
    cost_effectiveness: pd.DataFrame
    pools: pd.DataFrame | None = None  # pools.csv result (only with a pools.csv input)
    indicators: pd.DataFrame | None = None  # only with an indicators.csv input
    areas: pd.DataFrame | None = None  # only when measures have areas
    unchosen: pd.DataFrame | None = None  # unchosen.csv: planner run only (not sweep points), unless --no-unchosen


def _met(achieved: float, required: float) -> bool:
    return achieved >= required - MET_REL_TOL * max(1.0, abs(required))


def build_tables(planning: PlanningModel, solution: Solution, shadow: ShadowPrices | None = None,
                 cost_effectiveness: pd.DataFrame | None = None) -> RunTables:
    """plan.csv, emissions.csv, targets.csv and cost_effectiveness.csv rows, plus a by-year overview.

    ``shadow`` (from ``planner.analysis.shadow_prices``) adds marginal abatement costs to the targets
    and the value of budget to the years (``with_prices``: the tables without prices can be built
    first, while a MIP's fixed LP is solved for them). ``cost_effectiveness``: the table
    ``cost_effectiveness_table(planning)`` if already made (it does not depend on the solution).
    """
    tables = _unpriced_tables(planning, solution, cost_effectiveness)
    return with_prices(tables, planning, solution, shadow) if shadow is not None else tables


def _units(planning: PlanningModel, solution: Solution) -> tuple[np.ndarray, np.ndarray]:
    """(units added, units active), (measures, years); zeros without a plan."""
    if solution.units_active is None:
        shape = (len(planning.data.measures), len(planning.years))
        return np.zeros(shape), np.zeros(shape)
    return solution.units_added, solution.units_active


def with_prices(tables: RunTables, planning: PlanningModel, solution: Solution, shadow: ShadowPrices) -> RunTables:
    """``tables`` (from ``build_tables`` without prices) with the shadow prices of ``shadow``: the price
    columns of targets.csv, the yearly value of budget, and pools.csv's prices."""
    from planner.analysis.extension_tables import pool_table

    targets = tables.targets.copy()
    for column, values in _price_columns(planning, shadow).items():
        targets[column] = values
    by_year = tables.by_year.copy()
    after = max(by_year.columns.get_loc(f"{p}_abated_t") for p in POLLUTANTS) + 1
    by_year.insert(after, "budget_shadow_price_wan_yuan_per_wan_yuan",
                   [shadow.budget[t][0] if t in shadow.budget else 0.0 for t in planning.years])
    pools = (pool_table(planning, _units(planning, solution)[1], shadow.duals)
             if planning.data.extensions.pools else None)
    return dataclasses.replace(tables, targets=targets, by_year=by_year, pools=pools)


def _price_columns(planning: PlanningModel, shadow: ShadowPrices | None) -> dict[str, list]:
    """targets.csv's shadow-price columns, one value per target then per deployment row.

    Shadow prices are the cost of requiring one more tonne (元/t, >= 0), one more unit (元/unit, also
    per unit of an indicator), or one more intensity percentage point (万元)."""
    data = planning.data
    ext = data.extensions
    base = data.spec.base_year
    unknown = RowPrice(np.nan, "none", "no shadow prices were computed")
    target_price = shadow.targets if shadow else [unknown] * len(data.targets)
    deploy_price = shadow.deployment if shadow else [unknown] * len(data.deployment)
    columns: dict[str, list] = {name: [] for name in PRICE_COLUMNS}
    for k, target in enumerate(data.targets):
        pollutant = target.pollutant in POLLUTANTS
        price = target_price[k]
        columns["shadow_price_yuan_per_t"].append(price.price_yuan if pollutant else np.nan)
        columns["shadow_price_yuan_per_unit"].append(np.nan if pollutant else price.price_yuan)
        if target.kind == "intensity_reduction":
            # dR/dv = BAU_b GDP_t / GDP_b tonnes per unit fraction; a point is 0.01.
            bau = ext.bau(target.pollutant, target.area)
            denominator = ext.denominator(target.pollutant, target.area)
            columns["shadow_price_wan_yuan_per_point"].append(
                price.price_yuan / YUAN_PER_WAN_YUAN * 0.01 * bau[base] * denominator[target.year] / denominator[base])
        else:
            columns["shadow_price_wan_yuan_per_point"].append(np.nan)
        columns["shadow_price_basis"].append(price.basis)
        columns["shadow_price_note"].append(price.note)
    for price in deploy_price:
        columns["shadow_price_yuan_per_t"].append(np.nan)
        columns["shadow_price_yuan_per_unit"].append(price.price_yuan)
        columns["shadow_price_wan_yuan_per_point"].append(np.nan)
        columns["shadow_price_basis"].append(price.basis)
        columns["shadow_price_note"].append(price.note)
    return columns


PRICE_COLUMNS = ("shadow_price_yuan_per_t", "shadow_price_yuan_per_unit", "shadow_price_wan_yuan_per_point",
                 "shadow_price_basis", "shadow_price_note")


def _unpriced_tables(planning: PlanningModel, solution: Solution,
                     cost_effectiveness: pd.DataFrame | None) -> RunTables:
    data, years = planning.data, planning.years
    measures = data.measures
    added, active = _units(planning, solution)
    ext = data.extensions
    capex = added * ext.capex_wan_yuan
    opex = active * ext.opex_wan_yuan_per_yr
    energy_value = active * ext.energy_value_wan_yuan_per_yr[:, None]
    # Annuity of each vintage's own capex, paid in every year its units are active, plus net opex.
    annual_cost = planning.active_units(capex) * planning.crf[:, None] + opex - energy_value
    abated_by_measure = active[:, None, :] * ext.rate  # (measures, subjects, years)
    abated_all = abated_by_measure.sum(axis=0)  # (subjects, years)
    abated = abated_all[:len(POLLUTANTS)]
    history = _history_mask(planning)

    rows_i, rows_k = np.nonzero((added != 0) | (active != 0))
    plan = pd.DataFrame({
        "measure": [measures.ids[i] for i in rows_i],
        "name": [measures.names[i] for i in rows_i],
        "sector": [measures.sectors[i] for i in rows_i],
        "unit": [measures.units[i] for i in rows_i],
        "year": [years[k] for k in rows_k],
        "added": added[rows_i, rows_k],
        "active": active[rows_i, rows_k],
        "capex_wan_yuan": capex[rows_i, rows_k],
        "opex_wan_yuan": opex[rows_i, rows_k],
        "annualised_cost_wan_yuan": annual_cost[rows_i, rows_k],
        **{f"{p}_abated_t": abated_by_measure[rows_i, j, rows_k] for j, p in enumerate(POLLUTANTS)},
    })
    if data.spec.has_prices or ext.energy_value_wan_yuan_per_yr.any():
        plan.insert(plan.columns.get_loc("opex_wan_yuan") + 1, "energy_value_wan_yuan", energy_value[rows_i, rows_k])
        plan.insert(plan.columns.get_loc("energy_value_wan_yuan") + 1, "opex_net_of_energy_value_wan_yuan",
                    opex[rows_i, rows_k] - energy_value[rows_i, rows_k])
    for j, indicator in enumerate(ext.indicators):
        plan[f"{indicator.id}_abated"] = abated_by_measure[rows_i, len(POLLUTANTS) + j, rows_k]
    if ext.areas:
        plan.insert(plan.columns.get_loc("sector") + 1, "area", [measures.area[i] for i in rows_i])
    if data.spec.replan_from is not None:
        plan.insert(plan.columns.get_loc("year") + 1, "history", history[rows_k])

    targets = _target_table(planning, solution, abated_by_measure, active)
    emissions = _emission_table(planning, abated, targets)
    by_year = pd.DataFrame({
        "year": years,
        "capex_wan_yuan": capex.sum(axis=0),
        "budget_wan_yuan": [data.spec.budget_wan_yuan_by_year[t] for t in years],
        "opex_wan_yuan": opex.sum(axis=0),
        "measures_active": (active > 0).sum(axis=0),
        **{f"{p}_abated_t": abated[j] for j, p in enumerate(POLLUTANTS)},
    })
    if ext.energy_value_wan_yuan_per_yr.any():
        by_year["energy_value_wan_yuan"] = energy_value.sum(axis=0)
    if data.spec.replan_from is not None:
        by_year["history"] = history
    from planner.analysis.extension_tables import area_table, indicator_table, pool_table

    return RunTables(plan=plan, emissions=emissions, targets=targets, by_year=by_year,
                     cost_effectiveness=(cost_effectiveness if cost_effectiveness is not None
                                         else cost_effectiveness_table(planning)),
                     pools=pool_table(planning, active, None) if ext.pools else None,
                     indicators=indicator_table(planning, abated_all) if ext.indicators else None,
                     areas=area_table(planning, capex, opex, abated_by_measure) if ext.areas else None)


def _history_mask(planning: PlanningModel) -> np.ndarray:
    """Per model year: True before replan_from (history, fixed at the actuals)."""
    replan = planning.data.spec.replan_from
    return np.array([replan is not None and t < replan for t in planning.years], dtype=bool)


def cost_effectiveness_table(planning: PlanningModel) -> pd.DataFrame:
    """Static cost per tonne of each measure: equivalent annual cost / abatement per unit, in 元/t,
    of the figures of one year, ``figures_year``.

    One row per measure with start_year's figures, then one more for every later year whose figures
    (measure_years.csv: capex of the units added that year, opex and abatement of the units active)
    differ from the year before, so each year's levelised cost is there and says which year it is.
    The data behind a MAC curve: take the rows of one figures_year, sort by ``co2_yuan_per_t`` and give
    each measure the width ``co2_potential_t_per_yr`` (potential x abatement per unit). Blank where the
    measure does not cut that pollutant; negative where it saves money (net of the energy value).
    """
    measures = planning.data.measures
    ext = planning.data.extensions
    opex_net = ext.opex_effective_wan_yuan_per_yr
    annual = ext.capex_wan_yuan * planning.crf[:, None] + opex_net
    # (measures, figures, years): capex, opex and every subject's rate
    figures = np.concatenate([ext.capex_wan_yuan[:, None, :], ext.opex_wan_yuan_per_yr[:, None, :], ext.rate], axis=1)
    frames = []
    for t, year in enumerate(planning.years):
        rows = np.arange(len(measures)) if t == 0 else \
            np.flatnonzero(np.any(figures[:, :, t] != figures[:, :, t - 1], axis=1))
        if not len(rows):
            continue
        table = pd.DataFrame({
            "measure": [measures.ids[i] for i in rows], "name": [measures.names[i] for i in rows],
            "sector": [measures.sectors[i] for i in rows], "unit": [measures.units[i] for i in rows],
            "figures_year": year,
            "capex_wan_yuan": ext.capex_wan_yuan[rows, t], "opex_wan_yuan_per_yr": ext.opex_wan_yuan_per_yr[rows, t],
            "energy_value_wan_yuan_per_yr": ext.energy_value_wan_yuan_per_yr[rows],
            "lifetime_yr": measures.lifetime_yr[rows], "potential": measures.potential[rows],
            "annualised_cost_wan_yuan_per_unit_yr": annual[rows, t],
        })
        for j, p in enumerate(POLLUTANTS):
            rate = ext.rate[rows, j, t]
            table[f"{p}_t_per_yr"] = rate
            with np.errstate(divide="ignore", invalid="ignore"):
                table[f"{p}_yuan_per_t"] = np.where(rate > 0, annual[rows, t] * YUAN_PER_WAN_YUAN / rate, np.nan)
            table[f"{p}_potential_t_per_yr"] = measures.potential[rows] * rate
        table["tags"] = [";".join(measures.tags[i]) for i in rows]
        table["plan_ref"] = [measures.plan_ref[i] for i in rows]
        table["lead"] = [measures.lead[i] for i in rows]
        table["source"] = [measures.source[i] for i in rows]
        frames.append(table)
    return pd.concat(frames, ignore_index=True)


def _target_table(planning: PlanningModel, solution: Solution, abated_by_measure: np.ndarray,
                  active: np.ndarray) -> pd.DataFrame:
    """One row per target and deployment row, with the price columns of no prices (``with_prices``
    fills them).

    ``required``/``achieved`` are abatement in ``quantity_unit`` (t for pollutants, the indicator's
    unit, units for deployment), except for ``non_increasing`` rows: there they are the allowed level
    (1+v) E_{t-1} at the solution and the level E_t. ``enforced`` is False for rows of history years
    (before replan_from): reported, met or missed, but not part of the model.
    """
    data = planning.data
    ext = data.extensions
    subjects = data.subjects
    year_pos = {t: k for k, t in enumerate(planning.years)}
    caps = planning.price_caps
    rows = []
    for k, target in enumerate(data.targets):
        j = subjects.index(target.pollutant)
        mask = area_measures(data, target.area)
        pollutant = target.pollutant in POLLUTANTS
        t = year_pos[target.year]
        achieved = float(abated_by_measure[mask, j, t].sum())
        bau = ext.bau(target.pollutant, target.area)
        level = bau.get(target.year, np.nan) - achieved
        if target.kind == "non_increasing":
            before = float(abated_by_measure[mask, j, t - 1].sum()) if t >= 1 else 0.0
            required = (1.0 + target.value) * (bau[target.year - 1] - before)
            limit, achieved, met = required, level, level <= required + MET_REL_TOL * max(1.0, abs(required))
            shortfall = max(0.0, level - required)
        else:
            required = planning.required_abatement_t[k]
            limit = bau.get(target.year, np.nan) - required
            met, shortfall = _met(achieved, required), max(0.0, required - achieved)
        rows.append({
            "year": target.year, "kind": target.kind, "subject": target.pollutant, "area": target.area,
            "value": target.value,
            "unit": "fraction" if target.kind in ("intensity_reduction", "non_increasing") else ext.unit(target.pollutant),
            "quantity_unit": ext.unit(target.pollutant),
            "required_abatement": required, "achieved_abatement": achieved,
            "emission_limit_t": limit if pollutant else np.nan, "emissions_t": level if pollutant else np.nan,
            "shortfall": shortfall, "met": met, "enforced": bool(planning.enforced[k]),
            "basis": target.basis,
            "price_cap_yuan": caps.target_yuan_per_t[k] if caps is not None else np.nan,
            "price_cap_source": caps.target_source[k] if caps is not None else "",
        })
    for k, row in enumerate(data.deployment):
        achieved = float(active[tagged_measures(data, row), year_pos[row.year]].sum())
        rows.append({
            "year": row.year, "kind": "deployment", "subject": row.tag, "area": row.area, "value": row.min_units,
            "unit": "units", "quantity_unit": "units", "required_abatement": row.min_units,
            "achieved_abatement": achieved, "emission_limit_t": np.nan, "emissions_t": np.nan,
            "shortfall": max(0.0, row.min_units - achieved), "met": _met(achieved, row.min_units),
            "enforced": bool(planning.deployment_enforced[k]),
            "basis": row.basis,
            "price_cap_yuan": caps.deployment_yuan_per_unit[k] if caps is not None else np.nan,
            "price_cap_source": caps.deployment_source[k] if caps is not None else "",
        })
    columns = ["year", "kind", "subject", "area", "value", "unit", "quantity_unit", "required_abatement",
               "achieved_abatement", "emission_limit_t", "emissions_t", "shortfall", "met", "enforced",
               "shadow_price_yuan_per_t", "shadow_price_yuan_per_unit", "shadow_price_wan_yuan_per_point",
               "shadow_price_basis", "shadow_price_note", "basis", "price_cap_yuan", "price_cap_source"]
    prices = _price_columns(planning, None)
    for k, row in enumerate(rows):
        row.update({name: prices[name][k] for name in PRICE_COLUMNS})
    table = pd.DataFrame(rows, columns=columns)
    return table.rename(columns={"required_abatement": "required", "achieved_abatement": "achieved"})


def _emission_table(planning: PlanningModel, abated: np.ndarray, targets: pd.DataFrame) -> pd.DataFrame:
    """emissions.csv: one row per year and pollutant, with the targets binding there.

    ``emission_limit_t`` is the tightest limit of those targets, ``shortfall_t`` the most tonnes by
    which one of them is missed (0 when all are met; only elastic runs can miss one).
    """
    data = planning.data
    base = data.spec.base_year
    binding: dict[tuple[int, str], list] = {}
    city = (targets["kind"] != "deployment") & (targets["area"] == "") & targets["subject"].isin(POLLUTANTS)
    for row in targets[city].itertuples():
        binding.setdefault((int(row.year), row.subject), []).append(row)
    rows = []
    for k, year in enumerate(planning.years):
        gdp = data.gdp_yi_yuan[year]
        for j, pollutant in enumerate(POLLUTANTS):
            bau = data.bau_t[pollutant][year]
            emissions = bau - abated[j, k]
            base_intensity = data.bau_t[pollutant][base] / data.gdp_yi_yuan[base]
            here = binding.get((year, pollutant), [])
            rows.append({
                "year": year, "pollutant": pollutant, "bau_t": bau, "abated_t": abated[j, k],
                "emissions_t": emissions, "gdp_yi_yuan": gdp,
                "intensity_t_per_yi_yuan": emissions / gdp,
                "intensity_change_vs_base": (emissions / gdp) / base_intensity - 1.0 if base_intensity else np.nan,
                "target_kind": ";".join(t.kind for t in here),
                "target_value": ";".join(f"{t.value:g}" for t in here),
                "emission_limit_t": min(t.emission_limit_t for t in here) if here else np.nan,
                "shortfall_t": max(t.shortfall for t in here) if here else np.nan,
                "met": all(bool(t.met) for t in here) if here else None,
            })
    return pd.DataFrame(rows)

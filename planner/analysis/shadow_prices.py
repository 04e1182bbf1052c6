"""Shadow prices that say where they come from: LP duals, fixed-integer duals, step re-solves, price caps.

Every target and deployment row gets a price (元 per t, or per unit of its tag) and a basis:

- ``lp_dual``: the row's dual in an LP (no whole-unit measures, no exclusive groups);
- ``fixed_integer_lp``: a MIP's dual in the LP with every integer choice fixed at the plan; a true
  marginal cost where the row is slack (0) or where continuous measures serve its margin;
- ``step_resolve``: a **binding** row of a MIP whose fixed-integer dual is 0 (whole units meet it
  exactly, so the fixed LP cannot say what the next unit costs). The requirement is raised by one
  step, what one more unit adds to the row for the integer measure with the lowest annualised cost
  per row-unit that can still be added in the row's year (else 1 % of the requirement); the MIP is
  re-solved at gap 0 from the incumbent, and price = (objective after - objective before) / step.
  At most MAX_STEP_RESOLVES per run, within the run's time limit;
- ``price_cap``: an elastic row that is missed: its price is its cap (what each missed tonne costs);
- ``none``: no price, with the reason in ``note`` (no plan, an infeasible step re-solve, out of
  time or re-solves, or a sweep point).

Budget rows get the value of one more 万元 of budget in each year (万元 of objective saved, >= 0).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import numpy as np

from planner.model.build import PlanningModel
from planner.solve.session import Solution, SolverSession

YUAN_PER_WAN_YUAN = 1e4
MAX_STEP_RESOLVES = 20
# A row is binding when its activity is within this of its requirement (relative to max(1, |R|)).
BINDING_REL_TOL = 1e-6
# A dual smaller than this (万元 per t or unit) is zero.
DUAL_ZERO_TOL = 1e-9
# The step of a row no integer measure can serve: this share of its requirement.
FALLBACK_STEP_SHARE = 0.01
BASES = ("lp_dual", "fixed_integer_lp", "step_resolve", "price_cap", "none")


@dataclass
class RowPrice:
    price_yuan: float  # 元 per t (target) or per unit (deployment); NaN for basis none
    basis: str
    note: str = ""


@dataclass
class ShadowPrices:
    targets: list[RowPrice]
    deployment: list[RowPrice]
    budget: dict[int, tuple[float, str]]  # year -> (万元 saved per extra 万元 of budget, >= 0; basis)
    budget_total: tuple[float, str] | None = None
    column_dual: np.ndarray | None = None  # reduced costs of the LP (or fixed LP), by column
    source: str = ""  # lp | fixed_lp
    step_resolves: int = 0
    step_resolve_s: float = 0.0  # wall time of the step re-solves (an analysis phase of its own)
    notes: list[str] = field(default_factory=list)
    duals: dict = field(default_factory=dict)  # SolverSession.shadow_prices as it came (pool duals too)

    def budget_record(self) -> dict:
        """summary.json's ``budget_shadow_prices``."""
        record = {str(year): {"wan_yuan_per_wan_yuan": value, "basis": basis}
                  for year, (value, basis) in self.budget.items()}
        if self.budget_total is not None:
            record["total"] = {"wan_yuan_per_wan_yuan": self.budget_total[0], "basis": self.budget_total[1]}
        return record


def no_prices(planning: PlanningModel, reason: str) -> ShadowPrices:
    """Every row ``none`` with ``reason`` (a run without a plan)."""
    data = planning.data
    return ShadowPrices([RowPrice(math.nan, "none", reason) for _ in data.targets],
                        [RowPrice(math.nan, "none", reason) for _ in data.deployment], {}, None, notes=[reason])


def _row_entries(session: SolverSession, position: int) -> tuple[np.ndarray, np.ndarray]:
    compiled = session.compiled
    start, end = compiled.row_start[position], compiled.row_start[position + 1]
    return compiled.col_index[start:end], compiled.value[start:end]


def row_activity(session: SolverSession, position: int, values: np.ndarray) -> float:
    """The left-hand side of one row at the column values ``values``."""
    columns, coefs = _row_entries(session, position)
    return float(coefs @ values[columns])


def unit_coefficients(planning: PlanningModel, session: SolverSession, position: int, year_pos: int) -> np.ndarray:
    """Per measure: what one unit added in year position ``year_pos`` adds to the row (its entry on
    that x column; areas, year-specific rates and indicators included, as the model built them)."""
    n_years = len(planning.years)
    coef = np.zeros(len(planning.data.measures))
    columns, values = _row_entries(session, position)
    on_x = columns < len(coef) * n_years
    columns, values = columns[on_x], values[on_x]
    here = columns % n_years == year_pos
    coef[columns[here] // n_years] = values[here]
    return coef


def step_size(planning: PlanningModel, solution: Solution, coef: np.ndarray, pos: int, required: float) -> float:
    """What one more unit adds to the row for the integer measure with the lowest annualised cost per
    row-unit that can still be added in year position ``pos`` (first year reached, ramp and potential
    over the unit's life not yet full, its exclusive group free or already its own); else 1 % of
    the requirement."""
    measures = planning.data.measures
    added, active = solution.units_added, solution.units_active
    n_years = len(planning.years)
    upper = np.minimum(measures.max_add_per_yr, measures.potential)
    adopted_groups = {measures.group[i] for i in range(len(measures)) if measures.group[i] and active[i].any()}
    best, best_cost = None, math.inf
    for i in np.flatnonzero(measures.integer & (coef > 0)):
        if pos < planning.first_year_pos[i] or added[i, pos] + 1 > upper[i] + 1e-9:
            continue
        life_end = min(n_years, pos + int(measures.lifetime_yr[i]))
        if active[i, pos:life_end].max() + 1 > measures.potential[i] + 1e-9:
            continue
        group = measures.group[i]
        if group and group in adopted_groups and not active[i].any():
            continue
        cost = planning.annual_cost_wan_yuan_per_unit[i] / coef[i]
        if cost < best_cost:
            best, best_cost = i, cost
    if best is not None:
        return float(coef[best])
    return FALLBACK_STEP_SHARE * max(abs(required), 1.0)


def _rows(planning: PlanningModel, session: SolverSession) -> list[tuple[str, int, int, int]]:
    """Per target then deployment row: (block name, index in block, row position, year position)."""
    year_pos = {t: k for k, t in enumerate(planning.years)}
    data = planning.data
    targets = session.compiled.rows_of("target_row")
    deployment = session.compiled.rows_of("deployment_row")
    return ([("target_row", k, targets[k], year_pos[t.year]) for k, t in enumerate(data.targets)]
            + [("deployment_row", k, deployment[k], year_pos[d.year]) for k, d in enumerate(data.deployment)])


def shadow_prices(planning: PlanningModel, solution: Solution, session: SolverSession,
                  max_step_resolves: int = MAX_STEP_RESOLVES) -> ShadowPrices:
    """The price and basis of every target and deployment row, and the value of budget by year.

    ``max_step_resolves`` = 0 (sweep points) gives the binding whole-unit rows ``none`` with a note.
    """
    if solution.units_active is None:
        return no_prices(planning, f"no plan: the run is {solution.status}")
    duals = session.shadow_prices(solution)
    if duals is None:
        return no_prices(planning, "no duals: the LP with the integer choices fixed could not be solved, or this "
                                   "folder's model is not the run's (robust plan, alternatives)")
    basis_of_dual = "lp_dual" if duals["source"] == "lp" else "fixed_integer_lp"
    row_duals = list(duals["target_wan_yuan_per_t"]) + list(duals["deployment_wan_yuan_per_unit"])
    shortfalls = (list(solution.target_shortfall_t) + list(solution.deployment_shortfall_units)
                  if solution.target_shortfall_t is not None else None)
    caps = planning.price_caps
    cap_list = (list(caps.target_yuan_per_t) + list(caps.deployment_yuan_per_unit)) if caps is not None else None

    prices: list[RowPrice] = []
    stepping: list[int] = []
    rows = _rows(planning, session)
    values = solution.col_values
    for r, (_block, _k, position, _pos) in enumerate(rows):
        required = float(session.compiled.row_lower[position])
        if not math.isfinite(required):
            prices.append(RowPrice(math.nan, "none", "not enforced: a history year before replan_from"))
            continue
        scale = max(1.0, abs(required))
        if shortfalls is not None and shortfalls[r] > BINDING_REL_TOL * scale:
            prices.append(RowPrice(float(cap_list[r]), "price_cap", "missed: each missing t or unit costs the cap"))
            continue
        dual = float(row_duals[r])
        binding = row_activity(session, position, values) <= required + BINDING_REL_TOL * scale
        if basis_of_dual == "fixed_integer_lp" and binding and abs(dual) < DUAL_ZERO_TOL:
            prices.append(RowPrice(math.nan, "none", ""))
            stepping.append(r)
            continue
        prices.append(RowPrice(max(0.0, dual) * YUAN_PER_WAN_YUAN if abs(dual) >= DUAL_ZERO_TOL else 0.0,
                               basis_of_dual))

    result = ShadowPrices([], [], {}, column_dual=duals["column_dual"], source=duals["source"], duals=duals)
    if stepping:
        tic = time.perf_counter()
        _step_resolves(planning, solution, session, rows, stepping, prices, max_step_resolves, result)
        result.step_resolve_s = time.perf_counter() - tic
    n_targets = len(planning.data.targets)
    result.targets, result.deployment = prices[:n_targets], prices[n_targets:]

    budget_basis = basis_of_dual
    result.budget = {year: (max(0.0, -float(value)), budget_basis)
                     for year, value in duals["budget_wan_yuan_per_wan_yuan"].items()
                     if year in session.compiled.rows_of("budget_limit")}
    if "total_budget_wan_yuan_per_wan_yuan" in duals:
        result.budget_total = (max(0.0, -float(duals["total_budget_wan_yuan_per_wan_yuan"])), budget_basis)
    return result


def _step_resolves(planning, solution, session, rows, stepping, prices, max_step_resolves, result) -> None:
    """Fill in the step_resolve prices of the rows in ``stepping`` (``prices`` is updated in place)."""
    if max_step_resolves <= 0:
        for r in stepping:
            prices[r].note = ("binding on whole units, fixed-integer dual 0; step re-solves are made by "
                              "`planner run`, not for sweep points")
        return
    start = solution.col_values
    base = solution.objective_wan_yuan
    if session.time_left_s() <= 0:
        for r in stepping:
            prices[r].note = "binding on whole units; the time limit was reached before its step re-solve"
        return
    if not solution.proven_optimal:
        status, base = session.what_if(mip_gap=0.0, start=start)
        if status != "optimal":
            for r in stepping:
                prices[r].note = f"the MIP could not be re-solved at gap 0 to price a step ({status})"
            return
        result.notes.append("step re-solves compare with the plan re-solved at gap 0")
    for n, r in enumerate(stepping):
        if n >= max_step_resolves:
            prices[r].note = f"binding on whole units; more than {max_step_resolves} rows needed a step re-solve"
            continue
        if session.time_left_s() <= 0:
            prices[r].note = "binding on whole units; the time limit was reached before its step re-solve"
            continue
        block, _k, position, pos = rows[r]
        required = float(session.compiled.row_lower[position])
        step = step_size(planning, solution, unit_coefficients(planning, session, position, pos), pos, required)
        status, objective = session.what_if(row_lower={position: required + step}, mip_gap=0.0, start=start)
        result.step_resolves += 1
        unit = "units" if block == "deployment_row" else "t"
        if status == "optimal":
            prices[r] = RowPrice(max(0.0, objective - base) / step * YUAN_PER_WAN_YUAN, "step_resolve",
                                 f"requirement raised by {step:,.6g} {unit}")
        elif status == "infeasible":
            prices[r].note = f"raising the requirement by {step:,.6g} {unit} makes the plan infeasible"
        else:
            prices[r].note = f"the step re-solve ended {status}"

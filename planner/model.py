"""Build the Pyomo model of the planning problem from validated data; no I/O, no solver.

The build reads like the formulation in docs/model.md: sets, parameters, variables, constraints,
objective. Rows are built as ``LinearExpression`` objects from plain lists with Python's garbage
collector paused, which is several times faster than rule-and-``sum()`` construction (see
docs/performance.md).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pyomo.environ as pyo
from pyomo.common.gc_manager import PauseGC
from pyomo.core.expr.numeric_expr import LinearExpression
from pyomo.repn.beta.matrix import MatrixConstraint

from planner.inputs import DeploymentTarget, PlanningData, Target
from planner.schema import POLLUTANTS

# Default elastic penalties: far above any plausible abatement cost, so a shortfall is chosen
# only when a target cannot be met at all within the budget.
DEFAULT_PENALTY_WAN_YUAN_PER_T = 1_000.0
DEFAULT_PENALTY_WAN_YUAN_PER_UNIT = 10_000.0


@dataclass(frozen=True)
class BuildOptions:
    """``elastic``: every target and deployment row may fall short at a penalty (万元 per t or unit)."""

    elastic: bool = False
    penalty_wan_yuan_per_t: float = DEFAULT_PENALTY_WAN_YUAN_PER_T
    penalty_wan_yuan_per_unit: float = DEFAULT_PENALTY_WAN_YUAN_PER_UNIT
    # Diagnosis only: every yearly budget may be exceeded at this price per 万元, to find out how
    # much more investment the targets need and in which years.
    budget_overrun_penalty_wan_yuan: float | None = None


@dataclass
class PlanningModel:
    """A built model and the numbers needed to read its solution in the data's terms."""

    model: pyo.ConcreteModel
    data: PlanningData
    options: BuildOptions
    years: list[int]
    discount_factor: np.ndarray  # per model year
    crf: np.ndarray  # capital recovery factor per measure
    annual_cost_wan_yuan_per_unit: np.ndarray  # capex*CRF + opex, per measure
    required_abatement_t: list[float]  # per target, in targets order
    group_members: dict[str, list[int]] = field(default_factory=dict)


def capital_recovery_factor(rate: float, lifetime_yr: np.ndarray) -> np.ndarray:
    """CRF(r, L) = r (1+r)^L / ((1+r)^L - 1), and 1/L at r = 0."""
    lifetime = lifetime_yr.astype(float)
    if rate == 0:
        return 1.0 / lifetime
    growth = (1.0 + rate) ** lifetime
    return rate * growth / (growth - 1.0)


def required_abatement_t(target: Target, data: PlanningData) -> float:
    """The abatement A_{p,t} a target asks for, so every target kind becomes one row A_{p,t} >= R.

    - intensity_reduction: E_t/GDP_t <= (1-v) BAU_b/GDP_b  <=>  A_t >= BAU_t - (1-v) BAU_b GDP_t/GDP_b
    - reduction:           A_t >= v
    - cap:                 E_t = BAU_t - A_t <= v          <=>  A_t >= BAU_t - v
    """
    bau = data.bau_t[target.pollutant]
    if target.kind == "intensity_reduction":
        base = data.spec.base_year
        limit_t = (1.0 - target.value) * bau[base] * data.gdp_yi_yuan[target.year] / data.gdp_yi_yuan[base]
        return bau[target.year] - limit_t
    if target.kind == "reduction":
        return target.value
    if target.kind == "cap":
        return bau[target.year] - target.value
    raise ValueError(target.kind)


def build_model(data: PlanningData, options: BuildOptions = BuildOptions()) -> PlanningModel:
    """Sets, variables, constraints and objective of the planning model, in that order."""
    spec, measures = data.spec, data.measures
    years = spec.years
    crf = capital_recovery_factor(spec.discount_rate, measures.lifetime_yr)
    planning = PlanningModel(
        model=pyo.ConcreteModel(name=spec.name),
        data=data,
        options=options,
        years=years,
        discount_factor=np.array([(1.0 + spec.discount_rate) ** -(t - spec.start_year) for t in years]),
        crf=crf,
        annual_cost_wan_yuan_per_unit=measures.capex_wan_yuan * crf + measures.opex_wan_yuan_per_yr,
        required_abatement_t=[required_abatement_t(t, data) for t in data.targets],
    )
    for i, group in enumerate(measures.group):
        if group:
            planning.group_members.setdefault(group, []).append(i)
    with PauseGC():
        _add_sets(planning)
        _add_variables(planning)
        _add_stock_balance(planning)
        _add_budget_limit(planning)
        _add_exclusive_groups(planning)
        _add_targets(planning)
        _add_deployment_targets(planning)
        _add_objective(planning)
    return planning


def _add_sets(p: PlanningModel) -> None:
    m = p.model
    m.MEASURES = pyo.Set(initialize=range(len(p.data.measures)), ordered=True)
    m.YEARS = pyo.Set(initialize=p.years, ordered=True)
    m.GROUPED = pyo.Set(initialize=[i for members in p.group_members.values() for i in members], ordered=True)
    m.GROUPS = pyo.Set(initialize=list(p.group_members), ordered=True)
    m.TARGETS = pyo.Set(initialize=range(len(p.data.targets)), ordered=True)
    m.DEPLOYMENT = pyo.Set(initialize=range(len(p.data.deployment)), ordered=True)


def _add_variables(p: PlanningModel) -> None:
    """x_{m,t} = units_added, a_{m,t} = units_active, y_m = adopted (grouped measures only).

    Bounds carry three constraints of the contract:
    ramp 0 <= x_{m,t} <= R_m; first year x_{m,t} = 0 for t < first_year_m; potential 0 <= a_{m,t} <= P_m.
    """
    m, measures = p.model, p.data.measures
    max_add = measures.max_add_per_yr
    first = measures.first_year

    def added_bounds(model, i, t):
        if t < first[i]:
            return (0.0, 0.0)
        return (0.0, None if math.isinf(max_add[i]) else float(max_add[i]))

    potential = measures.potential
    m.units_added = pyo.Var(m.MEASURES, m.YEARS, domain=pyo.NonNegativeReals, bounds=added_bounds)
    for i in np.flatnonzero(measures.integer):
        for t in p.years:
            m.units_added[int(i), t].domain = pyo.NonNegativeIntegers
    m.units_active = pyo.Var(m.MEASURES, m.YEARS, domain=pyo.NonNegativeReals,
                             bounds=lambda model, i, t: (0.0, float(potential[i])))
    m.adopted = pyo.Var(m.GROUPED, domain=pyo.Binary)
    if p.options.elastic:
        m.target_shortfall_t = pyo.Var(m.TARGETS, domain=pyo.NonNegativeReals)
        m.deployment_shortfall_units = pyo.Var(m.DEPLOYMENT, domain=pyo.NonNegativeReals)
    if p.options.budget_overrun_penalty_wan_yuan is not None:
        m.budget_overrun_wan_yuan = pyo.Var(m.YEARS, domain=pyo.NonNegativeReals)


def _add_stock_balance(p: PlanningModel) -> None:
    """stock_balance[r], r = m*|T| + k for year t = T[k]:

        a_{m,t} - a_{m,t-1} - x_{m,t} + x_{m,t-L_m} = 0

    equivalent to a_{m,t} = sum_{tau in T, t-L_m < tau <= t} x_{m,tau}; terms for years before the
    horizon are zero (no stock exists before start_year). These |M| x |T| rows are most of the
    model, so they are built in bulk as one sparse matrix block (Pyomo's ``MatrixConstraint``)
    instead of one expression per row.
    """
    m, measures = p.model, p.data.measures
    n_measures, n_years = len(measures), len(p.years)
    # Column ids of the block: units_active first, then units_added, both measure-major.
    active_col = np.arange(n_measures * n_years).reshape(n_measures, n_years)
    added_col = active_col + n_measures * n_years
    year_pos = np.broadcast_to(np.arange(n_years), (n_measures, n_years))
    retired_pos = year_pos - measures.lifetime_yr[:, None]
    has_previous = year_pos > 0
    has_retired = retired_pos >= 0
    counts = 2 + has_previous.astype(int) + has_retired.astype(int)
    row_start = np.concatenate([[0], np.cumsum(counts.ravel())])
    columns = np.empty(row_start[-1], dtype=np.int64)
    values = np.empty(row_start[-1], dtype=float)
    first = row_start[:-1].reshape(n_measures, n_years)
    columns[first.ravel()] = active_col.ravel()
    values[first.ravel()] = 1.0
    columns[first.ravel() + 1] = added_col.ravel()
    values[first.ravel() + 1] = -1.0
    previous_at = (first + 2)[has_previous]
    columns[previous_at] = (active_col - 1)[has_previous]
    values[previous_at] = -1.0
    retired_at = (first + 2 + has_previous.astype(int))[has_retired]
    columns[retired_at] = (added_col - measures.lifetime_yr[:, None])[has_retired]
    values[retired_at] = 1.0
    varmap = list(m.units_active.values()) + list(m.units_added.values())
    n_rows = n_measures * n_years
    m.stock_balance = MatrixConstraint(
        n_rows, len(varmap), len(columns), row_start.tolist(), columns.tolist(), values.tolist(),
        [0.0] * (2 * n_rows), [MatrixConstraint.Equality] * n_rows, varmap)


def _add_budget_limit(p: PlanningModel) -> None:
    """budget_limit[t]:  sum_m c_m x_{m,t} (- u_t) <= B_t  (only years with a finite budget);
    budget_total_limit:  sum_t sum_m c_m x_{m,t} <= B_total  (when a total budget is set).

    u_t >= 0 is the budget overrun, present only when diagnosing an infeasible run."""
    m, spec = p.model, p.data.spec
    capex = p.data.measures.capex_wan_yuan
    paying = [int(i) for i in np.flatnonzero(capex > 0)]
    coefs = [float(capex[i]) for i in paying]
    limited = [t for t in p.years if math.isfinite(spec.budget_wan_yuan_by_year[t])]
    added = m.units_added

    overrun = p.options.budget_overrun_penalty_wan_yuan is not None

    def rule(model, t):
        variables = [added[i, t] for i in paying]
        row_coefs = coefs
        if overrun:
            variables.append(model.budget_overrun_wan_yuan[t])
            row_coefs = coefs + [-1.0]
        expr = LinearExpression(constant=0.0, linear_coefs=row_coefs, linear_vars=variables)
        return (None, expr, spec.budget_wan_yuan_by_year[t])

    m.BUDGET_YEARS = pyo.Set(initialize=limited, ordered=True)
    m.budget_limit = pyo.Constraint(m.BUDGET_YEARS, rule=rule)
    if math.isfinite(spec.budget_total_wan_yuan):
        expr = LinearExpression(constant=0.0, linear_coefs=coefs * len(p.years),
                                linear_vars=[added[i, t] for t in p.years for i in paying])
        m.budget_total_limit = pyo.Constraint(expr=(None, expr, spec.budget_total_wan_yuan))


def _add_exclusive_groups(p: PlanningModel) -> None:
    """exclusive_group_link[m,t]:  a_{m,t} - P_m y_m <= 0     for m in a group;
    exclusive_group_limit[g]:      sum_{m in g} y_m <= 1."""
    m = p.model
    potential = p.data.measures.potential
    active, adopted = m.units_active, m.adopted

    def link(model, i, t):
        expr = LinearExpression(constant=0.0, linear_coefs=[1.0, -float(potential[i])],
                                linear_vars=[active[i, t], adopted[i]])
        return (None, expr, 0.0)

    def limit(model, g):
        members = p.group_members[g]
        return (None, LinearExpression(constant=0.0, linear_coefs=[1.0] * len(members),
                                       linear_vars=[adopted[i] for i in members]), 1.0)

    m.exclusive_group_link = pyo.Constraint(m.GROUPED, m.YEARS, rule=link)
    m.exclusive_group_limit = pyo.Constraint(m.GROUPS, rule=limit)


def _add_targets(p: PlanningModel) -> None:
    """target_row[k]:  A_{p,t} (+ s_k) >= R_k,  A_{p,t} = sum_m e_{m,p} a_{m,t}

    R_k from ``required_abatement_t`` turns intensity, reduction and cap targets into the same
    row; s_k >= 0 is the shortfall, present only in elastic mode.
    """
    m, data = p.model, p.data
    abatement = data.measures.abatement_t_per_yr
    active = m.units_active
    columns = {pollutant: (np.flatnonzero(abatement[:, j]), abatement[:, j]) for j, pollutant in enumerate(POLLUTANTS)}

    def rule(model, k):
        target = data.targets[k]
        nonzero, coefs = columns[target.pollutant]
        variables = [active[int(i), target.year] for i in nonzero]
        values = [float(coefs[i]) for i in nonzero]
        if p.options.elastic:
            variables.append(model.target_shortfall_t[k])
            values.append(1.0)
        return (p.required_abatement_t[k], LinearExpression(constant=0.0, linear_coefs=values,
                                                            linear_vars=variables), None)

    m.target_row = pyo.Constraint(m.TARGETS, rule=rule)


def tagged_measures(data: PlanningData, row: DeploymentTarget) -> list[int]:
    return [i for i, tags in enumerate(data.measures.tags) if row.tag in tags]


def _add_deployment_targets(p: PlanningModel) -> None:
    """deployment_row[k]:  sum_{m carries tag_k} a_{m,t_k} (+ s_k) >= min_units_k."""
    m, data = p.model, p.data
    active = m.units_active

    def rule(model, k):
        row = data.deployment[k]
        variables = [active[i, row.year] for i in tagged_measures(data, row)]
        if p.options.elastic:
            variables.append(model.deployment_shortfall_units[k])
        return (row.min_units, LinearExpression(constant=0.0, linear_coefs=[1.0] * len(variables),
                                                linear_vars=variables), None)

    m.deployment_row = pyo.Constraint(m.DEPLOYMENT, rule=rule)


def _add_objective(p: PlanningModel) -> None:
    """total_cost = sum_t (1+r)^-(t-t0) sum_m (c_m CRF(r, L_m) + o_m) a_{m,t}  (+ penalties on shortfalls).

    Present value, in 万元, of the equivalent annual cost of every active unit.
    """
    m = p.model
    active = m.units_active
    coefs: list[float] = []
    variables = []
    cost = p.annual_cost_wan_yuan_per_unit
    for k, t in enumerate(p.years):
        factor = float(p.discount_factor[k])
        for i in np.flatnonzero(cost):
            coefs.append(factor * float(cost[i]))
            variables.append(active[int(i), t])
    if p.options.elastic:
        for k in m.TARGETS:
            coefs.append(p.options.penalty_wan_yuan_per_t)
            variables.append(m.target_shortfall_t[k])
        for k in m.DEPLOYMENT:
            coefs.append(p.options.penalty_wan_yuan_per_unit)
            variables.append(m.deployment_shortfall_units[k])
    if p.options.budget_overrun_penalty_wan_yuan is not None:
        for t in m.YEARS:
            coefs.append(p.options.budget_overrun_penalty_wan_yuan)
            variables.append(m.budget_overrun_wan_yuan[t])
    m.total_cost = pyo.Objective(expr=LinearExpression(constant=0.0, linear_coefs=coefs, linear_vars=variables),
                                 sense=pyo.minimize)

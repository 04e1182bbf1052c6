"""Build the Pyomo model of the planning problem from validated data; no I/O, no solver.

The build reads like the formulation in docs/model.md: sets, parameters, variables, constraints,
objective. Active units are not variables: ``a[m,t]`` is substituted by the window sum of units
added, so HiGHS sees only ``x`` (and the group binaries). On the benchmark's 10,000-measure
instance that cuts the root LP from 16 s to 1.8 s against the same model with ``a`` as variables
and stock-balance rows.

Every block of columns and rows is computed as numpy arrays first; the Pyomo components are built
from those arrays (large row blocks as ``MatrixConstraint``, the few small ones as ``LinearExpression``
rows, with Python's garbage collector paused), and the arrays are kept beside them in
``PlanningModel.arrays`` (``planner.model.compile.ModelArrays``), which is what the solver gets.
"""

from __future__ import annotations

import gc
import math
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from planner.io.inputs import DeploymentTarget, PlanningData, Target
from planner.io.schema import POLLUTANTS
from planner.model.compile import GridKeys, ModelArrays
from planner.model.finance import capex_annuity_sum, capital_recovery_factor, discount_factors
from planner.model.options import BuildOptions
from planner.model.price_caps import YUAN_PER_WAN_YUAN, PriceCaps, price_caps
from planner.model.reach import added_bounds

if TYPE_CHECKING:  # Pyomo is imported when the Pyomo components are attached, not before (see _pyomo)
    import pyomo.core as pyo


def _pyomo():
    """``pyomo.core``, imported on first use: a run that never reads ``PlanningModel.model`` (``planner
    run``, which hands HiGHS the arrays) does not pay for the import (about 0.25 s and 24 MiB)."""
    import pyomo.core

    return pyomo.core


@contextmanager
def _gc_paused():
    """Python's cyclic garbage collector off while many objects are made (what Pyomo's PauseGC does)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()

@dataclass
class PlanningModel:
    """A built model and the numbers needed to read its solution in the data's terms."""

    data: PlanningData
    options: BuildOptions
    years: list[int]
    discount_factor: np.ndarray  # per model year
    crf: np.ndarray  # capital recovery factor per measure
    annual_cost_wan_yuan_per_unit: np.ndarray  # capex*CRF + opex, per measure
    required_abatement_t: list[float]  # per target, in targets order
    group_members: dict[str, list[int]] = field(default_factory=dict)
    potential_rows: list[tuple[int, int]] = field(default_factory=list)  # (measure, year) of potential_limit rows
    group_link_rows: list[tuple[int, int]] = field(default_factory=list)  # (measure, year) of link rows
    first_year_pos: np.ndarray | None = None  # per measure: first year position x may be non-zero
    arrays: ModelArrays = field(default_factory=ModelArrays)  # the same model as arrays, block by block
    column_vars: list = field(default_factory=list)  # every VarData in column order
    first_column: dict[str, int] = field(default_factory=dict)  # variable component -> its first column
    added_lower: np.ndarray | None = None  # (measures, years): bounds of x (history fixed at the actuals)
    added_upper: np.ndarray | None = None
    pool_rows: list[tuple[str, int]] = field(default_factory=list)  # (pool, year) of pool_limit rows
    area_budget_rows: list[tuple[str, int]] = field(default_factory=list)  # (area, year) of area_budget_limit rows
    enforced: list[bool] = field(default_factory=list)  # per target: its row binds (False = history year)
    deployment_enforced: list[bool] = field(default_factory=list)
    price_caps: PriceCaps | None = None  # elastic mode: 元 per t / per unit of shortfall, per row
    # Pyomo components still to attach (build_model(..., defer_pyomo=True)), in declaration order.
    pending_pyomo: list = field(default_factory=list, repr=False)
    _pyomo_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    # The Pyomo model, made with its components; read it as ``model``, which completes it first.
    pyomo: "pyo.ConcreteModel | None" = field(default=None, repr=False)

    @property
    def model(self) -> "pyo.ConcreteModel":
        """The complete Pyomo model (its variables, constraints and objective attached if still pending)."""
        self.attach_pyomo()
        return self.pyomo

    def attach_pyomo(self) -> None:
        """Build the Pyomo components from the recorded arrays, once; safe to call from a second thread
        while HiGHS solves the arrays (HiGHS releases the GIL while it runs)."""
        with self._pyomo_lock:
            if not self.pending_pyomo:
                return
            if self.pyomo is None:
                self.pyomo = _pyomo().ConcreteModel(name=self.data.spec.name)
            with _gc_paused():
                for step in self.pending_pyomo:
                    step()
            self.pending_pyomo = []

    @property
    def added_vars(self) -> list:
        """units_added VarData in column order (measure-major: column = m * |T| + year position)."""
        self.attach_pyomo()
        return self.column_vars[:len(self.data.measures) * len(self.years)]

    def window(self, measure: np.ndarray, year_pos: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The units_added terms of a_{m,t}: for each (measure[j], year_pos[j]) pair, the entries
        (j, column of x[m,tau]) for tau in the window t-L_m < tau <= t, tau >= first year.

        Columns number x measure-major: column = m * |T| + position of tau. Loops over lags only.
        """
        n_years = len(self.years)
        life = self.data.measures.lifetime_yr
        owners, columns = [], []
        for lag in range(n_years):
            tau = year_pos - lag
            keep = (lag < life[measure]) & (tau >= self.first_year_pos[measure])
            owners.append(np.flatnonzero(keep))
            columns.append(measure[keep] * n_years + tau[keep])
        return np.concatenate(owners), np.concatenate(columns)

    def active_units(self, units_added: np.ndarray) -> np.ndarray:
        """a_{m,t} = sum_{t-L_m < tau <= t} x_{m,tau} for a (measures, years) array of x."""
        cumulative = np.concatenate([np.zeros((units_added.shape[0], 1)), np.cumsum(units_added, axis=1)], axis=1)
        end = np.arange(1, len(self.years) + 1)[None, :]
        start = np.maximum(end - self.data.measures.lifetime_yr[:, None], 0)
        rows = np.arange(units_added.shape[0])[:, None]
        return cumulative[rows, end] - cumulative[rows, start]


def required_abatement_t(target: Target, data: PlanningData) -> float:
    """The right-hand side R of a target's row, so every target kind becomes one row >= R.

    With BAU, GDP (or the indicator's denominator) of the target's area ("" = the city):
    - intensity_reduction: E_t/GDP_t <= (1-v) BAU_b/GDP_b  <=>  A_t >= BAU_t - (1-v) BAU_b GDP_t/GDP_b
    - reduction:           A_t >= v
    - cap:                 E_t = BAU_t - A_t <= v          <=>  A_t >= BAU_t - v
    - non_increasing:      E_t <= (1+v) E_{t-1}  <=>  A_t - (1+v) A_{t-1} >= BAU_t - (1+v) BAU_{t-1}
      (A_{t-1} = 0 when t-1 is before start_year; the row's left side is built by ``_add_targets``)
    """
    ext = data.extensions
    if target.kind == "reduction":
        return target.value
    bau = ext.bau(target.pollutant, target.area)
    if target.kind == "intensity_reduction":
        base = data.spec.base_year
        denominator = ext.denominator(target.pollutant, target.area)
        limit_t = (1.0 - target.value) * bau[base] * denominator[target.year] / denominator[base]
        return bau[target.year] - limit_t
    if target.kind == "cap":
        return bau[target.year] - target.value
    if target.kind == "non_increasing":
        return bau[target.year] - (1.0 + target.value) * bau[target.year - 1]
    raise ValueError(target.kind)


def area_measures(data: PlanningData, area: str) -> np.ndarray:
    """Mask of the measures a row of ``area`` counts: all of them for the city (""), else that area's."""
    if not area:
        return np.ones(len(data.measures), dtype=bool)
    return np.array([a == area for a in data.measures.area], dtype=bool)


def build_model(data: PlanningData, options: BuildOptions = BuildOptions(), defer_pyomo: bool = False) -> PlanningModel:
    """Sets, variables, constraints and objective of the planning model, in that order.

    Every block is computed as arrays (``PlanningModel.arrays``, what the solver gets) and the Pyomo
    components are built from them. With ``defer_pyomo`` the Pyomo components are left pending
    (``PlanningModel.attach_pyomo``, or the first read of ``PlanningModel.model``), so that a run
    can build them on the second core while HiGHS solves."""
    spec, measures = data.spec, data.measures
    years = spec.years
    crf = capital_recovery_factor(spec.discount_rate, measures.lifetime_yr)
    planning = PlanningModel(
        data=data,
        options=options,
        years=years,
        discount_factor=discount_factors(spec.discount_rate, years, spec.start_year),
        crf=crf,
        # Start-year figures, net of the energy value (cost_effectiveness.csv says which year).
        annual_cost_wan_yuan_per_unit=(data.extensions.capex_wan_yuan[:, 0] * crf
                                       + data.extensions.opex_effective_wan_yuan_per_yr[:, 0]),
        required_abatement_t=[required_abatement_t(t, data) for t in data.targets],
    )
    _added_bounds(planning)
    replan = spec.replan_from if spec.replan_from is not None else spec.start_year
    planning.enforced = [t.year >= replan for t in data.targets]
    planning.deployment_enforced = [d.year >= replan for d in data.deployment]
    for i, group in enumerate(measures.group):
        if group:
            planning.group_members.setdefault(group, []).append(i)
    if options.elastic:
        planning.price_caps = price_caps(data, crf, planning.required_abatement_t)
    with _gc_paused():
        _add_sets(planning)
        _add_variables(planning)
        _add_budget_limit(planning)
        _add_area_budget_limit(planning)
        _add_potential_limit(planning)
        _add_pool_limit(planning)
        _add_exclusive_groups(planning)
        _add_targets(planning)
        _add_deployment_targets(planning)
        _add_objective(planning)
    if not defer_pyomo:
        planning.attach_pyomo()
    return planning


def _added_bounds(p: PlanningModel) -> None:
    """Bounds of x_{m,t} (``planner.model.reach.added_bounds``): 0 <= x <= min(R_m, P_m) from first_year
    on, 0 before; in history years (t < replan_from) x_{m,t} = the actual units."""
    p.added_lower, p.added_upper, p.first_year_pos = added_bounds(p.data)


def _grouped(p: PlanningModel) -> list[int]:
    """The measures in exclusive groups, in measures.csv order (the order of the y columns and of the
    link rows, as the contract lists them)."""
    return sorted(i for members in p.group_members.values() for i in members)


def _add_sets(p: PlanningModel) -> None:
    def attach() -> None:
        pyo, m = _pyomo(), p.pyomo
        m.MEASURES = pyo.Set(initialize=range(len(p.data.measures)), ordered=True)
        m.YEARS = pyo.Set(initialize=p.years, ordered=True)
        m.GROUPED = pyo.Set(initialize=_grouped(p), ordered=True)
        m.GROUPS = pyo.Set(initialize=list(p.group_members), ordered=True)
        m.TARGETS = pyo.Set(initialize=range(len(p.data.targets)), ordered=True)
        m.DEPLOYMENT = pyo.Set(initialize=range(len(p.data.deployment)), ordered=True)

    p.pending_pyomo.append(attach)


def _add_variables(p: PlanningModel) -> None:
    """x_{m,t} = units_added, y_m = adopted (grouped measures only); a_{m,t} is substituted (see window).

    Bounds carry three constraints of the contract (``_added_bounds``):
    ramp 0 <= x_{m,t} <= R_m; first year x_{m,t} = 0 for t < first_year_m; and x_{m,t} <= P_m, which
    the potential implies (a_{m,t} >= x_{m,t}) and which lets most potential rows be left out;
    history years (t < replan_from) fix x at the actuals.
    Columns, in this order: x (measure-major), y, then the elastic shortfalls s and the diagnosis
    overruns u where the options ask for them.
    """
    measures = p.data.measures
    n_years = len(p.years)
    integer = np.repeat(measures.integer.astype(bool), n_years)
    keys = GridKeys(range(len(measures)), p.years)
    _columns(p, "units_added", keys, ("MEASURES", "YEARS"), "NonNegativeReals",
             p.added_lower.ravel(), p.added_upper.ravel(), integer)
    _columns(p, "adopted", _grouped(p), ("GROUPED",), "Binary", 0.0, 1.0, True)
    if p.options.elastic:
        _columns(p, "target_shortfall_t", list(range(len(p.data.targets))), ("TARGETS",), "NonNegativeReals",
                 0.0, np.inf)
        _columns(p, "deployment_shortfall_units", list(range(len(p.data.deployment))), ("DEPLOYMENT",),
                 "NonNegativeReals", 0.0, np.inf)
    if p.options.budget_overrun_penalty_wan_yuan is not None:
        _columns(p, "budget_overrun_wan_yuan", list(p.years), ("YEARS",), "NonNegativeReals", 0.0, np.inf)
        if math.isfinite(p.data.spec.budget_total_wan_yuan):
            _columns(p, "budget_total_overrun_wan_yuan", [None], (), "NonNegativeReals", 0.0, np.inf)


def _columns(p: PlanningModel, name: str, keys: list, index_sets: tuple[str, ...], domain: str, lower, upper,
             integer=False) -> None:
    """Record a block of columns and attach the Pyomo variable ``name`` over the sets ``index_sets`` (set
    names of the model; none for a scalar) with the same bounds and domain.

    The variable is declared with its domain's natural bounds (``domain`` names a Pyomo domain); lower
    bounds above 0 and finite upper bounds are set per element, and integer columns of a continuous
    variable get the integer domain."""
    n = len(keys)
    lower = np.broadcast_to(np.asarray(lower, dtype=float), (n,))
    upper = np.broadcast_to(np.asarray(upper, dtype=float), (n,))
    integer = np.broadcast_to(np.asarray(integer, dtype=bool), (n,))
    p.first_column[name] = p.arrays.add_columns(name, keys, lower, upper, integer)

    def attach() -> None:
        pyo = _pyomo()
        var = pyo.Var(*(getattr(p.pyomo, s) for s in index_sets), domain=getattr(pyo, domain))
        p.pyomo.add_component(name, var)
        data = list(var.values())  # the index set's order, which is ``keys``
        assert len(data) == n, name
        for v, ub in zip(data, upper.tolist()):
            if ub != math.inf:
                v.setub(ub)
        for j in np.flatnonzero(lower != 0.0):
            data[j].setlb(float(lower[j]))
        for j in np.flatnonzero(integer):
            if not data[j].is_integer():
                data[j].domain = pyo.NonNegativeIntegers
        p.column_vars.extend(data)

    p.pending_pyomo.append(attach)


def _rows(p: PlanningModel, name: str, keys: list, owner: np.ndarray, columns: np.ndarray, values: np.ndarray,
          lower: np.ndarray, upper: np.ndarray, index_set=None, scalar: bool = False) -> None:
    """Record a block of rows lower_r <= sum_j values_j x_{columns_j} <= upper_r (``owner`` = row of each
    entry, ``columns`` global column positions) and attach the same rows to the Pyomo model.

    Indexed by ``index_set`` (the name of the model's Pyomo set holding ``keys``), or ``scalar`` (one row, key None): a
    ``Constraint`` of ``LinearExpression`` rows; otherwise a ``MatrixConstraint`` indexed 0..n-1 (CSR
    inside, built in one go)."""
    n_rows = len(keys)
    owner = np.asarray(owner, dtype=np.int64)
    columns = np.asarray(columns, dtype=np.int64)
    values = np.asarray(values, dtype=float)
    lower = np.broadcast_to(np.asarray(lower, dtype=float), (n_rows,))
    upper = np.broadcast_to(np.asarray(upper, dtype=float), (n_rows,))
    p.arrays.add_rows(name, keys, owner, columns, values, lower, upper)
    p.pending_pyomo.append(lambda: _attach_rows(p, name, index_set, scalar))


def _attach_rows(p: PlanningModel, name: str, index_set, scalar: bool) -> None:
    """The Pyomo component of a block of rows recorded by ``_rows``, read from the compiled arrays
    (the block's rows are consecutive there; the recorded entries are released once compiled)."""
    compiled = p.arrays.compile()
    block = compiled.row_blocks[name]
    keys, first, n_rows = block.keys, block.first, len(block)
    starts = compiled.row_start[first:first + n_rows + 1]
    begin, end = int(starts[0]), int(starts[-1])
    row_start = starts - begin
    columns, values = compiled.col_index[begin:end], compiled.value[begin:end]
    lower, upper = compiled.row_lower[first:first + n_rows], compiled.row_upper[first:first + n_rows]
    pyo = _pyomo()
    if index_set is None and not scalar:
        p.pyomo.add_component(name, _matrix_constraint(row_start, columns, values, lower, upper, p.column_vars))
        return
    from pyomo.core.expr.numeric_expr import LinearExpression

    row_of = {key: r for r, key in enumerate(keys)}
    variables, coefs = p.column_vars, values.tolist()
    cols = columns.tolist()
    bound = lambda value: None if not math.isfinite(value) else float(value)  # noqa: E731

    def rule(model, *key):
        r = row_of[key[0] if len(key) == 1 else key]
        start, end = int(row_start[r]), int(row_start[r + 1])
        expr = LinearExpression(constant=0.0, linear_coefs=coefs[start:end],
                                linear_vars=[variables[j] for j in cols[start:end]])
        return (bound(lower[r]), expr, bound(upper[r]))

    if scalar:
        p.pyomo.add_component(name, pyo.Constraint(rule=lambda model: rule(model, None)))
        return
    p.pyomo.add_component(name, pyo.Constraint(getattr(p.pyomo, index_set), rule=rule))


def _matrix_constraint(row_start: np.ndarray, columns: np.ndarray, values: np.ndarray, lower: np.ndarray,
                       upper: np.ndarray, varmap: list):
    """Rows in CSR form as a Pyomo ``MatrixConstraint`` over every column of the model (``varmap``)."""
    from pyomo.repn.beta.matrix import MatrixConstraint

    has_lower, has_upper = np.isfinite(lower), np.isfinite(upper)
    kinds = np.where(has_lower & has_upper & (lower == upper), MatrixConstraint.Equality,
                     np.where(has_lower, MatrixConstraint.LowerBound, 0)
                     | np.where(has_upper, MatrixConstraint.UpperBound, 0))
    ranges = np.column_stack([np.where(has_lower, lower, 0.0), np.where(has_upper, upper, 0.0)]).ravel()
    # numpy arrays, not lists: the block reads them by index, and 10^6 Python floats and ints would
    # cost about 60 MB at 10,000 measures.
    return MatrixConstraint(len(lower), len(varmap), len(columns), row_start, columns, values, ranges,
                            kinds.astype(np.int64), varmap)


def _window_rows(p: PlanningModel, measure: np.ndarray, year_pos: np.ndarray, weight: np.ndarray,
                 row: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Entries of sum_j weight_j a_{measure_j, year_j} in rows ``row_j``, as x terms (owner, column, value)."""
    pair, columns = p.window(measure, year_pos)
    return row[pair], columns, weight[pair]


def _add_potential_limit(p: PlanningModel) -> None:
    """potential_limit[r]:  a_{m,t} = sum_{t-L_m < tau <= t} x_{m,tau} <= P_m

    One row per (m, t) of an ungrouped measure where the bounds of x could exceed the potential
    (sum of the upper bounds of x over the window > P_m); the others hold by the bounds alone.
    Grouped measures get the potential from ``exclusive_group_link``. ``potential_rows`` lists
    the (measure, year) of each row.
    """
    measures = p.data.measures
    reach = p.active_units(p.added_upper)  # most units the bounds of x allow to be active
    ungrouped = np.array([not g for g in measures.group], dtype=bool)
    need = (reach > measures.potential[:, None] * (1 + 1e-12)) & ungrouped[:, None]
    measure, year_pos = np.nonzero(need)
    p.potential_rows = [(int(i), p.years[k]) for i, k in zip(measure, year_pos)]
    owner, columns, values = _window_rows(p, measure, year_pos, np.ones(len(measure)), np.arange(len(measure)))
    _rows(p, "potential_limit", list(range(len(measure))), owner, columns, values, -np.inf,
          measures.potential[measure].astype(float))


def _add_budget_limit(p: PlanningModel) -> None:
    """budget_limit[t]:  sum_m c_{m,t} x_{m,t} (- u_t) <= B_t  (only planned years with a finite budget);
    budget_total_limit:  sum_{t >= Y} sum_m c_{m,t} x_{m,t} (- u_total) <= B_total  (when a total budget is set).

    c_{m,t} is the year's capex (measure_years.csv, else the measure's). Planned years are t >= Y =
    replan_from (all model years without it): history is not limited. u_t >= 0 and u_total >= 0 are
    the budget overruns, present only when diagnosing an infeasible run."""
    spec = p.data.spec
    capex = p.data.extensions.capex_wan_yuan
    n_years = len(p.years)
    planned_pos = np.array([p.years.index(t) for t in spec.planned_years], dtype=np.int64)
    limited = [t for t in spec.planned_years if math.isfinite(spec.budget_wan_yuan_by_year[t])]

    def terms(year_pos: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(entry's year index in ``year_pos``, column, c_{m,t}) of every paying measure, year by year."""
        which, measure = np.nonzero(capex[:, year_pos].T > 0)
        return which, measure * n_years + year_pos[which], capex[measure, year_pos[which]].astype(float)

    year_pos = np.array([p.years.index(t) for t in limited], dtype=np.int64)
    owner, columns, values = terms(year_pos)
    if p.options.budget_overrun_penalty_wan_yuan is not None:
        owner = np.concatenate([owner, np.arange(len(limited))])
        columns = np.concatenate([columns, p.first_column["budget_overrun_wan_yuan"] + year_pos])
        values = np.concatenate([values, -np.ones(len(limited))])

    def budget_years() -> None:
        p.pyomo.BUDGET_YEARS = _pyomo().Set(initialize=limited, ordered=True)

    p.pending_pyomo.append(budget_years)
    _rows(p, "budget_limit", limited, owner, columns, values, -np.inf,
          np.array([spec.budget_wan_yuan_by_year[t] for t in limited], dtype=float), index_set="BUDGET_YEARS")
    if math.isfinite(spec.budget_total_wan_yuan):
        _, columns, values = terms(planned_pos)
        if "budget_total_overrun_wan_yuan" in p.first_column:  # diagnosis: - u_total on the left
            columns = np.concatenate([columns, [p.first_column["budget_total_overrun_wan_yuan"]]])
            values = np.concatenate([values, [-1.0]])
        _rows(p, "budget_total_limit", [None], np.zeros(len(columns), dtype=np.int64), columns, values, -np.inf,
              spec.budget_total_wan_yuan, scalar=True)


def _add_area_budget_limit(p: PlanningModel) -> None:
    """area_budget_limit[r]:  sum_{m: area_m = g} c_{m,t} x_{m,t} <= B_g   for each area g of
    [budget.areas] and each planned year t (t >= replan_from); ``area_budget_rows`` gives (g, t) of row r."""
    spec = p.data.spec
    capex = p.data.extensions.capex_wan_yuan
    start = spec.start_year
    rows = [(area, t) for area in spec.budget_areas_wan_yuan for t in spec.planned_years]
    p.area_budget_rows = rows
    owner, columns, values, upper = [], [], [], []
    n_years = len(p.years)
    for r, (area, t) in enumerate(rows):
        members = np.flatnonzero(area_measures(p.data, area) & (capex[:, t - start] > 0))
        owner.append(np.full(len(members), r))
        columns.append(members * n_years + (t - start))
        values.append(capex[members, t - start])
        upper.append(spec.budget_areas_wan_yuan[area])
    empty = np.zeros(0)
    _rows(p, "area_budget_limit", list(range(len(rows))), np.concatenate(owner or [empty]).astype(np.int64),
          np.concatenate(columns or [empty]).astype(np.int64), np.concatenate(values or [empty]).astype(float),
          -np.inf, np.asarray(upper, dtype=float))


def _add_pool_limit(p: PlanningModel) -> None:
    """pool_limit[r]:  sum_{m: pool_m = q} u_m a_{m,t} <= Cap_{q,t}   for each pool q and model year t.

    u_m = pool_use (pool units per active unit); ``pool_rows`` gives (q, t) of row r."""
    data = p.data
    pools = data.extensions.pools
    measures = data.measures
    n_years = len(p.years)
    rows, parts, upper = [], [], []
    for pool_id, pool in pools.items():
        members = np.array([i for i, q in enumerate(measures.pool) if q == pool_id], dtype=np.int64)
        for k, year in enumerate(p.years):
            r = len(rows)
            rows.append((pool_id, year))
            parts.append(_window_rows(p, members, np.full(len(members), k), measures.pool_use[members],
                                      np.full(len(members), r)))
            upper.append(pool.capacity_by_year[year])
    p.pool_rows = rows
    empty = (np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0))
    owner, columns, values = (np.concatenate([part[j] for part in parts] or [empty[j]]) for j in range(3))
    _rows(p, "pool_limit", list(range(len(rows))), owner, columns, values, -np.inf, np.asarray(upper, dtype=float))
    del n_years


def _add_exclusive_groups(p: PlanningModel) -> None:
    """exclusive_group_link[r]:  a_{m,t} - P_m y_m <= 0     for m in a group, every year (r = m-major);
    exclusive_group_limit[g]:  sum_{m in g} y_m <= 1."""
    potential = p.data.measures.potential
    grouped = np.array(_grouped(p), dtype=np.int64)
    n_years = len(p.years)
    measure = np.repeat(grouped, n_years)
    year_pos = np.tile(np.arange(n_years), len(grouped))
    rows = np.arange(len(measure))
    owner, columns, values = _window_rows(p, measure, year_pos, np.ones(len(measure)), rows)
    y_column = p.first_column["adopted"] + np.repeat(np.arange(len(grouped)), n_years)
    owner = np.concatenate([owner, rows])
    columns = np.concatenate([columns, y_column])
    values = np.concatenate([values, -potential[measure].astype(float)])
    p.group_link_rows = [(int(i), p.years[k]) for i, k in zip(measure, year_pos)]
    _rows(p, "exclusive_group_link", list(range(len(rows))), owner, columns, values, -np.inf, 0.0)

    y_of = {int(i): j for j, i in enumerate(grouped)}
    groups = list(p.group_members)
    members = [p.group_members[g] for g in groups]
    owner = np.repeat(np.arange(len(groups)), [len(ms) for ms in members]).astype(np.int64)
    columns = p.first_column["adopted"] + np.array([y_of[i] for ms in members for i in ms], dtype=np.int64)
    _rows(p, "exclusive_group_limit", groups, owner, columns, np.ones(len(columns)), -np.inf, 1.0,
          index_set="GROUPS")


def _add_targets(p: PlanningModel) -> None:
    """target_row[k]:  A^g_{s,t} (+ s_k) >= R_k,  A^g_{s,t} = sum_{m in area g} e_{m,s,t} a_{m,t}

    s is a pollutant or an indicator, g the target's area (all measures for the city), e_{m,s,t}
    the year's rate (measure_years.csv, else the measure's). R_k from ``required_abatement_t``
    turns intensity, reduction and cap targets into the same row; a non_increasing row is
    A^g_{s,t} - (1+v) A^g_{s,t-1} >= R_k (the second term only when t-1 is a model year). s_k >= 0
    is the shortfall, present only in elastic mode. Rows of years before replan_from are not
    enforced (R_k = -inf; they are reported). Row k is target k.
    """
    data = p.data
    rates = data.extensions.rate
    subjects = data.subjects
    year_pos = {t: k for k, t in enumerate(p.years)}
    parts = []
    for k, target in enumerate(data.targets):
        mask = area_measures(data, target.area)
        t = year_pos[target.year]
        rate = np.where(mask, rates[:, subjects.index(target.pollutant), t], 0.0)
        measure = np.flatnonzero(rate)
        parts.append(_window_rows(p, measure, np.full(len(measure), t), rate[measure], np.full(len(measure), k)))
        if target.kind == "non_increasing" and t >= 1:
            before = -(1.0 + target.value) * np.where(mask, rates[:, subjects.index(target.pollutant), t - 1], 0.0)
            measure = np.flatnonzero(before)
            parts.append(_window_rows(p, measure, np.full(len(measure), t - 1), before[measure],
                                      np.full(len(measure), k)))
    required = np.where(p.enforced, np.asarray(p.required_abatement_t, dtype=float), -np.inf) \
        if data.targets else np.zeros(0)
    _at_least_rows(p, "target_row", parts, required, "target_shortfall_t")


def tagged_measures(data: PlanningData, row: DeploymentTarget) -> list[int]:
    """Measures a deployment row counts: those carrying its tag, in its area when it has one."""
    return [i for i, tags in enumerate(data.measures.tags)
            if row.tag in tags and (not row.area or data.measures.area[i] == row.area)]


def _add_deployment_targets(p: PlanningModel) -> None:
    """deployment_row[k]:  sum_{m carries tag_k, m in area g_k} a_{m,t_k} (+ s_k) >= min_units_k
    (rows of years before replan_from are not enforced)."""
    data = p.data
    year_pos = {t: k for k, t in enumerate(p.years)}
    parts = []
    for k, row in enumerate(data.deployment):
        measure = np.asarray(tagged_measures(data, row), dtype=np.int64)
        parts.append(_window_rows(p, measure, np.full(len(measure), year_pos[row.year]), np.ones(len(measure)),
                                  np.full(len(measure), k)))
    minimum = np.array([row.min_units for row in data.deployment], dtype=float)
    minimum = np.where(np.asarray(p.deployment_enforced, dtype=bool), minimum, -np.inf) if len(minimum) else minimum
    _at_least_rows(p, "deployment_row", parts, minimum, "deployment_shortfall_units")


def _at_least_rows(p: PlanningModel, name: str, parts: list, required: np.ndarray, shortfall: str) -> None:
    """Rows ``name[k]``: (x terms of ``parts``) (+ shortfall[k] in elastic mode) >= required[k]."""
    empty = (np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0))
    owner, columns, values = (np.concatenate([part[j] for part in parts] or [empty[j]]) for j in range(3))
    rows = np.arange(len(required))
    if p.options.elastic:
        owner = np.concatenate([owner, rows])
        columns = np.concatenate([columns, p.first_column[shortfall] + rows])
        values = np.concatenate([values, np.ones(len(rows))])
    _rows(p, name, list(range(len(required))), owner, columns, values, required, np.inf)


def _add_objective(p: PlanningModel) -> None:
    """total_cost = sum_tau sum_m x_{m,tau} c_{m,tau} CRF_m sum_{t=tau}^{min(tau+L_m-1, t_end)} (1+r)^-(t-t0)
                  + sum_t (1+r)^-(t-t0) sum_m o'_{m,t} a_{m,t}     (+ sum_k pi_k s_k in elastic mode)

    pi_k is row k's price cap (``PlanningModel.price_caps``, 元 converted to 万元), not discounted.
    With ``[model] end_effects = "full_capex"`` the capex sum runs over the unit's whole life,
    sum_{t=tau}^{tau+L_m-1} (1+r)^-(t-t0), so c CRF times it is c (1+r)^(1-(tau-t0)) (finance.capex_annuity_sum).

    Present value, in 万元, of the equivalent annual cost of every active unit: the annuity of the
    capex of its year of addition, c_{m,tau} CRF(r, L_m), and the opex of each year it is active net
    of the energy value, o'_{m,t} = o_{m,t} - 0.1 (p_e MWh_m + p_g km3_m). With a_{m,t} substituted,
    x_{m,tau} carries c_{m,tau} CRF_m D(tau..end) + sum_{t in its life} d_t o'_{m,t}, with end =
    min(tau + L_m, t_end + 1) - 1. When no figure varies by year this is the v1 objective
    sum_t d_t sum_m (c_m CRF + o_m) a_{m,t}. History units (t < replan_from) add a constant.
    """
    n_years = len(p.years)
    ext = p.data.extensions
    tau = np.arange(n_years)[None, :]
    rows = np.arange(len(p.data.measures))[:, None]
    end = np.minimum(tau + p.data.measures.lifetime_yr[:, None], n_years)
    discounted_opex = ext.opex_effective_wan_yuan_per_yr * p.discount_factor[None, :]
    opex_cumulative = np.concatenate([np.zeros((len(p.data.measures), 1)), np.cumsum(discounted_opex, axis=1)],
                                     axis=1)
    spec = p.data.spec
    cost = (ext.capex_wan_yuan * p.crf[:, None] * capex_annuity_sum(spec.end_effects, spec.discount_rate,
                                                                    p.discount_factor, p.data.measures.lifetime_yr)
            + opex_cumulative[rows, end] - opex_cumulative[rows, tau])
    cost[tau < p.first_year_pos[:, None]] = 0.0  # x is fixed at zero there
    columns = [np.flatnonzero(cost.ravel())]
    coefs = [cost.ravel()[columns[0]]]

    def penalty(name: str, price_wan_yuan) -> None:
        first = p.first_column[name]
        n = len(p.arrays.column_blocks[name])
        columns.append(np.arange(first, first + n))
        coefs.append(np.broadcast_to(np.asarray(price_wan_yuan, dtype=float), (n,)))

    if p.options.elastic:
        penalty("target_shortfall_t", p.price_caps.target_yuan_per_t / YUAN_PER_WAN_YUAN)
        penalty("deployment_shortfall_units", p.price_caps.deployment_yuan_per_unit / YUAN_PER_WAN_YUAN)
    if p.options.budget_overrun_penalty_wan_yuan is not None:
        penalty("budget_overrun_wan_yuan", p.options.budget_overrun_penalty_wan_yuan)
        if "budget_total_overrun_wan_yuan" in p.first_column:
            penalty("budget_total_overrun_wan_yuan", p.options.budget_overrun_penalty_wan_yuan)
    columns, coefs = np.concatenate(columns), np.concatenate(coefs)
    p.arrays.set_objective(columns, coefs)

    def attach() -> None:
        from pyomo.core.expr.numeric_expr import LinearExpression

        pyo, variables = _pyomo(), p.column_vars
        p.pyomo.total_cost = pyo.Objective(
            expr=LinearExpression(constant=0.0, linear_coefs=coefs.tolist(),
                                  linear_vars=[variables[j] for j in columns.tolist()]),
            sense=pyo.minimize)

    p.pending_pyomo.append(attach)

"""How far each measure can go by a given year: the bounds of units added, the most units active,
and pools holding their members down. Used by the model (bounds of x, elastic price caps) and by
screening (planner.analysis.diagnose), so both read the same limits."""

from __future__ import annotations

import numpy as np

from planner.io.inputs import PlanningData


def added_bounds(data: PlanningData) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Bounds of x_{m,t} as (lower, upper, first year position), each (measures, years) but the last:
    0 <= x <= min(R_m, P_m) from first_year on, 0 before; in history years (t < replan_from)
    x_{m,t} = the actual units, whatever the ramp and first year (history is what it was). The first
    year position is the first where x may be non-zero."""
    spec, measures = data.spec, data.measures
    years = spec.years
    n_years = len(years)
    first = np.clip(np.ceil(measures.first_year).astype(np.int64) - spec.start_year, 0, n_years)
    upper = np.minimum(measures.max_add_per_yr, measures.potential)[:, None] * np.ones(n_years)[None, :]
    upper[np.arange(n_years)[None, :] < first[:, None]] = 0.0
    lower = np.zeros_like(upper)
    if spec.replan_from is not None:
        history = np.array([t < spec.replan_from for t in years])
        actuals = data.extensions.actuals if data.extensions.actuals is not None else np.zeros_like(upper)
        upper[:, history] = actuals[:, history]
        lower[:, history] = actuals[:, history]
        used = upper > 0
        first = np.where(used.any(axis=1), np.argmax(used, axis=1), n_years)
    return lower, upper, first.astype(np.int64)


def max_active_units(data: PlanningData, year: int) -> np.ndarray:
    """Most units of each measure that can be active in ``year``: min(P_m, sum of the upper bounds of
    x_{m,tau} over the life window year-L_m < tau <= year), so potential, ramp, first year, life and,
    in a re-plan, the history's actual units all count. 0 for a year before start_year."""
    spec, measures = data.spec, data.measures
    if year < spec.start_year:
        return np.zeros(len(measures))
    _, upper, _ = added_bounds(data)
    pos = min(year, spec.end_year) - spec.start_year
    cumulative = np.concatenate([np.zeros((len(measures), 1)), np.cumsum(upper, axis=1)], axis=1)
    start = np.maximum(pos + 1 - measures.lifetime_yr.astype(np.int64), 0)
    window = cumulative[:, pos + 1] - cumulative[np.arange(len(measures)), start]
    return np.minimum(measures.potential, window)


def pool_capped(data: PlanningData, reach: np.ndarray, rate: np.ndarray, year: int) -> tuple[np.ndarray, list[str]]:
    """Per-measure reach (row-units, e.g. t) with each pool's members together held to what its
    capacity allows: sum over a pool of reach <= Cap_{q,t} x the best rate per pool unit of its
    members (members scaled down alike). Also returns the pools that cap it, as "pool (capacity unit)"."""
    measures = data.measures
    reach = reach.copy()
    capped: list[str] = []
    for pool_id, pool in data.extensions.pools.items():
        members = np.array([i for i, q in enumerate(measures.pool) if q == pool_id], dtype=np.int64)
        if not len(members):
            continue
        most = pool.capacity_by_year[year] * float(np.max(rate[members] / measures.pool_use[members]))
        total = float(reach[members].sum())
        if total > most:
            reach[members] *= most / total
            capped.append(f"{pool_id} ({pool.capacity_by_year[year]:,g} {pool.unit})")
    return reach, capped


def target_reach(data: PlanningData, k: int) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """The most each measure can add to target k's row in its year, in the row's units (t, or the
    indicator's unit), an upper bound: (reach per measure, the measures' rates e_{m,p,t} in the
    row's area, clipped at 0, and the pools that hold the reach down).

    Row A_t >= R (reduction, cap, intensity): reach_m = e_{m,p,t} x the most units active in t,
    a pool's members held together to its capacity.

    Row A_t - (1+v) A_{t-1} >= R (non_increasing): what counts is the growth of abatement from t-1
    to t, so reach_m = the largest e_t a_t - (1+v) e_{t-1} a_{t-1} over 0 <= a_{t-1} <= M_{t-1},
    0 <= a_t <= min(M_t, a_{t-1} + X_t) (M: most units active, X_t: most units added in t; a_{t-1}
    fixed at M_{t-1} when t-1 is history or before start_year), the largest of the vertices. A
    measure with a large potential but a slow ramp reaches only its ramp's worth."""
    from planner.model.build import area_measures  # build imports this module

    spec, target = data.spec, data.targets[k]
    ext = data.extensions
    j = data.subjects.index(target.pollutant)
    t = target.year - spec.start_year
    mask = area_measures(data, target.area)
    rate_t = np.where(mask, ext.rate[:, j, t], 0.0)
    rate = np.clip(rate_t, 0.0, None)
    most_t = max_active_units(data, target.year)
    if target.kind != "non_increasing":
        reach, capped = pool_capped(data, most_t * rate, rate, target.year)
        return reach, rate, capped
    rate_prev = np.where(mask, ext.rate[:, j, t - 1], 0.0) if t >= 1 else np.zeros(len(rate))
    most_prev = max_active_units(data, target.year - 1)
    replan = spec.replan_from if spec.replan_from is not None else spec.start_year
    fixed_prev = target.year - 1 < replan
    _, upper, _ = added_bounds(data)
    added_t = upper[:, t]
    low_prev = most_prev if fixed_prev else np.zeros(len(rate))
    best = np.full(len(rate), -np.inf)
    for prev in (low_prev, most_prev, np.clip(most_t - added_t, low_prev, most_prev)):
        for now in (np.zeros(len(rate)), np.minimum(most_t, prev + added_t)):
            best = np.maximum(best, rate_t * now - (1 + target.value) * rate_prev * prev)
    reach, capped = pool_capped(data, np.clip(best, 0.0, None), rate, target.year)
    return reach, rate, capped

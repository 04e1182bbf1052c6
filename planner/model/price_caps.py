"""Elastic price caps, one per target and deployment row: what a tonne (or unit) of shortfall costs.

Like GenX's policy slacks with a ``PriceCap``, each row of an elastic run may fall short, and
every tonne or unit it misses costs that row's cap (元, undiscounted, so that the cap reads on the
same scale as the row's shadow price). Precedence, first found wins:

1. the row's own ``price_cap_yuan_per_t`` (targets.csv) or ``price_cap_yuan_per_unit`` (deployment.csv);
2. the spec's ``[targets] price_cap_yuan_per_t = { nox = ... }`` / ``price_cap_yuan_per_unit = { tag = ... }``;
3. the spec's older spec-wide ``[targets] penalty_wan_yuan_per_t`` / ``penalty_wan_yuan_per_unit``
   (万元, converted to 元);
4. a default derived from the data (``derived_cap_yuan``, from the row year's figures and the most
   units active in that year, ``planner.model.reach``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from planner.errors import InputError, Problem
from planner.io.inputs import PlanningData
from planner.model.reach import max_active_units, target_reach

# The derived default is this many times the levelised cost of the last measure a row needs ...
DEFAULT_CAP_FACTOR = 10.0
# ... and never below this, 元 per t or per unit (a row met by money-saving measures alone).
MIN_DEFAULT_CAP_YUAN = 1_000.0
YUAN_PER_WAN_YUAN = 1e4

SOURCES = ("row", "spec", "spec_wide", "derived")


@dataclass(frozen=True)
class PriceCaps:
    """Caps in 元 per t (target rows, in targets order) and 元 per unit (deployment rows), and where
    each comes from (one of SOURCES)."""

    target_yuan_per_t: np.ndarray
    deployment_yuan_per_unit: np.ndarray
    target_source: list[str]
    deployment_source: list[str]

    def records(self, data: PlanningData) -> list[dict]:
        """One record per row, for summary.json and the terminal."""
        out = [{"year": t.year, "subject": t.pollutant, "kind": t.kind, "price_cap_yuan": float(cap),
                "unit": "元/t", "source": source}
               for t, cap, source in zip(data.targets, self.target_yuan_per_t, self.target_source)]
        out += [{"year": d.year, "subject": d.tag, "kind": "deployment", "price_cap_yuan": float(cap),
                 "unit": "元/unit", "source": source}
                for d, cap, source in zip(data.deployment, self.deployment_yuan_per_unit, self.deployment_source)]
        return out


def derived_cap_yuan(levelised_yuan: np.ndarray, reach: np.ndarray, required: float) -> float:
    """The default cap of one row, 元 per row-unit.

    ``levelised_yuan[i]``: cost of measure i per row-unit it adds (元/t for a pollutant row; negative
    clipped at 0; ``price_caps`` says which cost); ``reach[i]``: the most row-units it can add in the
    row's year. Take the measures cheapest first, each up to its reach, until ``required`` is
    reached; the cap is DEFAULT_CAP_FACTOR x the levelised cost of the last one taken, or of the
    dearest if all of them together fall short; at least MIN_DEFAULT_CAP_YUAN.

    >>> derived_cap_yuan(np.array([500.0, 2000.0, 9000.0]), np.array([10.0, 10.0, 10.0]), 15.0)
    20000.0
    >>> derived_cap_yuan(np.array([500.0, 2000.0]), np.array([10.0, 10.0]), 50.0)
    20000.0
    >>> derived_cap_yuan(np.array([-300.0]), np.array([10.0]), 5.0)
    1000.0
    """
    if len(levelised_yuan) == 0 or required <= 0:
        return MIN_DEFAULT_CAP_YUAN
    levelised_yuan = np.clip(levelised_yuan, 0.0, None)
    order = np.argsort(levelised_yuan, kind="stable")
    last = float(levelised_yuan[order[-1]])  # the dearest, when they cannot reach it
    taken = 0.0
    for i in order:
        taken += reach[i]
        if taken >= required * (1 - 1e-12):
            last = float(levelised_yuan[i])
            break
    return max(DEFAULT_CAP_FACTOR * last, MIN_DEFAULT_CAP_YUAN)


def price_caps(data: PlanningData, crf: np.ndarray, required_abatement_t: list[float]) -> PriceCaps:
    """The cap of every target and deployment row, by the precedence in the module docstring.

    The derived default of a row in year t reads each measure at that year's figures. Its cost per
    row-unit (per t or tce of a target, per unit of a deployment row) is the larger of the annual cost
    c_{m,t} CRF_m + o'_{m,t} (net of the energy value, so often negative) and the investment c_{m,t}
    itself, divided by the rate e_{m,p,t} (1 for a deployment row): a row-unit is worth at least what
    it costs to keep a year and, where budgets bind, the cash it takes from them, so a money-saving
    measure that needs investment is not free. Its reach is the most it can add to the row in t
    (``planner.model.reach.target_reach``: potential, ramp, first year, life, history and pools,
    for a peak the growth from t-1 to t). With the potential alone as reach and the annual cost,
    cheap measures seemed to meet most rows, the caps fell to the floor and an elastic run missed
    targets that a strict run at the same budget met (issue 11)."""
    spec, measures = data.spec, data.measures
    ext = data.extensions
    annual = ext.capex_wan_yuan * crf[:, None] + ext.opex_effective_wan_yuan_per_yr
    cost_yuan = np.maximum(annual, ext.capex_wan_yuan) * YUAN_PER_WAN_YUAN
    known_tags = {tag for tags in measures.tags for tag in tags}
    unknown = sorted(set(spec.price_cap_yuan_per_unit) - known_tags)
    if unknown:
        raise InputError([Problem(str(spec.path), f"[targets] price_cap_yuan_per_unit names tag(s) "
                                                  f"{', '.join(unknown)} that no measure carries; "
                                                  f"known tags: {', '.join(sorted(known_tags)) or 'none'}")])

    def pick(own: float, by_name: dict[str, float], name: str, spec_wide: float | None, derive) -> tuple[float, str]:
        if math.isfinite(own):
            return own, "row"
        if name in by_name:
            return by_name[name], "spec"
        if spec_wide is not None:
            return spec_wide, "spec_wide"
        return derive(), "derived"

    def target_cap(k: int) -> float:
        # v2: a pollutant or an indicator, at the target year's figures, of the target's area only.
        t = data.targets[k].year - spec.start_year
        reach, rate, _ = target_reach(data, k)
        useful = np.flatnonzero(rate > 0)
        return derived_cap_yuan(cost_yuan[useful, t] / rate[useful], reach[useful], required_abatement_t[k])

    def deployment_cap(row) -> float:
        tagged = np.array([i for i, tags in enumerate(measures.tags)
                           if row.tag in tags and (not row.area or measures.area[i] == row.area)], dtype=np.int64)
        t = row.year - spec.start_year
        return derived_cap_yuan(cost_yuan[tagged, t], max_active_units(data, row.year)[tagged], row.min_units)

    target_caps, target_sources = [], []
    for k, target in enumerate(data.targets):
        cap, source = pick(target.price_cap_yuan_per_t, spec.price_cap_yuan_per_t, target.pollutant,
                           spec.spec_price_cap_yuan_per_t, lambda: target_cap(k))
        target_caps.append(cap)
        target_sources.append(source)
    deploy_caps, deploy_sources = [], []
    for row in data.deployment:
        cap, source = pick(row.price_cap_yuan_per_unit, spec.price_cap_yuan_per_unit, row.tag,
                           spec.spec_price_cap_yuan_per_unit, lambda: deployment_cap(row))
        deploy_caps.append(cap)
        deploy_sources.append(source)
    return PriceCaps(np.array(target_caps, dtype=float), np.array(deploy_caps, dtype=float),
                     target_sources, deploy_sources)

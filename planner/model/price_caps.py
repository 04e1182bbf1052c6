"""Elastic price caps, one per target and deployment row: what a tonne (or unit) of shortfall costs.

Like GenX's policy slacks with a ``PriceCap``, each row of an elastic run may fall short, and
every tonne or unit it misses costs that row's cap (元, undiscounted, so that the cap reads on the
same scale as the row's shadow price). Precedence, first found wins:

1. the row's own ``price_cap_yuan_per_t`` (targets.csv) or ``price_cap_yuan_per_unit`` (deployment.csv);
2. the spec's ``[targets] price_cap_yuan_per_t = { nox = ... }`` / ``price_cap_yuan_per_unit = { tag = ... }``;
3. the spec's older spec-wide ``[targets] penalty_wan_yuan_per_t`` / ``penalty_wan_yuan_per_unit``
   (万元, converted to 元);
4. a default derived from the data (``derived_cap_yuan``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from planner.errors import InputError, Problem
from planner.io.inputs import PlanningData

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

    ``levelised_yuan[i]``: equivalent annual cost of one unit of measure i per row-unit it adds
    (元/t for a pollutant row: (c CRF + o) / e_{i,p}); ``reach[i]``: row-units at its potential
    (P_i e_{i,p}). Take the measures cheapest first, each up to its reach, until ``required`` is
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
    order = np.argsort(levelised_yuan, kind="stable")
    last = float(levelised_yuan[order[-1]])  # the dearest, when they cannot reach it
    taken = 0.0
    for i in order:
        taken += reach[i]
        if taken >= required * (1 - 1e-12):
            last = float(levelised_yuan[i])
            break
    return max(DEFAULT_CAP_FACTOR * last, MIN_DEFAULT_CAP_YUAN)


def price_caps(data: PlanningData, annual_cost_wan_yuan_per_unit: np.ndarray,
               required_abatement_t: list[float]) -> PriceCaps:
    """The cap of every target and deployment row, by the precedence in the module docstring."""
    spec, measures = data.spec, data.measures
    annual_yuan = annual_cost_wan_yuan_per_unit * YUAN_PER_WAN_YUAN
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

    target_caps, target_sources = [], []
    for k, target in enumerate(data.targets):
        # v2: a pollutant or an indicator, at the target year's rates, of the target's area only.
        rate = data.extensions.rate[:, data.subjects.index(target.pollutant), target.year - spec.start_year]
        if target.area:
            rate = np.where([a == target.area for a in measures.area], rate, 0.0)
        useful = np.flatnonzero(rate > 0)
        cap, source = pick(target.price_cap_yuan_per_t, spec.price_cap_yuan_per_t, target.pollutant,
                           spec.spec_price_cap_yuan_per_t,
                           lambda: derived_cap_yuan(annual_yuan[useful] / rate[useful],
                                                    measures.potential[useful] * rate[useful],
                                                    required_abatement_t[k]))
        target_caps.append(cap)
        target_sources.append(source)
    deploy_caps, deploy_sources = [], []
    for row in data.deployment:
        tagged = np.array([i for i, tags in enumerate(measures.tags) if row.tag in tags], dtype=np.int64)
        cap, source = pick(row.price_cap_yuan_per_unit, spec.price_cap_yuan_per_unit, row.tag,
                           spec.spec_price_cap_yuan_per_unit,
                           lambda: derived_cap_yuan(annual_yuan[tagged], measures.potential[tagged], row.min_units))
        deploy_caps.append(cap)
        deploy_sources.append(source)
    return PriceCaps(np.array(target_caps, dtype=float), np.array(deploy_caps, dtype=float),
                     target_sources, deploy_sources)

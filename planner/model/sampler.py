"""Draw the uncertain figures of one sample and turn them into the model's coefficients.

Sample i's draws depend only on the seed and i: its generator is seeded with
``SeedSequence(seed, spawn_key=(i,))``, which is what ``SeedSequence(seed).spawn(n)[i]`` gives, so
any chunking of the samples over any number of workers draws the same numbers. Each distinct draw
(a row, or a ``group`` of rows) takes one uniform quantile u; every row maps u through the inverse
distribution function of its own range, so grouped rows move together (perfectly rank-correlated).
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from statistics import NormalDist

import numpy as np

from planner.io.inputs import PlanningData
from planner.io.schema import POLLUTANTS
from planner.io.uncertainty_file import UncertainRow, UncertaintySpec
from planner.model.build import required_abatement_t

# z of the 95th percentile times two: normal and lognormal rows give low and high as the 5th and
# 95th percentiles, so the standard deviation is (high - low) / 3.29.
Z_90_WIDTH = 2 * 1.6448536269514722
# Quantiles are kept inside (0, 1) so that the normal inverse is finite.
U_EPS = 1e-12
_STANDARD_NORMAL = NormalDist()


def multiplier(row: UncertainRow, u: float) -> float:
    """The row's multiplier at quantile u (before negative values are clipped).

    - uniform: low + u (high - low)
    - triangular (a, c, b): a + sqrt(u (b-a)(c-a)) for u < (c-a)/(b-a), else b - sqrt((1-u)(b-a)(b-c))
    - normal: mean (low+high)/2, sd (high-low)/3.29, at z = Phi^-1(u)
    - lognormal: median sqrt(low high), log-sd ln(high/low)/3.29
    """
    low, high = row.low, row.high
    if row.distribution == "uniform":
        return low + u * (high - low)
    if row.distribution == "triangular":
        if high == low:
            return low
        mode = row.mode
        if u < (mode - low) / (high - low):
            return low + math.sqrt(u * (high - low) * (mode - low))
        return high - math.sqrt((1.0 - u) * (high - low) * (high - mode))
    z = _STANDARD_NORMAL.inv_cdf(min(max(u, U_EPS), 1.0 - U_EPS))
    if row.distribution == "normal":
        return (low + high) / 2.0 + z * (high - low) / Z_90_WIDTH
    if row.distribution == "lognormal":
        return math.sqrt(low * high) * math.exp(z * math.log(high / low) / Z_90_WIDTH)
    raise ValueError(row.distribution)


@dataclass(frozen=True)
class SampleDraw:
    """One sample's multipliers, one per uncertainty.csv row, and how many were clipped at 0."""

    index: int
    multipliers: np.ndarray
    clipped: int


def draw_sample(uncertainty: UncertaintySpec, seed: int, index: int) -> SampleDraw:
    keys = uncertainty.draw_keys
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(index,)))
    quantiles = dict(zip(keys, rng.random(len(keys))))
    values = np.array([multiplier(row, float(quantiles[row.draw])) for row in uncertainty.rows])
    clipped = int((values < 0).sum())
    return SampleDraw(index, np.maximum(values, 0.0), clipped)


@dataclass(frozen=True)
class SampleFigures:
    """The figures the model's coefficients are made from, for one sample (or the central case)."""

    capex_wan_yuan: np.ndarray  # per measure
    opex_wan_yuan_per_yr: np.ndarray
    abatement_t_per_yr: np.ndarray  # (measures, pollutants)
    required_abatement_t: np.ndarray  # per target (data.targets order)


def _measure_multipliers(uncertainty: UncertaintySpec, values: np.ndarray, quantity: str) -> np.ndarray:
    rows = uncertainty.measure_rows[quantity]
    padded = np.append(values, 1.0)  # row -1 = certain = multiplier 1
    return padded[rows]


def scaled_series(series: dict[int, float], base_year: int, k: float) -> dict[int, float]:
    """X'_t = X_b + k (X_t - X_b): growth since the base year scaled by k."""
    base = series[base_year]
    return {year: base + k * (value - base) for year, value in series.items()}


def sample_figures(data: PlanningData, uncertainty: UncertaintySpec, draw: SampleDraw | None) -> SampleFigures:
    """Apply a draw's multipliers to the data (None = the central figures)."""
    measures = data.measures
    if draw is None:
        return SampleFigures(measures.capex_wan_yuan.copy(), measures.opex_wan_yuan_per_yr.copy(),
                             measures.abatement_t_per_yr.copy(),
                             np.array([required_abatement_t(t, data) for t in data.targets], dtype=float))
    values = draw.multipliers
    capex = measures.capex_wan_yuan * _measure_multipliers(uncertainty, values, "capex")
    opex = measures.opex_wan_yuan_per_yr * _measure_multipliers(uncertainty, values, "opex")
    abatement = measures.abatement_t_per_yr * np.column_stack(
        [_measure_multipliers(uncertainty, values, p) for p in POLLUTANTS])
    base = data.spec.base_year
    gdp = data.gdp_yi_yuan
    if "gdp" in uncertainty.series_rows:
        gdp = scaled_series(gdp, base, float(values[uncertainty.series_rows["gdp"]]))
    bau = dict(data.bau_t)
    for p in POLLUTANTS:
        row = uncertainty.series_rows.get(f"bau:{p}")
        if row is not None:
            bau[p] = scaled_series(bau[p], base, float(values[row]))
    changed = dataclasses.replace(data, gdp_yi_yuan=gdp, bau_t=bau)
    required = np.array([required_abatement_t(t, changed) for t in data.targets], dtype=float)
    return SampleFigures(capex, opex, abatement, required)


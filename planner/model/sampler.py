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
    """One sample's multipliers of the model's figures (all 1 = the central case), and the targets'
    right-hand sides recomputed from its baseline."""

    capex: np.ndarray  # per measure, multiplies capex (every year's, measure_years.csv included)
    opex: np.ndarray  # per measure, multiplies opex (not the energy value)
    rate: np.ndarray  # (measures, subjects): multiplies abatement of each pollutant and indicator
    electricity: float  # multiplies [prices] electricity_yuan_per_kwh
    gas: float  # multiplies [prices] gas_yuan_per_m3
    required_abatement_t: np.ndarray  # per target (data.targets order)

    def with_measure(self, name: str, measure: int, factor: float) -> "SampleFigures":
        """A copy with one measure's capex, opex or abatement (``rate``: every subject) multiplied by ``factor``."""
        values = getattr(self, name).copy()
        values[measure] = values[measure] * factor
        return dataclasses.replace(self, **{name: values})


def _measure_multipliers(uncertainty: UncertaintySpec, values: np.ndarray, quantity: str, n: int) -> np.ndarray:
    rows = uncertainty.measure_rows.get(quantity)
    if rows is None:
        return np.ones(n)
    padded = np.append(values, 1.0)  # row -1 = certain = multiplier 1
    return padded[rows]


def scaled_series(series: dict[int, float], base_year: int, k: float) -> dict[int, float]:
    """X'_t = X_b + k (X_t - X_b): growth since the base year scaled by k."""
    base = series[base_year]
    return {year: base + k * (value - base) for year, value in series.items()}


def subject_column(subject: str) -> str:
    """baseline.csv's column of a pollutant (co2 -> co2_t) or an indicator (its own id)."""
    return f"{subject}_t" if subject in POLLUTANTS else subject


def with_growth(data: PlanningData, factors: dict[str, float]) -> PlanningData:
    """The data with each baseline column's growth since the base year scaled (every area's):
    ``factors`` maps a column (gdp_yi_yuan, co2_t, an indicator id) to its k."""
    base_year = data.spec.base_year
    ext = data.extensions
    baseline = {area: {column: (scaled_series(series, base_year, factors[column]) if column in factors else series)
                       for column, series in columns.items()}
                for area, columns in ext.baseline.items()}
    gdp = scaled_series(data.gdp_yi_yuan, base_year, factors["gdp_yi_yuan"]) if "gdp_yi_yuan" in factors \
        else data.gdp_yi_yuan
    bau = {p: (scaled_series(series, base_year, factors[f"{p}_t"]) if f"{p}_t" in factors else series)
           for p, series in data.bau_t.items()}
    return dataclasses.replace(data, gdp_yi_yuan=gdp, bau_t=bau,
                               extensions=dataclasses.replace(ext, baseline=baseline))


def required_for(data: PlanningData) -> np.ndarray:
    return np.array([required_abatement_t(t, data) for t in data.targets], dtype=float)


def sample_figures(data: PlanningData, uncertainty: UncertaintySpec, draw: SampleDraw | None) -> SampleFigures:
    """A draw's multipliers in the model's terms (None = the central figures)."""
    n = len(data.measures)
    subjects = data.subjects
    if draw is None:
        return SampleFigures(np.ones(n), np.ones(n), np.ones((n, len(subjects))), 1.0, 1.0, required_for(data))
    values = draw.multipliers
    rate = np.column_stack([_measure_multipliers(uncertainty, values, s, n) for s in subjects]) if subjects else \
        np.ones((n, 0))
    factors = {}
    for key, row in uncertainty.series_rows.items():
        prefix, _, name = key.partition(":")
        column = "gdp_yi_yuan" if key == "gdp" else name if prefix == "baseline" else subject_column(name)
        factors[column] = float(values[row])
    changed = with_growth(data, factors) if factors else data
    price = {key.partition(":")[2]: float(values[row]) for key, row in uncertainty.price_rows.items()}
    return SampleFigures(_measure_multipliers(uncertainty, values, "capex", n),
                         _measure_multipliers(uncertainty, values, "opex", n), rate,
                         price.get("electricity", 1.0), price.get("gas", 1.0), required_for(changed))

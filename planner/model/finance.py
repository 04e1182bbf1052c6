"""Money arithmetic of the objective: capital recovery factors, discount factors, in-horizon annuity sums.

Written once here and doctested against textbook values, so that the builder (and anything else
that annualises or discounts) cannot drift from the formula in docs/model.md.
"""

from __future__ import annotations

import numpy as np


def capital_recovery_factor(rate: float, lifetime_yr) -> np.ndarray:
    """CRF(r, L) = r (1+r)^L / ((1+r)^L - 1), and 1/L at r = 0: the share of an investment paid
    back each year of an annuity over L years at rate r.

    Textbook values (e.g. any engineering-economics table of (A/P, i, n)):

    >>> round(float(capital_recovery_factor(0.05, 20)), 6)
    0.080243
    >>> [round(float(v), 5) for v in capital_recovery_factor(0.08, [10, 30])]
    [0.14903, 0.08883]
    >>> round(float(capital_recovery_factor(0.10, 5)), 5)
    0.2638
    >>> capital_recovery_factor(0.0, [4, 10]).tolist()
    [0.25, 0.1]
    >>> round(float(capital_recovery_factor(0.05, 1)), 12)  # one year: the capital plus a year's interest
    1.05
    """
    lifetime = np.asarray(lifetime_yr, dtype=float)
    if rate == 0:
        return 1.0 / lifetime
    growth = (1.0 + rate) ** lifetime
    return rate * growth / (growth - 1.0)


def discount_factors(rate: float, years, start_year: int) -> np.ndarray:
    """(1+r)^-(t-t0) for each year t: the present value at start_year t0 of 1 万元 paid in year t.

    >>> [round(float(v), 6) for v in discount_factors(0.05, [2021, 2022, 2031], 2021)]
    [1.0, 0.952381, 0.613913]
    >>> discount_factors(0.0, [2021, 2030], 2021).tolist()
    [1.0, 1.0]
    """
    offset = np.asarray(years, dtype=float) - float(start_year)
    return (1.0 + rate) ** -offset


def in_horizon_annuity_sum(discount_factor: np.ndarray, lifetime_yr) -> np.ndarray:
    """S[m, tau] = sum_{t=tau}^{min(tau+L_m, n)-1} d_t: the discount factors of the model years a unit
    of measure m added in year position tau is active, inside the horizon only (n = len(d)).

    A unit's annual cost (capex CRF + opex) times S is its present value; years after end_year are
    not paid for, so a unit added late pays only for its years inside the horizon.

    Three years at 5 %, d = (1, 1/1.05, 1/1.05^2): a two-year life added in the first year pays
    1 + 0.952381; added in the last year it pays only d_2 = 0.907029.

    >>> d = discount_factors(0.05, [0, 1, 2], 0)
    >>> [[round(float(v), 6) for v in row] for row in in_horizon_annuity_sum(d, [2, 10])]
    [[1.952381, 1.85941, 0.907029], [2.85941, 1.85941, 0.907029]]

    With r = 0 it counts the active years inside the horizon:

    >>> in_horizon_annuity_sum(np.ones(4), [1, 3]).tolist()
    [[1.0, 1.0, 1.0, 1.0], [3.0, 3.0, 2.0, 1.0]]
    """
    discount_factor = np.asarray(discount_factor, dtype=float)
    lifetime = np.asarray(lifetime_yr, dtype=np.int64)
    n_years = len(discount_factor)
    cumulative = np.concatenate([[0.0], np.cumsum(discount_factor)])
    tau = np.arange(n_years)[None, :]
    end = np.minimum(tau + lifetime[:, None], n_years)
    return cumulative[end] - cumulative[tau]


def full_life_annuity_sum(rate: float, discount_factor: np.ndarray, lifetime_yr) -> np.ndarray:
    """F[m, tau] = sum_{t=tau}^{tau+L_m-1} (1+r)^-(t-t0): the discount factors of every year of a unit's
    life, those after end_year included (``[model] end_effects = "full_capex"``).

    F = d_tau sum_{k=0}^{L-1} (1+r)^-k, so CRF(r, L) F = d_tau (1+r) = (1+r)^(1-(tau-t0)): the unit pays
    its whole capex, valued at the start of its year (end of the year before). At 5 %, L = 2, first
    year: 1 + 1/1.05 = 1.952381, and CRF(5 %, 2) x 1.952381 = 1.05:

    >>> d = discount_factors(0.05, [0, 1, 2], 0)
    >>> [[round(float(v), 6) for v in row] for row in full_life_annuity_sum(0.05, d, [2])]
    [[1.952381, 1.85941, 1.770867]]
    >>> round(float(capital_recovery_factor(0.05, 2) * full_life_annuity_sum(0.05, d, [2])[0, 2]), 6)
    0.952381
    >>> full_life_annuity_sum(0.0, np.ones(3), [1, 4]).tolist()
    [[1.0, 1.0, 1.0], [4.0, 4.0, 4.0]]
    """
    discount_factor = np.asarray(discount_factor, dtype=float)
    lifetime = np.asarray(lifetime_yr, dtype=float)
    if rate == 0:
        life_factor = lifetime
    else:
        life_factor = (1.0 - (1.0 + rate) ** -lifetime) / (1.0 - 1.0 / (1.0 + rate))
    return life_factor[:, None] * discount_factor[None, :]


def capex_annuity_sum(end_effects: str, rate: float, discount_factor: np.ndarray, lifetime_yr) -> np.ndarray:
    """The discount-factor sum the capex annuity c CRF of x[m, tau] is multiplied by: inside the horizon
    only ("annuity", the default; as in TEMOA) or over the unit's whole life ("full_capex")."""
    if end_effects == "full_capex":
        return full_life_annuity_sum(rate, discount_factor, lifetime_yr)
    return in_horizon_annuity_sum(discount_factor, lifetime_yr)

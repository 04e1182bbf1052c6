"""planner/model/finance.py: its doctests (textbook CRF and discount values) and the annuity sum's meaning."""

from __future__ import annotations

import doctest

import numpy as np
import pytest

from planner.model import finance
from planner.model.finance import capital_recovery_factor, discount_factors, in_horizon_annuity_sum


def test_doctests_pass():
    """The docstring examples are the textbook checks: CRF(5 %, 20) = 0.080243, CRF(8 %, 10) = 0.14903, ..."""
    result = doctest.testmod(finance, optionflags=doctest.ELLIPSIS)
    assert result.attempted >= 8
    assert result.failed == 0


def test_crf_repays_the_investment():
    """An annuity of CRF per year over L years has a present value of exactly 1 (the definition of CRF)."""
    for rate in (0.0, 0.03, 0.05, 0.12):
        for life in (1, 7, 20, 40):
            payments = capital_recovery_factor(rate, life) * sum((1 + rate) ** -k for k in range(1, life + 1))
            assert float(payments) == pytest.approx(1.0, rel=1e-12)


def test_annuity_sum_counts_the_active_years_inside_the_horizon():
    """S[m, tau] summed year by year: a unit added at tau is active in tau..tau+L-1, cut at the horizon's end."""
    rng = np.random.default_rng(3)
    d = discount_factors(0.07, range(2021, 2033), 2021)
    life = rng.integers(1, 16, size=30)
    got = in_horizon_annuity_sum(d, life)
    for m, lifetime in enumerate(life):
        for tau in range(len(d)):
            expected = sum(d[t] for t in range(len(d)) if tau <= t < tau + lifetime)
            assert got[m, tau] == pytest.approx(expected, rel=1e-12)

"""planner.solve.background: a call on a second thread hands back its value or its exception, and a
MIP's fixed-LP duals solved there are the duals solved in line."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import numpy as np
import pytest

from planner.solve.background import Background

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.generate import generate  # noqa: E402


def test_value_and_exception_come_back_to_the_caller():
    assert Background(lambda a, b: a * b, 6, 7).result() == 42

    def broken():
        raise ValueError("row 3 is wrong")

    with pytest.raises(ValueError, match="row 3 is wrong"):
        Background(broken).result()


def test_prefetched_fixed_lp_duals_equal_the_duals_solved_in_line(tmp_path):
    from planner.io.inputs import load_data
    from planner.io.spec import load_spec
    from planner.model.build import build_model
    from planner.model.options import BuildOptions
    from planner.solve.session import SolverSession

    spec = load_spec(generate(40, tmp_path / "case", seed=5, n_years=6))
    planning = build_model(load_data(spec), BuildOptions.from_spec(spec), defer_pyomo=True)
    session = SolverSession(planning, spec.solver)
    solution = session.solve()
    assert session.is_mip and solution.units_active is not None
    in_line = session.shadow_prices(solution)
    session.prefetch_shadow_prices(solution)
    prefetched = session.shadow_prices(solution)
    assert prefetched["source"] == in_line["source"] == "fixed_lp"
    for key in ("target_wan_yuan_per_t", "deployment_wan_yuan_per_unit", "column_dual"):
        np.testing.assert_allclose(prefetched[key], in_line[key], rtol=0, atol=1e-9)
    assert session.timings_s["fixed_lp_s"] >= 0.0


def test_forked_bytes_are_the_function_s_bytes_and_a_failing_child_falls_back():
    from planner.io.forked import ForkedBytes, can_fork

    assert ForkedBytes(lambda n: b"x" * n, 300_000).result() == b"x" * 300_000  # more than a pipe's buffer
    calls = []

    def fails_in_the_child(parent_pid: int) -> bytes:
        calls.append(1)
        if os.getpid() != parent_pid:
            raise RuntimeError("child fell over")
        return b"made in the parent"

    pending = ForkedBytes(fails_in_the_child, os.getpid())
    assert pending.result() == b"made in the parent"
    assert pending.result() == b"made in the parent"  # collected once
    assert len(calls) == 1  # the child's call did not run in this process
    assert can_fork() == sys.platform.startswith("linux")


def test_an_lp_run_writes_the_same_co_control_with_and_without_the_forked_child(tmp_path, monkeypatch):
    import planner.pipeline.run as run_module

    spec = generate(30, tmp_path / "case", seed=2, n_years=5, lp_only=True)
    run_module.run(spec, out_dir=tmp_path / "forked")
    monkeypatch.setattr(run_module, "can_fork", lambda: False)
    run_module.run(spec, out_dir=tmp_path / "inline")
    for name in ("co_control.csv", "plan.csv", "emissions.csv"):
        assert (tmp_path / "forked" / name).read_bytes() == (tmp_path / "inline" / name).read_bytes(), name

"""The arrays the solver gets are the Pyomo model, row for row: checked with Pyomo's public compiler.

``planner.model.compile.ModelArrays`` records every block the builder makes, and the solver is
handed those arrays; nothing is read back out of Pyomo. This test compiles the same Pyomo model
with Pyomo's own ``LinearStandardFormCompiler`` (public API, scipy matrices) and requires the same
rows in the same order (component and index), the same coefficients, right-hand sides, column
bounds, integrality and objective. A builder that changed a Pyomo block without its arrays, or the
other way round, fails here even where the optimum happens to stay the same.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest
from pyomo.repn.plugins.standard_form import LinearStandardFormCompiler

from planner.io.inputs import load_data
from planner.io.spec import load_spec
from planner.model.build import build_model
from planner.model.compile import compile_model
from planner.model.options import BuildOptions

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.generate import generate  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


def _assert_same_model(planning) -> None:
    compiled = compile_model(planning)
    info = LinearStandardFormCompiler().write(planning.model, mixed_form=True, set_sense=None)
    position = {id(v): j for j, v in enumerate(planning.column_vars)}
    assert len(planning.column_vars) == compiled.n_cols

    # columns: Pyomo lists those that appear in the model; each maps to one of ours, same bounds
    pyomo_cols = np.array([position[id(v)] for v in info.columns], dtype=np.int64)
    for v, j in zip(info.columns, pyomo_cols):
        lower, upper = v.bounds
        assert compiled.col_lower[j] == (-np.inf if lower is None else lower), v.name
        assert compiled.col_upper[j] == (np.inf if upper is None else upper), v.name
        assert bool(compiled.is_integer[j]) == v.is_integer(), v.name
        assert compiled.column_key(j) == (v.parent_component().name, v.index())
    unused = np.setdiff1d(np.arange(compiled.n_cols), pyomo_cols)
    assert not compiled.col_cost[unused].any()

    # rows: same order, same component and index, same sense and right-hand side
    assert len(info.rows) == compiled.n_rows
    for r, entry in enumerate(info.rows):
        con = entry.constraint
        component, key = compiled.row_key(r)
        assert (component, key) == (con.parent_component().name, con.index()), r
        if entry.bound_type == 1:  # body <= rhs
            assert compiled.row_upper[r] == pytest.approx(info.rhs[r]) and compiled.row_lower[r] == -np.inf
        elif entry.bound_type == -1:  # body >= rhs
            assert compiled.row_lower[r] == pytest.approx(info.rhs[r]) and compiled.row_upper[r] == np.inf
        else:
            assert compiled.row_lower[r] == compiled.row_upper[r] == pytest.approx(info.rhs[r])

    # coefficients and objective, in our column order
    ours = np.zeros((compiled.n_rows, compiled.n_cols))
    counts = np.diff(compiled.row_start)
    ours[np.repeat(np.arange(compiled.n_rows), counts), compiled.col_index] = compiled.value
    theirs = np.zeros_like(ours)
    theirs[:, pyomo_cols] = info.A.toarray()
    np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=0)
    cost = np.zeros(compiled.n_cols)
    cost[pyomo_cols] = info.c.toarray().ravel()
    np.testing.assert_allclose(compiled.col_cost, cost, rtol=1e-12, atol=0)
    assert compiled.offset == pytest.approx(float(np.ravel(info.c_offset)[0]) if np.size(info.c_offset) else 0.0)


@pytest.mark.parametrize("options", [BuildOptions(), BuildOptions(elastic=True),
                                     BuildOptions(budget_overrun_penalty_wan_yuan=1e6)],
                         ids=["strict", "elastic", "diagnosis"])
def test_arrays_are_the_pyomo_model_of_a_mip(tmp_path, options):
    """Every block kind: integer measures, exclusive groups, potential rows, targets, deployment,
    yearly and total budgets, elastic shortfalls and diagnosis overruns."""
    spec_path = generate(25, tmp_path / "case", seed=4, n_years=5)
    text = spec_path.read_text(encoding="utf-8")
    spec_path.write_text(text.replace("[budget]\n", "[budget]\ntotal_wan_yuan = 1e9\nby_year = {2023 = 5e8}\n"),
                         encoding="utf-8")
    data = load_data(load_spec(spec_path))
    planning = build_model(data, options)
    assert planning.data.measures.integer.any() and planning.group_members
    _assert_same_model(planning)


def test_arrays_are_the_pyomo_model_of_the_default_model():
    data = load_data(load_spec(ROOT / "models" / "guiyang.toml"))
    _assert_same_model(build_model(data, BuildOptions()))


def test_a_run_builds_pyomo_on_first_read_and_it_is_the_model_solved(tmp_path):
    """`planner run` hands HiGHS the arrays and leaves the Pyomo components pending (nothing in a run
    reads them); the first read of ``planning.model`` builds them, and they are the model solved."""
    from planner.pipeline.run import run

    spec = generate(12, tmp_path / "case", seed=3, n_years=6)
    outcome = run(spec, write=False, unchosen=False)
    assert outcome.solution.status == "optimal"
    assert outcome.planning.pending_pyomo, "the run built the Pyomo model although nothing read it"
    _assert_same_model(outcome.planning)
    assert not outcome.planning.pending_pyomo


def test_a_run_does_not_import_pyomo_until_the_pyomo_model_is_read(tmp_path):
    """Pyomo's import (about 0.25 s and 24 MiB) is paid on the first read of ``planning.model``, not by
    a `planner run` that never reads it; the model read then is complete (checked in a fresh interpreter)."""
    import subprocess

    spec = generate(12, tmp_path / "case", seed=3, n_years=6)
    script = (
        "import sys\n"
        "from planner.pipeline.run import run\n"
        f"outcome = run({str(spec)!r}, out_dir={str(tmp_path / 'out')!r})\n"
        "print(outcome.solution.status, sorted(m for m in sys.modules if m.split('.')[0] == 'pyomo'))\n"
        "model = outcome.planning.model\n"
        "print(len(model.units_added), 'pyomo.core' in sys.modules)\n")
    lines = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True,
                           cwd=ROOT).stdout.splitlines()
    assert lines[0] == "optimal []"
    assert lines[1] == f"{12 * 6} True"

"""Every HiGHS model status has a name and a run status; a real early stop is reported as what it is."""

from __future__ import annotations

import highspy
import pytest

from planner.io.inputs import load_data
from planner.io.spec import load_spec
from planner.model.build import build_model
from planner.solve.session import SolverSession
from planner.solve.status import RUN_STATUS, RunStatus, Termination, run_status, termination
from tests.helpers import write_dataset


def test_every_highs_model_status_is_named():
    """The installed highspy's HighsModelStatus members all map to a Termination and a RunStatus
    (a new HiGHS status would fail here instead of silently becoming "error")."""
    members = [name for name in dir(highspy.HighsModelStatus) if name.startswith("k")]
    assert len(members) >= 20
    for name in members:
        status = getattr(highspy.HighsModelStatus, name)
        assert termination(status) != Termination.UNKNOWN or name == "kUnknown", name
        assert isinstance(run_status(status), RunStatus)
    assert set(RUN_STATUS) == set(Termination)


def test_run_status_of_the_common_outcomes():
    S = highspy.HighsModelStatus
    assert run_status(S.kOptimal) == "optimal"
    assert run_status(S.kInfeasible) == run_status(S.kUnboundedOrInfeasible) == "infeasible"
    assert run_status(S.kTimeLimit) == "time_limit"
    assert run_status(S.kIterationLimit) == run_status(S.kSolutionLimit) == "limit_reached"
    assert run_status(S.kMemoryLimit) == "memory_limit"
    assert run_status(S.kInterrupt) == "interrupted"
    assert run_status(S.kSolveError) == run_status(S.kLoadError) == "error"
    assert f"{RunStatus.TIME_LIMIT}" == "time_limit"  # a StrEnum formats as its value in messages and JSON


def test_an_iteration_limit_is_reported_by_name(tmp_path):
    """An LP stopped after one simplex iteration: status limit_reached, HiGHS's termination named,
    and a message instead of a bare "error"."""
    spec = write_dataset(tmp_path, [
        {"id": "cheap", "potential": 5, "co2_t_per_yr": 100},
        {"id": "dear", "capex_wan_yuan": 30, "opex_wan_yuan_per_yr": 1, "co2_t_per_yr": 200},
    ], targets=[{"year": 2023, "pollutant": "co2", "kind": "reduction", "value": 700}], budget=100)
    spec_ = load_spec(spec)
    session = SolverSession(build_model(load_data(spec_)), spec_.solver)
    session.highs.setOptionValue("presolve", "off")
    session.highs.setOptionValue("simplex_iteration_limit", 0)
    solution = session.solve()
    assert solution.termination == Termination.ITERATION_LIMIT
    assert solution.status == RunStatus.LIMIT_REACHED
    assert solution.message


def test_optimal_solve_names_its_termination(tmp_path):
    spec = write_dataset(tmp_path, [{"id": "a", "potential": 5, "co2_t_per_yr": 100}],
                         targets=[{"year": 2023, "pollutant": "co2", "kind": "reduction", "value": 300}])
    spec_ = load_spec(spec)
    solution = SolverSession(build_model(load_data(spec_)), spec_.solver).solve()
    assert solution.status == "optimal" and solution.termination == "optimal"
    assert solution.objective_wan_yuan == pytest.approx(3 * 10 / 10)  # 3 units, 10 万元, CRF 1/10 at r = 0


def test_every_run_status_has_its_documented_exit_code():
    """Each RunStatus maps to the exit code the README's table gives it (no status falls to a default)."""
    import re
    from pathlib import Path

    from planner import cli

    assert set(cli.STATUS_EXIT) == {member.value for member in RunStatus}
    assert cli.STATUS_EXIT[RunStatus.OPTIMAL] == 0
    assert cli.STATUS_EXIT[RunStatus.INFEASIBLE] == 4
    # A plan stopped by any work limit is written as the best found, not proven optimal: code 5.
    assert cli.STATUS_EXIT[RunStatus.TIME_LIMIT] == cli.STATUS_EXIT[RunStatus.LIMIT_REACHED] == 5
    assert cli.STATUS_EXIT[RunStatus.INTERRUPTED] == 130
    assert cli.STATUS_EXIT[RunStatus.MEMORY_LIMIT] == cli.STATUS_EXIT[RunStatus.ERROR] == 1
    readme = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    table = readme.split("### Exit codes", 1)[1].split("\n## ", 1)[0]
    rows = {int(m.group(1)): m.group(2) for m in re.finditer(r"^\| (\d+) \| (.*) \|$", table, re.M)}
    assert "limit_reached" in rows[5] and "memory_limit" in rows[1] and "interrupted" in rows[130]

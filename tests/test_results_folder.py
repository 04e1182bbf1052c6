"""Issue 10, items 1, 2 and 10: a rerun replaces only the planner's own files, a kill at any moment
loses nothing, one writer per folder (exit 8), and an unwritable folder is refused before the solve."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from planner.cli import main
from planner.io import writer
from planner.io.lock import folder_lock, lock_path
from planner.io.paths import shipped_spec

TINY = str(shipped_spec("tiny"))


def planner(*args: str, cwd: Path | None = None, env_extra: dict | None = None) -> subprocess.CompletedProcess:
    env = dict(os.environ, **(env_extra or {}))
    return subprocess.run([sys.executable, "-m", "planner", *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=180)


def spawn(*args: str, env_extra: dict | None = None) -> subprocess.Popen:
    env = dict(os.environ, **(env_extra or {}))
    return subprocess.Popen([sys.executable, "-m", "planner", *args], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def user_files(folder: Path) -> dict[str, bytes]:
    """What a planner puts into a results folder by hand: notes, a reviewed copy, own folders, a scenario run."""
    files = {
        "notes.txt": b"notes\n",
        "plan_\u5ba1\u9605\u7248.csv": "measure,备注\npv,ok\n".encode("utf-8-sig"),
        "my_review/comments.md": "# 审阅意见\n".encode(),
        "my_review/deep/x.txt": b"x",
    }
    for name, content in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(content)
    return files


def contents(folder: Path, names) -> dict[str, bytes]:
    return {name: (folder / name).read_bytes() for name in names}


def test_rerun_keeps_the_users_files_and_folders(tmp_path):
    """echo notes > results/tiny/notes.txt; planner run: notes, reviewed copy and my_review/ all survive."""
    first = planner("run", TINY, "-q", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    out = tmp_path / "results" / "tiny"
    mine = user_files(out)
    scenario = planner("run", TINY, "-q", "--budget", "1000", cwd=tmp_path)  # results/tiny/budget-1000/
    assert scenario.returncode == 0, scenario.stderr
    assert (out / "budget-1000" / "summary.json").is_file()
    sub_before = contents(out / "budget-1000", writer.own_files(out / "budget-1000"))

    again = planner("run", TINY, "-q", cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    assert contents(out, mine) == mine, "a rerun changed or removed the user's files"
    assert contents(out / "budget-1000", sub_before) == sub_before, "a rerun disturbed a sub-folder's run"
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert sorted(summary["files"]) == ["co_control.csv", "cost_effectiveness.csv", "emissions.csv", "plan.csv",
                                        "summary.json", "targets.csv", "unchosen.csv"]
    assert not [p for p in out.iterdir() if p.name.startswith(".")], "staging or lock files left inside"


def test_rerun_removes_only_its_own_stale_files(tmp_path):
    out = tmp_path / "out"
    writer.write_results(out, {"a.csv": b"1", "points/p1/x.csv": b"2", "summary.json": writer.json_bytes(
        {writer.MARKER_KEY: 1})})
    (out / "points" / "p1" / "mine.txt").write_text("keep")
    (out / "b.csv").write_text("the user's")
    writer.write_results(out, {"c.csv": b"3", "summary.json": writer.json_bytes({writer.MARKER_KEY: 1})})
    assert not (out / "a.csv").exists() and not (out / "points" / "p1" / "x.csv").exists()
    assert (out / "points" / "p1" / "mine.txt").read_text() == "keep"
    assert (out / "b.csv").read_text() == "the user's" and (out / "c.csv").read_bytes() == b"3"


def test_a_users_file_with_a_result_files_name_is_never_overwritten(tmp_path):
    out = tmp_path / "out"
    writer.write_results(out, {"summary.json": writer.json_bytes({writer.MARKER_KEY: 1})})
    (out / "plan.csv").write_text("my own plan")
    with pytest.raises(writer.ResultsFolderError, match="plan.csv, which the planner did not write"):
        writer.write_results(out, {"plan.csv": b"new", "summary.json": writer.json_bytes({writer.MARKER_KEY: 1})})
    assert (out / "plan.csv").read_text() == "my own plan"


def test_a_folder_that_never_held_results_is_still_refused(tmp_path):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "thesis.docx").write_bytes(b"x")
    result = planner("run", TINY, "--out", str(out))
    assert result.returncode == 6, result.stderr
    assert "not planner results" in result.stderr and "--out" in result.stderr
    assert sorted(p.name for p in out.iterdir()) == ["thesis.docx"]


def _state(out: Path, references: dict[str, bytes]) -> str:
    """'old' / 'new' when the folder is that run's results, complete and consistent; else a description."""
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    budget = summary["budget_wan_yuan_by_year"]["2021"]
    listed = summary.get("files", [])
    missing = [name for name in listed if not (out / name).is_file()]
    if missing:
        return f"incomplete: {missing} missing"
    plan = (out / "plan.csv").read_bytes()
    return str(budget) if plan == references[str(budget)] else f"plan.csv does not belong to budget {budget}"


def test_runs_killed_at_random_moments_lose_nothing(tmp_path):
    """SIGKILL reruns at random moments (reading, solving, writing, renaming): after each, the user's
    files are intact and the folder is one run's complete results (after `recover`, which every
    planner command runs on the folder first, finishes a committed replacement)."""
    references = {}
    for budget in ("1000", "30"):
        ref = tmp_path / f"ref{budget}"
        assert planner("run", TINY, "--out", str(ref), "--budget", budget, "-q").returncode == 0
        references[str(float(budget))] = (ref / "plan.csv").read_bytes()
    assert references["1000.0"] != references["30.0"]
    out = tmp_path / "out"
    assert planner("run", TINY, "--out", str(out), "--budget", "1000", "-q").returncode == 0
    mine = user_files(out)
    rng = random.Random(20261202)
    seen = set()
    for attempt in range(6):
        budget = "30" if attempt % 2 == 0 else "1000"
        process = spawn("run", TINY, "--out", str(out), "--budget", budget, "-q",
                        env_extra={"PLANNER_TEST_WRITE_DELAY_S": "0.15"})
        time.sleep(rng.uniform(0.5, 3.0))
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
        assert contents(out, mine) == mine, f"attempt {attempt}: the user's files changed"
        pending = [p for p in out.glob(".planner-staging-*") if (p / ".commit.json").exists()]
        before = _state(out, references)
        assert before in references or pending, f"attempt {attempt}: {before} with nothing to roll forward"
        writer.recover(out)
        after = _state(out, references)
        assert after in references, f"attempt {attempt}: {after}"
        seen.add(after)
        assert not list(out.glob(".planner-staging-*"))
        assert contents(out, mine) == mine
    finished = planner("run", TINY, "--out", str(out), "--budget", "30", "-q")
    assert finished.returncode == 0, finished.stderr
    assert _state(out, references) == "30.0" and contents(out, mine) == mine


def test_second_writer_gets_exit_8_with_pid_and_start_time(tmp_path):
    """While one writer holds the folder, a second run exits 8 naming the holder; with --wait-s it
    waits for a real planner run to finish and then writes.

    The refusal is checked against a lock held by this test process, so it cannot race with a
    holder that finishes before the second process has started (seen on a loaded machine)."""
    out = tmp_path / "results" / "guiyang"
    lock = lock_path(out)
    with folder_lock(out):
        record = json.loads(lock.read_text())
        assert record["pid"] == os.getpid()
        second = planner("run", TINY, "--out", str(out))
    assert second.returncode == 8, second.stderr
    started = record["started"][11:19]
    assert (f"{out} is being written by another planner run (pid {os.getpid()}, started {started}); "
            "use --out for a separate folder or --wait-s 60 to wait") in second.stderr
    assert "results in" not in second.stdout
    assert not (out / "summary.json").exists()

    holder = spawn("run", TINY, "--out", str(out), env_extra={"PLANNER_TEST_WRITE_DELAY_S": "1"})
    deadline = time.time() + 60
    while not (lock.exists() and lock.read_text()) and time.time() < deadline:
        time.sleep(0.05)
    assert json.loads(lock.read_text())["pid"] == holder.pid
    waited = planner("run", TINY, "--out", str(out), "--wait-s", "120", "--budget", "100")
    assert holder.wait(timeout=120) == 0
    assert waited.returncode == 0, waited.stderr
    assert json.loads((out / "summary.json").read_text())["budget_wan_yuan_by_year"]["2021"] == 100
    assert not lock.exists()


def test_stale_lock_of_a_dead_run_is_taken_over(tmp_path):
    out = tmp_path / "out"
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    lock_path(out).parent.mkdir(parents=True, exist_ok=True)
    lock_path(out).write_text(json.dumps({"pid": dead.pid, "started": "2026-12-01T10:02:13"}))
    result = planner("run", TINY, "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert f"took over the lock of {out} left by pid {dead.pid}" in result.stderr


def test_lock_serves_report_and_compare(tmp_path):
    out = tmp_path / "run"
    assert planner("run", TINY, "--out", str(out), "-q").returncode == 0
    with folder_lock(out):
        report = CliRunner().invoke(main, ["report", str(out)], obj={})
        compare = CliRunner().invoke(main, ["compare", str(out), "--out", str(out)], obj={})
    assert report.exit_code == 8 and "is being written by another planner run" in report.output
    assert compare.exit_code == 8
    assert CliRunner().invoke(main, ["report", str(out)], obj={}).exit_code == 0
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert {"report.xlsx", "report.html"} <= set(summary["files"])


def test_a_file_where_the_folder_should_be_is_refused_before_the_solve(tmp_path):
    (tmp_path / "results").write_text("not a folder")
    result = planner("run", TINY, "--out", str(tmp_path / "results" / "tiny"))
    assert result.returncode == 6, result.stderr
    assert f"{tmp_path / 'results'} is a file, not a folder" in result.stderr and "--out" in result.stderr
    assert "Internal error" not in result.stderr and "solving" not in result.stderr


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write into a read-only folder")
def test_a_read_only_folder_is_refused_before_the_solve(tmp_path):
    locked = tmp_path / "ro"
    locked.mkdir()
    locked.chmod(0o555)
    try:
        result = planner("run", TINY, "--out", str(locked / "tiny"))
    finally:
        locked.chmod(0o755)
    assert result.returncode == 6 and "is not writable" in result.stderr and "--out" in result.stderr


def test_a_full_disk_is_refused_before_the_solve(tmp_path, monkeypatch):
    import shutil as shutil_module

    monkeypatch.setattr(writer.shutil, "disk_usage", lambda path: shutil_module._ntuple_diskusage(10, 10, 1000))
    solved = []
    monkeypatch.setattr("planner.pipeline.run.SolverSession", lambda *a, **k: solved.append(1))
    result = CliRunner().invoke(main, ["run", TINY, "--out", str(tmp_path / "out")], obj={})
    assert result.exit_code == 6, result.output
    assert "MB free on its disk" in result.output and "--out" in result.output and not solved


def test_rerun_of_the_parent_while_a_sub_folder_run_writes(tmp_path):
    """results/tiny/budget-30/ being written (slowly) while results/tiny/ is rerun: both complete,
    neither waits for the other's lock, and neither touches the other's files."""
    assert planner("run", TINY, "-q", cwd=tmp_path).returncode == 0
    assert planner("run", TINY, "-q", "--budget", "30", cwd=tmp_path).returncode == 0
    slow = subprocess.Popen([sys.executable, "-m", "planner", "run", TINY, "-q", "--budget", "30"], cwd=tmp_path,
                            env=dict(os.environ, PLANNER_TEST_WRITE_DELAY_S="0.5"), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    sub = tmp_path / "results" / "tiny" / "budget-30"
    deadline = time.time() + 60
    while not list(sub.glob(".planner-staging-*")) and time.time() < deadline:
        time.sleep(0.05)
    assert list(sub.glob(".planner-staging-*")), "the sub-folder run never started writing"
    parent = planner("run", TINY, "-q", cwd=tmp_path)
    assert parent.returncode == 0, parent.stderr
    assert slow.wait(timeout=120) == 0, slow.stderr.read()
    for folder, budget in ((tmp_path / "results" / "tiny", 100), (sub, 30)):
        summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
        assert summary["budget_wan_yuan_by_year"]["2021"] == budget
        assert all((folder / name).is_file() for name in summary["files"])
    assert not list(sub.glob(".planner-*"))


def test_disk_full_while_writing_changes_nothing(tmp_path, monkeypatch):
    """ENOSPC while the new files are staged: one clear message (exit 6), the old results untouched."""
    import errno

    out = tmp_path / "out"
    assert CliRunner().invoke(main, ["run", TINY, "--out", str(out), "-q"], obj={}).exit_code == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    real = writer._stage_file
    calls = []

    def full_disk(path, content):
        calls.append(path)
        if len(calls) > 2:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(path, content)

    monkeypatch.setattr(writer, "_stage_file", full_disk)
    result = CliRunner().invoke(main, ["run", TINY, "--out", str(out), "--budget", "30", "-q"], obj={})
    assert result.exit_code == 6, result.output
    assert f"the disk of {out} is full; nothing was changed in {out}" in result.output and "--out" in result.output
    assert "Internal error" not in result.output
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before

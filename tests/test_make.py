"""Issue 10 item 15: `make test` sets up the report's browser test or says clearly that it is skipped;
`.ci/run` runs `make test` and nothing else."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_ci_runs_make_test_and_nothing_else():
    commands = [line.strip() for line in (ROOT / ".ci" / "run").read_text().splitlines()
                if line.strip() and not line.lstrip().startswith("#")]
    assert commands[-1] == "make test"
    assert [c for c in commands if c not in ("make test",) and not c.startswith(("set ", "cd "))] == []


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_without_chromium_and_root_make_says_the_browser_test_is_skipped(tmp_path):
    """A non-root user (a fake `id -u` of 1000) on a machine without chromium: no apt-get, one clear note."""
    fake = tmp_path / "bin"
    fake.mkdir()
    (fake / "id").write_text("#!/bin/sh\necho 1000\n")
    (fake / "id").chmod(0o755)
    (fake / "apt-get").write_text("#!/bin/sh\necho apt-get was called >&2\nexit 1\n")
    (fake / "apt-get").chmod(0o755)
    env = dict(os.environ, PATH=f"{fake}:{os.environ['PATH']}")
    result = subprocess.run(["make", "-s", "-C", str(ROOT), "browser", "CHROMIUM=", "CJK_FONT="], env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "apt-get was called" not in result.stderr
    assert "chromium is not installed, so the browser test of the report (tests/test_report.py) is SKIPPED" \
        in result.stderr
    assert "sudo apt-get install chromium fonts-wqy-zenhei" in result.stderr


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_as_root_make_installs_chromium_with_three_tries(tmp_path):
    """Root with apt-get: the packages are installed; a failing mirror is retried three times."""
    fake = tmp_path / "bin"
    fake.mkdir()
    (fake / "id").write_text("#!/bin/sh\necho 0\n")
    (fake / "apt-get").write_text(f"#!/bin/sh\necho \"$@\" >> {tmp_path / 'calls'}\nexit 1\n")
    (fake / "sleep").write_text("#!/bin/sh\nexit 0\n")
    for tool in fake.iterdir():
        tool.chmod(0o755)
    env = dict(os.environ, PATH=f"{fake}:{os.environ['PATH']}")
    result = subprocess.run(["make", "-s", "-C", str(ROOT), "browser", "CHROMIUM=", "CJK_FONT="], env=env,
                            capture_output=True, text=True, timeout=60)
    calls = (tmp_path / "calls").read_text().splitlines()
    assert calls.count("update -qq") == 3, calls
    assert "apt-get failed (attempt 3 of 3)" in result.stderr and "is SKIPPED" in result.stderr

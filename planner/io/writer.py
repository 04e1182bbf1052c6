"""Write a results folder atomically: everything goes to a temporary sibling that is renamed into place."""

from __future__ import annotations

import json
import os
import shutil
import time
import uuid
from pathlib import Path

import pandas as pd

from planner.errors import ResultsFolderError
from planner.io.csv_text import frame_csv_text

SUMMARY_FILE = "summary.json"
# summary.json carries this key so that the planner recognises its own folders and never
# replaces a folder that holds a user's other files.
MARKER_KEY = "planner_results_format"
RESULTS_FORMAT = 1
# CSVs are written as UTF-8 with a byte-order mark so that Excel shows Chinese text correctly.
CSV_ENCODING = "utf-8-sig"
# Tests set this to slow writing down so that a run can be killed mid-write.
_TEST_WRITE_DELAY_S = float(os.environ.get("PLANNER_TEST_WRITE_DELAY_S", "0") or 0)


def is_planner_results(folder: Path) -> bool:
    summary = folder / SUMMARY_FILE
    try:
        return MARKER_KEY in json.loads(summary.read_text(encoding="utf-8"))
    except (OSError, ValueError, TypeError):
        return False


def check_writable(out_dir: Path) -> None:
    """Refuse before any work is done if ``out_dir`` holds something other than planner results."""
    if out_dir.exists() and not out_dir.is_dir():
        raise ResultsFolderError(f"{out_dir} is a file, not a folder; choose another --out")
    if out_dir.is_dir() and not is_planner_results(out_dir) and not all(
            child.is_dir() and is_planner_results(child) for child in out_dir.iterdir()):
        raise ResultsFolderError(
            f"{out_dir} already holds files that are not planner results; the planner will not replace "
            "them. Choose an empty or new folder with --out, or move those files away.")


# Values this close to zero are solver round-off (HiGHS tolerances are about 1e-7 on values of
# order 1 to 1e7): written as 0 so that a CSV never shows -0.0 or 4.547e-13.
ZERO_SNAP = 1e-9


def snap_zeros(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with float values within ``ZERO_SNAP`` of zero (and -0.0) written as 0.0."""
    floats = [c for c in frame.columns if pd.api.types.is_float_dtype(frame[c])]
    if not floats:
        return frame
    frame = frame.copy()
    for column in floats:
        values = frame[column].to_numpy(copy=True)
        values[abs(values) < ZERO_SNAP] = 0.0
        frame[column] = values
    return frame


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """The CSV file of a result table (what ``to_csv(index=False)`` writes; see planner.io.csv_text)."""
    return frame_csv_text(snap_zeros(frame)).encode(CSV_ENCODING)


def json_bytes(record: dict) -> bytes:
    return (json.dumps(record, ensure_ascii=False, indent=2, default=_json_default) + "\n").encode("utf-8")


def _json_default(value):
    if hasattr(value, "item"):
        return value.item()
    if isinstance(value, Path):
        return str(value)
    raise TypeError(f"cannot write {type(value).__name__} to JSON")


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _recover_stale(parent: Path, out_dir: Path) -> None:
    """Clean up after a run that was killed while writing: drop its staging folder and, if it was
    killed in the instant between the two renames, put the previous results back."""
    for leftover in parent.glob(f".{out_dir.name}.*-*-*"):
        kind, _, rest = leftover.name[len(out_dir.name) + 2:].partition("-")
        pid = rest.split("-")[0]
        if not pid.isdigit() or _pid_alive(int(pid)):
            continue
        if kind == "old" and not out_dir.exists():
            leftover.rename(out_dir)
        elif kind in ("tmp", "old"):
            shutil.rmtree(leftover, ignore_errors=True)


def write_results(out_dir: Path, files: dict[str, bytes]) -> None:
    """Write ``files`` (name -> content) as the folder ``out_dir``, all or nothing.

    The files go to a hidden temporary sibling first. Only when all are written is the old
    folder (if any, and only if it is planner results) swapped out and the new one renamed in.
    Sub-folders of the old folder that are themselves planner results (scenario runs) move over.
    """
    check_writable(out_dir)
    parent = out_dir.parent
    parent.mkdir(parents=True, exist_ok=True)
    _recover_stale(parent, out_dir)
    token = f"{os.getpid()}-{uuid.uuid4().hex[:8]}"
    staging = parent / f".{out_dir.name}.tmp-{token}"
    retired = parent / f".{out_dir.name}.old-{token}"
    staging.mkdir()
    moved: list[str] = []
    try:
        for name, content in files.items():
            target = staging / name
            target.parent.mkdir(parents=True, exist_ok=True)
            with open(target, "wb") as handle:
                handle.write(content)
                handle.flush()
                os.fsync(handle.fileno())
            if _TEST_WRITE_DELAY_S:
                time.sleep(_TEST_WRITE_DELAY_S)
        if out_dir.exists():
            for child in sorted(out_dir.iterdir()):
                if child.is_dir() and is_planner_results(child) and not (staging / child.name).exists():
                    child.rename(staging / child.name)
                    moved.append(child.name)
            out_dir.rename(retired)
        staging.rename(out_dir)
    except BaseException:
        # Put the old folder back exactly as it was.
        if retired.exists() and not out_dir.exists():
            retired.rename(out_dir)
        for name in moved:
            if (staging / name).exists() and out_dir.exists():
                (staging / name).rename(out_dir / name)
        raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    shutil.rmtree(retired, ignore_errors=True)
